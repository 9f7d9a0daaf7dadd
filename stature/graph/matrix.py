"""The interaction matrix: node indices in, a CSR (or CSC) matrix out.

The id <-> index mapping happens at the boundary, in the relational step that
numbers the nodes; everything here sees integer indices only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class InteractionMatrix:
    adjacency: sp.csr_array  # adjacency[i, j]: how much i paid attention to j (CSC where asked)
    out_weight: np.ndarray  # per node, its undiscounted out-weight (>= its row sum)

    @property
    def nodes(self) -> int:
        return self.adjacency.shape[0]


def interaction_matrix(n: int, source, target, weight, full_weight=None, *, by_column: bool = False
                       ) -> InteractionMatrix:
    """Build the n x n matrix from edge arrays (one edge per source/target pair).

    ``full_weight`` is each edge's weight before discounts (reciprocal
    amplification); what a discount removes is not passed on by PageRank.
    Edges sorted by source (as the relational step delivers them) are laid out
    without a sort. ``by_column`` gives a CSC matrix instead, from edges in any
    order: its transpose, what standing multiplies by, is then CSR at no cost.
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int32 if n < 2**31 else np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    if len(source) and (source.min() < 0 or source.max() >= n or target.min() < 0 or target.max() >= n):
        raise ValueError("an edge refers to a node index outside 0..n-1")
    if by_column:
        adjacency = sp.csc_array((weight, (source.astype(target.dtype), target)), shape=(n, n))
    else:
        if len(source) > 1 and not np.all(source[1:] >= source[:-1]):
            order = np.argsort(source, kind="stable")
            source, target, weight = source[order], target[order], weight[order]
            if full_weight is not None:
                full_weight = np.asarray(full_weight)[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(source, minlength=n), out=indptr[1:])
        if indptr[-1] < 2**31 and n < 2**31:
            indptr = indptr.astype(np.int32)
        adjacency = sp.csr_array((weight, target, indptr), shape=(n, n))
    out = np.bincount(source, weights=weight, minlength=n)
    if full_weight is not None:
        out = np.maximum(np.bincount(source, weights=np.asarray(full_weight, dtype=np.float64), minlength=n), out)
    return InteractionMatrix(adjacency, out)
