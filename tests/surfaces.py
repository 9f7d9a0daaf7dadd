"""Workspaces for the report, dashboard and export tests: a generated community and RumourEval, built once."""
from __future__ import annotations

import re
import tarfile
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from conftest import dataset
from stature import Workspace, ingest
from stature.model import Account, Interaction, Post
from stature.workspace import Writer

HOSTILE_HANDLE = 'x"><script>alert(1)</script>'
HOSTILE_NAME = "<img src=x onerror=alert(2)>"
HOSTILE_BIO = "</style><script>alert(3)</script>\x01 travel writer, hiking and backpacking"
HOSTILE_POST = "<svg onload=alert(4)> Backpacking across the Alps: hostels, trails and #travel tips"
_BUILT: dict = {}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server"]


def analyse(ws) -> None:
    """Score, classify and find communities: the pipeline the report shows."""
    from stature.analytics import score
    from stature.analytics.communities import detect_communities
    from stature.topics.store import classify_workspace
    score(ws)
    classify_workspace(ws, model="keyword")
    detect_communities(ws)


def demo_workspace(tmp_path_factory, accounts: int = 80) -> Path:
    """A generated community run through the whole demo pipeline (built once per session)."""
    key = ("demo", accounts)
    if key not in _BUILT:
        from stature.demo import run_demo
        path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
        with Workspace(path) as ws:
            run_demo(ws, accounts=accounts, seed=3)
        _BUILT[key] = path
    return _BUILT[key]


def rumoureval_workspace(tmp_path_factory) -> Path:
    """RumourEval 2017 (train, dev and test threads) ingested, scored, classified, with communities."""
    if "rumoureval" not in _BUILT:
        folder = tmp_path_factory.mktemp("rumoureval")
        with tarfile.open(dataset("rumoureval2017/rumoureval2017.tgz")) as archive:
            members = [m for m in archive.getmembers()
                       if m.name.split("/")[:2] in (["data", "train"], ["data", "dev"], ["data", "test"])
                       and (m.isdir() or m.isfile())]
            archive.extractall(folder, members=members, filter="data")
        path = folder / "rumoureval.duckdb"
        with Workspace(path) as ws:
            ingest(ws, [folder / "data" / part for part in ("train", "dev", "test")])
            analyse(ws)
        _BUILT["rumoureval"] = path
    return _BUILT["rumoureval"]


def launch_chromium(playwright, tmp_path):
    """Debian's Chromium, headless, with a fresh profile and nothing that calls home."""
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1100, "height": 900})


def hostile_workspace(path):
    """Accounts and posts whose names, bios and texts try to inject markup and script."""
    start = datetime(2024, 3, 1, 12)
    ws = Workspace(path)
    with ws.transaction() as con:
        writer = Writer(con, 1)
        writer.add(Account("mastodon", "evil", handle=HOSTILE_HANDLE, display_name=HOSTILE_NAME, bio=HOSTILE_BIO,
                           followers_count=500))
        for i, name in enumerate(["bob", "carol", "dan", "erin"]):
            writer.add(Account("mastodon", name, handle=name, display_name=name.title(), followers_count=10 + i))
        for week in range(6):
            when = start + timedelta(days=7 * week)
            writer.add(Post("mastodon", f"e{week}", "evil", created_at=when, text=HOSTILE_POST, hashtags=["travel"]))
            for j, name in enumerate(["bob", "carol", "dan", "erin"]):
                writer.add(Post("mastodon", f"r{week}{name}", name, created_at=when + timedelta(hours=j + 1),
                                text=f"@evil great trip report {name}", reply_to_post_id=f"e{week}",
                                reply_to_account_id="evil", mentions=["evil"]))
                writer.add(Interaction("mastodon", "repost", name, "evil", f"e{week}", when + timedelta(hours=2)))
        writer.finish()
    analyse(ws)
    return ws


class Tags(HTMLParser):
    """Every tag of a page with its attributes, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_self_contained(html: str, *, served: bool = False) -> None:
    """No script, no external resource, no event handler. A report's own policy forbids any request; a served
    page (``served``) may link to its own server's paths, and gets its policy as a header."""
    assert html.startswith("<!DOCTYPE html>")
    tags = Tags(html).tags
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "iframe", "img", "object", "embed", "image", "use", "base", "foreignobject"}
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("src", "href", "action", "xlink:href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#") or served and value.startswith("/") \
                and not value.startswith("//"), (tag, attrs)
    assert not re.search(r"url\((?!#)", html) and "@import" not in html  # no CSS fetches
    if not served:
        policy = [a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert policy and policy[0].startswith("default-src 'none'")
