"""Serving the dashboard on uvicorn: bounded, with timeouts, many requests at once.

Bound to a loopback address it answers this machine only (and only to loopback host
names); bound to any other address it requires a token, generated when none is given, and
never shows private posts. Connections that send no complete request head within
:data:`HEAD_TIMEOUT_S` are closed (slow clients), idle keep-alive ones after
:data:`KEEP_ALIVE_S`; past :data:`MAX_CONCURRENT` connections new requests get 503.
"""
from __future__ import annotations

import ipaddress
import secrets
import socket
import threading

from ..errors import StatureError
from .app import App

HEAD_TIMEOUT_S = 10
KEEP_ALIVE_S = 5
MAX_CONCURRENT = 1000
MAX_HEAD = 16 * 1024       # request line and headers, bytes
BACKLOG = 2048


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def required_token(host: str, token: str | None) -> str | None:
    """The token a server on ``host`` requires: the one given, else a new one off loopback, else none."""
    if token:
        return token
    return None if is_loopback(host) else new_token()


def _protocol():
    """uvicorn's h11 protocol, closing connections whose request head does not arrive in time."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        _head = None

        def connection_made(self, transport):
            super().connection_made(transport)
            self._arm()

        def _arm(self):
            if self._head is None:
                self._head = self.loop.call_later(HEAD_TIMEOUT_S, self._too_slow)

        def _too_slow(self):
            self._head = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self._arm()  # a new request head starts: it has HEAD_TIMEOUT_S to arrive whole
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete and self._head is not None:
                self._head.cancel()
                self._head = None

        def connection_lost(self, exc):
            if self._head is not None:
                self._head.cancel()
                self._head = None
            super().connection_lost(exc)

    return Protocol


class Server:
    """A bound, not yet serving dashboard server: :meth:`serve_forever`, :meth:`shutdown`, :meth:`server_close`."""

    def __init__(self, app: App, sock: socket.socket):
        import uvicorn
        self.app, self.socket = app, sock
        self.server_address = sock.getsockname()
        config = uvicorn.Config(app.asgi, http=_protocol(), lifespan="off", log_config=None, log_level="error",
                                access_log=False, server_header=False, proxy_headers=False,
                                timeout_keep_alive=KEEP_ALIVE_S, limit_concurrency=MAX_CONCURRENT,
                                backlog=BACKLOG, h11_max_incomplete_event_size=MAX_HEAD,
                                timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._done = threading.Event()

    def serve_forever(self) -> None:
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self, timeout: float = 30) -> None:
        self._server.should_exit = True
        self._done.wait(timeout)

    def server_close(self) -> None:
        self.socket.close()


def make_server(path, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, goal=None,
                include_private: bool = False):
    """A server for the dashboard over the workspace at ``path`` (not yet serving); returns ``(server, app)``.

    Off loopback, ``token`` is required on every request (a new one is made when none is given),
    and private posts are never shown (``include_private`` is refused); on loopback a given token is required too.
    """
    if include_private and not is_loopback(host):
        raise StatureError(f"--include-private is for a dashboard on this machine only, not on {host}: "
                           "off loopback private posts are never shown.")
    app = App(path, token=required_token(host, token), goal=goal, include_private=include_private)
    app.allow_private(is_loopback(host))
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bare, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise StatureError(f"Cannot serve on {host}:{port}: {exc.strerror or exc}.") from None
    sock.set_inheritable(True)
    return Server(app, sock), app
