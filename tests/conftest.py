"""Shared fixtures: real datasets from ../shared/datasets, fresh workspaces, the CLI runner."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from stature import Workspace

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"


def dataset(relative: str) -> Path:
    """A path under ../shared/datasets: skipped when absent locally, a failure in CI."""
    path = DATASETS / relative
    if not path.exists():
        message = f"{path} is missing: these tests need ../shared/datasets beside the project."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def workspace(tmp_path):
    with Workspace(tmp_path / "test.duckdb") as ws:
        yield ws


@pytest.fixture
def cli(tmp_path):
    """Run ``stature --workspace <tmp> ARGS...``; returns the click Result."""
    from stature.cli import main

    runner = CliRunner()
    path = tmp_path / "cli.duckdb"

    def run(*args, input=None):
        return runner.invoke(main, ["--workspace", str(path), *map(str, args)], input=input,
                             catch_exceptions=False)

    run.path = path
    return run


@pytest.fixture
def bluesky():
    """A local server on 127.0.0.1 replaying the recorded Bluesky API (``../shared/datasets/api-recordings``)."""
    from collect_helpers import recordings
    from replay import Replay

    with Replay(recordings("bluesky")) as server:
        yield server


@pytest.fixture
def mastodon():
    """A local server on 127.0.0.1 replaying the recorded Mastodon API."""
    from collect_helpers import recordings
    from replay import Replay

    with Replay(recordings("mastodon")) as server:
        yield server
