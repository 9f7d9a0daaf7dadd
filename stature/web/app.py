"""The dashboard as a plain function from a request to a response, over a read-only workspace.

:class:`App` holds a tiny router: each :class:`Route` names its method, path pattern,
handler and what OpenAPI says of it. Handlers call :mod:`stature.views` and render with
:mod:`stature.report.sections`; none of them holds SQL. Every error, on a page or the API,
answers one JSON shape: ``{"error": {"status": 404, "code": "not_found", "message": "..."}}``.
"""
from __future__ import annotations

import hmac
import json
import re
import threading
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Callable
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from .. import views
from ..analytics.communities import community_members, community_run
from ..errors import StatureError, WorkspaceError
from ..report.html import el, who
from ..report.sections import (Links, account_sections, community_section, overview_sections, page, search_section,
                               topic_section)
from ..workspace import Workspace

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"}
COOKIE = "stature_token"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


class HTTPError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


@dataclass(frozen=True)
class Route:
    path: str                 # /accounts/{network}/{account_id}
    handler: Callable
    summary: str
    api: bool = True
    query: tuple = ()         # (name, type, description) of the query parameters
    returns: str = "object"   # what the 200 response holds, for OpenAPI

    @property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")


def json_response(status: int, value, headers: dict | None = None) -> Response:
    body = json.dumps(value, default=str, ensure_ascii=False, allow_nan=False).encode()
    return Response(status, body, "application/json; charset=utf-8", headers or {})


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    return json_response(status, {"error": {"status": status, "code": code, "message": message}}, headers)


class App:
    """The dashboard over the workspace at ``path``; ``token`` (when set) is required on every request."""

    def __init__(self, path, *, token: str | None = None, goal=None):
        self.path = str(path)
        self.token = token
        self.goal = goal
        self._lock = threading.Lock()
        self._network = (None, None)
        from .routes import ROUTES
        self.routes = ROUTES
        Workspace(self.path, read_only=True).close()  # fail now, not on the first request, if it cannot be read

    # -------------------------------------------------------------- dispatch

    def handle(self, method: str, target: str, headers: dict | None = None) -> Response:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        try:
            response = self._dispatch(method, target, headers)
        except HTTPError as exc:
            response = error_response(exc.status, exc.code, exc.message, exc.headers)
        except WorkspaceError as exc:
            response = error_response(503, "workspace_unavailable", str(exc))
        except StatureError as exc:
            response = error_response(404, "not_found", str(exc))
        except Exception as exc:  # a bug: say so, without a traceback
            response = error_response(500, "internal_error", f"Internal error ({type(exc).__name__}); "
                                                             "this is a bug in Stature.")
        response.headers = {**SECURITY_HEADERS, **response.headers}
        if method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        return response

    def _dispatch(self, method: str, target: str, headers: dict) -> Response:
        if method not in ("GET", "HEAD"):
            raise HTTPError(405, "method_not_allowed", f"{method} is not allowed: the dashboard only reads.",
                            {"Allow": "GET, HEAD"})
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        redirect = self._authorize(headers, query, parts.path)
        if redirect:
            return redirect
        for route in self.routes:
            match = route.pattern.match(parts.path)
            if match:
                params = {k: unquote(v) for k, v in match.groupdict().items()}
                with self._lock, Workspace(self.path, read_only=True) as ws:
                    result = route.handler(self, ws, params, query)
                return result if isinstance(result, Response) else json_response(200, result)
        raise HTTPError(404, "not_found", f"There is no page or API endpoint at {parts.path}.")

    def _authorize(self, headers: dict, query: dict, path: str) -> Response | None:
        if self.token is None:  # loopback only: refuse other host names (DNS rebinding)
            host = headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]
            if name.lower() not in LOOPBACK_HOSTS:
                raise HTTPError(403, "forbidden_host", f"Host {host!r} is not this machine's loopback address.")
            return None
        given = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif "token" in query:
            given = query["token"]
            if self._good(given):  # keep it in a cookie, out of the address bar and history
                rest = urlencode({k: v for k, v in query.items() if k != "token"})
                cookie = f"{COOKIE}={quote(given)}; Path=/; HttpOnly; SameSite=Strict"
                return Response(303, b"", "text/plain", {"Location": path + ("?" + rest if rest else ""),
                                                         "Set-Cookie": cookie})
        elif "cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:
                jar = SimpleCookie()
            if COOKIE in jar:
                given = unquote(jar[COOKIE].value)
        if not self._good(given):
            raise HTTPError(401, "unauthorized", "This dashboard needs its token: send `Authorization: Bearer TOKEN`, "
                                                 "or open it once with ?token=TOKEN.", {"WWW-Authenticate": "Bearer"})
        return None

    def _good(self, given) -> bool:
        return given is not None and hmac.compare_digest(str(given).encode(), self.token.encode())

    # -------------------------------------------------------------- helpers for handlers

    def network(self, ws):
        """The attention graph for `connect`, loaded once per state of the workspace file."""
        import os
        from ..goals import load_network
        stamp = os.stat(self.path).st_mtime_ns
        if self._network[0] != stamp:
            self._network = (stamp, load_network(ws))
        return self._network[1]

    def html(self, title: str, sections, query: str = "") -> Response:
        header = el("header", el("a", "Stature", href="/"), el("a", "Top accounts", href="/#top"),
                    el("a", "Experts", href="/#experts"), el("a", "Communities", href="/#communities"),
                    el("a", "API", href="/openapi.json"),
                    el("form", el("input", type="search", name="q", value=query, placeholder="Search accounts and topics",
                                  aria_label="Search accounts and topics"), action="/search", method="get", role="search"),
                    class_="top")
        return Response(200, page(title, sections, header=header).encode(), "text/html; charset=utf-8")


