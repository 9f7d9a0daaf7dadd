"""The interaction matrix: node indices in, a CSR matrix out.

The id <-> index mapping happens at the boundary, in the relational step that
numbers the nodes; everything here sees integer indices only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class InteractionMatrix:
    adjacency: sp.csr_array  # adjacency[i, j]: how much i paid attention to j
    out_weight: np.ndarray  # per node, its undiscounted out-weight (>= its row sum)

    @property
    def nodes(self) -> int:
        return self.adjacency.shape[0]


def interaction_matrix(n: int, source, target, weight, full_weight=None) -> InteractionMatrix:
    """Build the n x n matrix from edge arrays (one edge per source/target pair), in any order.

    ``full_weight`` is each edge's weight before discounts (reciprocal
    amplification); what a discount removes is not passed on by PageRank.
    The edges are laid out by source, then target, whatever order they come in
    (a counting sort, then each row's few targets sorted), so every sum over a
    row or column runs in the same order and gives the same bits every time.
    """
    index = np.int32 if n < 2**31 else np.int64
    source = np.asarray(source, dtype=index)
    target = np.asarray(target, dtype=index)
    weight = np.asarray(weight, dtype=np.float64)
    if len(source) and (source.min() < 0 or source.max() >= n or target.min() < 0 or target.max() >= n):
        raise ValueError("an edge refers to a node index outside 0..n-1")
    # where each edge goes in source, target order: its position rides along as the data of a scipy matrix
    # (exact in a double below 2**53) through scipy's counting sort by row and its sort within each row
    layout = sp.csr_array((np.arange(len(source), dtype=np.float64), (source, target)), shape=(n, n))
    if layout.nnz != len(source):
        raise ValueError("two edges join the same pair of nodes: sum them into one first")
    layout.sort_indices()
    order = layout.data.astype(np.int64)
    adjacency = sp.csr_array((weight[order], layout.indices, layout.indptr), shape=(n, n))
    out = _row_sums(adjacency)
    if full_weight is not None:
        full = sp.csr_array((np.asarray(full_weight, dtype=np.float64)[order], layout.indices, layout.indptr),
                            shape=(n, n))
        out = np.maximum(_row_sums(full), out)
    return InteractionMatrix(adjacency, out)


def _row_sums(matrix: sp.csr_array) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()
