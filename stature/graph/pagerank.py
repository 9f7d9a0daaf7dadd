"""PageRank by power iteration on a weighted sparse adjacency matrix.

``adjacency[i, j]`` is the weight of the edge ``i -> j`` (``i`` pays attention
to ``j``). Each node passes its rank to the nodes it points at in proportion to
the weights; a node with no out-edges, or whose ``out_weight`` is larger than
the weights it actually passes, leaks the rest to the personalization vector,
as the random surfer jumps. With ``out_weight`` left out this is the PageRank of
Page, Brin, Motwani and Winograd (1999), with dangling nodes following the
personalization (as NetworkX does).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import StatureError
from .csr import CSR, as_csr


class ConvergenceError(StatureError):
    """An iteration did not reach its tolerance within its iteration limit."""


@dataclass(frozen=True)
class PageRankResult:
    scores: np.ndarray  # one per node, summing to 1
    iterations: int
    error: float  # L1 change of the last iteration


def pagerank(adjacency, *, damping: float = 0.85, personalization=None, tol: float = 1e-6,
             max_iter: int = 100, out_weight=None) -> PageRankResult:
    """The PageRank vector of ``adjacency``; raises :class:`ConvergenceError` if it does not converge.

    Iterates until the L1 change of the whole vector is below ``tol``.
    ``personalization`` (non-negative, any scale) is where the surfer jumps to;
    uniform when left out. ``out_weight[i]`` (at least node ``i``'s row sum) is
    what node ``i``'s out-weights are divided by; the share it does not pass on
    jumps like a dangling node's.
    """
    if not 0 < damping <= 1:
        raise ValueError(f"damping must be in (0, 1], not {damping}")
    if isinstance(adjacency, CSR):  # a connect's walk: no scipy to import
        matrix = as_csr(adjacency, np.float64)
    else:
        import scipy.sparse as sp
        matrix = sp.csr_array(adjacency, dtype=np.float64)
    n = matrix.shape[0]
    if matrix.shape != (n, n):
        raise ValueError(f"the adjacency matrix must be square, not {matrix.shape}")
    if n == 0:
        return PageRankResult(np.zeros(0), 0, 0.0)
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("edge weights must not be negative")

    if personalization is None:
        jump = np.full(n, 1.0 / n)
    else:
        jump = np.asarray(personalization, dtype=np.float64).ravel()
        if jump.shape != (n,) or jump.min() < 0 or not jump.sum() > 0:
            raise ValueError("personalization must be n non-negative numbers with a positive sum")
        jump = jump / jump.sum()

    rows = np.asarray(matrix.sum(axis=1)).ravel()
    if out_weight is None:
        out = rows
    else:
        out = np.asarray(out_weight, dtype=np.float64).ravel()
        if out.shape != (n,) or np.any(out < rows * (1 - 1e-9)):
            raise ValueError("out_weight must be n numbers, each at least its node's row sum")
    inverse = np.divide(1.0, out, out=np.zeros(n), where=out > 0)
    leak = 1.0 - rows * inverse  # share of each node's rank that jumps: 1 for dangling nodes
    inbound = matrix.T  # CSC view of the transpose: no copy

    x = jump.copy()
    error = np.inf
    for iteration in range(1, max_iter + 1):
        passed = inbound @ (x * inverse)
        passed *= damping
        passed += (damping * float(leak @ x) + (1.0 - damping)) * jump
        error = float(np.abs(passed - x).sum())
        x = passed
        if error < tol:
            return PageRankResult(x / x.sum(), iteration, error)
    raise ConvergenceError(f"PageRank did not converge in {max_iter} iterations "
                           f"(last L1 change {error:.2e}, tolerance {tol:.0e}); raise max_iter.")


@dataclass(frozen=True)
class StandingResult:
    standing: np.ndarray  # x: what each node holds, its own seed's share included
    received: np.ndarray  # the part of x that came from others, x - (1 - damping) * seeds
    iterations: int
    error: float  # largest relative change of the last iteration


def standing(adjacency, seeds, *, damping: float = 0.85, out_weight=None, tol: float = 1e-6,
             max_iter: int = 200) -> StandingResult:
    """Standing that flows along the edges, in the units of ``seeds``: ``x = (1 - d) seeds + d Wᵀ x``.

    ``W`` is ``adjacency`` with each row divided by ``out_weight`` (its row sum when
    left out), so a node passes on at most what it holds; what a dangling node or
    the unpassed share would hold is dropped, not spread over the graph. Unlike
    PageRank the vector is not normalised, so a node's standing depends only on
    the nodes with a path to it: adding a disjoint graph beside it changes nothing.
    Iterates until every node's change is below ``tol * (1 + x)``.
    """
    if not 0 < damping < 1:
        raise ValueError(f"damping must be in (0, 1), not {damping}")
    import scipy.sparse as sp

    matrix = sp.csr_array(adjacency, dtype=np.float64)
    n = matrix.shape[0]
    if matrix.shape != (n, n):
        raise ValueError(f"the adjacency matrix must be square, not {matrix.shape}")
    seeds = np.asarray(seeds, dtype=np.float64).ravel()
    if seeds.shape != (n,) or (n and seeds.min() < 0):
        raise ValueError("seeds must be n non-negative numbers")
    if n == 0:
        return StandingResult(np.zeros(0), np.zeros(0), 0, 0.0)
    if matrix.nnz and matrix.data.min() < 0:
        raise ValueError("edge weights must not be negative")
    rows = np.asarray(matrix.sum(axis=1)).ravel()
    out = rows if out_weight is None else np.asarray(out_weight, dtype=np.float64).ravel()
    if out.shape != (n,) or np.any(out < rows * (1 - 1e-9)):
        raise ValueError("out_weight must be n numbers, each at least its node's row sum")
    inverse = np.divide(1.0, out, out=np.zeros(n), where=out > 0)
    inbound = matrix.T
    base = (1.0 - damping) * seeds
    x = base.copy()
    error = np.inf
    for iteration in range(1, max_iter + 1):
        new = inbound @ (x * inverse)
        new *= damping
        new += base
        error = float(np.max(np.abs(new - x) / (1.0 + new)))
        x = new
        if error < tol:
            return StandingResult(x, x - base, iteration, error)
    raise ConvergenceError(f"Standing did not converge in {max_iter} iterations "
                           f"(last relative change {error:.2e}, tolerance {tol:.0e}); raise max_iter.")
