"""Edge lists, SNAP and networkx style: one Interaction per line."""
from __future__ import annotations

import gzip
import tarfile

import pytest

from stature import ImportFormatError, ingest
from stature.importers import Context, detect, entries

from conftest import dataset


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def read_all(path, **options):
    entry = entries(path)[0]
    ctx = Context(**options)
    ctx.entry = entry
    return list(detect(entry).read(entry, ctx))


def test_congress_gives_its_weighted_edges_and_accounts(workspace):
    report = ingest(workspace, [dataset("congress-twitter/congress.edgelist")])
    assert report.files[0].format == "edgelist"
    s = workspace.status()
    assert s["interactions"]["mention"] == 13_289
    assert s["accounts"] == 475
    assert workspace.sql("SELECT DISTINCT network FROM interactions") == [("edgelist",)]
    assert workspace.sql("SELECT count(*) FROM interactions WHERE weight IS NULL OR weight <= 0")[0][0] == 0
    weight = workspace.sql("SELECT weight FROM interactions WHERE source_id = '0' AND target_id = '4'")[0][0]
    assert weight == pytest.approx(0.002105263157894737)


def test_higgs_mention_network_edge_count_matches_its_lines(workspace):
    path = dataset("higgs/higgs-mention_network.edgelist.gz")
    with gzip.open(path, "rt") as f:
        lines = sum(1 for line in f if line.strip() and not line.startswith("#"))
    ingest(workspace, [path], network="higgs")
    s = workspace.status()
    assert s["interactions"]["mention"] == lines == 150_818
    assert workspace.sql("SELECT sum(weight) > count(*) FROM interactions")[0][0]  # repeated mentions


def test_kind_comes_from_the_file_name(tmp_path):
    reply = dataset("higgs/higgs-reply_network.edgelist.gz")
    first = read_all(reply)[0]
    assert (first.kind, first.source_id, first.target_id, first.weight) == ("reply", "161345", "8614", 1.0)
    assert read_all(write(tmp_path / "retweet_graph.txt", "1 2\n"))[0].kind == "repost"
    assert read_all(write(tmp_path / "g.edgelist", "1 2\n"))[0].kind == "mention"


def test_kind_comment_and_context_choose_the_kind(tmp_path):
    path = write(tmp_path / "graph.edgelist", "# kind: follow\n1 2\n# kind: like\n2 3\n")
    assert [r.kind for r in read_all(path)] == ["follow", "like"]
    plain = write(tmp_path / "plain.edgelist", "1 2\n")
    ctx = Context()
    ctx.kind = "quote"
    ctx.entry = entries(plain)[0]
    assert [r.kind for r in detect(ctx.entry).read(ctx.entry, ctx)] == ["quote"]


def test_unknown_kind_comment_is_refused(tmp_path, workspace):
    path = write(tmp_path / "graph.edgelist", "# kind: poke\n1 2\n")
    with pytest.raises(ImportFormatError, match="line 1: names the kind 'poke'"):
        ingest(workspace, [path])


def test_networkx_attribute_dict_gives_the_weight_without_eval(tmp_path):
    path = write(tmp_path / "nx.edgelist", "alice bob {'weight': 0.0037}\nbob carol {}\n"
                                           "carol alice {\"weight\": 2e-3, 'color': 'red'}\n")
    records = read_all(path)
    assert [(r.source_id, r.target_id, r.weight) for r in records] == [
        ("alice", "bob", 0.0037), ("bob", "carol", None), ("carol", "alice", 0.002)]


def test_attribute_dict_with_code_is_a_bad_line(tmp_path, workspace):
    path = write(tmp_path / "nx.edgelist", "1 2 {'weight': 1}\n3 4 {'weight': __import__('os').getcwd()}\n")
    with pytest.raises(ImportFormatError, match="line 2: has an attribute dict"):
        ingest(workspace, [path])


def test_bad_lines_are_named_and_skip_bad_imports_the_rest(tmp_path, cli):
    # lines this bad in its head keep the file from being recognised, so its format is named
    path = write(tmp_path / "g.edgelist", "# a comment\n1 2 0.5\n2 3 heavy\n3\n4 5 6 7\n5 1 inf\n6 1\n")
    result = cli("ingest", "--format", "edgelist", path)
    assert result.exit_code == 1
    assert "line 3" in result.output and "'heavy'" in result.output
    result = cli("ingest", "--format", "edgelist", "--skip-bad", path)
    assert result.exit_code == 0, result.output
    for said in ("line 3: has 'heavy' where the weight", "line 4: has 1 field;", "line 5: has 4 fields;",
                 "line 6: has 'inf' where the weight"):
        assert said in result.output
    assert "2 interactions" in result.output


@pytest.mark.parametrize("name, text", [
    ("notes.txt", "hello world\n"),                       # words, and not named as an edge list
    ("party.tsv", "jeff197320\tDEMOCRAT\nACLJ\tREPUBLICAN\n"),
    ("table.csv", "1,2\n3,4\n"),
    ("prose.edgelist", "1 2\nthis is a sentence\n"),
    ("features.feat", "171145913 0 0 1 0 0 0 0\n"),
    ("names.featnames", "0 #Avengers\n1 @jack\n"),
    ("empty.edgelist", "# only a comment\n"),
])
def test_other_text_files_are_not_claimed(tmp_path, name, text):
    entry = entries(write(tmp_path / name, text))[0]
    assert not detect(entry) or detect(entry).name != "edgelist"


def test_ego_network_edges_are_follows_and_the_ego_follows_every_node(tmp_path, workspace):
    archive = dataset("ego-twitter/ego_twitter_dev.tgz")
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar if m.name.startswith("twitter/10146102.")}
        tar.extractall(tmp_path, members=list(members.values()), filter="data")
    folder = tmp_path / "twitter"
    edges = (folder / "10146102.edges").read_text().split("\n")
    pairs = {tuple(line.split()) for line in edges if line.strip()}
    nodes = {n for pair in pairs for n in pair}
    report = ingest(workspace, [folder], network="twitter")
    assert [f.format for f in report.files if f.status == "imported"] == ["edgelist"]
    follows = set(workspace.sql("SELECT source_id, target_id FROM interactions WHERE kind = 'follow'"))
    assert follows == pairs | {("10146102", n) for n in nodes}
    assert workspace.status()["interactions"]["follow"] == len(follows)
