"""Every page and API endpoint of the dashboard, in the order they are matched."""
from __future__ import annotations

from .app import (Route, api_account, api_communities, api_community, api_openapi, api_overview, api_search,
                  api_status, api_top, api_topic, page_account, page_community, page_overview, page_search,
                  page_topic)

LIMIT = ("limit", "integer", "How many results (0 for every account in /api/top).")

ROUTES = [
    Route("/", page_overview, "The community: top accounts, experts per topic, communities.", api=False),
    Route("/search", page_search, "Accounts and topics whose name contains q.", api=False,
          query=(("q", "string", "What to look for."),)),
    Route("/accounts/{network}/{account_id}", page_account, "One account: score, breakdown, topics, network.",
          api=False),
    Route("/topics/{topic_id}", page_topic, "The experts on one topic.", api=False),
    Route("/communities/{community}", page_community, "The members of one community.", api=False),
    Route("/openapi.json", api_openapi, "This API, described by OpenAPI 3.1."),
    Route("/api/status", api_status, "What the workspace holds."),
    Route("/api/overview", api_overview, "The community view: status, top accounts, experts per topic, communities.",
          query=(LIMIT,)),
    Route("/api/top", api_top, "The highest scores of the latest run, best first.", query=(LIMIT,), returns="array"),
    Route("/api/search", api_search, "Accounts and topics whose name contains q.",
          query=(("q", "string", "What to look for."), LIMIT)),
    Route("/api/accounts/{network}/{account_id}", api_account,
          "One account: profile, score explained, history, topics with evidence, attention in and out, community, "
          "suggested connections, goal progress (when the dashboard was started with --goal)."),
    Route("/api/topics/{topic_id}", api_topic, "The experts on one topic, with their evidence.", query=(LIMIT,)),
    Route("/api/communities", api_communities, "The largest communities with their members, topics and ties.",
          query=(LIMIT,)),
    Route("/api/communities/{community}", api_community, "The members of one community, best-scored first.",
          query=(LIMIT,)),
]
