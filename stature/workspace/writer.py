"""Batched writer: stages an ingest's records, then merges them into the canonical tables.

Everything is written inside the caller's transaction, so a crash or kill
part-way leaves the workspace as it was. Staging a whole ingest and merging once
keeps the cost per file small (a thread folder holds thousands of one-tweet files). Merging is set-based SQL:
duplicates within the file and rows already stored are dropped with anti-joins,
and the ``reply``, ``quote`` and ``mention`` interactions are derived from the
posts here, the same way for every importer.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from operator import attrgetter

import numpy as np
import pyarrow as pa

from ..model import Account, Interaction, ListMembership, Post

MAX_TEXT_CHARS = 1 << 20  # a post's text or an account's bio; the longest real posts are far shorter

_STR = pa.string()
_F64 = pa.float64()
_I64 = pa.int64()
_LIST = pa.list_(pa.string())

# staged columns per record type: (name, arrow type); times are staged as text
_STAGES = {
    Account: ("stage_accounts", [
        ("network", _STR), ("account_id", _STR), ("handle", _STR), ("display_name", _STR),
        ("bio", _STR), ("created_at", _STR), ("followers_count", _F64), ("following_count", _F64),
        ("listed_count", _F64), ("posts_count", _F64), ("mentions_received", _F64),
        ("reposts_received", _F64), ("mentions_sent", _F64), ("reposts_sent", _F64),
    ]),
    Post: ("stage_posts", [
        ("network", _STR), ("post_id", _STR), ("author_id", _STR), ("created_at", _STR),
        ("text", _STR), ("lang", _STR), ("reply_to_post_id", _STR), ("reply_to_account_id", _STR),
        ("quote_of_post_id", _STR), ("quote_of_account_id", _STR), ("like_count", _I64),
        ("repost_count", _I64), ("reply_count", _I64), ("quote_count", _I64),
        ("hashtags", _LIST), ("mentions", _LIST), ("links", _LIST), ("visibility", _STR),
    ]),
    Interaction: ("stage_interactions", [
        ("network", _STR), ("kind", _STR), ("source_id", _STR), ("target_id", _STR),
        ("post_id", _STR), ("time", _STR), ("weight", _F64),
    ]),
    ListMembership: ("stage_lists", [
        ("network", _STR), ("list_id", _STR), ("member_id", _STR), ("list_name", _STR),
        ("owner_id", _STR), ("owner_handle", _STR),
    ]),
}
_TIME_FIELDS = {"created_at", "time"}
SMALL_BATCH = 1_000  # rows of one kind staged as parameters rather than as an Arrow table

# a stored row's sources with the staged row's added
_MERGED = "list_sort(list_distinct(list_concat(coalesce({t}.sources, []), s.sources)))"

_DUCK_TYPES = {_STR: "VARCHAR", _F64: "DOUBLE", _I64: "BIGINT", _LIST: "VARCHAR[]"}

# Normalise a staged time (Twitter's format, ISO 8601 or epoch seconds) to a UTC TIMESTAMP.
# (ISO 8601 is tried first: it is the common case and cheaper to try, and no text reads as both)
STAGED_TIME = """coalesce(
    try_cast({c} AS TIMESTAMPTZ)::TIMESTAMP,
    try_strptime({c}, '%a %b %d %H:%M:%S %z %Y')::TIMESTAMP,
    CASE WHEN regexp_full_match({c}, '[0-9]+(\\.[0-9]+)?') THEN to_timestamp({c}::DOUBLE)::TIMESTAMP END)"""


def _time_cell(value) -> str | None:
    """A record's time as staged: text as given, anything else through :func:`time_text`."""
    return value if value is None or isinstance(value, str) else time_text(value)


def time_text(value) -> str | None:
    """A time value as the text the writer stages."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    raise TypeError(f"a time must be text, a datetime or epoch seconds, not {type(value).__name__}")


class TextTooLong(ValueError):
    """A record's text is longer than :data:`MAX_TEXT_CHARS`."""


