"""Communities: Louvain on the interaction graph, stored, numbered largest first, shown without excluded accounts."""
from __future__ import annotations

import json

import numpy as np
import scipy.sparse as sp

from stature.analytics import exclude
from stature.analytics.communities import communities, community_of, detect_communities
from stature.graph.communities import louvain
from stature.model import Account, Interaction
from stature.workspace import Writer


def cliques(sizes, bridges=()):
    """Directed cliques of the given sizes (nodes numbered in order), plus bridge edges between them."""
    n = sum(sizes)
    rows, cols, start = [], [], 0
    for size in sizes:
        for i in range(start, start + size):
            for j in range(start, start + size):
                if i != j:
                    rows.append(i)
                    cols.append(j)
        start += size
    for i, j in bridges:
        rows.append(i)
        cols.append(j)
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))  # one node with no edge


def test_louvain_finds_planted_cliques_largest_first():
    result = louvain(cliques([4, 6], bridges=[(0, 4)]), seed=1)
    assert result.communities == 2
    assert result.labels.tolist() == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -1]  # the larger clique is 0; the lone node none
    assert result.modularity > 0.3


def test_louvain_is_repeatable_for_a_seed():
    a = cliques([5, 5, 5], bridges=[(0, 5), (5, 10), (10, 0)])
    assert louvain(a, seed=3).labels.tolist() == louvain(a, seed=3).labels.tolist()


def test_louvain_on_a_graph_without_edges():
    result = louvain(sp.csr_array((3, 3)))
    assert result.communities == 0 and result.labels.tolist() == [-1, -1, -1]


def planted(workspace):
    """Two groups that talk among themselves (6 and 4 accounts), one reply across."""
    groups = {"red": [f"r{i}" for i in range(6)], "blue": [f"b{i}" for i in range(4)]}
    with workspace.transaction() as con:
        writer = Writer(con, 1)
        for members in groups.values():
            for a in members:
                writer.add(Account("mastodon", a, handle=a))
                for b in members:
                    if a != b:
                        writer.add(Interaction("mastodon", "mention", a, b))
        writer.add(Interaction("mastodon", "reply", "r0", "b0"))
        writer.add(Account("mastodon", "loner", handle="loner"))
        writer.finish()
    return groups


def test_communities_are_stored_and_read_back(workspace):
    groups = planted(workspace)
    found = detect_communities(workspace)
    assert found["communities"] == 2 and found["accounts"] == 10 and found["largest"] == [6, 4]
    stored = dict(workspace.sql("SELECT account_id, community FROM communities"))
    assert {stored[a] for a in groups["red"]} == {1} and {stored[a] for a in groups["blue"]} == {2}
    assert community_of(workspace, "mastodon", "loner") is None
    assert community_of(workspace, "mastodon", "b3") == {"community": 2, "size": 4}
    summary = communities(workspace)
    assert [c["size"] for c in summary["communities"]] == [6, 4]
    assert summary["links"] == [{"source": 1, "target": 2, "interactions": 1}]
    detect_communities(workspace)  # again: replaced, not added
    assert workspace.sql("SELECT count(*) FROM communities")[0][0] == 10
    assert workspace.sql("SELECT count(*) FROM community_runs")[0][0] == 1


def test_excluded_accounts_shape_communities_but_are_never_shown(workspace):
    planted(workspace)
    exclude(workspace, "r1")
    detect_communities(workspace)
    assert not workspace.sql("SELECT * FROM communities WHERE account_id = 'r1'")
    shown = [m["account_id"] for c in communities(workspace)["communities"] for m in c["members"]]
    assert "r1" not in shown and "r2" in shown


def test_communities_cli(cli, tmp_path):
    edges = tmp_path / "g.edges"
    edges.write_text("a b\nb a\na c\nc a\nb c\nc b\nd e\ne d\nd f\nf d\ne f\nf e\nc d\n", encoding="utf-8")
    assert cli("-q", "ingest", edges).exit_code == 0
    result = cli("communities")
    assert result.exit_code == 0, result.output
    assert "Found 2 communities among 6 connected accounts" in result.output
    data = json.loads(cli("communities", "--json", "--seed", 2).output)
    assert data["communities"] == 2 and [c["size"] for c in data["largest"]] == [3, 3]
    assert cli("communities", "--resolution", 0).exit_code == 2
