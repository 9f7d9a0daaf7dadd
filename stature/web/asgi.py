"""The dashboard as a Starlette application: the route table, one guard, one error shape.

The guard answers first: one ``Host`` header or 400, GET and HEAD only, loopback host names
unless a token is set (DNS rebinding), the token otherwise. Each route's handler runs in a
worker thread over its own short-lived read-only connection. API paths answer errors as JSON
(``{"error": {"status", "code", "message"}}``), pages as HTML; neither names the workspace file
nor another program's process.
"""
from __future__ import annotations

import hmac
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from ..errors import StatureError, WorkspaceError
from ..report.sections import error_section, page
from .handlers import HTTPError, Page, header
from .readers import Busy, Unreadable

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
COOKIE = "stature_token"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
JSON = "application/json; charset=utf-8"
_PID = re.compile(r"\s*\(?\bPID \d+\)?", re.IGNORECASE)
_FILE = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][^\s'\"/\\]+)+\.duckdb(?:\.wal|\.waiting)?")


def scrub(message: str, path: str) -> str:
    """``message`` without the workspace's path or any process id (an error body is no place for them)."""
    message = message.replace(str(path), "the workspace")
    return _PID.sub("", _FILE.sub("the workspace", message))


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def json_response(status: int, value, headers: dict | None = None) -> Response:
    body = json.dumps(value, default=str, ensure_ascii=False, allow_nan=False).encode()
    return Response(body, status, headers=headers, media_type=JSON)


def error_response(path: str, accept: str, status: int, code: str, message: str,
                   headers: dict | None = None) -> Response:
    """JSON for the API (and clients that do not ask for HTML), an HTML page for a browser."""
    if is_api(path) or "text/html" not in accept and not _is_page(path):
        return json_response(status, {"error": {"status": status, "code": code, "message": message}}, headers)
    html = page(f"{status} · Stature", [error_section(status, message)], header=header())
    return Response(html.encode(), status, headers=headers, media_type="text/html; charset=utf-8")


def _is_page(path: str) -> bool:
    return path == "/" or path.split("/")[1] in ("search", "accounts", "topics", "communities")


def _accept(scope) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")


def answer(app, route, params: dict, query: dict, path: str, accept: str) -> Response:
    """Run one handler over a read-only connection (or answer from the cache while the workspace file is
    unchanged); every failure becomes an error response."""
    def error(status, code, message, headers=None):
        return error_response(path, accept, status, code, scrub(message, app.path), headers)
    key = (route.path, tuple(sorted(params.items())), tuple(sorted(query.items())), app.networks.state())
    found = app.cache.once(key, lambda: _compute(app, route, params, query, error))
    if isinstance(found, tuple):
        return Response(found[0], 200, media_type=found[1])
    return found


def _compute(app, route, params, query, error):
    """``(body, media type)`` of the handler's answer, or an error :class:`Response`."""
    try:
        with app.readers.open() as ws:
            result = route.handler(app, ws, params, query)
    except HTTPError as exc:
        return error(exc.status, exc.code, exc.message, exc.headers)
    except Busy:
        return error(503, "workspace_busy", f"The workspace is being written by another command (an ingest); this "
                     f"request waited {app.readers.wait_s:g} s for it. Try again shortly.", {"Retry-After": "2"})
    except (Unreadable, WorkspaceError) as exc:
        return error(503, "workspace_unavailable", str(exc))
    except StatureError as exc:
        return error(404, "not_found", str(exc))
    except Exception as exc:  # a bug: say so, without a traceback
        return error(500, "internal_error", f"Internal error ({type(exc).__name__}); this is a bug in Stature.")
    if isinstance(result, Page):
        body, media = page(result.title, result.sections, header=header(result.query)).encode(), "text/html; charset=utf-8"
    else:
        body, media = json.dumps(result, default=str, ensure_ascii=False, allow_nan=False).encode(), JSON
    return body, media


def _endpoint(app, route):
    async def endpoint(request):
        query = dict(request.query_params.multi_items())  # the last of a repeated name wins
        return await run_in_threadpool(answer, app, route, dict(request.path_params), query,
                                       request.url.path, request.headers.get("accept", ""))
    endpoint.__name__ = route.handler.__name__
    return endpoint


class Guard:
    """Host, method and token checks before any route, and the security headers on every response."""

    def __init__(self, app, inner):
        self.app, self.inner = app, inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)

        async def secured(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").title()
                           not in SECURITY_HEADERS]
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            redirect = self.check(scope)
        except HTTPError as exc:
            redirect = error_response(scope["path"], _accept(scope), exc.status, exc.code, exc.message, exc.headers)
        if redirect is not None:
            return await redirect(scope, receive, secured)
        await self.inner(scope, receive, secured)

    def check(self, scope) -> Response | None:
        hosts = [v.decode("latin-1") for k, v in scope["headers"] if k == b"host"]
        if len(hosts) != 1:
            raise HTTPError(400, "bad_request", f"A request needs exactly one Host header, not {len(hosts)}.")
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPError(405, "method_not_allowed", f"{scope['method']} is not allowed: the dashboard only reads.",
                            {"Allow": "GET, HEAD"})
        token = self.app.token
        if token is None:  # loopback only: refuse other host names (DNS rebinding)
            host = hosts[0]
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]
            if name.lower() not in LOOPBACK_HOSTS:
                raise HTTPError(403, "forbidden_host", f"Host {host!r} is not this machine's loopback address.")
            return None
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        given = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif "token" in query:
            given = query["token"]
            if _good(given, token):  # keep it in a cookie, out of the address bar and history
                rest = urlencode({k: v for k, v in query.items() if k != "token"})
                cookie = f"{COOKIE}={quote(given)}; Path=/; HttpOnly; SameSite=Strict"
                path = quote(scope["path"])
                return Response(b"", 303, headers={"Location": path + ("?" + rest if rest else ""),
                                                   "Set-Cookie": cookie}, media_type="text/plain")
        elif "cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:
                jar = SimpleCookie()
            if COOKIE in jar:
                given = unquote(jar[COOKIE].value)
        if not _good(given, token):
            raise HTTPError(401, "unauthorized", "This dashboard needs its token: send `Authorization: Bearer TOKEN`, "
                                                 "or open it once with ?token=TOKEN.", {"WWW-Authenticate": "Bearer"})
        return None


def _good(given, token: str) -> bool:
    return given is not None and hmac.compare_digest(str(given).encode(), token.encode())


def build(app):
    """The ASGI application for ``app`` (a :class:`~stature.web.App`)."""
    async def not_found(request, exc: HTTPException):
        if exc.status_code == 404:
            return error_response(request.url.path, request.headers.get("accept", ""), 404, "not_found",
                                  f"There is no page or API endpoint at {request.url.path}.")
        return error_response(request.url.path, request.headers.get("accept", ""), exc.status_code, "bad_request",
                              str(exc.detail))

    routes = [StarletteRoute(r.path, _endpoint(app, r), methods=["GET", "HEAD"]) for r in app.routes]
    return Guard(app, Starlette(routes=routes, exception_handlers={HTTPException: not_found}))
