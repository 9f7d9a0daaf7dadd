"""Neighbourhood link-prediction scores, the classic baselines (Liben-Nowell & Kleinberg, 2007).

Neighbours are undirected: ``w`` is a neighbour of ``u`` when either pays attention to
the other. Each function scores every node against one ``source`` and returns an array
of n numbers; pass ``neighbours = undirected(adjacency)`` once and reuse it.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def undirected(adjacency) -> sp.csr_array:
    """The 0/1 symmetric neighbour matrix of ``adjacency``, without self-loops."""
    matrix = sp.csr_array(adjacency)
    pattern = ((matrix != 0).astype(np.float64) + (matrix.T != 0).astype(np.float64)).tocsr()
    pattern.setdiag(0)
    pattern.eliminate_zeros()
    pattern.data[:] = 1.0
    return pattern


def common_neighbours(neighbours, source: int) -> np.ndarray:
    """``|N(source) & N(v)|`` for every node ``v``."""
    matrix = sp.csr_array(neighbours)
    return _two_steps(matrix, source, np.ones(matrix.shape[0]))


def adamic_adar(neighbours, source: int) -> np.ndarray:
    """``sum over w in N(source) & N(v) of 1 / log |N(w)|`` for every node ``v`` (Adamic & Adar, 2003)."""
    matrix = sp.csr_array(neighbours)
    degree = np.diff(matrix.indptr).astype(np.float64)
    weight = np.divide(1.0, np.log(np.maximum(degree, 2.0)), out=np.zeros_like(degree), where=degree > 1)
    return _two_steps(matrix, source, weight)


def _two_steps(matrix, source: int, weight: np.ndarray) -> np.ndarray:
    n = matrix.shape[0]
    first = matrix[[source]]
    middle = first.indices
    rows = matrix[middle]
    each = np.repeat(weight[middle], np.diff(rows.indptr))
    return np.bincount(rows.indices, weights=each, minlength=n)
