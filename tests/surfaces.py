"""Workspaces for the report, dashboard and export tests: a generated community and RumourEval, built once."""
from __future__ import annotations

import tarfile
from pathlib import Path

from conftest import dataset
from stature import Workspace, ingest

_BUILT: dict = {}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
