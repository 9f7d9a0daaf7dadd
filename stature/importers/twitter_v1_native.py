"""A native reader for big Twitter API v1.1 JSON-lines files: DuckDB parses them, not Python.

It gives the same records as :mod:`stature.importers.twitter_v1` for the common case,
one tweet object per line, and says which lines it cannot read (notices, user
objects, pages, the flattened layout); the ingest then falls back to the Python
reader, which also names bad lines precisely. A parity test holds the two together.
"""
from __future__ import annotations

from .base import NativePlan

_ENTITIES = ("STRUCT(hashtags STRUCT(text VARCHAR)[], "
             "user_mentions STRUCT(id_str VARCHAR, id VARCHAR, screen_name VARCHAR, name VARCHAR)[], "
             "urls STRUCT(url VARCHAR, expanded_url VARCHAR)[])")
_USER = ("STRUCT(id_str VARCHAR, id VARCHAR, screen_name VARCHAR, name VARCHAR, description VARCHAR, "
         "created_at VARCHAR, followers_count DOUBLE, friends_count DOUBLE, listed_count DOUBLE, "
         "statuses_count DOUBLE)")
_FIELDS = [
    ("id_str", "VARCHAR"), ("id", "VARCHAR"), ("created_at", "VARCHAR"), ("text", "VARCHAR"),
    ("full_text", "VARCHAR"), ("lang", "VARCHAR"), ("in_reply_to_status_id_str", "VARCHAR"),
    ("in_reply_to_status_id", "VARCHAR"), ("in_reply_to_user_id_str", "VARCHAR"),
    ("in_reply_to_user_id", "VARCHAR"), ("in_reply_to_screen_name", "VARCHAR"),
    ("quoted_status_id_str", "VARCHAR"), ("favorite_count", "BIGINT"), ("retweet_count", "BIGINT"),
    ("reply_count", "BIGINT"), ("quote_count", "BIGINT"), ("entities", _ENTITIES),
    ("extended_tweet", f"STRUCT(full_text VARCHAR, entities {_ENTITIES})"), ("user", _USER),
]


def _struct(fields) -> str:
    return "STRUCT(" + ", ".join(f'"{name}" {kind}' for name, kind in fields) + ")"


_QUOTED = _struct(_FIELDS)
_TWEET = _FIELDS + [("quoted_status", _QUOTED)]
_COLUMNS = _TWEET + [("retweeted_status", _struct(_TWEET))]


def _read_json(path: str) -> str:
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in _COLUMNS) + "}"
    return (f"SELECT * FROM read_json('{path}', format = 'newline_delimited', columns = {columns}, "
            f"maximum_object_size = 67108864)")


def _id(t: str) -> str:
    return f"coalesce({t}.id_str, {t}.id)"


# where tweet objects sit on a line: (expression, condition); a retweet itself is no post
_POSITIONS = [
    ("t", "t.retweeted_status IS NULL"),
    ("t.retweeted_status", "t.retweeted_status IS NOT NULL"),
    ("t.quoted_status", "t.retweeted_status IS NULL AND t.quoted_status IS NOT NULL"),
    ("t.retweeted_status.quoted_status", "t.retweeted_status.quoted_status IS NOT NULL"),
]


def _each_tweet(select) -> str:
    """``select(x, quoted)`` for every tweet position, as one UNION ALL over the lines."""
    parts = []
    for x, condition in _POSITIONS:
        quoted = f"{x}.quoted_status" if x in ("t", "t.retweeted_status") else None
        parts.append(f"SELECT {select(x, quoted)} FROM native_lines t WHERE {condition}")
    return "\nUNION ALL\n".join(parts)


def _post(x: str, quoted: str | None) -> str:
    entities = f"coalesce({x}.extended_tweet.entities, {x}.entities)"
    quote_id = f"coalesce({x}.quoted_status_id_str, {_id(quoted)})" if quoted else f"{x}.quoted_status_id_str"
    quote_author = _id(f'{quoted}."user"') if quoted else "NULL"
    return f"""'twitter', {_id(x)}, {_id(f'{x}."user"')}, {x}.created_at,
        coalesce({x}.extended_tweet.full_text, {x}.full_text, {x}.text), {x}.lang,
        coalesce({x}.in_reply_to_status_id_str, {x}.in_reply_to_status_id),
        coalesce({x}.in_reply_to_user_id_str, {x}.in_reply_to_user_id),
        {quote_id}, {quote_author},
        {x}.favorite_count, {x}.retweet_count, {x}.reply_count, {x}.quote_count,
        list_transform({entities}.hashtags, lambda h: h.text),
        list_transform({entities}.user_mentions, lambda m: coalesce(m.id_str, m.id)),
        list_transform({entities}.urls, lambda u: coalesce(u.expanded_url, u.url)),
        'public'"""


def _user(x: str, quoted) -> str:
    u = f'{x}."user"'
    return f"""'twitter', {_id(u)}, {u}.screen_name, {u}.name, {u}.description, {u}.created_at,
        {u}.followers_count, {u}.friends_count, {u}.listed_count, {u}.statuses_count,
        NULL, NULL, NULL, NULL"""


def _mentions(x: str, quoted) -> str:
    return f"unnest(coalesce({x}.extended_tweet.entities, {x}.entities).user_mentions) AS m"


def _replied_to(x: str, quoted) -> str:
    return (f"'twitter', coalesce({x}.in_reply_to_user_id_str, {x}.in_reply_to_user_id) AS account_id, "
            f"{x}.in_reply_to_screen_name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")


def plan(path: str) -> NativePlan:
    """How to read ``path`` natively: the lines, a check, and the staged rows."""
    lines = f"SELECT * FROM ({_read_json(path.replace(chr(39), chr(39) * 2))})"
    check = """SELECT count(*) FROM native_lines
               WHERE "user" IS NULL OR coalesce(id_str, id) IS NULL OR entities IS NULL
                  OR (retweeted_status IS NOT NULL AND retweeted_status."user" IS NULL)"""
    accounts = f"""
        {_each_tweet(_user)}
        UNION ALL
        SELECT {_user("t", None)} FROM native_lines t WHERE t.retweeted_status IS NOT NULL
        UNION ALL
        SELECT 'twitter', coalesce(m.id_str, m.id), m.screen_name, m.name, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM ({_each_tweet(_mentions)})
        UNION ALL
        SELECT * FROM ({_each_tweet(_replied_to)}) WHERE account_id IS NOT NULL"""
    reposts = f"""SELECT 'twitter', 'repost', {_id('t."user"')}, {_id('t.retweeted_status."user"')},
            {_id('t.retweeted_status')}, t.created_at, NULL
        FROM native_lines t WHERE t.retweeted_status IS NOT NULL"""
    return NativePlan(lines=lines, check=check, derived=[], reads=path,
                      stages={"stage_posts": _each_tweet(_post), "stage_accounts": accounts,
                              "stage_interactions": reposts})
