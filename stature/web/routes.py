"""Every page and API endpoint of the dashboard, in the order they are matched.

Paths use Starlette's syntax; ``{name:path}`` takes the rest of the path, slashes included, so ids that
are URLs (Mastodon accounts, ``at://`` URIs) work whether or not their ``/`` are escaped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .handlers import (api_account, api_communities, api_community, api_openapi, api_overview, api_search,
                       api_status, api_top, api_topic, page_account, page_community, page_overview, page_search,
                       page_topic)


@dataclass(frozen=True)
class Route:
    path: str                 # /accounts/{network}/{account_id:path}
    handler: Callable
    summary: str
    api: bool = True
    query: tuple = ()         # (name, type, description) of the query parameters
    returns: str = "object"   # what the 200 response holds, for OpenAPI

    @property
    def openapi_path(self) -> str:
        return re.sub(r"\{(\w+):\w+\}", r"{\1}", self.path)

    @property
    def names(self) -> list[str]:
        return re.findall(r"\{(\w+)(?::\w+)?\}", self.path)


LIMIT = ("limit", "integer", "How many results (0 for every account in /api/top).")

ROUTES = [
    Route("/", page_overview, "The community: top accounts, experts per topic, communities.", api=False),
    Route("/search", page_search, "Accounts and topics whose name contains q.", api=False,
          query=(("q", "string", "What to look for."),)),
    Route("/accounts/{network}/{account_id:path}", page_account, "One account: score, breakdown, topics, network.",
          api=False),
    Route("/topics/{topic_id:path}", page_topic, "The experts on one topic.", api=False),
    Route("/communities/{community}", page_community, "The members of one community.", api=False),
    Route("/openapi.json", api_openapi, "This API, described by OpenAPI 3.1."),
    Route("/api/status", api_status, "What the workspace holds, and whether the network is loaded."),
    Route("/api/overview", api_overview, "The community view: status, top accounts, experts per topic, communities.",
          query=(LIMIT,)),
    Route("/api/top", api_top, "The highest scores of the latest run, best first.", query=(LIMIT,), returns="array"),
    Route("/api/search", api_search, "Accounts and topics whose name contains q.",
          query=(("q", "string", "What to look for."), LIMIT)),
    Route("/api/accounts/{network}/{account_id:path}", api_account,
          "One account: profile, score explained, history, topics with evidence, attention in and out, community, "
          "suggested connections (null while the network loads), goal progress (when started with --goal)."),
    Route("/api/topics/{topic_id:path}", api_topic, "The experts on one topic, with their evidence.", query=(LIMIT,)),
    Route("/api/communities", api_communities, "The largest communities with their members, topics and ties.",
          query=(LIMIT,)),
    Route("/api/communities/{community}", api_community, "The members of one community, best-scored first.",
          query=(LIMIT,)),
]
