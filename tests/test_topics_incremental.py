"""Posts are classified once per taxonomy and model: a re-run does only new or changed posts."""
from __future__ import annotations

from stature.model import Account, Post
from stature.topics import load_csv
from stature.topics.store import classify_workspace
from stature.workspace import Writer

NET = "twitter"


def _write(ws, records, import_id=1):
    with ws.transaction() as con:
        writer = Writer(con, import_id)
        for record in records:
            writer.add(record)
        writer.finish()


def _posts(ids, texts, author="ann", visibility="public"):
    return [Post(NET, pid, author, created_at="2024-03-04T09:00:00+00:00", text=text, visibility=visibility)
            for pid, text in zip(ids, texts)]


def test_rerun_on_an_unchanged_workspace_classifies_nothing_again(workspace):
    _write(workspace, [Account(NET, "ann", handle="ann"),
                       *_posts(["p1", "p2", "p3"], ["Training a neural network on GPUs", "Good morning all",
                                                    "The football match ended 2-1"])])
    first = classify_workspace(workspace)
    assert first["classified"] == 3 and first["reclassified"] is None
    stored = workspace.sql("SELECT * FROM post_topics ORDER BY ALL")
    again = classify_workspace(workspace)
    assert again["classified"] == 0 and again["already_classified"] == 3 and again["reclassified"] is None
    assert workspace.sql("SELECT * FROM post_topics ORDER BY ALL") == stored


def test_rerun_classifies_only_new_posts_and_a_changed_taxonomy_reclassifies_all(workspace, tmp_path):
    _write(workspace, [Account(NET, "ann", handle="ann"),
                       *_posts(["p1", "p2"], ["Training a neural network on GPUs", "Good morning all"])])
    classify_workspace(workspace)
    _write(workspace, _posts(["p3"], ["Sourdough bread recipe, baked at home"]), import_id=2)
    second = classify_workspace(workspace)
    assert second["classified"] == 1 and second["already_classified"] == 2
    assert workspace.sql("SELECT count(DISTINCT post_id) FROM topic_posts")[0][0] == 3
    path = tmp_path / "mine.csv"
    path.write_text("topic,parent,description\nBaking,,Bread and cakes baked at home\n")
    changed = classify_workspace(workspace, load_csv(path))
    assert changed["classified"] == 3 and changed["reclassified"] == "the taxonomy changed"
    assert {t for (t,) in workspace.sql("SELECT DISTINCT topic_id FROM post_topics")} == {"baking"}
    model = classify_workspace(workspace, load_csv(path), model="keyword")
    assert model["classified"] == 0  # auto without examples is the keyword model: the same model


def test_only_public_posts_are_classified(workspace):
    _write(workspace, [Account(NET, "ann", handle="ann"),
                       *_posts(["p1"], ["Training a neural network on GPUs"]),
                       *_posts(["p2"], ["Training a neural network on GPUs, just for followers"],
                               visibility="followers")])
    report = classify_workspace(workspace)
    assert report["classified"] == 1
    assert {p for (p,) in workspace.sql("SELECT DISTINCT post_id FROM post_topics")} == {"p1"}
