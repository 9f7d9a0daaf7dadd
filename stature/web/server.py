"""Serving the dashboard with the standard library's threading HTTP server.

Bound to a loopback address it answers this machine only (and only to loopback host
names); bound to any other address it requires a token, generated when none is given.
"""
from __future__ import annotations

import ipaddress
import secrets
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..errors import StatureError
from .app import App

MAX_TARGET = 8192


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


class _Handler(BaseHTTPRequestHandler):
    app: App
    server_version = "Stature"
    sys_version = ""

    def _answer(self):
        if len(self.path) > MAX_TARGET:
            self.send_error(414)
            return
        response = self.app.handle(self.command, self.path, dict(self.headers.items()))
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        if "Content-Length" not in response.headers:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def log_message(self, format, *args):  # quiet: the CLI says where it serves
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, handler, family):
        self.address_family = family
        super().__init__(address, handler)


def make_server(path, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, goal=None):
    """A server for the dashboard over the workspace at ``path`` (not yet serving); returns ``(server, app)``.

    Off loopback, ``token`` is required on every request (a new one is made when none is given);
    on loopback a given token is required too.
    """
    app = App(path, token=required_token(host, token), goal=goal)
    handler = type("Handler", (_Handler,), {"app": app})
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    try:
        server = _Server((host.strip("[]"), port), handler, family)
    except OSError as exc:
        raise StatureError(f"Cannot serve on {host}:{port}: {exc.strerror or exc}.") from None
    return server, app
