"""The goal and connect commands: exit codes, errors that name the file and key, the batch form."""
from __future__ import annotations

import json


def follow_graph(tmp_path):
    # a small follow graph: a and b follow c and d; e follows a; a follows b
    path = tmp_path / "small.edges"
    path.write_text("a b\na c\nb c\nb d\nc d\ne a\nd e\nf g\n", encoding="utf-8")
    return path


def test_connect_batch_prints_one_json_line_per_account(tmp_path, cli):
    assert cli("-q", "ingest", follow_graph(tmp_path)).exit_code == 0
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("a\nedgelist:b\n# a comment\nnobody\n", encoding="utf-8")
    result = cli("-q", "connect", "--accounts", accounts, "--top", "3", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["account_id"] for r in rows] == ["a", "b", "nobody"]
    first = rows[0]
    assert first["network"] == "edgelist" and 1 <= len(first["suggestions"]) <= 3
    assert all(set(s) >= {"account_id", "score"} for s in first["suggestions"])
    scores = [s["score"] for s in first["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    assert not {"a", "b", "c"} & {s["account_id"] for s in first["suggestions"]}  # itself, or followed already
    assert first["suggestions"][0]["account_id"] == "d"  # followed by both people a follows
    assert "error" in rows[2] and rows[2]["suggestions"] == []


def test_connect_for_one_account_explains_itself(tmp_path, cli):
    cli("-q", "ingest", follow_graph(tmp_path))
    result = cli("connect", "a")
    assert result.exit_code == 0, result.output
    assert "Whom edgelist:a could connect with" in result.output
    assert "1. edgelist:d" in result.output and "mutual connection" in result.output
    assert "introduction via edgelist:b" in result.output
    data = json.loads(cli("connect", "a", "--json").output)
    top = data["suggestions"][0]
    assert top["paths"][0]["steps"][0] == "you follow edgelist:b"
    assert top["paths"][0]["steps"][1] == "edgelist:b follows edgelist:d"


def test_connect_needs_a_handle_or_an_accounts_file(tmp_path, cli):
    cli("-q", "ingest", follow_graph(tmp_path))
    assert cli("connect").exit_code == 2
    missing = cli("connect", "zed")
    assert missing.exit_code == 1 and "No account 'zed'" in missing.output


def test_goal_check_errors_name_the_file_and_the_key(tmp_path, cli):
    cli("-q", "ingest", follow_graph(tmp_path))
    goal = tmp_path / "goal.toml"
    goal.write_text('name = "x"\ntopics = ["Science"]\n[window]\ndays = -3\n', encoding="utf-8")
    result = cli("goal", "check", goal, "--account", "a")
    assert result.exit_code == 1 and f"Error: {goal}: window.days: must be a number of days above 0" in result.output
    goal.write_text('name = "x"\ntopics = ["Science"]\n', encoding="utf-8")
    result = cli("goal", "check", goal, "--account", "a")
    assert result.exit_code == 1 and "run `stature classify`" in result.output
    cli("-q", "classify")
    goal.write_text('name = "x"\ntopics = ["Sourdough Science"]\n', encoding="utf-8")
    result = cli("goal", "check", goal, "--account", "a")
    assert result.exit_code == 1
    assert f"{goal}: topics: 'Sourdough Science' is not a topic" in result.output and "Did you mean" in result.output
    goal.write_text('name = "x"\ntopics = ["Science"]\n', encoding="utf-8")
    result = cli("goal", "check", goal)
    assert result.exit_code == 1 and "Say which account" in result.output
