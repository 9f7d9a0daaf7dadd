"""One account's activity as goals read it: its posts in a period, the reactions to it, its ties."""
from __future__ import annotations

from ..rules import visibility

_REACTIONS_SQL = f"""
SELECT 'reply' AS kind, author_id AS reactor, created_at AS time, reply_to_post_id AS post_id FROM posts
 WHERE network = $n AND reply_to_account_id = $a AND author_id <> $a AND {visibility.interacts()}
UNION ALL
SELECT 'quote', author_id, created_at, quote_of_post_id FROM posts
 WHERE network = $n AND quote_of_account_id = $a AND author_id <> $a AND {visibility.interacts()}
UNION ALL
SELECT kind, source_id, time, post_id FROM interactions
 WHERE network = $n AND target_id = $a AND source_id <> $a AND kind IN ('repost', 'like', 'follow')
UNION ALL
SELECT 'mention', i.source_id, i.time, i.post_id FROM interactions i
 WHERE i.network = $n AND i.target_id = $a AND i.source_id <> $a AND i.kind = 'mention'
   AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.network = i.network AND p.post_id = i.post_id
                   AND (p.reply_to_account_id = $a OR p.quote_of_account_id = $a))"""


def last_activity(ws, network: str, account_id: str):
    """The newest moment the account posted or took part in an interaction (None when nothing is dated)."""
    return ws.sql("""SELECT greatest((SELECT max(created_at) FROM posts WHERE network = $n AND author_id = $a),
                                     (SELECT max(time) FROM interactions WHERE network = $n
                                      AND (source_id = $a OR target_id = $a)))""",
                  {"n": network, "a": account_id})[0][0]


def posts_between(ws, network: str, account_id: str, start, end, *, include_private: bool = False) -> list[tuple]:
    """``(post_id, created_at, text, likes, reposts, replies, quotes, links, is_reply)`` of the account's posts
    from ``start`` to ``end``, oldest first (the counts are the platform's); public ones unless ``include_private``."""
    return ws.sql(f"""SELECT post_id, created_at, text, coalesce(like_count, 0), coalesce(repost_count, 0),
                            coalesce(reply_count, 0), coalesce(quote_count, 0), len(coalesce(links, [])),
                            reply_to_post_id IS NOT NULL
                     FROM posts WHERE network = ? AND author_id = ? AND created_at BETWEEN ? AND ?
                       AND {visibility.where(include_private=include_private)}
                     ORDER BY created_at""", [network, account_id, start, end])


def reactions_to(ws, network: str, account_id: str) -> list[dict]:
    """Every reaction to the account by others: ``{kind, reactor, time, post_id}`` for replies, quotes,
    reposts, likes, follows and mentions (a reply's or quote's own mention is not counted twice)."""
    return [{"kind": k, "reactor": r, "time": t, "post_id": p}
            for k, r, t, p in ws.sql(_REACTIONS_SQL, {"n": network, "a": account_id})]


def undated_followers(ws, network: str, account_id: str) -> int:
    """How many accounts follow the account with no date on the follow."""
    return ws.sql("""SELECT count(DISTINCT source_id) FROM interactions WHERE network = ? AND
                     target_id = ? AND kind = 'follow' AND time IS NULL""", [network, account_id])[0][0]


def ties(ws, network: str, account_id: str, others) -> list[tuple]:
    """``(other, handle, said, heard, follows, followed, interactions)`` for each of ``others``: replies,
    mentions and quotes the account sent them and got from them, follows either way, all interactions."""
    import pyarrow as pa
    ws.con.register("_stature_people", pa.table({"account_id": pa.array(sorted(others), pa.string())}))
    try:
        return ws.sql("""
            SELECT g.account_id, any_value(a.handle),
                   count(*) FILTER (WHERE i.kind IN ('reply', 'mention', 'quote') AND i.source_id = $a),
                   count(*) FILTER (WHERE i.kind IN ('reply', 'mention', 'quote') AND i.target_id = $a),
                   bool_or(i.kind = 'follow' AND i.source_id = $a), bool_or(i.kind = 'follow' AND i.target_id = $a),
                   count(i.kind)
            FROM _stature_people g
            LEFT JOIN interactions i ON i.network = $n AND ((i.source_id = $a AND i.target_id = g.account_id)
                                                         OR (i.source_id = g.account_id AND i.target_id = $a))
            LEFT JOIN accounts a ON a.network = $n AND a.account_id = g.account_id
            GROUP BY g.account_id""", {"n": network, "a": account_id})
    finally:
        ws.con.unregister("_stature_people")


def reaction_times(ws, network: str, account_ids) -> list:
    """The times of every dated reply, quote, repost, like and mention by the accounts ``account_ids``."""
    import pyarrow as pa
    ws.con.register("_stature_accounts", pa.table({"account_id": pa.array(list(account_ids), pa.string())}))
    try:
        return [t for (t,) in ws.sql("""SELECT i.time FROM interactions i JOIN _stature_accounts g
                                        ON g.account_id = i.source_id WHERE i.network = ? AND i.time IS NOT NULL
                                        AND i.kind IN ('reply', 'quote', 'repost', 'like', 'mention')""", [network])]
    finally:
        ws.con.unregister("_stature_accounts")
