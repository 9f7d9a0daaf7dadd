"""A compressed sparse row matrix on numpy alone: the few operations one `connect` needs, without scipy.

Importing ``scipy.sparse`` costs a quarter of a second or more, as much as the rest of a
`stature connect` call once its network is cached, so the walk (:mod:`~stature.graph.circle`,
:mod:`~stature.graph.salsa`, :mod:`~stature.graph.whotofollow`, :mod:`~stature.graph.pagerank`)
runs on :class:`CSR`: rows picked by index, row and column sums, and products with a vector,
each summing in the order scipy's own kernels do, so the results are the same to the last bit.
:func:`as_csr` takes a scipy matrix (or anything scipy takes) too; :meth:`CSR.scipy` gives one
back, sharing the arrays, for everything else.
"""
from __future__ import annotations

import numpy as np


class CSR:
    """``shape``, ``data``, ``indices`` and ``indptr`` as in scipy's ``csr_array`` (canonical: one entry
    per pair, the columns of each row sorted)."""

    format = "csr"

    def __init__(self, data, indices, indptr, shape):
        self.data, self.indices, self.indptr = data, indices, indptr
        self.shape = (int(shape[0]), int(shape[1]))
        self._rows = None

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def T(self) -> "Transposed":
        return Transposed(self)

    def row_of(self) -> np.ndarray:
        """The row of each stored entry."""
        if self._rows is None:
            self._rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        return self._rows

    def __getitem__(self, key):
        if isinstance(key, tuple):  # one entry: matrix[i, j]
            i, j = (int(k) for k in key)
            lo, hi = self.indptr[i], self.indptr[i + 1]
            at = lo + int(np.searchsorted(self.indices[lo:hi], j))
            return self.data[at] if at < hi and self.indices[at] == j else self.data.dtype.type(0)
        rows = np.atleast_1d(np.asarray(key, dtype=np.int64))
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        counts = ends - starts
        indptr = np.zeros(len(rows) + 1, dtype=self.indptr.dtype)
        np.cumsum(counts, out=indptr[1:])
        at = np.repeat(starts - indptr[:-1], counts) + np.arange(int(indptr[-1]))
        return CSR(self.data[at], self.indices[at], indptr, (len(rows), self.shape[1]))

    def sum(self, axis: int) -> np.ndarray:
        """Row sums (``axis=1``, as scipy: ``np.add.reduceat`` over each row) or column sums (``axis=0``)."""
        if axis in (1, -1):
            out = np.zeros(self.shape[0])
            nonempty = np.flatnonzero(np.diff(self.indptr))
            if len(nonempty):
                out[nonempty] = np.add.reduceat(self.data, self.indptr[nonempty])
            return out
        return _sum_at(self.indices, self.data, self.shape[1])

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """``self @ x`` for a vector: each row's products summed left to right (scipy's csr_matvec)."""
        return _sum_at(self.row_of(), self.data * x[self.indices], self.shape[0])

    def scipy(self):
        """The same matrix as a ``scipy.sparse.csr_array`` (no copy)."""
        import scipy.sparse as sp

        out = sp.csr_array((self.data, self.indices, self.indptr), shape=self.shape)
        out.has_sorted_indices = True
        return out


class Transposed:
    """``matrix.T`` for products with a vector only (scipy's csc_matvec on the same arrays)."""

    def __init__(self, matrix: CSR):
        self.matrix = matrix
        self.shape = matrix.shape[::-1]

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        m = self.matrix
        return _sum_at(m.indices, m.data * x[m.row_of()], m.shape[1])


def _sum_at(where: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``out[where[k]] += values[k]`` for k in order, from zeros (a float vector even when nothing is summed)."""
    return np.bincount(where, weights=values, minlength=n).astype(np.float64, copy=False)


def as_csr(matrix, dtype=None) -> CSR:
    """``matrix`` (a :class:`CSR`, a scipy matrix or anything ``scipy.sparse.csr_array`` takes) as a
    :class:`CSR`, its values of ``dtype`` when given; a :class:`CSR` that already is one is used as it is."""
    if isinstance(matrix, CSR):
        if dtype is None or matrix.data.dtype == dtype:
            return matrix
        return CSR(matrix.data.astype(dtype), matrix.indices, matrix.indptr, matrix.shape)
    import scipy.sparse as sp

    m = sp.csr_array(matrix, dtype=dtype)
    return CSR(m.data, m.indices, m.indptr, m.shape)
