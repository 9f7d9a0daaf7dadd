"""Whom a user might connect with: a circle of trust, SALSA on it, and an optional pull.

After Twitter's Who-to-Follow (Gupta et al., WWW 2013):

1. the *circle of trust*: the nodes a personalized PageRank from the user ranks highest,
   walking attention edges both ways (:func:`~stature.graph.circle.circle_of_trust`);
2. personalized SALSA with the circle as hubs, weighted by their PageRank: authorities are
   the nodes the circle pays attention to, "interested in" rather than "similar to";
3. a node that already pays attention to the user (follows, replies to or mentions them)
   gains ``reciprocity`` (people follow back);
4. with a ``prior`` (say, how credible a node is on a goal's topics, or whether it is in
   the goal's audience) and a ``pull``, the circle of trust also starts, with a share
   ``prior_share`` of the walk, from the ``prior_seeds`` nodes of highest prior, and each
   hub's weight and each candidate's score are multiplied by ``1 + pull * prior``.

Nodes the user already pays attention to, the user and ``exclude`` are never suggested.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .circle import Circle, circle_of_trust
from .csr import as_csr
from .salsa import salsa

ATTENTION_SCALE = 0.5   # attention towards the user giving reciprocity 1 - 1/e (one follow)


@dataclass(frozen=True)
class Recommendations:
    nodes: np.ndarray       # suggested node indices, best first
    scores: np.ndarray      # their scores
    authority: np.ndarray   # their SALSA authority, scaled so the circle's best is 1
    attention: np.ndarray   # how much each already pays attention to the user, in [0, 1)
    circle: Circle


def who_to_follow(adjacency, user, *, walk=None, prior=None, pull: float = 0.0, top: int = 10,
                  exclude=None, circle_size: int = 200, damping: float = 0.5, restart: float = 0.9,
                  reciprocity: float = 0.5, max_nodes: int = 5_000, prior_share: float = 0.3,
                  prior_seeds: int = 50, authority_power: float = 0.5) -> Recommendations:
    """The ``top`` nodes to suggest to ``user`` (a node index, or several for one person).

    ``adjacency[i, j]``: how much ``i`` pays attention to ``j`` (CSR). ``walk``: the
    matrix the circle walks on, ``adjacency + adjacency.T`` (computed when left out; pass
    it when calling many times). ``prior``: one number in [0, 1] per node. ``exclude``: a
    boolean mask of nodes never to suggest.
    """
    matrix = as_csr(adjacency, np.float64)
    n = matrix.shape[0]
    seeds = np.unique(np.atleast_1d(np.asarray(user, dtype=np.int64)))
    if walk is None:
        both = matrix.scipy()
        walk = (both + both.T).tocsr()
    if prior is not None:
        prior = np.asarray(prior, dtype=np.float64).ravel()
        if prior.shape != (n,) or prior.min() < 0 or prior.max() > 1:
            raise ValueError("prior must be n numbers in [0, 1]")
    pulled = prior is not None and pull > 0
    boost = (lambda nodes: 1.0 + pull * prior[nodes]) if pulled else (lambda nodes: 1.0)

    starts, weights = seeds, np.full(len(seeds), 1.0 / len(seeds))
    if pulled and prior_share > 0 and prior.max() > 0:
        best = np.argpartition(-prior, min(prior_seeds, n) - 1)[:prior_seeds]
        best = best[(prior[best] > 0) & ~np.isin(best, seeds)]
        if len(best):
            starts = np.concatenate([seeds, best])
            weights = np.concatenate([weights * (1 - prior_share), prior_share * prior[best] / prior[best].sum()])
    circle = circle_of_trust(walk, starts, weights=weights, size=circle_size, damping=damping, max_nodes=max_nodes)
    hubs = salsa(matrix, circle.nodes, prior=circle.scores * boost(circle.nodes), restart=restart)
    authority = hubs.authorities
    best = authority.max() if len(authority) else 0.0

    # attention towards the user: the walk's rows minus the user's own out-edges, as sparse vectors
    both_at, both = _row_sum(walk, seeds)
    own_at, own = _row_sum(matrix, seeds)
    towards = both.copy()
    at = np.minimum(np.searchsorted(both_at, own_at), max(len(both_at) - 1, 0))
    mine = both_at[at] == own_at if len(both_at) else np.zeros(0, dtype=bool)
    np.subtract.at(towards, at[mine], own[mine])
    keep = towards > 1e-12
    towards_at, towards = both_at[keep], towards[keep]
    reached = np.flatnonzero(authority)
    nodes = np.union1d(reached, towards_at)
    nodes = nodes[~np.isin(nodes, seeds) & ~np.isin(nodes, own_at)]
    if exclude is not None:
        nodes = nodes[~np.asarray(exclude, dtype=bool)[nodes]]
    auth = (authority[nodes] / best) ** authority_power if best > 0 else np.zeros(len(nodes))
    attention = np.zeros(len(nodes))
    if len(towards_at):
        at = np.minimum(np.searchsorted(towards_at, nodes), len(towards_at) - 1)
        hit = towards_at[at] == nodes
        attention[hit] = 1.0 - np.exp(-towards[at[hit]] / ATTENTION_SCALE)
    scores = (auth + reciprocity * attention) * boost(nodes)
    if len(nodes) > top:
        keep = np.argpartition(-scores, top - 1)[:top]
        nodes, scores, auth, attention = nodes[keep], scores[keep], auth[keep], attention[keep]
    order = np.lexsort((nodes, -scores))
    return Recommendations(nodes[order], scores[order], auth[order], attention[order], circle)


def _row_sum(matrix, rows) -> tuple[np.ndarray, np.ndarray]:
    """The sum of ``matrix``'s ``rows`` as a sparse vector: (sorted column indices, values)."""
    picked = matrix[rows]
    at, where = np.unique(picked.indices, return_inverse=True)
    return at, np.bincount(where.ravel(), weights=picked.data, minlength=len(at))
