"""The network cache beside the workspace: used while nothing changed, rebuilt after any change, never stale."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from stature import ingest
from stature.analytics import exclude, include
from stature.goals import connect
from stature.graph import network as network_module
from stature.graph.network import build_network, load_network
from stature.graph.network_cache import folder
from stature.model import Interaction
from stature.workspace import Writer

from conftest import dataset

pytestmark = pytest.mark.slow  # each test imports the real Congress graph


@pytest.fixture
def congress(workspace):
    ingest(workspace, [dataset("congress-twitter/congress.edgelist")], network="twitter")
    return workspace


def same_network(a, b):
    for name in ("adjacency", "walk"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices)
        assert np.array_equal(x.data, y.data)
    assert np.array_equal(a.kinds, b.kinds) and np.array_equal(a.excluded, b.excluded)
    assert [a.key(i) for i in range(a.nodes)] == [b.key(i) for i in range(b.nodes)]
    assert a.as_of == b.as_of


def entries(ws) -> int:
    return sum(1 for p in folder(ws.path).iterdir() if p.is_dir() and not p.name.startswith("."))


def mapped(values) -> bool:
    """Whether ``values`` is a view of a file mapped into memory (not a copy read from it)."""
    import mmap

    while values is not None:
        if isinstance(values, (np.memmap, mmap.mmap)):
            return True
        values = getattr(values, "base", None)
    return False


def counted(monkeypatch, module, name: str) -> list:
    """Count the calls of ``module.name``: one item a call."""
    calls = []
    real = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def builds(monkeypatch) -> list:
    """Count the times the network is built from the interactions (rather than read from the cache)."""
    return counted(monkeypatch, network_module, "build_network")


def test_unchanged_workspace_is_answered_from_the_cache(congress, monkeypatch):
    calls = builds(monkeypatch)
    first = load_network(congress)
    again = load_network(congress)
    assert len(calls) == 1
    for values in (again.adjacency.data, again.adjacency.indices, again.walk.data, again.kinds):
        assert mapped(values)
    assert entries(congress) == 1
    same_network(first, again)
    same_network(again, build_network(congress, as_of=first.as_of))


def test_cached_network_gives_identical_connections(congress):
    fresh = connect(congress, "twitter:0", net=load_network(congress, cache=False))
    load_network(congress)  # writes the cache
    cached = connect(congress, "twitter:0", net=load_network(congress))
    assert cached == fresh and fresh["suggestions"]


def test_an_ingest_rebuilds_the_network(congress, monkeypatch):
    calls = builds(monkeypatch)
    before = load_network(congress)
    with congress.transaction() as con:
        writer = Writer(con, 99)
        writer.add(Interaction("twitter", "follow", "0", "newcomer"))
        writer.finish()
    after = load_network(congress)
    assert len(calls) == 2 and after.nodes == before.nodes + 1
    assert after.adjacency[after.index("twitter", "0"), after.index("twitter", "newcomer")] > 0
    same_network(after, load_network(congress, cache=False))
    assert entries(congress) == 1  # the stale entry is gone


def test_an_exclusion_rebuilds_the_network_and_undoing_it_too(congress, monkeypatch):
    calls = builds(monkeypatch)
    assert not load_network(congress).excluded.any()
    exclude(congress, "twitter:5")
    net = load_network(congress)
    assert net.excluded[net.index("twitter", "5")] and net.excluded.sum() == 1
    congress.link(["twitter:5", "twitter:6"])  # the same person: excluded too
    net = load_network(congress)
    assert net.excluded[net.index("twitter", "6")] and net.excluded.sum() == 2
    include(congress, "twitter:5")
    assert not load_network(congress).excluded.any()
    assert len(calls) == 4


def test_a_write_that_leaves_the_graph_alone_keeps_the_cache(congress, monkeypatch):
    calls = builds(monkeypatch)
    first = load_network(congress)
    congress.con.execute("CREATE TABLE unrelated AS SELECT 42 AS answer")  # the file changes, the graph does not
    congress.con.execute("CHECKPOINT")
    same_network(first, load_network(congress))
    assert len(calls) == 1


def test_other_parameters_are_another_network(congress):
    default = load_network(congress)
    older = load_network(congress, as_of=datetime(2020, 1, 1), half_life_days=30)
    assert older.as_of == datetime(2020, 1, 1)
    same_network(older, load_network(congress, as_of=datetime(2020, 1, 1), half_life_days=30, cache=False))
    same_network(default, load_network(congress, cache=False))


def test_a_read_only_folder_goes_without_the_cache(congress, monkeypatch):
    monkeypatch.setattr("stature.graph.network_cache.folder", lambda path: congress.path.parent / "no" / "such")
    net = load_network(congress)
    same_network(net, load_network(congress, cache=False))


def fingerprints(monkeypatch) -> list:
    """Count the times the rows are hashed to find the cache's key."""
    from stature.graph import network_cache

    return counted(monkeypatch, network_cache, "fingerprint")


def test_a_stature_write_session_that_leaves_the_graph_alone_costs_no_hashing(congress, monkeypatch):
    from stature import Workspace
    from stature.analytics import score

    path = congress.path
    congress.close()
    with Workspace(path, read_only=True) as ws:  # `stature connect`: builds the cache, notes the file's stamp
        first = load_network(ws)
    with Workspace(path) as ws:  # a score run writes the file, not the graph's tables
        score(ws)
    hashed, calls = fingerprints(monkeypatch), builds(monkeypatch)
    with Workspace(path, read_only=True) as ws:
        again = load_network(ws)
        assert not hashed and not calls and mapped(again.adjacency.data)
        same_network(first, again)
        same_network(again, load_network(ws, cache=False))


