"""Communities in an interaction graph: Louvain modularity optimisation (NetworkX's implementation).

Attention either way ties two accounts, so the graph is made undirected first
(``adjacency + adjacency.T``, self-loops dropped). Nodes with no edge belong to no
community (label ``-1``). Communities are numbered from 0 by size, largest first (ties by
their smallest node), so the numbering is stable for a given graph and seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class CommunityResult:
    labels: np.ndarray   # per node: its community, -1 for a node without edges
    modularity: float    # of the partition of the nodes that have edges
    communities: int


def louvain(adjacency, *, resolution: float = 1.0, seed: int = 0) -> CommunityResult:
    """The Louvain communities of the weighted graph ``adjacency`` (directed or not), seeded for repeatability."""
    import networkx as nx

    a = sp.csr_array(adjacency, dtype=np.float64)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"adjacency must be square, not {a.shape}")
    n = a.shape[0]
    sym = sp.triu(a + a.T, k=1, format="coo")
    keep = sym.data > 0
    rows, cols, weights = sym.row[keep], sym.col[keep], sym.data[keep]
    labels = np.full(n, -1, dtype=np.int64)
    if len(weights) == 0:
        return CommunityResult(labels, 0.0, 0)
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(), weights.tolist()))
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(graph, found, weight="weight", resolution=resolution)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    for number, members in enumerate(ordered):
        labels[members] = number
    return CommunityResult(labels, float(modularity), len(ordered))
