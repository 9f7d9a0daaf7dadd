"""What the report, the dashboard and its JSON API show, as plain JSON-ready dicts.

Each view gathers the library's own results (:func:`~stature.analytics.explain`,
:func:`~stature.topics.store.account_topics`, :func:`~stature.goals.connect`, ...) for one
page; a part the workspace cannot give yet (nothing scored, no topics, no goal) is ``None``
with a note saying which command fills it. The surfaces only render these dicts.
"""
from __future__ import annotations

from datetime import datetime

from .analytics import explain, find_run, top
from .analytics.communities import communities as community_summary, community_of, has_communities
from .errors import StatureError
from .graph import KIND_WEIGHTS
from .rules import visibility

EGO_KINDS = ("repost", "quote", "reply", "mention", "like")
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
    rows = ws.sql("""SELECT topic_id, any_value(t.name), count(*) AS n FROM account_topics a JOIN topics t USING (topic_id)
                     WHERE a.level IN ('strong', 'moderate') GROUP BY 1 ORDER BY n DESC, 2 LIMIT ?""", [topics])
    out = []
    for topic_id, name, n in rows:
        found = _visible_experts(ws, experts(ws, topic_id, limit=per_topic + len(_excluded(ws))))
        out.append({"topic_id": topic_id, "topic": name, "credible_accounts": n,
                    "experts": [_expert_brief(e) for e in found["experts"][:per_topic]]})
    return out


def _excluded(ws) -> set:
    """The accounts on the exclusion list, as ``(network, account_id)``: never shown."""
    return {(n, a) for n, a in ws.sql("SELECT network, account_id FROM exclusions")}


def _visible_experts(ws, found: dict) -> dict:
    hidden = _excluded(ws)
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
    found = _visible_experts(ws, experts(ws, topic, limit=limit + len(_excluded(ws))))
    return {**found, "experts": found["experts"][:limit]}


def default_account(ws, goal=None) -> str | None:
    """The account a report is about when none is named: the goal's, the only author, else the top-ranked."""
    if goal is not None and goal.account:
        return goal.account
    authors = ws.sql("SELECT DISTINCT network, author_id FROM posts LIMIT 2")
    if len(authors) == 1:
        return f"{authors[0][0]}:{authors[0][1]}"
    try:
        best = top(ws, limit=1)
    except StatureError:
        return None
    return f"{best[0]['network']}:{best[0]['account_id']}" if best else None


def account_view(ws, spec: str, *, goal=None, net=None, connections: int = 5, include_private: bool = False) -> dict:
    """Everything about one account: profile, score and its breakdown and history, topics with evidence,
    whom it amplifies and who amplifies it, its community, suggested connections, and goal progress.
    Private posts (followers-only, direct) are counted and shown only with ``include_private``."""
    network, account_id = ws.find_account(spec)
    if (network, account_id) in _excluded(ws):
        raise StatureError(f"{spec!r} is on the exclusion list: it is never scored, ranked or shown.")
    key = f"{network}:{account_id}"
    notes: list[str] = []
    explained = _try(notes, explain, ws, key)
    topics = None
    if _has_topics(ws):
        from .topics.store import account_topics
        topics = account_topics(ws, key, limit=8)["topics"]
        hidden = _excluded(ws)
        for t in topics:  # reactors on the exclusion list are not named
            ev = t.get("evidence") or {}
            if ev.get("reactors"):
                ev["reactors"] = [r for r in ev["reactors"] if (network, r["account_id"]) not in hidden]
    else:
        notes.append("No topics yet: run `stature classify`.")
    suggestions = None
    if connections and ws.sql("SELECT count(*) FROM interactions")[0][0]:
        from .goals import connect
        suggestions = _try(notes, connect, ws, key, goal=goal, top=connections, net=net)
    progress = None
    if goal is not None:
        from .goals import check_goal
        progress = _try(notes, check_goal, ws, goal, account=key, include_private=include_private)
    return {"account": profile(ws, network, account_id, include_private=include_private), "score": explained,
            "history": score_history(ws, explained["account"]["node_id"]) if explained else [],
            "topics": topics, "ego": ego_network(ws, network, account_id),
            "community": community_of(ws, network, account_id), "connections": suggestions, "goal": progress,
            "notes": notes}


def profile(ws, network: str, account_id: str, *, include_private: bool = False) -> dict:
    row = ws.sql("""SELECT any_value(handle), any_value(display_name), any_value(bio), max(followers_count),
                           max(following_count), max(listed_count), max(posts_count), min(created_at)
                    FROM accounts WHERE network = ? AND account_id = ?""", [network, account_id])[0]
    posts = ws.sql(f"SELECT count(*) FROM posts WHERE network = ? AND author_id = ? "
                   f"AND {visibility.where(include_private=include_private)}", [network, account_id])[0][0]
    keys = ("handle", "display_name", "bio", "followers", "following", "listed", "posts_stated", "created_at")
    out = {"network": network, "account_id": account_id, **dict(zip(keys, row)), "posts": posts}
    if isinstance(out["created_at"], datetime):
        out["created_at"] = out["created_at"].isoformat()
    return out


