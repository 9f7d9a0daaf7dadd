"""PageRank: a published worked example, a slow reference, and the contract every call obeys."""
import numpy as np
import pytest
import scipy.sparse as sp

from stature.graph import ConvergenceError, interaction_matrix, pagerank

# The example graph of Wikipedia's "PageRank" article (figure "PageRanks-Example"): damping 0.85,
# A has no out-links; the article gives the ranks in percent.
WIKIPEDIA_EDGES = ["BC", "CB", "DA", "DB", "EB", "ED", "EF", "FB", "FE", "GB", "GE", "HB", "HE", "IB", "IE",
                   "JE", "KE"]
WIKIPEDIA_PERCENT = {"A": 3.3, "B": 38.4, "C": 34.3, "D": 3.9, "E": 8.1, "F": 3.9,
                     "G": 1.6, "H": 1.6, "I": 1.6, "J": 1.6, "K": 1.6}


def slow_pagerank(n, edges, damping=0.85, personalization=None, out_weight=None, iterations=1000):
    """Reference: a dict-and-loop power iteration, straight from the definition."""
    jump = [1.0 / n] * n if personalization is None else [p / sum(personalization) for p in personalization]
    out = [0.0] * n
    for s, _, w in edges:
        out[s] += w
    if out_weight is not None:
        out = list(out_weight)
    x = list(jump)
    for _ in range(iterations):
        new = [0.0] * n
        passed_total = [0.0] * n
        for s, t, w in edges:
            new[t] += damping * x[s] * w / out[s]
            passed_total[s] += w / out[s]
        leaked = sum(x[i] * (1.0 - passed_total[i]) for i in range(n))
        x = [new[i] + (damping * leaked + 1 - damping) * jump[i] for i in range(n)]
    return np.array(x)


def test_wikipedia_worked_example():
    names = sorted(WIKIPEDIA_PERCENT)
    index = {name: i for i, name in enumerate(names)}
    rows = [index[e[0]] for e in WIKIPEDIA_EDGES]
    cols = [index[e[1]] for e in WIKIPEDIA_EDGES]
    adjacency = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(11, 11))
    result = pagerank(adjacency)
    for name, percent in WIKIPEDIA_PERCENT.items():
        assert result.scores[index[name]] * 100 == pytest.approx(percent, abs=0.06)
    assert result.scores.sum() == pytest.approx(1.0)
    assert result.error < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_slow_reference_with_weights_personalization_and_leaks(seed):
    rng = np.random.default_rng(seed)
    n = 40
    pairs = {(int(s), int(t)) for s, t in rng.integers(0, n, size=(150, 2)) if s != t}
    edges = [(s, t, float(rng.uniform(0.1, 3))) for s, t in sorted(pairs)]
    personalization = rng.uniform(0, 2, n)
    personalization[:5] = 0  # some nodes never receive a jump
    out = np.bincount([s for s, _, _ in edges], weights=[w for _, _, w in edges], minlength=n)
    out_weight = out * rng.uniform(1, 2, n)  # every node leaks part of its rank
    matrix = interaction_matrix(n, [e[0] for e in edges], [e[1] for e in edges], [e[2] for e in edges])
    fast = pagerank(matrix.adjacency, personalization=personalization, out_weight=out_weight, tol=1e-12,
                    max_iter=500)
    slow = slow_pagerank(n, edges, personalization=personalization, out_weight=out_weight)
    slow = slow / slow.sum()
    np.testing.assert_allclose(fast.scores, slow, atol=1e-9)


def test_unweighted_matches_slow_reference_with_dangling_nodes():
    n = 30
    rng = np.random.default_rng(7)
    pairs = sorted({(int(s), int(t)) for s, t in rng.integers(0, 20, size=(60, 2)) if s != t})  # 20..29 dangle
    edges = [(s, t, 1.0) for s, t in pairs]
    adjacency = sp.csr_array((np.ones(len(pairs)), ([p[0] for p in pairs], [p[1] for p in pairs])), shape=(n, n))
    np.testing.assert_allclose(pagerank(adjacency, tol=1e-12, max_iter=500).scores,
                               slow_pagerank(n, edges), atol=1e-9)


def test_raises_when_it_does_not_converge():
    adjacency = sp.csr_array(np.array([[0, 1.0], [1.0, 0]]))
    with pytest.raises(ConvergenceError, match="did not converge in 1 iterations"):
        pagerank(adjacency, damping=1.0, personalization=[1, 0], max_iter=1)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        pagerank(sp.csr_array(np.ones((2, 3))))
    with pytest.raises(ValueError, match="negative"):
        pagerank(sp.csr_array(np.array([[0, -1.0], [1.0, 0]])))
    with pytest.raises(ValueError, match="personalization"):
        pagerank(sp.csr_array(np.eye(2)), personalization=[0, 0])
    with pytest.raises(ValueError, match="out_weight"):
        pagerank(sp.csr_array(np.array([[0, 2.0], [1.0, 0]])), out_weight=[1, 1])


def test_an_extra_inbound_edge_never_lowers_the_target():
    rng = np.random.default_rng(3)
    n = 50
    rows, cols = rng.integers(0, n, 200), rng.integers(0, n, 200)
    base = sp.csr_array((np.ones(200), (rows, cols)), shape=(n, n))
    before = pagerank(base, tol=1e-12, max_iter=500).scores
    for source in range(0, n, 7):
        extra = base + sp.csr_array(([1.0], ([source], [9])), shape=(n, n))
        assert pagerank(extra, tol=1e-12, max_iter=500).scores[9] >= before[9] - 1e-12


@pytest.mark.parametrize("by_column", [False, True])
def test_interaction_matrix_sorts_and_sums_out_weight(by_column):
    m = interaction_matrix(3, [2, 0, 0], [0, 1, 2], [1.0, 2.0, 3.0], full_weight=[4.0, 2.0, 3.0], by_column=by_column)
    assert m.adjacency.format == ("csc" if by_column else "csr")
    assert m.adjacency.toarray().tolist() == [[0, 2, 3], [0, 0, 0], [1, 0, 0]]
    assert m.out_weight.tolist() == [5.0, 0.0, 4.0]
    with pytest.raises(ValueError, match="outside"):
        interaction_matrix(2, [0], [5], [1.0], by_column=by_column)


def test_empty_graph():
    assert pagerank(sp.csr_array((0, 0))).scores.shape == (0,)
