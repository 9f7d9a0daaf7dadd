"""The library's read layer: every query the surfaces, goals, exports and communities need, written once.

Each function reads the canonical and derived tables and returns plain Python values; the
exclusion rule (:mod:`stature.rules.exclusions`) is applied here, so a caller never sees an
excluded account by forgetting to filter. Views, goals and exports compose these and hold no SQL.
"""
from .accounts import default_account, find_accounts, handle, handles, profile
from .graph import attention, graph_tables, has_interactions
from .scores import latest_scores, score_history
from .topics import has_topics

__all__ = ["attention", "default_account", "find_accounts", "graph_tables", "handle", "handles", "has_interactions",
           "has_topics",
           "latest_scores", "profile", "score_history"]
