"""A circle of trust: the nodes a personalized PageRank from some seeds ranks highest.

On a large graph the walk from a few seeds stays near them, so the PageRank runs on a
ball around the seeds rather than on the whole graph: the ball grows a hop at a time
along the edges, keeping at each hop the nodes the walk reaches with the most mass,
until it holds ``max_nodes``. Inside it, :func:`~stature.graph.pagerank.pagerank` runs
with the seeds as its personalization and each node's *whole* out-weight as its
``out_weight``, so what would leave the ball jumps back to the seeds. Where the ball
holds every node the seeds reach, this is exactly the personalized PageRank.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .csr import CSR, as_csr
from .pagerank import pagerank


@dataclass(frozen=True)
class Circle:
    nodes: np.ndarray    # node indices, highest score first (the seeds among them)
    scores: np.ndarray   # their personalized PageRank inside the ball
    ball: int            # how many nodes the PageRank ran on
    iterations: int


def circle_of_trust(walk, seeds, *, size: int = 200, damping: float = 0.6, hops: int = 3,
                    max_nodes: int = 5_000, weights=None, tol: float = 1e-7, max_iter: int = 500) -> Circle:
    """The ``size`` nodes with the highest personalized PageRank from ``seeds`` on ``walk``.

    ``walk[i, j]``: how strongly a walker at ``i`` steps to ``j`` (CSR; make it symmetric
    to walk edges both ways). ``seeds``: node indices, weighted by ``weights`` (equal when
    left out). The ball spans at most ``hops`` steps and ``max_nodes`` nodes.
    """
    matrix = as_csr(walk)
    n = matrix.shape[0]
    seeds = np.asarray(seeds, dtype=np.int64).ravel()
    if len(seeds) == 0:
        raise ValueError("a circle of trust needs at least one seed")
    if seeds.min() < 0 or seeds.max() >= n:
        raise ValueError("seeds must be node indices in 0..n-1")
    seed_weight = np.ones(len(seeds)) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if seed_weight.shape != seeds.shape or seed_weight.min() < 0 or not seed_weight.sum() > 0:
        raise ValueError("weights must be one non-negative number per seed, with a positive sum")

    ball = _ball(matrix, seeds, seed_weight, hops, max_nodes)
    rows = matrix[ball]
    out_weight = np.asarray(rows.sum(axis=1)).ravel()
    position = np.full(n, -1, dtype=np.int64)
    position[ball] = np.arange(len(ball))
    inside = position[rows.indices] >= 0
    row_of = np.repeat(np.arange(len(ball)), np.diff(rows.indptr))
    counts = np.bincount(row_of[inside], minlength=len(ball))
    indptr = np.zeros(len(ball) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    sub = CSR(rows.data[inside], position[rows.indices[inside]], indptr, (len(ball), len(ball)))
    jump = np.zeros(len(ball))
    np.add.at(jump, position[seeds], seed_weight)
    result = pagerank(sub, damping=damping, personalization=jump, out_weight=np.maximum(out_weight, sub.sum(axis=1)),
                      tol=tol, max_iter=max_iter)
    order = np.argsort(-result.scores, kind="stable")
    order = order[result.scores[order] > 0][:size]
    return Circle(ball[order], result.scores[order], len(ball), result.iterations)


def _ball(matrix, seeds, seed_weight, hops: int, max_nodes: int) -> np.ndarray:
    """The seeds and the nodes a walk from them reaches in ``hops`` steps, most-reached first, capped."""
    n = matrix.shape[0]
    frontier, where = np.unique(seeds, return_inverse=True)
    frontier_mass = np.bincount(where, weights=seed_weight, minlength=len(frontier))
    member = np.zeros(n, dtype=bool)
    member[frontier] = True
    ball = [frontier]
    count = len(frontier)
    for _ in range(hops):
        if count >= max_nodes or len(frontier) == 0:
            break
        rows = matrix[frontier]
        out = np.asarray(rows.sum(axis=1)).ravel()
        share = np.divide(frontier_mass, out, out=np.zeros_like(out), where=out > 0)
        reached = np.bincount(rows.indices, weights=rows.data * np.repeat(share, np.diff(rows.indptr)),
                              minlength=n)
        reached[member] = 0.0
        new = np.flatnonzero(reached > 0)
        room = max_nodes - count
        if len(new) > room:
            new = new[np.argpartition(-reached[new], room - 1)[:room]]
        member[new] = True
        ball.append(new)
        count += len(new)
        frontier, frontier_mass = new, reached[new]
    return np.concatenate(ball)
