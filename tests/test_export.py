"""Exports: GEXF (Gephi) and GraphML with scores, topics and communities as node attributes; CSV and Parquet."""
from __future__ import annotations

import networkx as nx
import duckdb
import pytest

from stature import Workspace
from stature.analytics import exclude
from stature.exports import export, graph_tables
from stature.model import Account, Interaction
from stature.workspace import Writer
from surfaces import demo_workspace

NODES_SQL = """SELECT count(*) FROM (
    SELECT network, account_id FROM accounts
    UNION SELECT network, source_id FROM interactions WHERE kind <> 'block'
    UNION SELECT network, target_id FROM interactions WHERE target_id IS NOT NULL AND kind <> 'block')"""
EDGES_SQL = """SELECT count(DISTINCT (network, source_id, target_id)) FROM interactions
               WHERE target_id IS NOT NULL AND source_id <> target_id AND kind <> 'block'"""


def expected_counts(path) -> tuple[int, int]:
    with Workspace(path, read_only=True) as ws:
        return ws.sql(NODES_SQL)[0][0], ws.sql(EDGES_SQL)[0][0]


def test_gexf_reads_back_with_scores_topics_and_communities(tmp_path_factory, tmp_path):
    path = demo_workspace(tmp_path_factory)
    with Workspace(path, read_only=True) as ws:
        written = export(ws, tmp_path / "graph.gexf", "gexf")
        best = ws.sql("""SELECT network || ':' || account_id, handle, score FROM scores
                         WHERE run_id = (SELECT max(run_id) FROM score_runs) ORDER BY exact DESC LIMIT 1""")[0]
        community = ws.sql("SELECT community FROM communities WHERE network || ':' || account_id = ?", [best[0]])[0][0]
    assert written == [tmp_path / "graph.gexf"]
    graph = nx.read_gexf(tmp_path / "graph.gexf")
    assert graph.is_directed()
    assert (graph.number_of_nodes(), graph.number_of_edges()) == expected_counts(path)
    node = graph.nodes[best[0]]
    assert node["label"] == best[1] and node["score"] == best[2] and node["community"] == community
    assert node["topics"] and node["top_topic"] in node["topics"]
    assert set(node) >= {"audience", "amplification", "conversation", "authority", "recognition", "followers"}
    source, target, edge = next(iter(graph.edges(data=True)))
    assert edge["weight"] > 0 and edge["interactions"] == sum(edge[k] for k in
                                                               ("repost", "quote", "reply", "mention", "follow", "like"))


def test_graphml_matches_the_gexf(tmp_path_factory, tmp_path):
    path = demo_workspace(tmp_path_factory)
    with Workspace(path, read_only=True) as ws:
        export(ws, tmp_path, "graphml")  # a folder: stature.graphml inside
        export(ws, tmp_path / "g.gexf", "gexf")
    graphml = nx.read_graphml(tmp_path / "stature.graphml")
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    assert set(graphml.nodes) == set(gexf.nodes) and set(graphml.edges) == set(gexf.edges)
    some = next(n for n, d in gexf.nodes(data=True) if "community" in d)
    assert graphml.nodes[some]["community"] == gexf.nodes[some]["community"]


def test_csv_and_parquet_add_nodes_and_edges(tmp_path_factory, tmp_path, cli):
    path = demo_workspace(tmp_path_factory)
    nodes, edges = expected_counts(path)
    for fmt in ("csv", "parquet"):
        result = cli("--workspace", path, "export", "--format", fmt, tmp_path / fmt)
        assert result.exit_code == 0, result.output
        assert str(tmp_path / fmt / f"nodes.{fmt}") in result.output
        con = duckdb.connect()
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        assert con.execute(f"SELECT count(*) FROM {reader}('{tmp_path / fmt}/nodes.{fmt}')").fetchone()[0] == nodes
        assert con.execute(f"SELECT count(*) FROM {reader}('{tmp_path / fmt}/edges.{fmt}')").fetchone()[0] == edges
        assert con.execute(f"SELECT count(community) FROM {reader}('{tmp_path / fmt}/nodes.{fmt}')").fetchone()[0] > 0
        assert (tmp_path / fmt / f"posts.{fmt}").exists()


def test_export_cli_writes_gexf(tmp_path_factory, tmp_path, cli):
    result = cli("--workspace", demo_workspace(tmp_path_factory), "export", "--format", "gexf", tmp_path / "out.gexf")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "out.gexf")
    assert nx.read_gexf(tmp_path / "out.gexf").number_of_nodes() == 80


def test_names_unfit_for_xml_are_cleaned_and_excluded_accounts_left_out(tmp_path):
    with Workspace(tmp_path / "w.duckdb") as ws:
        with ws.transaction() as con:
            writer = Writer(con, 1)
            writer.add(Account("mastodon", "a", handle="ann", display_name="Ann \x0b<b>&\x01 Co"))
            writer.add(Account("mastodon", "b", handle="bo"))
            writer.add(Account("mastodon", "c", handle="cy"))
            for s, t in (("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")):
                writer.add(Interaction("mastodon", "mention", s, t))
            writer.finish()
        exclude(ws, "cy")
        export(ws, tmp_path / "g.gexf", "gexf")
        export(ws, tmp_path / "g.graphml", "graphml")
        nodes, edges = graph_tables(ws)
    assert nodes.column("id").to_pylist() == ["mastodon:a", "mastodon:b"]
    for name in ("g.gexf", "g.graphml"):
        graph = nx.read_gexf(tmp_path / name) if name.endswith("gexf") else nx.read_graphml(tmp_path / name)
        assert set(graph.nodes) == {"mastodon:a", "mastodon:b"} and set(graph.edges) == {
            ("mastodon:a", "mastodon:b"), ("mastodon:b", "mastodon:a")}
        assert graph.nodes["mastodon:a"]["display_name"] == "Ann <b>& Co"
        assert "score" not in graph.nodes["mastodon:a"]  # nothing scored: left out, not made up


@pytest.mark.slow
def test_rumoureval_gexf_reads_back_with_every_node_and_edge(tmp_path_factory, tmp_path):
    from surfaces import rumoureval_workspace
    path = rumoureval_workspace(tmp_path_factory)
    with Workspace(path, read_only=True) as ws:
        export(ws, tmp_path / "rumoureval.gexf", "gexf")
        authors = ws.sql("SELECT count(DISTINCT author_id) FROM posts")[0][0]
    graph = nx.read_gexf(tmp_path / "rumoureval.gexf")
    nodes, edges = expected_counts(path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    assert nodes == 4_490 and edges == 6_369  # the 5,568 tweets' authors (and those they quote) and whom they address
    assert nodes > authors > 3_800
    bbc = graph.nodes["twitter:5402612"]
    assert bbc["label"] == "BBCBreaking" and "News & Politics" in bbc["topics"] and bbc["community"] >= 1