def account_url(a: dict) -> str | None:
    if not a.get("account_id") or not a.get("network"):
        return None
    return f"/accounts/{quote(str(a['network']), safe='')}/{quote(str(a['account_id']), safe='')}"


LINKS = Links(account=account_url,
              topic=lambda t: f"/topics/{quote(str(t['topic_id']), safe='')}" if t.get("topic_id") else None,
              community=lambda c: f"/communities/{int(c['community'])}")


# -------------------------------------------------------------- handlers


def page_overview(app, ws, params, query):
    return app.html("Stature", overview_sections(views.overview(ws), LINKS))


def page_search(app, ws, params, query):
    q = query.get("q", "")
    return app.html(f"Search: {q}", [search_section(views.search(ws, q), LINKS)], q)


def _account_spec(params) -> str:
    return f"{params['network']}:{params['account_id']}"


def page_account(app, ws, params, query):
    view = _account(app, ws, params)
    return app.html(f"{who(view['account'])} · Stature", account_sections(view, LINKS))


def _account(app, ws, params) -> dict:
    try:
        network, account_id = ws.find_account(_account_spec(params))
    except StatureError as exc:
        raise HTTPError(404, "not_found", str(exc)) from None
    return views.account_view(ws, f"{network}:{account_id}", goal=app.goal, net=app.network(ws))


def page_topic(app, ws, params, query):
    return app.html(params["topic_id"], [topic_section(views.topic_view(ws, params["topic_id"]), LINKS)])


def _community_number(params) -> int:
    try:
        return int(params["community"])
    except ValueError:
        raise HTTPError(404, "not_found", f"{params['community']!r} is not a community number.") from None


def page_community(app, ws, params, query):
    found = community_members(ws, _community_number(params))
    return app.html(f"Community {found['community']}", [community_section(found, LINKS)])


def _limit(query, default: int = 20, most: int = 1000) -> int:
    try:
        value = int(query.get("limit", default))
    except ValueError:
        raise HTTPError(400, "bad_request", f"limit must be a whole number, not {query.get('limit')!r}.") from None
    if not 0 <= value <= most:
        raise HTTPError(400, "bad_request", f"limit must be between 0 and {most}.")
    return value


def api_status(app, ws, params, query):
    return ws.status()


def api_overview(app, ws, params, query):
    return views.overview(ws, limit=_limit(query))


def api_top(app, ws, params, query):
    from ..analytics import top
    return top(ws, limit=_limit(query, most=10_000_000))


def api_search(app, ws, params, query):
    return views.search(ws, query.get("q", ""), limit=_limit(query))


def api_account(app, ws, params, query):
    return _account(app, ws, params)


def api_topic(app, ws, params, query):
    return views.topic_view(ws, params["topic_id"], limit=_limit(query))


def api_communities(app, ws, params, query):
    from ..analytics.communities import communities
    community_run(ws)
    return communities(ws, limit=_limit(query, 12))


def api_community(app, ws, params, query):
    return community_members(ws, _community_number(params), limit=_limit(query, 100))


def api_openapi(app, ws, params, query):
    from .openapi import spec
    return spec(app.routes)