def score_history(ws, node_id: str) -> list[dict]:
    """The account's stored scores over time (runs with the latest run's window), each with its components."""
    run = find_run(ws)
    rows = ws.sql("""SELECT r.as_of, s.score, s.low, s.high, c.component, c.contribution, c.percentile
                     FROM scores s JOIN score_runs r USING (run_id)
                     JOIN score_components c ON c.run_id = s.run_id AND c.node_id = s.node_id
                     WHERE s.node_id = ? AND r.window_days = ? ORDER BY r.as_of, c.component""",
                  [node_id, run["window_days"]])
    points: dict = {}
    for as_of, score_, low, high, component, contribution, percentile in rows:
        point = points.setdefault(as_of, {"as_of": as_of.isoformat(), "score": score_, "range": [low, high],
                                          "components": {}, "percentiles": {}})
        point["components"][component] = contribution
        point["percentiles"][component] = percentile
    return list(points.values())


def ego_network(ws, network: str, account_id: str, *, limit: int = EGO_LIMIT) -> dict:
    """Who pays the account attention (reposts, quotes, replies, mentions, likes) and to whom it pays it,
    strongest first, over all the workspace's data."""
    weights = [KIND_WEIGHTS[k] for k in EGO_KINDS]
    out = {}
    for side, me, other in (("in", "target_id", "source_id"), ("out", "source_id", "target_id")):
        rows = ws.sql(f"""
            WITH w AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($weights::DOUBLE[]) AS weight),
            e AS (SELECT i.{other} AS other, i.kind, count(*) AS n, sum(w.weight) AS weight FROM interactions i
                  JOIN w USING (kind)
                  WHERE i.network = $n AND i.{me} = $a AND i.{other} IS NOT NULL AND i.{other} <> $a
                    AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.network = $n AND x.account_id = i.{other})
                  GROUP BY 1, 2)
            SELECT e.other, any_value(a.handle), sum(e.weight) AS weight, map(list(e.kind), list(e.n))
            FROM e LEFT JOIN accounts a ON a.network = $n AND a.account_id = e.other
            GROUP BY 1 ORDER BY weight DESC, 1 LIMIT $limit""",
                      {"kinds": list(EGO_KINDS), "weights": weights, "n": network, "a": account_id, "limit": limit})
        out[side] = [{"network": network, "account_id": o, "handle": h, "weight": round(w, 3), "kinds": dict(k)}
                     for o, h, w, k in rows]
    return out


def search(ws, query: str, *, limit: int = 20) -> dict:
    """Accounts whose handle, name or id contains ``query``, and topics whose name does (case-insensitive)."""
    q = (query or "").strip().lstrip("@")
    if not q:
        return {"query": query, "accounts": [], "topics": []}
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    scores = {}
    try:
        run = find_run(ws)
        scores = {(n, a): s for n, a, s in ws.sql(
            "SELECT network, account_id, score FROM scores WHERE run_id = ? AND account_id IS NOT NULL", [run["run_id"]])}
    except StatureError:
        pass
    rows = ws.sql("""
        SELECT network, account_id, any_value(handle) AS handle, any_value(display_name)
        FROM accounts a
        WHERE (handle ILIKE $p ESCAPE '\\' OR display_name ILIKE $p ESCAPE '\\' OR account_id = $q)
          AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.network = a.network AND x.account_id = a.account_id)
        GROUP BY 1, 2
        ORDER BY lower(any_value(handle)) = lower($q) DESC, handle LIMIT 500""", {"p": pattern, "q": q})
    accounts = [{"network": n, "account_id": a, "handle": h, "display_name": d, "score": scores.get((n, a))}
                for n, a, h, d in rows]
    accounts.sort(key=lambda r: (not (r["handle"] or "").lower() == q.lower(), -(r["score"] or 0),
                                 (r["handle"] or r["account_id"]).lower()))
    topics = []
    if _has_topics(ws):
        topics = [{"topic_id": t, "topic": name, "credible_accounts": n} for t, name, n in ws.sql("""
            SELECT t.topic_id, t.name, count(a.account_id) FILTER (WHERE a.level IN ('strong', 'moderate')) AS n
            FROM topics t LEFT JOIN account_topics a USING (topic_id)
            WHERE t.name ILIKE $p ESCAPE '\\' OR t.topic_id ILIKE $p ESCAPE '\\'
            GROUP BY 1, 2 ORDER BY n DESC, t.name LIMIT $limit""", {"p": pattern, "limit": limit})]
    return {"query": query, "accounts": accounts[:limit], "topics": topics}


def _has_topics(ws) -> bool:
    return bool(ws.sql("SELECT count(*) FROM topic_runs")[0][0])
