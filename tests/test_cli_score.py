"""The score commands: score, top, explain, exclude, unexclude."""
import json

from conftest import ROOT, dataset


def scored(cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    result = cli("score")
    assert result.exit_code == 0, result.output
    return result


def test_score_reports_what_it_did(cli):
    out = scored(cli).output
    assert "Scored 186 of 186 accounts as of 2021-11-19" in out and "90-day window" in out


def test_top_json_lists_every_account_with_limit_zero(cli):
    scored(cli)
    rows = json.loads(cli("top", "--limit", "0", "--json").output)
    assert len(rows) == 186
    first = rows[0]
    assert {"account_id", "handle", "network", "score", "components"} <= set(first)
    assert first["handle"] == "RTIatMLA" and 1 <= first["score"] <= 100
    assert set(first["components"]) == {"audience", "amplification", "conversation", "authority", "recognition"}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert len(json.loads(cli("top", "--limit", "3", "--json").output)) == 3


def test_top_table_and_explain_text(cli):
    scored(cli)
    table = cli("top", "--limit", "2").output.splitlines()
    assert table[0].split()[:5] == ["rank", "score", "range", "here", "account"]
    assert "RTIatMLA (twitter)" in table[1]
    result = cli("explain", "@rtiatmla")
    assert result.exit_code == 0
    assert result.output.startswith("RTIatMLA scores ")
    assert "Raised it (" in result.output and "Held it back (" in result.output
    assert "\nPeers: ahead of " in result.output
    report = json.loads(cli("explain", "RTIatMLA", "--json").output)
    assert report["base"] + sum(c["contribution"] for c in report["components"]) == report["score"]


def test_exclude_hides_an_account_until_unexcluded(cli):
    scored(cli)
    assert cli("exclude", "MedLibAssn").exit_code == 0
    handles = [r["handle"] for r in json.loads(cli("top", "--limit", "0", "--json").output)]
    assert "MedLibAssn" not in handles
    result = cli("explain", "MedLibAssn")
    assert result.exit_code == 1 and "exclusion list" in result.output
    cli("score")
    assert "MedLibAssn" not in [r["handle"] for r in json.loads(cli("top", "--limit", "0", "--json").output)]
    assert cli("unexclude", "MedLibAssn").exit_code == 0
    cli("score")
    assert "MedLibAssn" in [r["handle"] for r in json.loads(cli("top", "--limit", "0", "--json").output)]


def test_errors_are_sentences_not_tracebacks(cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    result = cli("top")
    assert result.exit_code == 1 and "run `stature score` first" in result.output
    result = cli("score", "--as-of", "yesterday-ish")
    assert result.exit_code == 1 and "is not a date" in result.output
    scored(cli)
    result = cli("explain", "nobody_here")
    assert result.exit_code == 1 and "No account 'nobody_here'" in result.output


def test_as_of_keeps_a_history(cli):
    scored(cli)
    assert cli("score", "--as-of", "2021-06-30").exit_code == 0
    report = json.loads(cli("explain", "RTIatMLA", "--json").output)
    assert [h["as_of"][:10] for h in report["history"]] == ["2021-06-30", "2021-11-19"]
    older = json.loads(cli("top", "--as-of", "2021-07-01", "--json").output)
    assert older[0]["as_of"].startswith("2021-06-30")


def test_explain_and_top_show_topic_and_goal_percentiles(cli):
    scored(cli)
    assert cli("classify").exit_code == 0
    goal = str(ROOT / "examples" / "goal-medical-librarians.toml")
    report = json.loads(cli("explain", "RTIatMLA", "--goal", goal, "--json").output)
    peers = report["peers"]
    assert peers["workspace"]["percentile"] == 1.0 and peers["workspace"]["peers"] == 185
    assert peers["topic"]["name"] and 0 <= peers["topic"]["percentile"] <= 1
    assert peers["topic"]["peers"] or f"the only account known for {peers['topic']['name']}" in report["lines"][1]
    assert peers["goal"]["peers"] >= 1 and 0 <= peers["goal"]["percentile"] <= 1
    assert report["lines"][1].startswith("Peers: ahead of 100% of the 185 other accounts in this workspace;")
    assert "in the goal's audience" in report["lines"][1]
    rows = json.loads(cli("top", "--limit", "5", "--goal", goal, "--json").output)
    assert all(set(r["peers"]) == {"workspace", "topic", "goal"} for r in rows)
    assert rows[0]["peers"]["goal"]["peers"] == peers["goal"]["peers"]