def test_an_interaction_changed_by_another_program_rebuilds_the_network(congress, monkeypatch):
    import duckdb

    from stature import Workspace

    path = congress.path
    congress.close()
    with Workspace(path, read_only=True) as ws:
        before = load_network(ws)
    con = duckdb.connect(str(path))  # not Stature: the same number of rows, one weight changed
    source, target, weight = con.execute("""UPDATE interactions SET weight = weight * 7
        WHERE rowid = (SELECT min(rowid) FROM interactions) RETURNING source_id, target_id, weight""").fetchone()
    con.close()
    with Workspace(path) as ws:  # a Stature session after it carries nothing over: the file changed before it
        ws.con.execute("CREATE TABLE unrelated AS SELECT 1 AS one")
    calls = builds(monkeypatch)
    with Workspace(path, read_only=True) as ws:
        after = load_network(ws)
        assert len(calls) == 1
        i, j = after.index("twitter", source), after.index("twitter", target)
        assert after.adjacency[i, j] != before.adjacency[i, j]
        same_network(after, load_network(ws, cache=False))


def test_a_stature_session_that_changes_the_graph_rebuilds_it(congress, monkeypatch):
    from stature import Workspace

    path = congress.path
    congress.close()
    with Workspace(path, read_only=True) as ws:
        load_network(ws)
    with Workspace(path) as ws:
        exclude(ws, "twitter:5")
    calls = builds(monkeypatch)
    with Workspace(path, read_only=True) as ws:
        net = load_network(ws)
        assert len(calls) == 1 and net.excluded[net.index("twitter", "5")]
    with Workspace(path) as ws:
        with ws.transaction() as con:
            writer = Writer(con, 99)
            writer.add(Interaction("twitter", "follow", "0", "newcomer"))
            writer.finish()
    with Workspace(path, read_only=True) as ws:
        net = load_network(ws)
        assert len(calls) == 2 and net.index("twitter", "newcomer") is not None


def test_accounts_rewritten_in_another_order_keep_their_names(congress):
    import duckdb

    from stature import Workspace

    congress.con.execute("UPDATE accounts SET handle = 'member' || account_id")
    path = congress.path
    congress.close()
    with Workspace(path, read_only=True) as ws:
        before = connect(ws, "twitter:0", net=load_network(ws))
    con = duckdb.connect(str(path))  # the same accounts, every one at another row: the cache's rows are stale
    con.execute("CREATE OR REPLACE TABLE accounts AS SELECT * FROM accounts ORDER BY account_id DESC")
    con.close()
    with Workspace(path, read_only=True) as ws:
        net = load_network(ws)
        rows = ws.sql("SELECT rowid, account_id FROM accounts WHERE network = 'twitter'")
        assert any(net.account_rows[net.index("twitter", a)] != r for r, a in rows)  # the cache kept the old rows
        after = connect(ws, "twitter:0", net=net)
    assert after == before and all(s["handle"] == "member" + s["account_id"] for s in after["suggestions"])


def test_stature_only_adds_to_the_rows_the_graph_is_read_from():
    # the carry-over after a write session counts accounts and interactions: outside an import (which the
    # session check sees in the imports table) it holds while Stature never deletes them nor rewrites the
    # columns the network reads (stature.graph.network_cache.session_end)
    import re
    from pathlib import Path

    import stature

    graph_column = re.compile(r"\b(network|account_id|kind|source_id|target_id|time|weight)\s*=", re.I)
    found = []
    for path in Path(stature.__file__).parent.rglob("*.py"):
        text = path.read_text()
        sets = re.findall(r"UPDATE\s+(?:accounts|interactions)\b.*?\bSET\b(.*?)\b(?:FROM|WHERE)\b", text, re.I | re.S)
        if re.search(r"DELETE\s+FROM\s+(accounts|interactions)\b", text, re.I) or any(map(graph_column.search, sets)):
            found.append(path.name)
    assert not found, f"these delete or rewrite graph rows; make session_end see it: {found}"


def test_a_file_reimported_with_as_many_edges_but_another_one_rebuilds_the_network(tmp_path, monkeypatch):
    # replacing an import deletes its rows and adds the file's new ones: the counts can stay the same
    import os

    from stature import Workspace

    edges = tmp_path / "follows.edgelist"
    edges.write_text("1 2\n2 3\n3 1\n")
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [edges], network="twitter")
    with Workspace(path, read_only=True) as ws:
        before = load_network(ws)
    edges.write_text("1 2\n2 3\n1 3\n")  # one edge turned round: the same accounts, as many interactions
    os.utime(edges, ns=(1, 1))
    with Workspace(path) as ws:
        ingest(ws, [edges], network="twitter")
    calls = builds(monkeypatch)
    with Workspace(path, read_only=True) as ws:
        after = load_network(ws)
        one, three = after.index("twitter", "1"), after.index("twitter", "3")
        assert len(calls) == 1 and after.adjacency[one, three] > 0 and after.adjacency[three, one] == 0
        same_network(after, load_network(ws, cache=False))
    assert before.adjacency[before.index("twitter", "3"), before.index("twitter", "1")] > 0