class Writer:
    """Stages the records of one ingest, file by file, and merges them all in :meth:`finish`.

    Call :meth:`begin` before each file's records: every staged row remembers the
    import (file) that brought it. :meth:`discard` drops what a failed file staged.

    The staging contract, for readers that fill the staging tables themselves (a native
    reader's SQL, through :meth:`stage_native`, or any ``INSERT``): the temp tables
    ``stage_accounts``, ``stage_posts``, ``stage_interactions`` and ``stage_lists`` have the
    columns of :data:`_STAGES` in that order, then ``import_id``, the import (file) the row
    comes from, which must be the current one (:attr:`import_id`). Times are text (Twitter's
    format, ISO 8601 or epoch seconds); a row may repeat another (the merge keeps one); a
    post's ``visibility`` is one of :data:`stature.model.VISIBILITIES` and ``direct`` rows
    must be staged only when direct messages were asked for. Reply, quote and mention
    interactions are not staged: :meth:`finish` derives them from the posts. Provenance is
    kept by :meth:`finish` alone, from ``import_id``: a reader never writes ``sources``.
    """

    def __init__(self, con, import_id: int | None = None, *, batch_size: int = 100_000):
        self.con = con
        self.batch_size = batch_size
        self.import_id = None
        self.first_import = None
        self._rows = {}
        self._marks = {}  # per record type: [(import_id, index of its first row in _rows)]
        self._getters = {}
        for rtype, (table, cols) in _STAGES.items():
            con.execute(f"DROP TABLE IF EXISTS {table}")
            spec = ", ".join(f"{name} {_DUCK_TYPES[t]}" for name, t in cols)
            con.execute(f"CREATE TEMP TABLE {table} ({spec}, import_id INTEGER)")
            self._rows[rtype] = []
            self._marks[rtype] = []
            self._getters[rtype] = attrgetter(*(name for name, _ in cols))
        self._pending = 0
        if import_id is not None:
            self.begin(import_id)

    def begin(self, import_id: int) -> None:
        """The records added from now on come from import ``import_id``."""
        self.import_id = import_id
        if self.first_import is None:
            self.first_import = import_id
        for rtype, rows in self._rows.items():
            self._marks[rtype].append((import_id, len(rows)))

    def add(self, record) -> None:
        rtype = type(record)
        if rtype is Post:
            if record.text is not None and len(record.text) > MAX_TEXT_CHARS:
                raise TextTooLong(f"the post {record.post_id} has a text of {len(record.text):,} characters; "
                                  f"Stature keeps texts of at most {MAX_TEXT_CHARS:,}.")
        elif rtype is Account and record.bio is not None and len(record.bio) > MAX_TEXT_CHARS:
            raise TextTooLong(f"the account {record.account_id} has a bio of {len(record.bio):,} characters; "
                              f"Stature keeps texts of at most {MAX_TEXT_CHARS:,}.")
        self._rows[rtype].append(self._getters[rtype](record))
        self._pending += 1
        if self._pending >= self.batch_size:
            self.flush()

    def discard(self, import_id: int) -> None:
        """Forget everything import ``import_id`` staged."""
        self.flush()
        for table, _ in _STAGES.values():
            self.con.execute(f"DELETE FROM {table} WHERE import_id = ?", [import_id])

    def stage_native(self, plan) -> None:
        """Stage the current import's rows with a :class:`~stature.importers.base.NativePlan`,
        whose file is already loaded as the view ``native_lines``."""
        self.flush()
        for name, query in plan.derived:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")
        for table, query in plan.stages.items():
            self.con.execute(f"INSERT INTO {table} SELECT *, {int(self.import_id)} FROM ({query})")
        for name, _ in plan.derived:
            self.con.execute(f"DROP TABLE {name}")
        long = self.con.execute(
            "SELECT post_id, length(text) FROM stage_posts WHERE import_id = ? AND length(text) > ? LIMIT 1",
            [self.import_id, MAX_TEXT_CHARS]).fetchone()
        if long:
            raise TextTooLong(f"the post {long[0]} has a text of {long[1]:,} characters; "
                              f"Stature keeps texts of at most {MAX_TEXT_CHARS:,}.")

    def flush(self) -> None:
        for rtype, rows in self._rows.items():
            marks = self._marks[rtype]
            if rows:
                table, cols = _STAGES[rtype]
                bounds = [start for _, start in marks] + [len(rows)]
                import_ids = np.repeat(np.array([imp for imp, _ in marks], dtype=np.int32), np.diff(bounds))
                if len(rows) <= SMALL_BATCH:
                    self._insert_values(table, cols, rows, import_ids.tolist())
                else:
                    self._insert_arrow(table, cols, rows, import_ids)
                rows.clear()
            marks[:] = [(self.import_id, 0)] if self.import_id is not None else []
        self._pending = 0

    def _insert_arrow(self, table: str, cols, rows: list, import_ids) -> None:
        columns = {}
        for (name, t), values in zip(cols, zip(*rows)):
            if name in _TIME_FIELDS:
                values = [_time_cell(v) for v in values]
            columns[name] = pa.array(values, type=t)
        columns["import_id"] = pa.array(import_ids)
        self.con.register("_stature_batch", pa.table(columns))
        self.con.execute(f"INSERT INTO {table} SELECT * FROM _stature_batch")
        self.con.unregister("_stature_batch")

    def _insert_values(self, table: str, cols, rows: list, import_ids: list) -> None:
        """A small batch, as parameters: Arrow's first array made of Python objects imports pandas (0.3 s)."""
        times = [i for i, (name, _) in enumerate(cols) if name in _TIME_FIELDS]
        values = []
        for row, import_id in zip(rows, import_ids):
            row = list(row)
            for i in times:
                row[i] = _time_cell(row[i])
            row.append(import_id)
            values.append(row)
        self.con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * (len(cols) + 1))})", values)

    def finish(self) -> dict[int, dict]:
        """Merge everything staged into the canonical tables; return rows added per import and table.

        Every stored row's ``sources`` lists the imports that bring it: a row already stored gains
        this ingest's imports, a new one is inserted with them (``import_id`` stays the first).
        Direct messages are stored as posts (only where an importer was asked for them) but never
        give interactions: no reply, mention or quote edge feeds a score or a connection.
        """
        self.flush()
        con = self.con
        # the imports a merged row comes from; when this ingest staged one import, it is that one
        one = self.first_import == self.import_id
        sources = "[min(import_id)]" if one else "list_sort(list(DISTINCT import_id))"

        # accounts: newer non-empty values win, counts are kept where the new source has none
        con.execute(f"""CREATE OR REPLACE TEMP TABLE new_accounts AS
            SELECT network, account_id,
                   arg_max(handle, rowid) FILTER (WHERE handle IS NOT NULL) AS handle,
                   arg_max(display_name, rowid) FILTER (WHERE display_name IS NOT NULL) AS display_name,
                   arg_max(bio, rowid) FILTER (WHERE bio IS NOT NULL) AS bio,
                   max({STAGED_TIME.format(c='created_at')}) AS created_at,
                   max(followers_count) AS followers_count, max(following_count) AS following_count,
                   max(listed_count) AS listed_count, max(posts_count) AS posts_count,
                   max(mentions_received) AS mentions_received, max(reposts_received) AS reposts_received,
                   max(mentions_sent) AS mentions_sent, max(reposts_sent) AS reposts_sent,
                   min(import_id) AS import_id, []::INTEGER[] AS sources
            FROM stage_accounts GROUP BY network, account_id""")
        fields = ["handle", "display_name", "bio", "created_at", "followers_count", "following_count",
                  "listed_count", "posts_count", "mentions_received", "reposts_received",
                  "mentions_sent", "reposts_sent"]
        sets = ", ".join(f"{f} = coalesce(s.{f}, accounts.{f})" for f in fields)
        con.execute(f"""UPDATE accounts SET {sets} FROM new_accounts s
            WHERE accounts.network = s.network AND accounts.account_id = s.account_id""")
        # (new accounts are inserted at the end, with the imports that name them)

        # posts: stored once; engagement counts keep the highest seen. A post staged once (the common
        # case) is taken as it is; only posts staged more than once are aggregated
        con.execute("""CREATE OR REPLACE TEMP TABLE dup_posts AS SELECT network, post_id FROM stage_posts
            GROUP BY network, post_id HAVING count(*) > 1""")
        dups = con.execute("SELECT count(*) > 0 FROM dup_posts").fetchone()[0]
        stored = con.execute("SELECT count(*) > 0 FROM posts").fetchone()[0]
        single = f"""SELECT network, post_id, author_id, {STAGED_TIME.format(c='created_at')} AS created_at, text, lang,
                   reply_to_post_id, reply_to_account_id, quote_of_post_id, quote_of_account_id,
                   like_count, repost_count, reply_count, quote_count,
                   coalesce(hashtags, []) AS hashtags, coalesce(mentions, []) AS mentions,
                   coalesce(links, []) AS links, visibility, import_id, [import_id] AS sources
            FROM stage_posts {"ANTI JOIN dup_posts USING (network, post_id)" if dups else ""}"""
        grouped = f"""SELECT network, post_id, any_value(author_id) AS author_id,
                   any_value({STAGED_TIME.format(c='created_at')}) AS created_at, any_value(text) AS text,
                   any_value(lang) AS lang, any_value(reply_to_post_id) AS reply_to_post_id,
                   any_value(reply_to_account_id) AS reply_to_account_id,
                   any_value(quote_of_post_id) AS quote_of_post_id,
                   any_value(quote_of_account_id) AS quote_of_account_id,
                   max(like_count) AS like_count, max(repost_count) AS repost_count,
                   max(reply_count) AS reply_count, max(quote_count) AS quote_count,
                   coalesce(any_value(hashtags), []) AS hashtags, coalesce(any_value(mentions), []) AS mentions,
                   coalesce(any_value(links), []) AS links, any_value(visibility) AS visibility,
                   min(import_id) AS import_id, {sources} AS sources
            FROM stage_posts SEMI JOIN dup_posts USING (network, post_id) GROUP BY network, post_id"""
        # read once when nothing is stored yet (a view: the rows go straight into posts), else a table
        new_posts = "VIEW" if not stored else "TABLE"
        con.execute(f"CREATE OR REPLACE TEMP {new_posts} new_posts AS {single}"
                    + (f" UNION ALL {grouped}" if dups else ""))
        counts = ", ".join(f"{f} = greatest(posts.{f}, s.{f})"
                           for f in ("like_count", "repost_count", "reply_count", "quote_count"))
        if stored:
            con.execute(f"""UPDATE posts SET {counts}, sources = {_MERGED.format(t='posts')} FROM new_posts s
                WHERE posts.network = s.network AND posts.post_id = s.post_id""")
            con.execute("""INSERT INTO posts SELECT s.* FROM new_posts s
                ANTI JOIN posts p ON p.network = s.network AND p.post_id = s.post_id""")
        else:
            con.execute("INSERT INTO posts SELECT * FROM new_posts")

        # interactions: explicit ones, plus reply / quote / mention derived from each staged post
        # (so a post two files bring gives its interactions to both); direct messages give none.
        # Posts staged once give derived rows that are already distinct (one reply and one quote per
        # post, distinct mentions), so only they are not grouped again, unless explicit rows could
        # repeat them
        derived = f"""
            WITH parent AS (SELECT network, post_id, author_id FROM posts),
            staged AS (
                SELECT network, post_id, author_id, {STAGED_TIME.format(c='created_at')} AS created_at,
                       reply_to_post_id, reply_to_account_id, quote_of_post_id, quote_of_account_id,
                       mentions, import_id
                FROM stage_posts WHERE visibility IS DISTINCT FROM 'direct'
            )
            SELECT * FROM (
                SELECT n.network, 'reply' AS kind, n.author_id AS source_id,
                       coalesce(n.reply_to_account_id, p.author_id) AS target_id,
                       n.post_id, n.created_at AS time, NULL::DOUBLE AS weight, n.import_id
                FROM staged n LEFT JOIN parent p
                  ON p.network = n.network AND p.post_id = n.reply_to_post_id
                WHERE n.reply_to_post_id IS NOT NULL OR n.reply_to_account_id IS NOT NULL
                UNION ALL
                SELECT n.network, 'quote', n.author_id, coalesce(n.quote_of_account_id, p.author_id),
                       n.post_id, n.created_at, NULL, n.import_id
                FROM staged n LEFT JOIN parent p
                  ON p.network = n.network AND p.post_id = n.quote_of_post_id
                WHERE n.quote_of_post_id IS NOT NULL
                UNION ALL
                SELECT network, 'mention', author_id, m, post_id, created_at, NULL, import_id
                FROM (SELECT network, author_id, post_id, created_at, import_id,
                             unnest(list_distinct(mentions)) AS m
                      FROM staged)
                WHERE m IS NOT NULL
            ) WHERE target_id IS NOT NULL"""
        explicit = f"""SELECT network, kind, source_id, target_id, post_id,
                   {STAGED_TIME.format(c='time')} AS time, weight, import_id
            FROM stage_interactions"""
        group = f"""SELECT network, kind, source_id, target_id, post_id, min(time) AS time, max(weight) AS weight,
                   min(import_id) AS import_id, {sources} AS sources FROM ({{rows}})
            GROUP BY network, kind, source_id, target_id, post_id"""
        repeats = dups or con.execute("""SELECT count(*) > 0 FROM stage_interactions
            WHERE kind IN ('reply', 'quote', 'mention')""").fetchone()[0]
        if repeats:
            rows = group.format(rows=f"{explicit} UNION ALL SELECT * FROM ({derived})")
        else:
            rows = (group.format(rows=explicit) + " UNION ALL SELECT *, [import_id] AS sources FROM ("
                    + derived + ")")
        con.execute(f"CREATE OR REPLACE TEMP TABLE new_interactions AS {rows}")
        same = """i.network = s.network AND i.kind = s.kind AND i.source_id = s.source_id
             AND coalesce(i.target_id, '') = coalesce(s.target_id, '')
             AND coalesce(i.post_id, '') = coalesce(s.post_id, '')"""
        if con.execute("SELECT count(*) > 0 FROM interactions").fetchone()[0]:
            con.execute(f"""UPDATE interactions i SET sources = {_MERGED.format(t='i')} FROM new_interactions s
                WHERE {same}""")
            con.execute(f"INSERT INTO interactions SELECT s.* FROM new_interactions s ANTI JOIN interactions i ON {same}")
        else:  # nothing stored to meet
            con.execute("INSERT INTO interactions SELECT * FROM new_interactions")

        con.execute(f"""CREATE OR REPLACE TEMP TABLE new_lists AS
            SELECT network, list_id, member_id, arg_min(list_name, import_id) AS list_name,
                   arg_min(owner_id, import_id) AS owner_id, arg_min(owner_handle, import_id) AS owner_handle,
                   min(import_id) AS import_id, {sources} AS sources
            FROM stage_lists GROUP BY network, list_id, member_id""")
        same = "l.network = s.network AND l.list_id = s.list_id AND l.member_id = s.member_id"
        if con.execute("SELECT count(*) > 0 FROM list_memberships").fetchone()[0]:
            con.execute(f"UPDATE list_memberships l SET sources = {_MERGED.format(t='l')} FROM new_lists s WHERE {same}")
        con.execute(f"INSERT INTO list_memberships SELECT s.* FROM new_lists s ANTI JOIN list_memberships l ON {same}")

        # every account a record refers to exists, if only as an id, and belongs to the imports
        # whose records name it (its own record's, or any that refers to it): a stored one gains them,
        # a new one is inserted with them
        each = "import_id" if one else "unnest(sources)"  # the imports a new interaction belongs to
        con.execute(f"""CREATE OR REPLACE TEMP TABLE account_refs AS
            SELECT network, account_id, min(import_id) AS import_id,
                   {sources} AS sources FROM (
                SELECT network, account_id, import_id FROM stage_accounts
                UNION ALL SELECT network, author_id, import_id FROM stage_posts
                UNION ALL SELECT network, source_id, {each} FROM new_interactions
                UNION ALL SELECT network, target_id, {each} FROM new_interactions
                          WHERE target_id IS NOT NULL
                UNION ALL SELECT network, member_id, import_id FROM stage_lists
                UNION ALL SELECT network, owner_id, import_id FROM stage_lists WHERE owner_id IS NOT NULL
            ) GROUP BY network, account_id""")
        con.execute(f"""UPDATE accounts SET sources = {_MERGED.format(t='accounts')} FROM account_refs s
            WHERE accounts.network = s.network AND accounts.account_id = s.account_id""")
        con.execute("""INSERT INTO accounts SELECT s.* REPLACE (r.sources AS sources) FROM new_accounts s
            JOIN account_refs r ON r.network = s.network AND r.account_id = s.account_id
            ANTI JOIN accounts a ON a.network = s.network AND a.account_id = s.account_id""")
        con.execute("""INSERT INTO accounts (network, account_id, import_id, sources)
            SELECT r.network, r.account_id, r.import_id, r.sources FROM account_refs r
            ANTI JOIN accounts a ON a.network = r.network AND a.account_id = r.account_id""")

        con.execute(f"DROP {new_posts} new_posts")
        for table in ("new_accounts", "dup_posts", "new_interactions", "new_lists", "account_refs"):
            con.execute(f"DROP TABLE {table}")
        for table, _ in _STAGES.values():
            con.execute(f"DROP TABLE {table}")
        return self._added()

    def _added(self) -> dict[int, dict]:
        added: dict[int, dict] = {}
        if self.first_import is None:
            return added
        for table, key in (("accounts", "accounts"), ("posts", "posts"), ("interactions", "interactions"),
                           ("list_memberships", "lists")):
            for imp, n in self.con.execute(
                    f"SELECT import_id, count(*) FROM {table} WHERE import_id >= ? GROUP BY import_id",
                    [self.first_import]).fetchall():
                added.setdefault(imp, {"accounts": 0, "posts": 0, "interactions": 0, "lists": 0})[key] = n
        return added
