"""The raw log of a collect: one JSON line per HTTP response, appended as it arrives.

Each line is ``{"network", "url", "fetched_at", "status", "body"}`` and, where the response
had one, ``"headers": {"link": ...}`` (Mastodon's paging header, kept so a resumed run can
page on without fetching again). The workspace is filled by importing the log
(formats ``bluesky-api`` and ``mastodon-api``), so any HTTP client can write one.

A run that is killed leaves at worst a half-written last line; opening the log again
drops it, and the answers already in the log are served from it instead of the network.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from ..errors import StatureError

# Answers that stay answers: kept and reused on resume. 429 and 5xx are tried again.
FINAL_STATUSES = {200, 400, 401, 403, 404, 410}


@dataclass
class Logged:
    status: int
    body: object
    link: str | None = None


class RawLog:
    """Append-only JSON-lines log of responses, with the final answers it already holds."""

    def __init__(self, path: str | os.PathLike, network: str, *, reuse: bool = True):
        self.path = Path(path)
        self.network = network
        self.answers: dict[str, Logged] = {}
        self.lines = 0
        if self.path.exists():
            self._recover(reuse)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(self.path, "ab")

    def _recover(self, reuse: bool) -> None:
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line cut short by a kill: drop it
            with open(self.path, "r+b") as f:
                f.truncate(end)
            data = data[:end]
        for number, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise StatureError(f"{self.path}, line {number}: is not valid JSON ({exc}); "
                                   "the log cannot be resumed (name a new --log).") from None
            self.lines += 1
            if not isinstance(item, dict):
                continue
            if item.get("network") != self.network:
                raise StatureError(f"{self.path}, line {number}: holds a {item.get('network')!r} response; "
                                   f"a log holds one network's responses (name another --log for {self.network}).")
            if not reuse:
                continue
            if item.get("status") in FINAL_STATUSES and isinstance(item.get("url"), str):
                link = (item.get("headers") or {}).get("link")
                self.answers[item["url"]] = Logged(item["status"], item.get("body"), link)

    def get(self, url: str) -> Logged | None:
        return self.answers.get(url)

    def append(self, url: str, status: int, body, link: str | None = None) -> None:
        item = {"network": self.network, "url": url,
                "fetched_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "status": status, "body": body}
        if link:
            item["headers"] = {"link": link}
        self._out.write(orjson.dumps(item) + b"\n")
        self._out.flush()
        self.lines += 1
        if status in FINAL_STATUSES:
            self.answers[url] = Logged(status, body, link)

    def close(self) -> None:
        self._out.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
