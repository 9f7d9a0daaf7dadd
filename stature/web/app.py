"""The dashboard over a read-only workspace: its settings, its state, and an in-process way to call it.

:class:`App` holds what every request shares: the workspace path, the token, the goal, whether
private posts may be shown, the readers (short-lived read-only connections) and the network loaded
in the background. :attr:`App.asgi` is the Starlette application (:mod:`.asgi`) that
:func:`~stature.web.make_server` serves on uvicorn; :meth:`App.handle` calls it in-process.
"""
from __future__ import annotations

import atexit
import json
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import WorkspaceError
from ..rules import visibility
from .netload import NetworkLoader
from .readers import WAIT_S, Busy, Cache, Readers, Unreadable
from .routes import ROUTES


class Headers(dict):
    """Response headers, looked up whatever the case of their names."""

    def __init__(self, pairs=()):
        super().__init__((k.lower(), v) for k, v in dict(pairs).items())

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __contains__(self, name):
        return super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)

    def pop(self, name, *default):
        return super().pop(name.lower(), *default)


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


class App:
    """The dashboard over the workspace at ``path``; ``token`` (when set) is required on every request.
    Private posts are shown only with ``include_private``, which a server off loopback refuses."""

    def __init__(self, path, *, token: str | None = None, goal=None, include_private: bool = False,
                 wait_s: float = WAIT_S):
        self.path = str(path)
        self.token = token
        self.goal = goal
        self.include_private = include_private
        self.routes = ROUTES
        self.readers = Readers(self.path, wait_s)
        self.cache = Cache(self.path)
        try:  # fail now, not on the first request, if it cannot be read
            with self.readers.open():
                pass
        except Unreadable as exc:
            raise WorkspaceError(str(exc)) from None
        except Busy:
            raise WorkspaceError(f"{self.path} is being written by another command; serve it when that "
                                 "command is done.") from None
        self.networks = NetworkLoader(self.readers)
        self.networks.start()
        self._asgi = None
        atexit.register(self.readers.close)

    @property
    def asgi(self):
        if self._asgi is None:
            from .asgi import build
            self._asgi = build(self)
        return self._asgi

    def allow_private(self, host_is_loopback: bool) -> None:
        """Refuse private posts off loopback, whatever was asked."""
        self.include_private = visibility.may_serve_private(host_is_loopback, self.include_private)

    def handle(self, method: str, target: str, headers=None) -> Response:
        """Answer one request in-process (as uvicorn would): ``headers`` a dict or a list of pairs."""
        import anyio
        parts = urlsplit(target)
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": unquote(parts.path), "raw_path": parts.path.encode(),
                 "query_string": parts.query.encode(), "root_path": "",
                 "headers": [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in pairs],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        anyio.run(self.asgi, scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        got = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", []))
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        content_type = got.pop("Content-Type", "")
        return Response(start["status"], b"" if method == "HEAD" else body, content_type, got)
