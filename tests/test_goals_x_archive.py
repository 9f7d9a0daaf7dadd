"""`goal check` and `connect` on a real X archive, with a goal in the account's own field.

The archive is the Research Training Institute of the Medical Library Association
(@RTIatMLA); the goal (examples/goal-medical-librarians.toml) is research training for
medical librarians. An X archive counts the reactions to each post but names nobody who
reacted, and its follows carry no dates: the result must say so, not guess.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import dataset

GOAL = Path(__file__).resolve().parent.parent / "examples" / "goal-medical-librarians.toml"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from click.testing import CliRunner

    from stature.cli import main

    path = tmp_path_factory.mktemp("x-archive") / "x.duckdb"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--workspace", str(path), *map(str, args)], catch_exceptions=False)

    assert run("-q", "ingest", dataset("formats/x-archive")).exit_code == 0
    assert run("-q", "classify").exit_code == 0
    return run


def test_goal_check_reads_as_a_report(archive):
    result = archive("goal", "check", GOAL)
    assert result.exit_code == 0, result.output
    text = result.output
    for heading in ("Goal: Research training for medical librarians", "Account @RTIatMLA (twitter)",
                    "Progress: goal value", "Topic fit:", "Reactions from the audience: unknown",
                    "Posts that moved the goal most:", "Posts that moved it least:", "Suggestions:",
                    "Post more on ", "Talk with @", "Post around ", "Notes:"):
        assert heading in text, heading
    assert "Traceback" not in text and "None" not in text


def test_goal_check_properties(archive):
    r = json.loads(archive("goal", "check", GOAL, "--json").output)
    assert r["account"]["handle"] == "RTIatMLA"
    fit = r["topic_fit"]
    assert fit["posts"] == 58 and 0 < fit["on_topic"] < fit["posts"]
    assert sum(t["posts"] for t in fit["by_topic"]) >= fit["on_topic"]
    assert {t["topic"] for t in fit["by_topic"]} == {"Medical Research", "Academia", "Higher Education",
                                                     "Medicine & Healthcare"}
    # progress: weekly values add up to the total, which is what the outcomes are worth
    weeks, totals = r["progress"], r["outcomes"]["totals"]
    assert sum(w["value"] for w in weeks) == pytest.approx(r["outcomes"]["value"])
    assert sum(w["posts"] for w in weeks) == fit["posts"]
    assert r["outcomes"]["value"] == pytest.approx(0.5 * totals["topic_reactions"])
    assert totals["link_clicks"] is None and totals["replies"] == 0
    # nobody who reacted is named: the audience share is unknown, and said to be
    assert r["audience_share"]["share"] is None
    assert any("names nobody who reacted" in n for n in r["notes"])
    assert any("followers carry no date" in n for n in r["notes"])
    # the posts that moved the goal most are on its topics, and moved it more than the least
    most, least = r["posts"]["most"], r["posts"]["least"]
    assert most and all(p["on_goal_topics"] and p["value"] > 0 for p in most)
    assert [p["value"] for p in most] == sorted((p["value"] for p in most), reverse=True)
    assert max(p["value"] for p in least) <= min(p["value"] for p in most)
    # suggestions: goal topics, named people of the audience, and hours from the posts' own reactions
    s = r["suggestions"]
    assert s["topics"] and {t["topic"] for t in s["topics"]} <= set(r["goal"]["topics"])
    named = {"MedLibAssn", "susanlessick", "esuelzer", "jcwchicago", "mcshawcross", "ShandaHunt", "evardell"}
    assert {p["handle"] for p in s["people"]} & named
    assert s["times"]["hours"] and all(0 <= h["hour"] <= 23 for h in s["times"]["hours"])
    assert "weighted by their reactions" in s["times"]["basis"]


def test_connect_on_the_archive_suggests_followers_to_follow_back(archive):
    r = json.loads(archive("connect", "RTIatMLA", "--goal", GOAL, "--top", "5", "--json").output)
    assert len(r["suggestions"]) == 5
    for s in r["suggestions"]:
        assert s["follows_you"] and "follows you" in s["why"]
        assert s["account_id"] != r["account"]["account_id"]
