"""The interaction graph as the surfaces read it: one account's attention both ways, and the whole graph
as node and edge tables for the exports."""
from __future__ import annotations

from ..errors import StatureError
from ..rules.exclusions import account_visible
from ..rules.identities import node_id
from ..rules.interactions import KIND_WEIGHTS
from .topics import TOP_TOPICS_SQL

EGO_KINDS = ("repost", "quote", "reply", "mention", "like")
"""The kinds of attention an account's ego network shows (follows are standing ties, not attention paid)."""
EDGE_KINDS = tuple(KIND_WEIGHTS)


def has_interactions(ws) -> bool:
    """Whether ``ws`` holds any interaction at all."""
    return bool(ws.sql("SELECT count(*) FROM (SELECT 1 FROM interactions LIMIT 1)")[0][0])


def attention(ws, network: str, account_id: str, *, limit: int = 10) -> dict:
    """Who pays the account attention (``in``) and to whom it pays it (``out``), strongest first, over all
    the workspace's data; each other account with its weight (:data:`KIND_WEIGHTS`) and count by kind."""
    out = {}
    for side, me, other in (("in", "target_id", "source_id"), ("out", "source_id", "target_id")):
        rows = ws.sql(f"""
            WITH w AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($weights::DOUBLE[]) AS weight),
            e AS (SELECT i.{other} AS other, i.kind, count(*) AS n, sum(w.weight) AS weight FROM interactions i
                  JOIN w USING (kind)
                  WHERE i.network = $n AND i.{me} = $a AND i.{other} IS NOT NULL AND i.{other} <> $a
                    AND {account_visible('i.network', f'i.{other}')}
                  GROUP BY 1, 2)
            SELECT e.other, any_value(a.handle), sum(e.weight) AS weight, map(list(e.kind), list(e.n))
            FROM e LEFT JOIN accounts a ON a.network = $n AND a.account_id = e.other
            GROUP BY 1 ORDER BY weight DESC, 1 LIMIT $limit""",
                      {"kinds": list(EGO_KINDS), "weights": [KIND_WEIGHTS[k] for k in EGO_KINDS],
                       "n": network, "a": account_id, "limit": limit})
        out[side] = [{"network": network, "account_id": o, "handle": h, "weight": round(w, 3), "kinds": dict(k)}
                     for o, h, w, k in rows]
    return out


_NODES_SQL = f"""
WITH ids AS (
    SELECT network, account_id FROM accounts
    UNION SELECT network, source_id FROM interactions WHERE kind IN (SELECT unnest($kinds::VARCHAR[]))
    UNION SELECT network, target_id FROM interactions
          WHERE target_id IS NOT NULL AND kind IN (SELECT unnest($kinds::VARCHAR[]))),
visible AS (SELECT * FROM ids i WHERE {account_visible('i.network', 'i.account_id')}),
profile AS (SELECT network, account_id, any_value(handle) AS handle, any_value(display_name) AS display_name,
                   max(followers_count) AS followers FROM accounts GROUP BY 1, 2),
node AS (SELECT v.network, v.account_id,
                {node_id('p.person_id', 'v.network', 'v.account_id')} AS node_id
         FROM visible v LEFT JOIN identities p ON p.network = v.network AND p.account_id = v.account_id),
topics AS {TOP_TOPICS_SQL},
s AS (SELECT * FROM scores WHERE run_id = $run),
c AS (SELECT node_id, {{pivot}} FROM score_components WHERE run_id = $run GROUP BY node_id)
SELECT n.network || ':' || n.account_id AS id, coalesce(p.handle, p.display_name, n.account_id) AS label,
       n.network, n.account_id, p.handle, p.display_name, p.followers,
       s.score, s.low AS score_low, s.high AS score_high, {{components}}
       t.topics, t.top_topic, m.community
FROM node n
LEFT JOIN profile p USING (network, account_id)
LEFT JOIN s ON s.node_id = n.node_id
LEFT JOIN c ON c.node_id = n.node_id
LEFT JOIN topics t USING (network, account_id)
LEFT JOIN communities m USING (network, account_id)
ORDER BY id"""

_EDGES_SQL = f"""
WITH w AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($weights::DOUBLE[]) AS weight)
SELECT i.network || ':' || i.source_id AS source, i.network || ':' || i.target_id AS target,
       sum(w.weight) AS weight, count(*) AS interactions, {{counts}}, min(i.time) AS first, max(i.time) AS last
FROM interactions i JOIN w USING (kind)
WHERE i.target_id IS NOT NULL AND i.source_id <> i.target_id
  AND {account_visible('i.network', 'i.source_id')} AND {account_visible('i.network', 'i.target_id')}
GROUP BY 1, 2 ORDER BY 1, 2"""


def graph_tables(ws):
    """The interaction graph as two Arrow tables: ``nodes`` (every shown account, and every one an
    interaction names, with its latest score and components, topics and community) and ``edges``
    (``source -> target`` per pair, with its weight and count of each kind)."""
    from ..analytics.relational import COMPONENTS
    from .scores import find_run
    try:
        run = find_run(ws)["run_id"]
    except StatureError:
        run = -1
    pivot = ", ".join(f"max(contribution) FILTER (WHERE component = '{c}') AS {c}" for c in COMPONENTS)
    components = "".join(f"c.{c}, " for c in COMPONENTS)
    nodes = ws.con.sql(_NODES_SQL.format(pivot=pivot, components=components),
                       params={"kinds": list(EDGE_KINDS), "run": run}).to_arrow_table()
    counts = ", ".join(f"count(*) FILTER (WHERE i.kind = '{k}') AS {k}" for k in EDGE_KINDS)
    edges = ws.con.sql(_EDGES_SQL.format(counts=counts),
                       params={"kinds": list(EDGE_KINDS), "weights": [KIND_WEIGHTS[k] for k in EDGE_KINDS]}
                       ).to_arrow_table()
    return nodes, edges
