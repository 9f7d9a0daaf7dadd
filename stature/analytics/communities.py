"""Communities of the workspace's interaction graph: detect and store them, read them back.

``detect_communities`` runs Louvain or Leiden with igraph (:func:`stature.graph.communities.detect`)
on the attention graph `connect` uses (every follow, mention, reply, repost, quote and like,
weighted by kind, fading with age), taken straight from the loaded network's sparse matrix, and
replaces the stored partition in one transaction.
Communities are numbered from 1, largest first.
Accounts on the exclusion list still shape the graph but are never stored or shown.
"""
from __future__ import annotations

from typing import Callable

from ..errors import StatureError
from ..read.scores import latest_scores as _latest_scores
from ..read.topics import community_topics, has_topics as _has_topics
from ..rules.exclusions import account_visible

Progress = Callable[[int, int, str], None]
METHODS = ("louvain", "leiden")


def detect_communities(ws, *, method: str = "louvain", resolution: float = 1.0, seed: int = 0,
                       progress: Progress | None = None) -> dict:
    """Find the communities of ``ws``'s interaction graph and store them; returns what was found."""
    import numpy as np
    import pyarrow as pa

    from ..graph.network import load_network
    from ..graph.communities import detect

    if not resolution > 0:
        raise StatureError(f"The resolution must be a positive number, not {resolution}.")
    if method not in METHODS:
        raise StatureError(f"The community method must be one of {', '.join(METHODS)}, not {method!r}.")
    step = progress or (lambda done, total, label="": None)
    total = 8  # loading the network: 0-3; detecting: 3-6; storing: 7
    net = load_network(ws, progress=lambda done, _total, label="": step(done, total, label))
    found = detect(net.walk.scipy(), method=method, resolution=resolution, seed=seed, symmetric=True,
                   progress=lambda done, _total, label="": step(3 + done, total, label))
    label = f"{method} (igraph)"
    keep = (found.labels >= 0) & ~net.excluded
    table = pa.table({"network": pa.array(net.networks[keep].tolist(), pa.string()),
                      "account_id": pa.array(net.account_ids[keep].tolist(), pa.string()),
                      "community": pa.array((found.labels[keep] + 1).tolist(), pa.int32())})
    step(7, total, "storing")
    with ws.transaction() as con:
        con.execute("DELETE FROM communities")
        con.execute("DELETE FROM community_runs")
        con.register("_stature_communities", table)
        con.execute("INSERT INTO communities SELECT network, account_id, community FROM _stature_communities")
        con.unregister("_stature_communities")
        con.execute("INSERT INTO community_runs VALUES (now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
                    [label, float(resolution), int(seed), found.modularity, found.communities, table.num_rows])
    step(total, total, "done")
    sizes = sorted(np.bincount(found.labels[found.labels >= 0]).tolist(), reverse=True)
    return {"method": label, "communities": found.communities, "accounts": table.num_rows,
            "modularity": round(found.modularity, 4), "largest": sizes[:10], "graph_accounts": net.nodes}


def has_communities(ws) -> bool:
    """Whether ``ws`` holds a stored community detection run."""
    tables = {t for (t,) in ws.sql("SELECT table_name FROM information_schema.tables")}
    return "community_runs" in tables and bool(ws.sql("SELECT count(*) FROM community_runs")[0][0])


def community_run(ws) -> dict:
    """The stored detection run; an error saying what to run when there is none."""
    if not has_communities(ws):
        raise StatureError(f"{ws.path} holds no communities yet; run `stature communities` first.")
    keys = ("computed_at", "method", "resolution", "seed", "modularity", "communities", "accounts")
    row = dict(zip(keys, ws.sql("SELECT * FROM community_runs")[0]))
    row["computed_at"] = row["computed_at"].isoformat()
    return row


_VISIBLE = account_visible("c.network", "c.account_id")


def communities(ws, *, limit: int = 12, members: int = 6, topics: int = 3) -> dict:
    """The largest communities: size, best-scored members, the topics their members are known for,
    and how strongly they are tied to each other (interactions between them)."""
    run = community_run(ws)
    sizes = ws.sql(f"""SELECT community, count(*) FROM communities c WHERE {_VISIBLE}
                       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?""", [limit])
    shown = [c for c, _ in sizes]
    scores = _latest_scores(ws)
    by_community: dict[int, list] = {c: [] for c in shown}
    for community, network, account_id, handle, display_name in ws.sql(f"""
            SELECT c.community, c.network, c.account_id, any_value(a.handle), any_value(a.display_name)
            FROM communities c LEFT JOIN accounts a USING (network, account_id)
            WHERE c.community IN (SELECT unnest(?::INTEGER[])) AND {_VISIBLE} GROUP BY ALL""", [shown]):
        by_community[community].append({"network": network, "account_id": account_id, "handle": handle,
                                         "display_name": display_name,
                                         "score": scores.get((network, account_id))})
    topic_rows: dict[int, list] = {c: [] for c in shown}
    if _has_topics(ws):
        for community, topic_id, name, n in community_topics(ws, shown, topics):
            topic_rows[community].append({"topic_id": topic_id, "topic": name, "accounts": n})
    out = []
    for community, size in sizes:
        people = sorted(by_community[community], key=lambda p: (-(p["score"] or 0), p["handle"] or p["account_id"]))
        out.append({"community": community, "size": size, "members": people[:members], "topics": topic_rows[community]})
    links = [{"source": a, "target": b, "interactions": n} for a, b, n in ws.sql("""
        SELECT least(ca.community, cb.community), greatest(ca.community, cb.community), count(*)
        FROM interactions i
        JOIN communities ca ON ca.network = i.network AND ca.account_id = i.source_id
        JOIN communities cb ON cb.network = i.network AND cb.account_id = i.target_id
        WHERE ca.community <> cb.community AND ca.community IN (SELECT unnest($s::INTEGER[]))
          AND cb.community IN (SELECT unnest($s::INTEGER[]))
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""", {"s": shown})]
    return {"run": run, "communities": out, "links": links}


def community_of(ws, network: str, account_id: str) -> dict | None:
    """The community of one account, with its size; None when it has none (or none were detected)."""
    if not has_communities(ws):
        return None
    row = ws.sql("""SELECT c.community, (SELECT count(*) FROM communities o WHERE o.community = c.community)
                    FROM communities c WHERE c.network = ? AND c.account_id = ?""", [network, account_id])
    return {"community": row[0][0], "size": row[0][1]} if row else None


def community_members(ws, community: int, *, limit: int = 100) -> dict:
    """The members of one community, best-scored first."""
    community_run(ws)
    scores = _latest_scores(ws)
    rows = ws.sql(f"""SELECT c.network, c.account_id, any_value(a.handle), any_value(a.display_name)
                      FROM communities c LEFT JOIN accounts a USING (network, account_id)
                      WHERE c.community = ? AND {_VISIBLE} GROUP BY ALL""", [community])
    if not rows:
        raise StatureError(f"There is no community {community} in {ws.path}.")
    people = [{"network": n, "account_id": a, "handle": h, "display_name": d, "score": scores.get((n, a))}
              for n, a, h, d in rows]
    people.sort(key=lambda p: (-(p["score"] or 0), p["handle"] or p["account_id"]))
    return {"community": community, "size": len(people), "members": people[:limit]}

