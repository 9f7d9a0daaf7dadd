"""Helpers for the collect tests: recordings as log lines, and a collect against the replay server."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import dataset

from stature.collect import Limits, collect


ME_BSKY = "chriskenny.bsky.social"
ME_MASTO = "@schochastics@fosstodon.org"


def recordings(network: str) -> list[Path]:
    return sorted(dataset(f"api-recordings/{network}").glob("*.json"))


def recording(network: str, name: str) -> dict:
    return json.loads((dataset(f"api-recordings/{network}") / name).read_text())


def as_log_line(network: str, rec: dict) -> str:
    """A recording as one line of a collect log (what any HTTP client could write)."""
    return json.dumps({"network": network, "url": rec["request"]["url"], "fetched_at": rec["recorded"],
                       "status": rec["response"]["status"], "body": rec["response"]["body"]})


def write_log(path: Path, network: str, names: list[str]) -> Path:
    path.write_text("".join(as_log_line(network, recording(network, n)) + "\n" for n in names))
    return path


class Sleeps(list):
    """An injected ``sleep``: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run_collect(ws, server, network, targets, log, *, limits=None, sleep=None, **kw):
    sleep = sleep if sleep is not None else Sleeps()
    return collect(ws, network, targets, log=log, service=server.url, limits=limits or Limits(),
                   fetcher={"sleep": sleep, "jitter": lambda: 0.5, "backoff": 0.01, "timeout": 5}, **kw)


def contents(ws) -> dict:
    """Every canonical row (without import ids), sorted: two workspaces with equal contents are the same."""
    out = {}
    for table in ("accounts", "posts", "interactions", "list_memberships"):
        cols = [c for (c,) in ws.sql("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                     "AND column_name <> 'import_id' ORDER BY ordinal_position", [table])]
        rows = ws.sql(f"SELECT {', '.join(cols)} FROM {table}")
        out[table] = sorted(rows, key=repr)
    return out


def counts(ws) -> dict:
    status = ws.status()
    return {"accounts": status["accounts"], "posts": status["posts"],
            "interactions": {k: v for k, v in status["interactions"].items() if v}, "lists": status["lists"]}
