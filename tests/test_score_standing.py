"""Authority's standing (stature.graph.standing) against a dense solve, and its locality."""
import numpy as np
import pytest
import scipy.sparse as sp

from stature.graph import ConvergenceError, standing


def dense_standing(adjacency, seeds, out_weight, damping=0.85):
    """The reference: solve x = (1 - d) s + d Wᵀ x exactly, W = rows divided by out_weight."""
    a = np.asarray(adjacency, dtype=float)
    w = a / np.where(out_weight > 0, out_weight, 1.0)[:, None]
    return np.linalg.solve(np.eye(len(seeds)) - damping * w.T, (1 - damping) * np.asarray(seeds, dtype=float))


def random_graph(n, seed):
    rng = np.random.default_rng(seed)
    a = (rng.random((n, n)) < 0.15) * rng.uniform(0.1, 2.0, (n, n))
    np.fill_diagonal(a, 0)
    return a, rng.uniform(1, 10, n), a.sum(axis=1) * rng.uniform(1.0, 1.5, n)


def test_standing_matches_a_dense_solve():
    a, seeds, out = random_graph(40, 3)
    result = standing(sp.csr_array(a), seeds, out_weight=out, tol=1e-12, max_iter=500)
    assert result.standing == pytest.approx(dense_standing(a, seeds, out), rel=1e-9)
    assert result.received == pytest.approx(result.standing - 0.15 * seeds, rel=1e-9, abs=1e-12)


def test_a_disjoint_graph_beside_changes_no_standing():
    a, seeds, out = random_graph(30, 1)
    b, seeds_b, out_b = random_graph(50, 2)
    both = sp.block_diag([sp.csr_array(a), sp.csr_array(b)]).tocsr()
    alone = standing(sp.csr_array(a), seeds, out_weight=out, tol=1e-12, max_iter=500).standing
    beside = standing(both, np.concatenate([seeds, seeds_b]), out_weight=np.concatenate([out, out_b]),
                      tol=1e-12, max_iter=500).standing[:30]
    assert beside == pytest.approx(alone, rel=1e-10)


def test_standing_says_when_it_does_not_converge():
    a, seeds, out = random_graph(20, 4)
    with pytest.raises(ConvergenceError, match="did not converge in 2 iterations"):
        standing(sp.csr_array(a), seeds, out_weight=out, max_iter=2)


def plain_standing(adjacency, seeds, out_weight, tol, damping=0.85):
    """The iteration without extrapolation, step by step: ``(standing, steps)``."""
    w = sp.diags(np.divide(1.0, out_weight, out=np.zeros(len(seeds)), where=out_weight > 0)) @ sp.csr_array(adjacency)
    base = (1 - damping) * np.asarray(seeds, dtype=float)
    x = base.copy()
    for step in range(1, 2000):
        new = damping * (w.T @ x) + base
        if np.max(np.abs(new - x) / (1 + new)) < tol:
            return new, step
        x = new


def test_extrapolation_reaches_the_fixed_point_in_fewer_steps():
    # a big sparse random graph: the changes soon shrink at one rate, and the rest of the tail is added at once
    rng = np.random.default_rng(5)
    n, m = 3000, 30000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    a = sp.coo_array((rng.uniform(0.1, 2.0, keep.sum()), (src[keep], dst[keep])), shape=(n, n)).tocsr()
    out = a.sum(axis=1) * rng.uniform(1.0, 1.2, n)
    seeds = rng.uniform(1, 10, n)
    exact = plain_standing(a, seeds, out, tol=1e-14)[0]
    plain, plain_steps = plain_standing(a, seeds, out, tol=1e-6)
    result = standing(a, seeds, out_weight=out, tol=1e-6)
    assert result.iterations * 2 < plain_steps
    # the same stopping rule, so as near the fixed point as the plain iteration gets (tol / (1 - d) at most)
    error = np.max(np.abs(result.standing - exact) / (1 + exact))
    assert error <= np.max(np.abs(plain - exact) / (1 + exact)) and error < 1e-6 / 0.15
