"""The topic tables (``topics``, ``post_topics``, ``account_topics``) as the goals, views, exports and
communities read them."""
from __future__ import annotations

from ..rules.exclusions import account_visible

KNOWN_FOR = ("strong", "moderate")
"""The expertise levels an account is said to be known for (and counted among a topic's credible accounts)."""
_KNOWN = "('strong', 'moderate')"

TOP_TOPICS_SQL = f"""(
    SELECT network, account_id, string_agg(name, '; ' ORDER BY confidence DESC, name) AS topics,
           arg_max(name, confidence) AS top_topic
    FROM (SELECT a.network, a.account_id, t.name, a.confidence,
                 row_number() OVER (PARTITION BY a.network, a.account_id ORDER BY a.confidence DESC, t.name) AS r
          FROM account_topics a JOIN topics t USING (topic_id) WHERE a.level IN {_KNOWN})
    WHERE r <= 5 GROUP BY 1, 2)"""
"""SQL: per account, the (up to five) topics it is known for, strongest first, and the strongest."""


def has_topics(ws) -> bool:
    """Whether ``stature classify`` has stored topics in ``ws``."""
    return bool(ws.sql("SELECT count(*) FROM topic_runs")[0][0])


def taxonomy(ws) -> list[tuple]:
    """``(topic_id, name, parents)`` of every topic of the taxonomy last classified with."""
    return ws.sql("SELECT topic_id, name, parents FROM topics")


def topic_names(ws) -> dict:
    """``topic_id -> name``."""
    return {t: n for t, n, _ in taxonomy(ws)}


def leading_topics(ws, limit: int) -> list[tuple]:
    """``(topic_id, name, accounts known for it)``: the topics most shown accounts are known for."""
    return ws.sql(f"""SELECT topic_id, any_value(t.name), count(*) AS n FROM account_topics a JOIN topics t USING (topic_id)
                      WHERE a.level IN {_KNOWN} AND {account_visible('a.network', 'a.account_id')}
                      GROUP BY 1 ORDER BY n DESC, 2 LIMIT ?""", [limit])


def matching_topics(ws, text: str, *, limit: int = 20) -> list[tuple]:
    """``(topic_id, name, accounts known for it)`` of the topics whose name or id contains ``text``."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return ws.sql(f"""
        SELECT t.topic_id, t.name, count(a.account_id) FILTER (WHERE a.level IN {_KNOWN}
               AND {account_visible('a.network', 'a.account_id')}) AS n
        FROM topics t LEFT JOIN account_topics a USING (topic_id)
        WHERE t.name ILIKE $p ESCAPE '\\' OR t.topic_id ILIKE $p ESCAPE '\\'
        GROUP BY 1, 2 ORDER BY n DESC, t.name LIMIT $limit""", {"p": pattern, "limit": limit})


def known_for(ws, topic_ids) -> list[tuple]:
    """``(network, account_id, topic_id, level)`` of the accounts known for any of ``topic_ids``."""
    return ws.sql(f"""SELECT network, account_id, topic_id, level FROM account_topics
                      WHERE level IN {_KNOWN} AND topic_id IN (SELECT unnest(?::VARCHAR[]))""", [list(topic_ids)])


def confidence_on(ws, topic_ids) -> list[tuple]:
    """``(network, account_id, topic_id, confidence)`` on any of ``topic_ids``, most confident first."""
    return ws.sql("""SELECT network, account_id, topic_id, confidence FROM account_topics
                     WHERE topic_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY confidence DESC""", [list(topic_ids)])


def post_topics(ws, network: str, post_ids) -> list[tuple]:
    """``(post_id, topic_id, score)`` of the posts ``post_ids`` of ``network``."""
    import pyarrow as pa
    post_ids = list(post_ids)
    if not post_ids:
        return []
    ws.con.register("_stature_posts", pa.table({"post_id": pa.array(post_ids, pa.string())}))
    try:
        return ws.sql("""SELECT t.post_id, t.topic_id, t.score FROM post_topics t
                         JOIN _stature_posts g USING (post_id) WHERE t.network = ?""", [network])
    finally:
        ws.con.unregister("_stature_posts")


def topics_engaged(ws, network: str, account_ids, topic_ids) -> dict:
    """``topic_id -> n``: how often the accounts ``account_ids`` posted on, or replied to, quoted, reposted or
    liked a post on, each of ``topic_ids``."""
    import pyarrow as pa
    account_ids = list(account_ids)
    if not account_ids:
        return {}
    ws.con.register("_stature_accounts", pa.table({"account_id": pa.array(account_ids, pa.string())}))
    try:
        return dict(ws.sql("""
            WITH touched AS (
                SELECT p.post_id FROM posts p JOIN _stature_accounts g ON g.account_id = p.author_id
                WHERE p.network = $n
                UNION ALL SELECT i.post_id FROM interactions i JOIN _stature_accounts g ON g.account_id = i.source_id
                WHERE i.network = $n AND i.post_id IS NOT NULL AND i.kind IN ('repost', 'like', 'reply', 'quote'))
            SELECT t.topic_id, count(*) FROM touched JOIN post_topics t
              ON t.network = $n AND t.post_id = touched.post_id
            WHERE t.topic_id IN (SELECT unnest($topics::VARCHAR[])) GROUP BY 1""",
                           {"n": network, "topics": list(topic_ids)}))
    finally:
        ws.con.unregister("_stature_accounts")


def community_topics(ws, communities, per_community: int) -> list[tuple]:
    """``(community, topic_id, name, members known for it)``: each community's leading topics."""
    return ws.sql(f"""
        SELECT c.community, t.topic_id, t.name, count(*) AS n FROM communities c
        JOIN account_topics a USING (network, account_id) JOIN topics t USING (topic_id)
        WHERE c.community IN (SELECT unnest(?::INTEGER[])) AND a.level IN {_KNOWN}
          AND {account_visible('c.network', 'c.account_id')}
        GROUP BY 1, 2, 3 QUALIFY row_number() OVER (PARTITION BY c.community ORDER BY n DESC, t.name) <= ?
        ORDER BY c.community, n DESC, t.name""", [list(communities), per_community])


def account_expertise(ws, keys) -> list[tuple]:
    """``(network, account_id, name, level, confidence, posts, weeks, reactors, lists, evidence)`` of the
    accounts ``keys`` on every topic, strongest first."""
    keys = list(keys)
    return ws.sql("""SELECT a.network, a.account_id, t.name, a.level, a.confidence, a.posts, a.weeks,
                            a.reactors, a.lists, a.evidence
                     FROM account_topics a
                     JOIN (SELECT unnest($networks::VARCHAR[]) AS network, unnest($ids::VARCHAR[]) AS account_id) k
                     USING (network, account_id)
                     JOIN topics t USING (topic_id) ORDER BY a.confidence DESC, t.name""",
                  {"networks": [k[0] for k in keys], "ids": [k[1] for k in keys]})
