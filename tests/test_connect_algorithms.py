"""Connection algorithms on scipy.sparse, each checked against a slow reference written from its definition."""
import math

import numpy as np
import pytest
import scipy.sparse as sp

from stature.graph import (ConvergenceError, adamic_adar, circle_of_trust, common_neighbours, pagerank, salsa,
                           undirected, who_to_follow)


def random_graph(n=60, m=300, seed=0):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    edges = {}
    for s, t, w in zip(src[keep], dst[keep], rng.uniform(0.2, 2.0, keep.sum())):
        edges[(int(s), int(t))] = float(w)
    rows, cols = zip(*edges)
    return sp.csr_array((list(edges.values()), (rows, cols)), shape=(n, n)), edges


# ---------------------------------------------------------------- SALSA


def slow_salsa(n, edges, hubs, prior=None, restart=0.0, iterations=3000):
    """Reference: the hub -> authority -> hub walk, loop by loop, from its definition."""
    hub_set = list(hubs)
    start = [1.0 / len(hub_set)] * len(hub_set) if prior is None else [p / sum(prior) for p in prior]
    out = {h: sum(w for (s, _), w in edges.items() if s == h) for h in hub_set}
    into = [0.0] * n  # in-weight from hubs
    for (s, t), w in edges.items():
        if s in out:
            into[t] += w
    h = dict(zip(hub_set, start))
    for _ in range(iterations):
        a = [0.0] * n
        for (s, t), w in edges.items():
            if s in h and out[s] > 0:
                a[t] += h[s] * w / out[s]
        new = {x: 0.0 for x in hub_set}
        for (s, t), w in edges.items():
            if s in new and into[t] > 0:
                new[s] += a[t] * w / into[t]
        stuck = sum(h[x] for x in hub_set if out[x] == 0)
        h = {x: (1 - restart) * new[x] + (restart + (1 - restart) * stuck) * start[i]
             for i, x in enumerate(hub_set)}
    a = [0.0] * n
    for (s, t), w in edges.items():
        if s in h and out[s] > 0:
            a[t] += h[s] * w / out[s]
    total = sum(a)
    return np.array([h[x] for x in hub_set]), np.array(a) / total


@pytest.mark.parametrize("restart", [0.0, 0.3, 0.9])
def test_salsa_matches_the_slow_reference(restart):
    matrix, edges = random_graph(seed=3)
    hubs = [0, 5, 7, 11, 19, 23, 31, 40]
    prior = [1, 2, 3, 1, 1, 5, 1, 2]
    result = salsa(matrix, hubs, prior=prior, restart=restart, tol=1e-13, max_iter=5000)
    hub_ref, auth_ref = slow_salsa(matrix.shape[0], edges, hubs, prior, restart)
    assert np.allclose(result.hub_scores, hub_ref, atol=1e-8)
    assert np.allclose(result.authorities, auth_ref, atol=1e-8)
    assert result.authorities.sum() == pytest.approx(1.0)


def test_salsa_authorities_follow_in_degree_without_restart():
    """Lempel & Moran (2000): on a connected bipartite graph SALSA's authority score is the in-degree share."""
    edges = [(0, 10), (0, 11), (1, 11), (1, 12), (2, 12), (2, 13), (2, 11), (3, 13), (3, 10)]
    rows, cols = zip(*edges)
    matrix = sp.csr_array((np.ones(len(edges)), (rows, cols)), shape=(14, 14))
    result = salsa(matrix, [0, 1, 2, 3], tol=1e-14, max_iter=10_000)
    indegree = np.bincount(cols, minlength=14) / len(edges)
    assert np.allclose(result.authorities, indegree, atol=1e-9)


def test_salsa_refuses_bad_input_and_reports_non_convergence():
    matrix, _ = random_graph()
    with pytest.raises(ValueError):
        salsa(matrix, [0, 0, 1])
    with pytest.raises(ValueError):
        salsa(matrix, [0, 1], prior=[0, 0])
    with pytest.raises(ConvergenceError):
        salsa(matrix, list(range(30)), tol=1e-30, max_iter=3)
    empty = salsa(matrix, [])
    assert empty.authorities.sum() == 0


# ---------------------------------------------------------------- circle of trust


