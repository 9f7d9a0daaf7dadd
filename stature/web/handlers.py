"""What each page and API endpoint answers: plain functions of ``(app, ws, params, query)``.

Handlers call :mod:`stature.views` and render with :mod:`stature.report.sections`; none holds SQL.
A page returns :class:`Page`, an API endpoint a JSON-ready value; both raise :class:`HTTPError`
(or a :class:`~stature.errors.StatureError`, a 404) for what they cannot answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from .. import views
from ..analytics.communities import community_members, community_run
from ..errors import StatureError
from ..report.html import el, who
from ..report.sections import (Links, account_sections, community_section, loading_section, overview_sections,
                               search_section, topic_section)


class HTTPError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass
class Page:
    title: str
    sections: list
    query: str = ""


def account_url(a: dict) -> str | None:
    if not a.get("account_id") or not a.get("network"):
        return None
    return f"/accounts/{quote(str(a['network']), safe='')}/{quote(str(a['account_id']), safe='')}"


LINKS = Links(account=account_url,
              topic=lambda t: f"/topics/{quote(str(t['topic_id']), safe='')}" if t.get("topic_id") else None,
              community=lambda c: f"/communities/{int(c['community'])}")


def page_overview(app, ws, params, query):
    return Page("Stature", overview_sections(views.overview(ws), LINKS))


def page_search(app, ws, params, query):
    q = query.get("q", "")
    return Page(f"Search: {q}", [search_section(views.search(ws, q), LINKS)], q)


def page_account(app, ws, params, query):
    view, loading = _account(app, ws, params)
    sections = account_sections(view, LINKS)
    if loading:
        sections.append(loading_section("connections", "Suggested connections",
                                        "Loading the network for suggested connections; reload in a moment."))
    return Page(f"{who(view['account'])} · Stature", sections)


def _account(app, ws, params) -> tuple[dict, bool]:
    """The account's view, and whether its suggestions wait for the network still loading."""
    try:
        network, account_id = ws.find_account(f"{params['network']}:{params['account_id']}")
    except StatureError as exc:
        raise HTTPError(404, "not_found", str(exc)) from None
    net = app.networks.get()
    view = views.account_view(ws, f"{network}:{account_id}", goal=app.goal, net=net,
                              connections=5 if net is not None else 0, include_private=app.include_private)
    if net is None:
        view["notes"] = view["notes"] + ["The network for suggested connections is loading; reload in a moment."]
    return view, net is None


def page_topic(app, ws, params, query):
    return Page(params["topic_id"], [topic_section(views.topic_view(ws, params["topic_id"]), LINKS)])


def _community_number(params) -> int:
    try:
        return int(params["community"])
    except ValueError:
        raise HTTPError(404, "not_found", f"{params['community']!r} is not a community number.") from None


def page_community(app, ws, params, query):
    found = community_members(ws, _community_number(params))
    return Page(f"Community {found['community']}", [community_section(found, LINKS)])


def _limit(query, default: int = 20, most: int = 1000) -> int:
    try:
        value = int(query.get("limit", default))
    except ValueError:
        raise HTTPError(400, "bad_request", f"limit must be a whole number, not {query.get('limit')!r}.") from None
    if not 0 <= value <= most:
        raise HTTPError(400, "bad_request", f"limit must be between 0 and {most}.")
    return value


def api_status(app, ws, params, query):
    status = ws.status()
    status.pop("workspace", None)  # the file's path is not the API's to tell
    return {**status, "network": app.networks.state()}


def api_overview(app, ws, params, query):
    found = views.overview(ws, limit=_limit(query))
    found["status"].pop("workspace", None)
    return found


def api_top(app, ws, params, query):
    from ..analytics import top
    return top(ws, limit=_limit(query, most=10_000_000))


def api_search(app, ws, params, query):
    return views.search(ws, query.get("q", ""), limit=_limit(query))


def api_account(app, ws, params, query):
    view, loading = _account(app, ws, params)
    return {**view, "network_state": "loading" if loading else "ready"}


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


def header(query: str = ""):
    """The dashboard's top bar: home, sections, the API and the search box."""
    return el("header", el("a", "Stature", href="/"), el("a", "Top accounts", href="/#top"),
              el("a", "Experts", href="/#experts"), el("a", "Communities", href="/#communities"),
              el("a", "API", href="/openapi.json"),
              el("form", el("input", type="search", name="q", value=query, placeholder="Search accounts and topics",
                            aria_label="Search accounts and topics"), action="/search", method="get", role="search"),
              class_="top")
