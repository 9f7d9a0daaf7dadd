"""What the report, the dashboard and its JSON API show, as plain JSON-ready dicts.

Each view gathers the library's own results (:func:`~stature.analytics.explain`,
:func:`~stature.topics.store.account_topics`, :func:`~stature.goals.connect`, ...) for one
page; a part the workspace cannot give yet (nothing scored, no topics, no goal) is ``None``
with a note saying which command fills it. The surfaces only render these dicts. The data
comes from :mod:`stature.read`, which applies the exclusion rule; no view holds SQL.
"""
from __future__ import annotations

from . import read
from .analytics import explain, top
from .analytics.communities import communities as community_summary, community_of, has_communities
from .errors import StatureError
from .read.graph import EGO_KINDS  # noqa: F401  (handed on)
from .read.topics import has_topics as _has_topics, leading_topics, matching_topics
from .rules.exclusions import excluded_accounts as _excluded

EGO_LIMIT = 10


def _try(notes: list, call, *args, **kwargs):
    """``call(...)``, or None with the reason added to ``notes`` when the workspace cannot answer yet."""
    try:
        return call(*args, **kwargs)
    except StatureError as exc:
        notes.append(str(exc))
        return None


def overview(ws, *, limit: int = 20, topics: int = 8, experts_per_topic: int = 5) -> dict:
    """The community view: what the workspace holds, the top accounts, experts per topic, communities."""
    notes: list[str] = []
    ranked = _try(notes, top, ws, limit=limit)
    return {"status": ws.status(), "top": ranked, "experts": topic_experts(ws, topics, experts_per_topic),
            "communities": _try(notes, community_summary, ws) if has_communities(ws) else None,
            "notes": notes + ([] if has_communities(ws) else ["No communities yet: run `stature communities`."])
            + ([] if _has_topics(ws) else ["No topics yet: run `stature classify`."])}


def topic_experts(ws, topics: int = 8, per_topic: int = 5) -> list[dict] | None:
    """The topics most accounts are credibly known for, each with its best experts."""
    if not _has_topics(ws):
        return None
    from .topics.store import experts
    out = []
    hidden = _excluded(ws)
    for topic_id, name, n in leading_topics(ws, topics):
        found = _visible_experts(ws, experts(ws, topic_id, limit=per_topic + len(hidden)), hidden)
        out.append({"topic_id": topic_id, "topic": name, "credible_accounts": n,
                    "experts": [_expert_brief(e) for e in found["experts"][:per_topic]]})
    return out


def _visible_experts(ws, found: dict, hidden: set | None = None) -> dict:
    """``found`` (experts on a topic) without the excluded accounts, as experts or as named reactors."""
    hidden = _excluded(ws) if hidden is None else hidden
    kept = [e for e in found["experts"] if (e["network"], e["account_id"]) not in hidden]
    for rank, e in enumerate(kept, 1):
        e["rank"] = rank
        ev = e.get("evidence") or {}
        if ev.get("reactors"):
            ev["reactors"] = [r for r in ev["reactors"] if (e["network"], r["account_id"]) not in hidden]
    return {**found, "experts": kept}


def _expert_brief(e: dict) -> dict:
    return {k: e[k] for k in ("rank", "network", "account_id", "handle", "confidence", "level", "posts", "weeks",
                              "reactors", "lists", "bio")}


def topic_view(ws, topic: str, *, limit: int = 20) -> dict:
    """The experts on one topic, with their evidence."""
    from .topics.store import experts
    if not _has_topics(ws):
        raise StatureError(f"{ws.path} holds no topics yet; run `stature classify` first.")
    hidden = _excluded(ws)
    found = _visible_experts(ws, experts(ws, topic, limit=limit + len(hidden)), hidden)
    return {**found, "experts": found["experts"][:limit]}


def default_account(ws, goal=None) -> str | None:
    """The account a report is about when none is named: the goal's, the only author, else the top-ranked
    (:func:`stature.rules.accounts.default_account`)."""
    return read.default_account(ws, goal)


def account_view(ws, spec: str, *, goal=None, net=None, connections: int = 5, include_private: bool = False) -> dict:
    """Everything about one account: profile, score and its breakdown and history, topics with evidence,
    whom it amplifies and who amplifies it, its community, suggested connections, and goal progress.
    Private posts (followers-only, direct) are counted and shown only with ``include_private``."""
    network, account_id = ws.find_account(spec)
    hidden = _excluded(ws)
    if (network, account_id) in hidden:
        raise StatureError(f"{spec!r} is on the exclusion list: it is never scored, ranked or shown.")
    key = f"{network}:{account_id}"
    notes: list[str] = []
    explained = _try(notes, explain, ws, key)
    topics = self_described = None
    if _has_topics(ws):
        from .topics.store import account_topics
        found = account_topics(ws, key, limit=8)
        topics, self_described = found["topics"], found["self_described"]
        for t in topics:  # reactors on the exclusion list are not named
            ev = t.get("evidence") or {}
            if ev.get("reactors"):
                ev["reactors"] = [r for r in ev["reactors"] if (network, r["account_id"]) not in hidden]
    else:
        notes.append("No topics yet: run `stature classify`.")
    suggestions = None
    if connections and read.has_interactions(ws):
        from .goals import connect
        suggestions = _try(notes, connect, ws, key, goal=goal, top=connections, net=net)
    progress = None
    if goal is not None:
        from .goals import check_goal
        progress = _try(notes, check_goal, ws, goal, account=key, include_private=include_private)
    return {"account": profile(ws, network, account_id, include_private=include_private), "score": explained,
            "history": score_history(ws, explained["account"]["node_id"]) if explained else [],
            "topics": topics, "self_described": self_described, "ego": ego_network(ws, network, account_id),
            "community": community_of(ws, network, account_id), "connections": suggestions, "goal": progress,
            "notes": notes}


def profile(ws, network: str, account_id: str, *, include_private: bool = False) -> dict:
    """What the data says about the account (:func:`stature.read.profile`)."""
    return read.profile(ws, network, account_id, include_private=include_private)


def score_history(ws, node_id: str) -> list[dict]:
    """The account's stored scores over time (runs with the latest run's window), each with its components."""
    return read.score_history(ws, node_id)


def ego_network(ws, network: str, account_id: str, *, limit: int = EGO_LIMIT) -> dict:
    """Who pays the account attention (reposts, quotes, replies, mentions, likes) and to whom it pays it,
    strongest first, over all the workspace's data; excluded accounts are never named."""
    return read.attention(ws, network, account_id, limit=limit)


def search(ws, query: str, *, limit: int = 20) -> dict:
    """Accounts whose handle, name or id contains ``query``, and topics whose name does (case-insensitive)."""
    q = (query or "").strip().lstrip("@")
    if not q:
        return {"query": query, "accounts": [], "topics": []}
    scores = read.latest_scores(ws)
    accounts = [{"network": n, "account_id": a, "handle": h, "display_name": d, "score": scores.get((n, a))}
                for n, a, h, d in read.find_accounts(ws, q)]
    accounts.sort(key=lambda r: (not (r["handle"] or "").lower() == q.lower(), -(r["score"] or 0),
                                 (r["handle"] or r["account_id"]).lower()))
    topics = []
    if _has_topics(ws):
        topics = [{"topic_id": t, "topic": name, "credible_accounts": n}
                  for t, name, n in matching_topics(ws, q, limit=limit)]
    return {"query": query, "accounts": accounts[:limit], "topics": topics}