def test_circle_of_trust_is_personalized_pagerank_when_the_ball_holds_everything():
    matrix, _ = random_graph(n=80, m=400, seed=5)
    walk = (matrix + matrix.T).tocsr()
    circle = circle_of_trust(walk, [4], size=80, damping=0.6, hops=10, max_nodes=10_000)
    jump = np.zeros(80)
    jump[4] = 1
    full = pagerank(walk, damping=0.6, personalization=jump, tol=1e-12, max_iter=1000).scores
    assert np.allclose(circle.scores, full[circle.nodes], atol=1e-7)
    assert list(circle.nodes[:10]) == list(np.argsort(-full, kind="stable")[:10])


def test_circle_of_trust_on_a_capped_ball_keeps_the_top_of_the_full_walk():
    matrix, _ = random_graph(n=3000, m=15000, seed=9)
    walk = (matrix + matrix.T).tocsr()
    jump = np.zeros(3000)
    jump[17] = 1
    full = pagerank(walk, damping=0.5, personalization=jump, tol=1e-10, max_iter=1000).scores
    circle = circle_of_trust(walk, [17], size=20, damping=0.5, hops=2, max_nodes=400)
    assert circle.ball <= 400
    overlap = len(set(circle.nodes) & set(np.argsort(-full)[:20]))
    assert overlap >= 16
    assert circle.nodes[0] == 17


def test_a_seed_without_edges_is_its_own_circle():
    matrix = sp.csr_array((5, 5))
    circle = circle_of_trust(matrix, [2])
    assert list(circle.nodes) == [2]


# ---------------------------------------------------------------- neighbourhood baselines


def slow_neighbourhood_scores(n, edges, source):
    neighbours = {i: set() for i in range(n)}
    for s, t in edges:
        if s != t:
            neighbours[s].add(t)
            neighbours[t].add(s)
    cn = np.zeros(n)
    aa = np.zeros(n)
    for v in range(n):
        for w in neighbours[source] & neighbours[v]:
            cn[v] += 1
            if len(neighbours[w]) > 1:
                aa[v] += 1 / math.log(len(neighbours[w]))
    return cn, aa


def test_common_neighbours_and_adamic_adar_match_the_slow_reference():
    matrix, edges = random_graph(n=50, m=200, seed=2)
    neighbours = undirected(matrix)
    for source in (0, 7, 33):
        cn, aa = slow_neighbourhood_scores(50, edges, source)
        assert np.allclose(common_neighbours(neighbours, source), cn)
        assert np.allclose(adamic_adar(neighbours, source), aa)


# ---------------------------------------------------------------- who to follow


def test_who_to_follow_suggests_what_the_circle_follows_and_never_what_the_user_already_does():
    # 0 follows 1, 2, 3; they all follow 9; 8 follows 0; 5 and 6 live elsewhere
    edges = [(0, 1), (0, 2), (0, 3), (1, 9), (2, 9), (3, 9), (1, 4), (8, 0), (5, 6), (6, 5)]
    rows, cols = zip(*edges)
    matrix = sp.csr_array((np.ones(len(edges)), (rows, cols)), shape=(10, 10))
    result = who_to_follow(matrix, 0, top=5)
    assert result.nodes[0] == 9
    assert not {0, 1, 2, 3} & set(result.nodes)
    assert 8 in result.nodes  # follows the user: a follow-back
    assert not {5, 6} & set(result.nodes)
    excluded = np.zeros(10, dtype=bool)
    excluded[9] = True
    assert 9 not in who_to_follow(matrix, 0, exclude=excluded).nodes


def test_a_prior_pulls_suggestions_towards_relevant_nodes():
    # the user's friends follow a popular node 10 (three of them) and a relevant node 11 (one)
    edges = [(0, 1), (0, 2), (0, 3), (1, 10), (2, 10), (3, 10), (3, 11)]
    rows, cols = zip(*edges)
    matrix = sp.csr_array((np.ones(len(edges)), (rows, cols)), shape=(12, 12))
    plain = who_to_follow(matrix, 0)
    assert list(plain.nodes[:2]) == [10, 11]
    prior = np.zeros(12)
    prior[11] = 1.0
    pulled = who_to_follow(matrix, 0, prior=prior, pull=4.0)
    assert list(pulled.nodes[:2]) == [11, 10]
