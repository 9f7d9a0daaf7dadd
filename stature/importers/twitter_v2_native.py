"""A native reader for big Twitter API v2 JSON-lines files of tweet pages: DuckDB parses them, not Python.

It stages the records :mod:`stature.importers.twitter_v2` gives for twarc's tweet pages
(``data`` a list of tweets, with ``includes.users`` and ``includes.tweets``), in the same
order where order matters (an account's newest profile wins), and a parity test holds
the two together. A file with anything else (a filtered stream's one-tweet pages,
``twarc2 flatten`` lines, user or list pages, a tweet without an id or author, a
reference without a type) is left to the Python reader, which also names bad lines.
Pages without ``data`` that carry ``meta`` or ``errors`` (an empty result) are skipped,
as the Python reader skips them.
"""
from __future__ import annotations

from ..workspace.writer import STAGED_TIME
from .base import NativePlan

_ENTITIES = ("STRUCT(hashtags STRUCT(tag VARCHAR)[], mentions STRUCT(id VARCHAR, username VARCHAR)[], "
             "urls STRUCT(url VARCHAR, expanded_url VARCHAR)[])")
_TWEET = ("STRUCT(id VARCHAR, author_id VARCHAR, \"text\" VARCHAR, created_at VARCHAR, lang VARCHAR, "
          "in_reply_to_user_id VARCHAR, referenced_tweets STRUCT(\"type\" VARCHAR, id VARCHAR)[], "
          "public_metrics STRUCT(like_count BIGINT, retweet_count BIGINT, reply_count BIGINT, quote_count BIGINT), "
          f"entities {_ENTITIES}, note_tweet STRUCT(\"text\" VARCHAR, entities {_ENTITIES}))")
_USER = ("STRUCT(id VARCHAR, username VARCHAR, name VARCHAR, description VARCHAR, created_at VARCHAR, "
         "public_metrics STRUCT(followers_count DOUBLE, following_count DOUBLE, listed_count DOUBLE, "
         "tweet_count DOUBLE))")
_COLUMNS = {"data": f"{_TWEET}[]", "includes": f"STRUCT(users {_USER}[], tweets {_TWEET}[])",
            "author_id": "VARCHAR", "meta": "JSON", "errors": "JSON"}


def _empty(x: str) -> str:
    return f"coalesce({x}, '') = ''"


