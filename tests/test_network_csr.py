"""The numpy CSR of a connect's walk gives what scipy gives, to the last bit."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from stature.graph.csr import CSR, as_csr


@pytest.fixture
def pair():
    rng = np.random.default_rng(5)
    dense = rng.random((300, 280)) * (rng.random((300, 280)) < 0.05)
    dense[7] = 0.0  # an empty row
    theirs = sp.csr_array(dense)
    return as_csr(theirs), theirs


def same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def test_rows_picked_by_index_are_scipys(pair):
    ours, theirs = pair
    for rows in ([3], [7], [5, 1, 5, 299], np.array([0, 7, 150])):
        got, want = ours[rows], theirs[rows]
        assert got.shape == want.shape
        assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
        assert same_bits(got.data, want.data)


def test_sums_and_products_are_scipys_to_the_bit(pair):
    ours, theirs = pair
    x = np.random.default_rng(1).random(280)
    y = np.random.default_rng(2).random(300)
    assert same_bits(ours.sum(axis=1), theirs.sum(axis=1))
    assert same_bits(ours.sum(axis=0), theirs.sum(axis=0))
    assert same_bits(ours @ x, theirs @ x)
    assert same_bits(ours.T @ y, theirs.T @ y)


def test_an_entry_is_read_or_zero(pair):
    ours, theirs = pair
    dense = theirs.toarray()
    for i, j in ((0, 0), (12, 40), (7, 3), (299, 279)):
        assert ours[i, j] == dense[i, j]
    i, j = (int(v[0]) for v in np.nonzero(dense))
    assert ours[i, j] == dense[i, j] != 0


def test_nothing_summed_is_a_float_zero_vector():
    empty = CSR(np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(4, dtype=np.int64), (3, 3))
    for got in (empty @ np.ones(3), empty.T @ np.ones(3), empty.sum(axis=0), empty.sum(axis=1)):
        assert got.dtype == np.float64 and not got.any() and got.shape == (3,)


def test_scipy_gets_the_same_matrix_back(pair):
    ours, theirs = pair
    back = ours.scipy()
    assert (back != theirs).nnz == 0 and np.shares_memory(back.data, ours.data)


def test_a_matrix_of_counts_is_walked_as_weights():
    from stature.graph.pagerank import pagerank

    counts = sp.csr_array(np.array([[0, 2, 1, 0], [1, 0, 0, 3], [0, 1, 0, 1], [2, 0, 1, 0]]))
    ours = pagerank(as_csr(counts), damping=0.6)
    theirs = pagerank(counts.astype(np.float64), damping=0.6)
    assert same_bits(ours.scores, theirs.scores) and ours.iterations == theirs.iterations
