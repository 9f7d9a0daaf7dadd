"""A local HTTP server on 127.0.0.1 that replays recorded API responses, with faults on demand.

Recordings are files ``{"source", "recorded", "request": {"method", "url"}, "response":
{"status", "headers", "body"}}`` (``../shared/datasets/api-recordings``). A request is matched
to a recording by its path and query, whatever the host (every recorded server answers here),
with query values compared case-insensitively and ``limit`` ignored (a page size is the
client's choice). Recorded ``Link`` headers are rewritten to point here.

What the recordings do not hold is answered as the live APIs answer it:

- a page after the last recorded one (a ``cursor`` or ``max_id`` the recordings follow no
  further) is an empty last page, as the APIs send at the end of a list;
- Mastodon's ``/api/v1/accounts/lookup?acct=NAME`` returns the recorded account entity whose
  ``acct`` is NAME (the same entity ``/api/v1/accounts/:id`` was recorded giving);
- anything else is ``404 {"error": "NotFound"}``, and listed in :attr:`unrecorded`.

Tests add scripted answers (:meth:`script`) and faults (:meth:`inject`): a status such as 429
(with ``Retry-After``) or 502; ``"drop"``, which closes the connection without an answer; or
``("slow", SECONDS)``, which answers only after that long (past the client's timeout).
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

_CONTINUATION = ("cursor", "max_id")
_KEPT_HEADERS = ("content-type", "link", "ratelimit-limit", "ratelimit-policy", "ratelimit-remaining",
                 "ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _key(path: str, query: str, drop=("limit",)) -> tuple:
    pairs = sorted((k, v.lower()) for k, v in parse_qsl(query, keep_blank_values=True) if k not in drop)
    return path.rstrip("/"), tuple(pairs)


class Replay:
    """Start with ``with Replay(files) as server:``; ``server.url`` is its address."""

    def __init__(self, files):
        self.recordings: dict[tuple, dict] = {}
        self.accounts: dict[str, dict] = {}  # Mastodon acct -> a recorded account entity
        for file in sorted(Path(f) for f in files):
            rec = json.loads(Path(file).read_text())
            parts = urlsplit(rec["request"]["url"])
            self.recordings[_key(parts.path, parts.query)] = rec["response"]
            body = rec["response"]["body"]
            if parts.path.startswith("/api/v1/accounts/") and isinstance(body, dict) and "acct" in body:
                self.accounts.setdefault(body["acct"].lower(), rec["response"])
        self.scripted: dict[tuple, tuple] = {}
        self.faults: list[list] = []  # [path fragment, what, times left, headers]
        self.requests: list[tuple[str, int]] = []  # (path?query, status or 'drop')
        self.unrecorded: list[str] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds before each answer, to make a run last long enough to be killed
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def script(self, path_and_query: str, status: int, body, headers: dict | None = None) -> None:
        """Answer this request (path and query) with ``status`` and ``body``."""
        parts = urlsplit(path_and_query)
        self.scripted[_key(parts.path, parts.query, drop=())] = (status, body, headers or {})

    def inject(self, fragment: str, what, times: int = 1, headers: dict | None = None) -> None:
        """The next ``times`` requests whose path contains ``fragment`` get ``what``: a status, or "drop"."""
        self.faults.append([fragment, what, times, headers or {}])

    def count(self, fragment: str) -> int:
        return sum(1 for path, _ in self.requests if fragment in path)

    # -- answering --
    def answer(self, path: str, query: str):
        with self.lock:
            for fault in self.faults:
                if fault[2] > 0 and fault[0] in path:
                    fault[2] -= 1
                    return fault[1], {"error": "injected"}, fault[3]
        parts_key = _key(path, query, drop=())
        if parts_key in self.scripted:
            return self.scripted[parts_key]
        found = self.recordings.get(_key(path, query))
        if found is not None:
            return found["status"], found["body"], self._headers(found["headers"])
        params = dict(parse_qsl(query))
        if path.rstrip("/") == "/api/v1/accounts/lookup" and params.get("acct", "").lower() in self.accounts:
            rec = self.accounts[params["acct"].lower()]
            return rec["status"], rec["body"], self._headers(rec["headers"])
        if any(k in params for k in _CONTINUATION):
            first = self.recordings.get(_key(path, query, drop=("limit",) + _CONTINUATION))
            if first is None:  # the continuation of a page reached through a recorded Link
                first = next((r for (p, _), r in self.recordings.items() if p == path.rstrip("/")), None)
            if first is not None:
                return 200, _empty_page(first["body"]), self._headers(
                    {k: v for k, v in first["headers"].items() if k != "link"})
        with self.lock:
            self.unrecorded.append(f"{path}?{query}" if query else path)
        return 404, {"error": "NotFound", "message": "not in the recordings"}, {}

    def _headers(self, headers: dict) -> dict:
        out = {k: v for k, v in headers.items() if k.lower() in _KEPT_HEADERS}
        if "link" in out:
            out["link"] = re.sub(r"<https?://[^/>]+", "<" + self.url, out["link"])
        return out


def _empty_page(body):
    if isinstance(body, list):
        return []
    return {k: ([] if isinstance(v, list) else v) for k, v in body.items() if k != "cursor"}


def _handler(replay: Replay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body in one write (no delayed-ACK stalls)

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            if replay.delay:
                import time
                time.sleep(replay.delay)
            status, body, headers = replay.answer(parts.path, parts.query)
            shown = f"{parts.path}?{parts.query}" if parts.query else parts.path
            with replay.lock:
                replay.requests.append((shown, status))
            if isinstance(status, tuple) and status[0] == "slow":  # answer only after the client gave up
                import time
                time.sleep(status[1])
                status = "drop"
            if status == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:  # the client has already gone
                    pass
                return
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                if k.lower() not in ("content-type", "content-length"):
                    self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler
