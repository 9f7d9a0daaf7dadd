"""The dashboard under a bounded load on loopback: hundreds of concurrent requests, slow clients, an ingest beside it.

It checks behaviour, not speed (speed: benchmarks/dashboard.py and BENCHMARKS.md): every request is
answered, the slow clients are cut off instead of holding the server, and the ingest succeeds.
"""
from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

from conftest import ROOT, dataset
from stature import Workspace
from surfaces import demo_workspace

pytestmark = pytest.mark.slow


def _bench():
    spec = importlib.util.spec_from_file_location("dashboard_bench", ROOT / "benchmarks" / "dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hundreds_of_concurrent_requests_slow_clients_and_an_ingest_beside(tmp_path, tmp_path_factory):
    bench = _bench()
    path = tmp_path / "served.duckdb"
    shutil.copy(demo_workspace(tmp_path_factory), path)
    with Workspace(path, read_only=True) as ws:
        before = ws.status()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc, port = bench.serve(path, env)
    try:
        job = bench.ingest_beside(path, dataset("formats/mastodon-archive"))
        result = bench.run_load(port, clients=300, requests=2, slow=20, slow_seconds=40, timeout=60)
        out, err = job.communicate(timeout=300)
        assert job.returncode == 0, out + err  # the ingest waited for the readers and went in
        assert result["answered"] == result["requests"] == 600, result
        assert set(result["statuses"]) <= {200, 503}, result  # 503 only as "busy, try again"
        assert result["statuses"].get(200, 0) >= 0.9 * result["requests"], result
        assert result["slow_cut_off"] == 20 and result["slow_cut_after"] < 20, result  # cut off after 10 s
        after = bench.run_load(port, clients=10, requests=3, slow=0, targets=("/api/status",))
        assert after["statuses"] == {200: 30}, after
        import json
        import urllib.request
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(f"http://127.0.0.1:{port}/api/status", timeout=30) as r:
            shown = json.loads(r.read())
        assert shown["posts"] > before["posts"] and "mastodon" in shown["networks"]  # not an answer kept from before
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with Workspace(path, read_only=True) as ws:
        status = ws.status()
    assert status["posts"] > before["posts"] and "mastodon" in status["networks"]
