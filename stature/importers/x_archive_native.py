"""A native reader for big X archive tweet files: DuckDB parses ``tweets.js``, not Python.

DuckDB cannot read past the ``window.YTD.tweets.part0 =`` assignment in front of the
JSON array, so the kernel copies the array to a temporary file without it (deleted when
the import is done), read with ``read_json(format = 'array')``, in parallel, while the
file itself is hashed. It
stages the records :mod:`stature.importers.x_archive` gives for the same file (a parity
test holds the two together); a file with a record that reader would reject (no id, a
retweet naming no retweeted account, a count that is not a whole number, a hashtag
without text) is left to it, and it names the record. The archive's owner is read the
way the Python reader reads it, from ``account.js`` or ``manifest.js`` in the same folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref

from .base import NativePlan

_MENTION = "STRUCT(id_str VARCHAR, id VARCHAR, screen_name VARCHAR, name VARCHAR)"
_TWEET = ("STRUCT(id_str VARCHAR, id VARCHAR, full_text VARCHAR, \"text\" VARCHAR, created_at VARCHAR, "
          "lang VARCHAR, in_reply_to_status_id_str VARCHAR, in_reply_to_status_id VARCHAR, "
          "in_reply_to_user_id_str VARCHAR, in_reply_to_user_id VARCHAR, in_reply_to_screen_name VARCHAR, "
          "quoted_status_id_str VARCHAR, favorite_count VARCHAR, retweet_count VARCHAR, "
          f"entities STRUCT(hashtags STRUCT(\"text\" VARCHAR)[], user_mentions {_MENTION}[], "
          "urls STRUCT(url VARCHAR, expanded_url VARCHAR)[]), "
          "retweeted_status STRUCT(id_str VARCHAR, \"user\" STRUCT(id_str VARCHAR)))")


def _or(a: str, b: str) -> str:
    """Python's ``a or b`` for text: ``b`` where ``a`` is NULL or empty."""
    return f"CASE WHEN coalesce({a}, '') = '' THEN {b} ELSE {a} END"


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _array_copy(path: str) -> str | None:
    """A temporary copy of the array after ``window.YTD... =``, made by the kernel (the bytes never pass through
    Python); None if the file is not such an array."""
    with open(path, "rb") as f:
        head = f.read(4096)
        eq = head.find(b"=")
        name = head[:eq].strip() if eq > 0 else b""
        if not name.startswith(b"window.") or not name.replace(b".", b"").replace(b"_", b"").isalnum():
            return None
        if head[eq + 1:].lstrip()[:1] != b"[":
            return None
        fd, tmp = tempfile.mkstemp(suffix=".json", prefix="stature-x-archive-")
        with os.fdopen(fd, "wb") as out:
            at, size = eq + 1, os.fstat(f.fileno()).st_size
            try:
                while at < size and (n := os.copy_file_range(f.fileno(), out.fileno(), size - at, at)):
                    at += n
            except OSError:  # not on this file system: copied through Python
                f.seek(at)
                shutil.copyfileobj(f, out, 8 << 20)
    return tmp


def plan(path: str, owner_id: str) -> NativePlan | None:
    """How to read the tweets file at ``path`` natively, or None."""
    tmp = _array_copy(path)
    if tmp is None:
        return None
    columns = f"{{'tweet': '{_TWEET}'}}"
    lines = (f"SELECT tweet AS t FROM read_json({_sql(tmp)}, format = 'array', columns = {columns}, "
             "maximum_object_size = 67108864)")
    owner = _sql(owner_id)
    tweet_id = _or("t.id_str", "t.id")
    body = _or(_or("t.full_text", "t.\"text\""), "''")
    retweet = f"(starts_with({body}, 'RT @') OR t.retweeted_status IS NOT NULL)"
    mention_id = _or("m.id_str", "m.id")
    first_mention = _or("t.entities.user_mentions[1].id_str", "t.entities.user_mentions[1].id")
    target = _or("t.retweeted_status.\"user\".id_str", first_mention)
    whole = "'[0-9]{1,18}'"  # a whole number that fits a BIGINT
    check = f"""SELECT count(*) FROM native_lines WHERE t IS NULL OR coalesce({tweet_id}, '') = ''
        OR len(list_filter(t.entities.user_mentions, lambda m: coalesce({mention_id}, '') = '')) > 0
        OR len(list_filter(t.entities.hashtags, lambda h: h."text" IS NULL)) > 0
        OR ({retweet} AND coalesce({target}, '') = '')
        OR NOT regexp_full_match(coalesce(t.favorite_count, '0'), {whole})
        OR NOT regexp_full_match(coalesce(t.retweet_count, '0'), {whole})"""
    posts = f"""SELECT 'twitter', {tweet_id}, {owner}, t.created_at, {body}, t.lang,
            {_or('t.in_reply_to_status_id_str', 't.in_reply_to_status_id')},
            {_or('t.in_reply_to_user_id_str', 't.in_reply_to_user_id')}, t.quoted_status_id_str, NULL,
            t.favorite_count::BIGINT, t.retweet_count::BIGINT, NULL, NULL,
            coalesce(list_transform(t.entities.hashtags, lambda h: h."text"), []),
            coalesce(list_transform(t.entities.user_mentions, lambda m: {mention_id}), []),
            coalesce(list_transform(t.entities.urls, lambda u: {_or('u.expanded_url', 'u.url')}), []),
            'public'
        FROM native_lines WHERE NOT {retweet}"""
    reposts = f"""SELECT 'twitter', 'repost', {owner}, {target}, {_or('t.retweeted_status.id_str', tweet_id)},
            t.created_at, NULL FROM native_lines WHERE {retweet}"""
    # accounts in the Python reader's order: each record's mentions, then the account it replies to
    accounts = f"""SELECT 'twitter', id, handle, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM (SELECT native_row, j, {mention_id} AS id, m.screen_name AS handle, m.name AS name FROM (
                  SELECT native_row, unnest(t.entities.user_mentions) AS m,
                         generate_subscripts(t.entities.user_mentions, 1) AS j FROM native_lines)
              UNION ALL
              SELECT native_row, 1 << 30, t.in_reply_to_user_id_str, t.in_reply_to_screen_name, NULL
              FROM native_lines
              WHERE NOT {retweet} AND coalesce(t.in_reply_to_user_id_str, '') <> ''
                AND coalesce(t.in_reply_to_screen_name, '') <> '')
        ORDER BY native_row, j"""
    result = NativePlan(lines=lines, check=check, derived=[], reads=path,
                        stages={"stage_accounts": accounts, "stage_posts": posts, "stage_interactions": reposts})
    weakref.finalize(result, _remove, tmp)
    return result


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