def plan(path: str) -> NativePlan:
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in _COLUMNS.items()) + "}"
    quoted = path.replace("'", "''")
    lines = (f"SELECT * FROM read_json('{quoted}', format = 'newline_delimited', columns = {columns}, "
             f"maximum_object_size = 67108864)")
    bad_tweet = (f"{_empty('t.id')} OR {_empty('t.author_id')} "
                 f"OR len(list_filter(t.referenced_tweets, lambda r: r.\"type\" IS NULL OR {_empty('r.id')})) > 0 "
                 "OR len(list_filter(t.entities.hashtags, lambda h: h.tag IS NULL)) > 0 "
                 "OR len(list_filter(t.note_tweet.entities.hashtags, lambda h: h.tag IS NULL)) > 0")
    check = f"""SELECT
        (SELECT count(*) FROM native_lines WHERE data IS NULL AND (author_id IS NOT NULL OR (meta IS NULL AND errors IS NULL)))
      + (SELECT count(*) FROM (SELECT unnest(data) AS t FROM native_lines) WHERE {bad_tweet})
      + (SELECT count(*) FROM (SELECT unnest(includes.tweets) AS t FROM native_lines) WHERE {bad_tweet})
      + (SELECT count(*) FROM (SELECT unnest(includes.users) AS u FROM native_lines) WHERE {_empty('u.id')})"""
    # an occurrence's place in the file as one number: line, phase (0 users, 1 data, 2 included
    # tweets), index in its list, index of a mention. A line is at most 64 MiB (maximum_object_size),
    # so no list in it has 2^26 items: each index keeps within its bits without a check
    key = "((({row}::HUGEINT * 4 + {phase}) * 67108864 + {idx}) * 67108864 + {j})"
    tweet = """{row}, {phase} AS phase, {idx} AS idx, t.id AS post_id, t.author_id AS author_id, t.created_at,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'retweeted')[-1].id AS retweeted,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'quoted')[-1].id AS quoted,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'replied_to')[-1].id AS replied,
                CASE WHEN t.note_tweet IS NOT NULL AND (t.note_tweet."text" IS NOT NULL
                                                         OR t.note_tweet.entities IS NOT NULL)
                     THEN t.note_tweet."text" ELSE t."text" END AS body,
                CASE WHEN t.note_tweet IS NOT NULL AND (t.note_tweet."text" IS NOT NULL
                                                         OR t.note_tweet.entities IS NOT NULL)
                     THEN coalesce(t.note_tweet.entities, t.entities) ELSE t.entities END AS e,
                t.lang, t.in_reply_to_user_id, t.public_metrics AS pm, t.entities.mentions[1] AS first_mention"""
    derived = [
        ("v2_included", """SELECT native_row, unnest(includes.tweets) AS t, generate_subscripts(includes.tweets, 1) AS idx
            FROM native_lines WHERE includes.tweets IS NOT NULL"""),
        # every tweet a page gives: phase 1 its data, phase 2 included tweets not in its data
        ("v2_tweets", f"""SELECT {tweet.format(row='native_row', phase=1, idx='idx')} FROM (
                SELECT native_row, unnest(data) AS t, generate_subscripts(data, 1) AS idx
                FROM native_lines WHERE data IS NOT NULL)
            UNION ALL
            SELECT {tweet.format(row='i.native_row', phase=2, idx='i.idx')} FROM v2_included i
            ANTI JOIN (SELECT native_row, unnest(data).id AS id FROM native_lines) d
              ON d.native_row = i.native_row AND d.id = i.t.id"""),
        # included tweets by id within a page (the last of an id wins): whose a quoted or retweeted tweet is
        ("v2_refs", """SELECT native_row, t.id AS id, arg_max(t.author_id, idx) AS author_id
            FROM v2_included GROUP BY native_row, t.id"""),
        ("v2_users", f"""SELECT native_row, {key.format(row='native_row', phase=0, idx='idx', j=0)} AS k, u.id AS id,
                u.username, u.name, u.description, u.created_at, u.public_metrics AS pm
            FROM (SELECT native_row, unnest(includes.users) AS u, generate_subscripts(includes.users, 1) AS idx
                  FROM native_lines WHERE includes.users IS NOT NULL)"""),
        # username -> id within a page (the last user of a name wins), for the names mentioned without an id
        ("v2_handles", """SELECT u.native_row, lower(u.username) AS username, arg_max(u.id, u.k) AS id
            FROM v2_users u SEMI JOIN (
                SELECT native_row, lower(m.username) AS username
                FROM (SELECT native_row, unnest(e.mentions) AS m FROM v2_tweets WHERE retweeted IS NULL)
                WHERE m.id IS NULL
                UNION ALL
                SELECT native_row, lower(first_mention.username) FROM v2_tweets
                WHERE retweeted IS NOT NULL AND first_mention.id IS NULL) n
              ON n.native_row = u.native_row AND n.username = lower(u.username)
            WHERE u.username IS NOT NULL AND u.id <> '' GROUP BY u.native_row, lower(u.username)"""),
        # the mentions of every tweet that is a post, with the id each names (its own, else its username's)
        ("v2_mentions", f"""SELECT x.native_row, x.phase, x.idx, {key.format(row='x.native_row', phase='x.phase', idx='x.idx', j='x.j')} AS k,
                coalesce(x.m.id, h.id) AS mid, x.m.username AS username, x.m.id IS NULL AS by_name
            FROM (SELECT native_row, phase, idx, unnest(e.mentions) AS m, generate_subscripts(e.mentions, 1) AS j
                  FROM v2_tweets WHERE retweeted IS NULL AND e.mentions IS NOT NULL) x
            LEFT JOIN v2_handles h ON h.native_row = x.native_row AND h.username = lower(x.m.username)
            WHERE coalesce(x.m.id, h.id) <> ''"""),
    ]
    posts = """SELECT 'twitter', p.post_id, p.author_id, p.created_at, p.body, p.lang,
            p.replied, nullif(p.in_reply_to_user_id, ''), p.quoted, nullif(q.author_id, ''),
            p.pm.like_count, p.pm.retweet_count, p.pm.reply_count, p.pm.quote_count,
            coalesce(list_transform(p.e.hashtags, lambda h: h.tag), []),
            coalesce(m.ids, list_filter(list_transform(p.e.mentions, lambda x: x.id), lambda i: i <> ''), []),
            coalesce(list_transform(p.e.urls, lambda u: CASE WHEN coalesce(u.expanded_url, '') = '' THEN u.url
                                                            ELSE u.expanded_url END), []),
            'public'
        FROM v2_tweets p
        LEFT JOIN v2_refs q ON q.native_row = p.native_row AND q.id = p.quoted
        LEFT JOIN (SELECT native_row, phase, idx, list(mid ORDER BY k) AS ids FROM v2_mentions
                   SEMI JOIN (SELECT native_row, phase, idx FROM v2_mentions WHERE by_name) USING (native_row, phase, idx)
                   GROUP BY ALL) m
          ON m.native_row = p.native_row AND m.phase = p.phase AND m.idx = p.idx
        WHERE p.retweeted IS NULL"""
    reposts = """SELECT 'twitter', 'repost', r.author_id,
            coalesce(nullif(o.author_id, ''), nullif(coalesce(r.first_mention.id, h.id), '')),
            r.retweeted, r.created_at, NULL
        FROM v2_tweets r
        LEFT JOIN v2_refs o ON o.native_row = r.native_row AND o.id = r.retweeted
        LEFT JOIN v2_handles h ON h.native_row = r.native_row AND h.username = lower(r.first_mention.username)
        WHERE r.retweeted IS NOT NULL"""
    # accounts: every included user; a mentioned account only the first time the file names it
    # (no user of that id on its line or before, no earlier mention of it). One row an account, as the
    # merge would make it of them in file order: the last value given, the highest count, the latest time
    accounts = f"""SELECT 'twitter', id, arg_max(handle, k), arg_max(name, k), arg_max(bio, k),
               arg_max(created_at, {STAGED_TIME.format(c='created_at')}), max(followers), max(following),
               max(listed), max(posts), NULL, NULL, NULL, NULL FROM (
            SELECT k, id, username AS handle, name, description AS bio, created_at, pm.followers_count AS followers,
                   pm.following_count AS following, pm.listed_count AS listed, pm.tweet_count AS posts
            FROM v2_users
            UNION ALL
            SELECT m.k, m.mid, m.username, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM (SELECT mid, min(k) AS k, arg_min_null(username, k) AS username, arg_min(native_row, k) AS native_row
                  FROM v2_mentions GROUP BY mid) m
            LEFT JOIN (SELECT id, min(native_row) AS native_row FROM v2_users GROUP BY id) u ON u.id = m.mid
            WHERE u.native_row IS NULL OR u.native_row > m.native_row)
        GROUP BY id"""
    return NativePlan(lines=lines, check=check, derived=derived, reads=path,
                      stages={"stage_accounts": accounts, "stage_posts": posts, "stage_interactions": reposts})
