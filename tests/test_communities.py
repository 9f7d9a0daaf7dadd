"""Communities with igraph, held to NetworkX's Louvain (the slow reference) on planted and real graphs."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from stature.graph.communities import detect, modularity

from conftest import dataset


def networkx_louvain(adjacency, *, resolution=1.0, seed=0):
    """The reference: NetworkX's Louvain on the same undirected graph, and its own modularity."""
    import networkx as nx

    sym = sp.triu(sp.csr_array(adjacency) + sp.csr_array(adjacency).T, k=1, format="coo")
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(sym.row.tolist(), sym.col.tolist(), sym.data.tolist()))
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    return found, nx.community.modularity(graph, found, weight="weight", resolution=resolution)


def planted_partition(groups=8, size=60, p_in=0.25, p_out=0.004, seed=0):
    """A directed stochastic block model: ``groups`` planted groups of ``size`` nodes, weights 0.2-2."""
    rng = np.random.default_rng(seed)
    n = groups * size
    truth = np.repeat(np.arange(groups), size)
    same = truth[:, None] == truth[None, :]
    edges = rng.random((n, n)) < np.where(same, p_in, p_out)
    np.fill_diagonal(edges, False)
    rows, cols = np.nonzero(edges)
    return sp.csr_array((rng.uniform(0.2, 2.0, len(rows)), (rows, cols)), shape=(n, n)), truth


def congress():
    """The real Congress interaction graph (475 accounts, 13,289 weighted edges)."""
    lines = dataset("congress-twitter/congress.edgelist").read_text().split("\n")
    rows, cols, weights = zip(*((int(a), int(b), float(w)) for a, b, w in (line.split()[:3] for line in lines if line)))
    n = max(max(rows), max(cols)) + 1
    return sp.csr_array((weights, (rows, cols)), shape=(n, n))


@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_planted_partition_is_found_again(method):
    adjacency, truth = planted_partition()
    found = detect(adjacency, method=method, seed=1)
    assert found.communities == 8
    for community in range(8):  # each community is exactly one planted group
        assert len(set(truth[found.labels == community])) == 1
    _, reference = networkx_louvain(adjacency, seed=1)
    assert found.modularity == pytest.approx(reference, abs=0.005)
    assert found.modularity == pytest.approx(modularity(adjacency, found.labels), abs=1e-9)


@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_same_seed_gives_the_same_communities(method):
    adjacency = congress()
    first = detect(adjacency, method=method, seed=7)
    again = detect(adjacency, method=method, seed=7)
    assert first.labels.tolist() == again.labels.tolist() and first.modularity == again.modularity


def test_seed_leaves_the_callers_random_stream_alone():
    import random

    random.seed(5)
    expected = [random.random() for _ in range(3)]
    random.seed(5)
    detect(planted_partition()[0], seed=3)
    assert [random.random() for _ in range(3)] == expected


@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_congress_modularity_matches_networkx(method):
    adjacency = congress()
    found = detect(adjacency, method=method, seed=0)
    reference_sets, reference = networkx_louvain(adjacency, seed=0)
    assert found.modularity == pytest.approx(reference, abs=0.02)
    labels = np.full(adjacency.shape[0], -1)
    for number, members in enumerate(reference_sets):
        labels[list(members)] = number
    assert modularity(adjacency, labels) == pytest.approx(reference, abs=1e-9)  # one definition of modularity


def test_communities_are_numbered_largest_first_without_isolated_nodes():
    adjacency, _ = planted_partition(groups=3, size=20, p_in=0.5, p_out=0.0)
    adjacency = sp.csr_array(adjacency[:50][:, :50])  # groups of 20, 20 and 10
    padded = sp.block_diag([adjacency, sp.csr_array((2, 2))], format="csr")
    found = detect(padded, seed=0)
    sizes = np.bincount(found.labels[found.labels >= 0])
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)
    assert found.labels[-2:].tolist() == [-1, -1]


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        detect(sp.csr_array((2, 2)), method="girvan-newman")
