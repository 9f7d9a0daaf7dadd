"""SALSA (Lempel & Moran, 2000) on a bipartite hub -> authority graph, with an optional restart.

The hubs are some nodes of ``adjacency`` (a circle of trust); the authorities are every
node they point at. A walker alternates: from a hub it follows one of the hub's out-edges
in proportion to its weight to an authority; from the authority it steps back along one of
the authority's in-edges *from hubs*, in proportion to weight, to a hub. With ``restart``
it jumps back to the ``prior`` over hubs with that probability at each hub step, which
makes the walk personalized, as in Twitter's Who-to-Follow (Gupta et al., WWW 2013).

Hub scores say "similar to" the prior, authority scores "interested in". With
``restart=0`` on a connected bipartite graph the authority scores are proportional to
each authority's in-weight from the hubs (the theorem of Lempel and Moran).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .csr import CSR, as_csr
from .pagerank import ConvergenceError


@dataclass(frozen=True)
class SalsaResult:
    hubs: np.ndarray          # the hub node indices, as given
    hub_scores: np.ndarray    # one per hub, summing to 1
    authorities: np.ndarray   # one per node of the graph, summing to 1 (0 off the hubs' out-edges)
    iterations: int
    error: float              # L1 change of the hub scores in the last iteration


def salsa(adjacency, hubs, *, prior=None, restart: float = 0.0, tol: float = 1e-9,
          max_iter: int = 200) -> SalsaResult:
    """Hub and authority scores of the walk described above; raises :class:`ConvergenceError`.

    ``hubs``: node indices (distinct). ``prior``: non-negative weights over ``hubs``
    (uniform when left out), where the walk starts and restarts; hubs with no out-edges
    send their score back to it. Iterates until the L1 change of the hub scores is below
    ``tol``.
    """
    if not 0 <= restart <= 1:
        raise ValueError(f"restart must be in [0, 1], not {restart}")
    matrix = as_csr(adjacency, np.float64)
    n = matrix.shape[0]
    if matrix.shape != (n, n):
        raise ValueError(f"the adjacency matrix must be square, not {matrix.shape}")
    hubs = np.asarray(hubs, dtype=np.int64).ravel()
    if len(hubs) == 0:
        return SalsaResult(hubs, np.zeros(0), np.zeros(n), 0, 0.0)
    if hubs.min() < 0 or hubs.max() >= n or len(np.unique(hubs)) != len(hubs):
        raise ValueError("hubs must be distinct node indices in 0..n-1")
    if prior is None:
        start = np.full(len(hubs), 1.0 / len(hubs))
    else:
        start = np.asarray(prior, dtype=np.float64).ravel()
        if start.shape != hubs.shape or start.min() < 0 or not start.sum() > 0:
            raise ValueError("prior must be one non-negative number per hub, with a positive sum")
        start = start / start.sum()

    rows = matrix[hubs]  # hubs x n
    if rows.nnz and rows.data.min() < 0:
        raise ValueError("edge weights must not be negative")
    reached, column = np.unique(rows.indices, return_inverse=True)  # the authorities, numbered 0..m-1
    bipartite = CSR(rows.data, column.ravel(), rows.indptr, (len(hubs), len(reached)))
    row = np.asarray(bipartite.sum(axis=1)).ravel()
    col = np.asarray(bipartite.sum(axis=0)).ravel()
    inv_row = np.divide(1.0, row, out=np.zeros_like(row), where=row > 0)
    inv_col = np.divide(1.0, col, out=np.zeros_like(col), where=col > 0)
    back = bipartite.T  # authority -> hub, for the return step

    def to_authorities(h):
        return back @ (h * inv_row)

    h = start.copy()
    error = np.inf
    for iteration in range(1, max_iter + 1):
        returned = bipartite @ (to_authorities(h) * inv_col)
        stuck = float(h[row == 0].sum())  # hubs with no out-edges: their score restarts
        new = (1.0 - restart) * returned + (restart + (1.0 - restart) * stuck) * start
        error = float(np.abs(new - h).sum())
        h = new
        if error < tol:
            compact = to_authorities(h)
            total = compact.sum()
            authorities = np.zeros(n)
            authorities[reached] = compact / total if total > 0 else compact
            return SalsaResult(hubs, h / h.sum(), authorities, iteration, error)
    raise ConvergenceError(f"SALSA did not converge in {max_iter} iterations "
                           f"(last L1 change {error:.2e}, tolerance {tol:.0e}); raise max_iter or restart.")
