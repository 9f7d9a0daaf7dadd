"""Communities in an interaction graph: modularity optimisation with igraph (Louvain or Leiden).

Attention either way ties two accounts, so the graph is made undirected first
(``adjacency + adjacency.T``, self-loops dropped; pass ``symmetric=True`` when it already is)
and handed to igraph straight from the sparse matrix's upper triangle. ``method`` is
``"louvain"`` (igraph's ``community_multilevel``) or ``"leiden"`` (``community_leiden`` on
modularity, iterated until stable). igraph's random choices are drawn from a
``random.Random(seed)`` for the call only, so a seed gives the same partition every time.
Nodes with no edge belong to no community (label ``-1``). Communities are numbered from 0
by size, largest first (ties by their smallest node).

NetworkX's Louvain is the slow reference the tests hold this to.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

import numpy as np

METHODS = ("louvain", "leiden")
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class CommunityResult:
    labels: np.ndarray   # per node: its community, -1 for a node without edges
    modularity: float    # of the partition of the nodes that have edges
    communities: int
    method: str = "louvain"


def detect(adjacency, *, method: str = "louvain", resolution: float = 1.0, seed: int = 0,
           symmetric: bool = False, progress: Progress | None = None) -> CommunityResult:
    """The communities of the weighted graph ``adjacency`` (directed or not), seeded for repeatability."""
    import scipy.sparse as sp

    ig = _igraph()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if not resolution > 0:
        raise ValueError(f"resolution must be positive, not {resolution}")
    step = progress or (lambda done, total, label="": None)
    a = sp.csr_array(adjacency)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"adjacency must be square, not {a.shape}")
    n = a.shape[0]
    step(0, 3, "undirected graph")
    sym = sp.triu(a if symmetric else a + a.T, k=1, format="coo")
    del a
    keep = sym.data > 0
    index = np.int32 if n < 2**31 else np.int64
    edges = np.column_stack([sym.row[keep].astype(index), sym.col[keep].astype(index)])
    weights = sym.data[keep].astype(np.float64)
    del sym, keep
    labels = np.full(n, -1, dtype=np.int64)
    if len(weights) == 0:
        return CommunityResult(labels, 0.0, 0, method)
    has_edge = np.zeros(n, dtype=bool)
    has_edge[edges.ravel()] = True
    step(1, 3, "igraph")
    graph = ig.Graph(n=n, edges=edges, directed=False)
    del edges
    step(2, 3, method)
    previous = random.getstate()
    ig.set_random_number_generator(random.Random(seed))
    try:
        if method == "louvain":
            found = graph.community_multilevel(weights=weights, resolution=resolution)
        else:
            found = graph.community_leiden(objective_function="modularity", weights=weights,
                                           resolution=resolution, n_iterations=-1)
        membership = np.asarray(found.membership, dtype=np.int64)
        modularity = graph.modularity(membership.tolist(), weights=weights, resolution=resolution)
    finally:
        ig.set_random_number_generator(random)
        random.setstate(previous)
    step(3, 3, "numbering")
    labels[has_edge] = _by_size(membership[has_edge])
    return CommunityResult(labels, float(modularity), int(labels.max()) + 1, method)


def _igraph():
    """igraph, imported without its matplotlib drawing (seconds of start-up where matplotlib is
    installed; communities draw nothing). matplotlib itself stays importable afterwards."""
    import sys

    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph
        return igraph
    sys.modules["matplotlib"] = None  # makes `import matplotlib` fail inside igraph, which then goes without
    try:
        import igraph
    finally:
        del sys.modules["matplotlib"]
    return igraph


def _by_size(membership: np.ndarray) -> np.ndarray:
    """Renumber communities 0.. by size, largest first, ties by their first (smallest) node."""
    found, first, inverse, sizes = np.unique(membership, return_index=True, return_inverse=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    rank = np.empty(len(found), dtype=np.int64)
    rank[order] = np.arange(len(found))
    return rank[inverse]


def louvain(adjacency, *, resolution: float = 1.0, seed: int = 0) -> CommunityResult:
    """Louvain communities of ``adjacency`` (:func:`detect` with ``method="louvain"``)."""
    return detect(adjacency, method="louvain", resolution=resolution, seed=seed)


def modularity(adjacency, labels, *, resolution: float = 1.0) -> float:
    """Newman's modularity of ``labels`` (-1: no community) on the undirected ``adjacency + adjacency.T``."""
    import scipy.sparse as sp

    a = sp.csr_array(adjacency, dtype=np.float64)
    sym = sp.triu(a + a.T, k=1, format="coo")
    labels = np.asarray(labels)
    w = sym.data
    total = w.sum()
    if total == 0:
        return 0.0
    strength = np.bincount(sym.row, w, minlength=a.shape[0]) + np.bincount(sym.col, w, minlength=a.shape[0])
    inside = w[labels[sym.row] == labels[sym.col]].sum()
    grouped = labels >= 0
    per = np.bincount(labels[grouped], strength[grouped])
    return float(inside / total - resolution * (per ** 2).sum() / (2 * total) ** 2)
