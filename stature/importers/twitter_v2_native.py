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
    derived = [
        # every tweet a page gives, in order: phase 1 its data, phase 2 included tweets not in its data
        ("v2_occurrences", """
            WITH d AS (SELECT native_row, unnest(data) AS t, generate_subscripts(data, 1) AS idx
                       FROM native_lines WHERE data IS NOT NULL),
                 i AS (SELECT native_row, unnest(includes.tweets) AS t, generate_subscripts(includes.tweets, 1) AS idx
                       FROM native_lines WHERE includes.tweets IS NOT NULL)
            SELECT native_row, 1 AS phase, idx, t FROM d
            UNION ALL
            SELECT i.native_row, 2, i.idx, i.t FROM i ANTI JOIN d ON d.native_row = i.native_row AND d.t.id = i.t.id"""),
        ("v2_users", """SELECT native_row, unnest(includes.users) AS u, generate_subscripts(includes.users, 1) AS idx
            FROM native_lines WHERE includes.users IS NOT NULL"""),
        # username -> id within a page (the last user of a name wins), for mentions without an id
        ("v2_handles", """SELECT native_row, lower(u.username) AS username, arg_max(u.id, idx) AS id
            FROM v2_users WHERE u.username IS NOT NULL AND u.id <> '' GROUP BY native_row, lower(u.username)"""),
        # included tweets by id within a page (the last of an id wins): whose a quoted or retweeted tweet is
        ("v2_refs", """SELECT native_row, t.id AS id, arg_max(t.author_id, idx) AS author_id
            FROM (SELECT native_row, unnest(includes.tweets) AS t, generate_subscripts(includes.tweets, 1) AS idx
                  FROM native_lines WHERE includes.tweets IS NOT NULL)
            GROUP BY native_row, t.id"""),
        ("v2_tweets", """SELECT native_row, phase, idx, t.id AS post_id, t.author_id AS author_id, t.created_at,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'retweeted')[-1].id AS retweeted,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'quoted')[-1].id AS quoted,
                list_filter(t.referenced_tweets, lambda r: r."type" = 'replied_to')[-1].id AS replied,
                t.note_tweet IS NOT NULL AND (t.note_tweet."text" IS NOT NULL OR t.note_tweet.entities IS NOT NULL)
                    AS noted,
                t, t.entities.mentions[1] AS first_mention
            FROM v2_occurrences"""),
        # the mentions of every tweet that is a post, with the id each names
        ("v2_mentions", """SELECT x.native_row, x.phase, x.idx, x.j,
                coalesce(x.m.id, h.id) AS mid, x.m.username AS username
            FROM (SELECT native_row, phase, idx, unnest(ms) AS m, generate_subscripts(ms, 1) AS j
                  FROM (SELECT native_row, phase, idx,
                               CASE WHEN noted THEN coalesce(t.note_tweet.entities, t.entities)
                                    ELSE t.entities END.mentions AS ms
                        FROM v2_tweets WHERE retweeted IS NULL)) x
            LEFT JOIN v2_handles h ON h.native_row = x.native_row AND h.username = lower(x.m.username)
            WHERE x.m.id IS NOT NULL OR h.id IS NOT NULL"""),
    ]
    posts = """SELECT 'twitter', p.post_id, p.author_id, p.created_at,
            CASE WHEN p.noted THEN p.t.note_tweet."text" ELSE p.t."text" END, p.t.lang,
            p.replied, nullif(p.t.in_reply_to_user_id, ''), p.quoted, nullif(q.author_id, ''),
            p.t.public_metrics.like_count, p.t.public_metrics.retweet_count, p.t.public_metrics.reply_count,
            p.t.public_metrics.quote_count,
            coalesce(list_transform(e.hashtags, lambda h: h.tag), []),
            coalesce(m.ids, []),
            coalesce(list_transform(e.urls, lambda u: CASE WHEN coalesce(u.expanded_url, '') = '' THEN u.url
                                                          ELSE u.expanded_url END), []),
            'public'
        FROM (SELECT *, CASE WHEN noted THEN coalesce(t.note_tweet.entities, t.entities) ELSE t.entities END AS e
              FROM v2_tweets WHERE retweeted IS NULL) p
        LEFT JOIN v2_refs q ON q.native_row = p.native_row AND q.id = p.quoted
        LEFT JOIN (SELECT native_row, phase, idx, list(mid ORDER BY j) FILTER (WHERE mid <> '') AS ids
                   FROM v2_mentions GROUP BY ALL) m
          ON m.native_row = p.native_row AND m.phase = p.phase AND m.idx = p.idx"""
    reposts = """SELECT 'twitter', 'repost', r.author_id,
            coalesce(nullif(o.author_id, ''), nullif(coalesce(r.first_mention.id, h.id), '')),
            r.retweeted, r.created_at, NULL
        FROM v2_tweets r
        LEFT JOIN v2_refs o ON o.native_row = r.native_row AND o.id = r.retweeted
        LEFT JOIN v2_handles h ON h.native_row = r.native_row AND h.username = lower(r.first_mention.username)
        WHERE r.retweeted IS NOT NULL"""
    # accounts: every included user; a mentioned account only where it is the first time the file names it
    accounts = """WITH appearances AS (
            SELECT native_row, 0 AS phase, idx, 0 AS j, u.id AS id FROM v2_users
            UNION ALL SELECT native_row, phase, idx, j, mid FROM v2_mentions WHERE mid <> ''),
        firsts AS (SELECT id, arg_min(native_row, (native_row, phase, idx, j)) AS native_row,
                          arg_min(phase, (native_row, phase, idx, j)) AS phase,
                          arg_min(idx, (native_row, phase, idx, j)) AS idx,
                          arg_min(j, (native_row, phase, idx, j)) AS j
                   FROM appearances GROUP BY id)
        SELECT 'twitter', id, handle, name, bio, created_at, followers, following, listed, posts,
               NULL, NULL, NULL, NULL FROM (
            SELECT native_row, 0 AS phase, idx, 0 AS j, u.id AS id, u.username AS handle, u.name AS name,
                   u.description AS bio, u.created_at AS created_at, u.public_metrics.followers_count AS followers,
                   u.public_metrics.following_count AS following, u.public_metrics.listed_count AS listed,
                   u.public_metrics.tweet_count AS posts
            FROM v2_users
            UNION ALL
            SELECT m.native_row, m.phase, m.idx, m.j, m.mid, m.username, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            FROM v2_mentions m JOIN firsts f ON f.id = m.mid AND f.native_row = m.native_row
                 AND f.phase = m.phase AND f.idx = m.idx AND f.j = m.j
            WHERE f.phase > 0)
        ORDER BY native_row, phase, idx, j"""
    return NativePlan(lines=lines, check=check, derived=derived,
                      stages={"stage_accounts": accounts, "stage_posts": posts, "stage_interactions": reposts})
