"""Which posts may be read where: the one visibility rule.

Every post keeps the visibility its platform gave it (:data:`stature.model.VISIBILITIES`).
``public`` and ``unlisted`` posts are public: anyone with the link can read them. ``followers``
(followers-only) and ``direct`` posts (direct messages) are private:

- what the workspace derives and stores (topics and their evidence, expertise, scores, the graph)
  is made from public posts only, so a private post's words never reach a surface through it;
- a direct message never becomes an interaction (no reply, mention or quote edge): it was said to
  one person, not in public;
- a surface shows private posts (their text, and counts of them) only when the user asks for it
  (``include_private``), and a dashboard bound to anything but a loopback address never does.

Surfaces and readers import :func:`where` (a SQL condition) or :func:`shown` rather than
naming visibilities themselves.
"""
from __future__ import annotations

PUBLIC = ("public", "unlisted")
PRIVATE = ("followers", "direct")
DIRECT = "direct"


def shown(include_private: bool = False) -> tuple[str, ...]:
    """The visibilities a reader may show: public ones, and private ones only when asked for."""
    return PUBLIC + PRIVATE if include_private else PUBLIC


def where(alias: str = "", include_private: bool = False) -> str:
    """A SQL condition keeping the posts (table alias ``alias``) a reader may show."""
    column = f"{alias}.visibility" if alias else "visibility"
    names = ", ".join(f"'{v}'" for v in shown(include_private))
    return f"{column} IN ({names})"


def interacts(alias: str = "") -> str:
    """A SQL condition keeping the posts that may become interactions: all but direct messages."""
    column = f"{alias}.visibility" if alias else "visibility"
    return f"{column} <> '{DIRECT}'"


def is_public(visibility: str | None) -> bool:
    return (visibility or "public") in PUBLIC


def may_serve_private(host_is_loopback: bool, include_private: bool) -> bool:
    """Whether a dashboard may show private posts: only when asked, and only on loopback."""
    return include_private and host_is_loopback
