"""The HTML report: one self-contained file, every section, hostile names escaped, the CLI and the demo."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from stature import Workspace
from stature.model import Account, Post
from stature.report import render_report, write_report
from stature.workspace import Writer
from surfaces import assert_self_contained, demo_workspace, hostile_workspace

def test_report_holds_every_view_in_one_file(tmp_path_factory, tmp_path):
    with Workspace(demo_workspace(tmp_path_factory), read_only=True) as ws:
        info = write_report(ws, tmp_path / "out" / "report.html")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert info["path"] == str((tmp_path / "out" / "report.html").resolve())
    assert info["account"] is not None  # the top-ranked account, when none is named
    for section in ("profile", "history", "breakdown", "topics", "network", "connections", "top", "experts",
                    "communities"):
        assert section in info["sections"] and f'id="{section}"' in html
    assert html.count("<svg") >= 5  # history, breakdown, network, community map, component stacks
    assert "Score over time" in html and "What makes the score" in html and "Suggested connections" in html
    assert "Introduction via" in html  # the connections come with their introduction paths


def test_report_history_has_a_column_per_stored_score(tmp_path_factory):
    with Workspace(demo_workspace(tmp_path_factory), read_only=True) as ws:
        runs = ws.sql("SELECT count(*) FROM score_runs")[0][0]
        html, info = render_report(ws)
    history = html.split('id="history"')[1].split("</section>")[0]
    assert runs == 4  # the demo scores three earlier dates and the newest
    assert history.count("<circle") == runs and "<polyline" in history


def test_report_on_a_named_account_shows_its_topics_and_breakdown(tmp_path_factory):
    with Workspace(demo_workspace(tmp_path_factory), read_only=True) as ws:
        handle = ws.sql("""SELECT a.handle FROM account_topics t JOIN accounts a USING (network, account_id)
                           WHERE t.level = 'strong' ORDER BY t.confidence DESC LIMIT 1""")[0][0]
        html, info = render_report(ws, account=handle)
    assert info["account"]["handle"] == handle
    assert f"@{handle}" in html and "Topics it is known for" in html
    assert all(c in html for c in ("audience", "amplification", "conversation", "authority", "recognition"))


def test_hostile_names_bios_and_posts_are_escaped(tmp_path):
    with hostile_workspace(tmp_path / "hostile.duckdb") as ws:
        html, info = render_report(ws, account="mastodon:evil")
    assert_self_contained(html)
    assert "<img" not in html and "<svg onload" not in html and "</style><script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;svg onload=alert(4)&gt;" in html  # a post shown as evidence, as text
    assert "\x01" not in html


def test_report_without_scores_says_what_to_run(tmp_path):
    with Workspace(tmp_path / "bare.duckdb") as ws:
        with ws.transaction() as con:
            writer = Writer(con, 1)
            writer.add(Account("mastodon", "a", handle="alice"))
            writer.add(Post("mastodon", "p1", "a", created_at=datetime(2024, 1, 1), text="hello"))
            writer.finish()
        html, info = render_report(ws)
    assert_self_contained(html)
    assert info["account"]["handle"] == "alice"  # the only author
    assert "run `stature score`" in html and "run `stature classify`" in html
    assert "breakdown" not in info["sections"]


def test_report_cli_writes_the_file_and_says_where(cli, tmp_path):
    assert cli("-q", "demo", "--accounts", 40, "-o", tmp_path / "demo.html").exit_code == 0
    out = tmp_path / "r.html"
    result = cli("report", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"to {out.resolve()}" in result.output and out.exists()
    info = json.loads(cli("report", "-o", out, "--json").output)
    assert info["path"] == str(out.resolve()) and "communities" in info["sections"]
    bad = cli("report", "--account", "nobody-at-all", "-o", out)
    assert bad.exit_code == 1 and "No account 'nobody-at-all'" in bad.output


def test_report_with_a_goal_shows_its_progress(cli, tmp_path):
    cli("-q", "demo", "--accounts", 60, "-o", tmp_path / "demo.html")
    top = json.loads(cli("top", "--limit", 1, "--json").output)[0]
    goal = tmp_path / "goal.toml"
    goal.write_text('name = "Known for travel"\npurpose = "Be the travel writer people ask."\n'
                    'topics = ["Travel"]\n[audience]\nbio_keywords = ["travel", "hiking"]\n'
                    "topic_experts = true\n[window]\ndays = 120\n", encoding="utf-8")
    out = tmp_path / "goal.html"
    result = cli("report", "--account", top["handle"], "--goal", goal, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert "goal" in info["sections"]
    html = out.read_text(encoding="utf-8")
    assert "Goal: Known for travel" in html and "Topic fit" in html and "toward the goal" in html
    assert_self_contained(html)


@pytest.mark.slow
def test_demo_writes_the_report_into_the_current_folder(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--accounts", 40)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stature-report.html").exists()
    assert f"Report: {tmp_path / 'stature-report.html'}" in result.output
    out = json.loads(cli("-q", "demo", "--accounts", 40, "--json", "-o", "again.html").output)
    assert out["report"]["path"] == str(tmp_path / "again.html")
    assert out["communities"]["communities"] >= 1 and out["topics"]["account_topics"] > 0


@pytest.mark.slow
def test_rumoureval_report_renders(tmp_path_factory, tmp_path):
    from surfaces import rumoureval_workspace
    with Workspace(rumoureval_workspace(tmp_path_factory), read_only=True) as ws:
        info = write_report(ws, tmp_path / "rumoureval.html", account="BBCBreaking")
    html = (tmp_path / "rumoureval.html").read_text(encoding="utf-8")
    assert_self_contained(html)
    assert info["account"]["handle"] == "BBCBreaking"
    assert {"profile", "breakdown", "topics", "network", "connections", "top", "experts", "communities"} <= set(
        info["sections"])
    assert "News &amp; Politics" in html  # what the BBC's breaking-news account is known for
    assert "@BBCBreaking" in html and "Community" in html
