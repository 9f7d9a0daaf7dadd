"""CSV tables of posts, interactions, account statistics or list memberships, told by their header.

Column names are matched case-insensitively, surrounding spaces ignored; columns
not listed here are ignored. Which table a file holds is told by its header:

- posts: ``post_id``, ``account_id``, ``text``; optionally ``handle, created_at,
  reply_to_post_id, reply_to_account_id, quote_of_post_id, like_count, repost_count,
  reply_count, quote_count, lang``.
- interactions: ``source``, ``target``, ``kind`` (one of :data:`stature.model.KINDS` or
  ``OTHER_KINDS``); optionally ``time, weight, post_id``. A ``like`` may leave
  ``target`` empty when it names its ``post_id``.
- account statistics: ``account_id`` and at least one of ``handle, display_name, bio,
  followers_count, following_count, listed_count, posts_count, mentions_received,
  reposts_received, mentions_sent, reposts_sent``. Numbers may be fractional (rates).
- list memberships: ``list_id``, ``member_id``; optionally ``list_name, owner_id, owner_handle``.

Hashtags (``#word``) and links (``http(s)://...``) are taken from a post's text.
A mention (``@handle``) becomes a mention of an account only when that handle appears
in the file's own ``handle`` column (matched case-insensitively), because the model
stores mentions as account ids and a handle alone does not give one; the file is read
twice to learn the handles first. Other ``@handles`` stay in the text only.

A row's network is its ``network`` column where the table has one and the cell is not
empty, else the one given with ``--network``, else ``csv``. A bad row (the wrong
number of columns, a non-number where a number belongs, an empty id, an unknown kind)
is rejected with its line number.
"""
from __future__ import annotations

import csv
import math
import re

from ..errors import ImportFormatError
from ..model import KINDS, OTHER_KINDS, Account, Interaction, ListMembership, Post
from .base import Context, Importer
from .sources import Entry

NETWORK = "csv"
MAX_FIELD = 1 << 20       # one field, in characters
MAX_LINE = 16 << 20       # one physical line, in bytes
csv.field_size_limit(MAX_FIELD)

POST_REQUIRED = ("post_id", "account_id", "text")
POST_COUNTS = ("like_count", "repost_count", "reply_count", "quote_count")
INTERACTION_REQUIRED = ("source", "target", "kind")
STAT_TEXT = ("handle", "display_name", "bio")
LIST_REQUIRED = ("list_id", "member_id")
STAT_NUMBERS = ("followers_count", "following_count", "listed_count", "posts_count", "mentions_received",
                "reposts_received", "mentions_sent", "reposts_sent")
ALL_KINDS = frozenset(KINDS + OTHER_KINDS)

_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,50})")
_LINK = re.compile(r"https?://[^\s<>\"']+")


def table_kind(columns: list[str]) -> str | None:
    """``posts``, ``interactions``, ``accounts``, ``lists`` or None, from a header's normalised names."""
    names = set(columns)
    if len(names) != len(columns) or "" in names:
        return None
    if names.issuperset(POST_REQUIRED):
        return "posts"
    if names.issuperset(INTERACTION_REQUIRED):
        return "interactions"
    if "account_id" in names and names & set(STAT_TEXT + STAT_NUMBERS):
        return "accounts"
    if names.issuperset(LIST_REQUIRED):
        return "lists"
    return None


def _header(head: bytes) -> list[str] | None:
    end = head.find(b"\n")
    if end < 0:
        return None
    try:
        line = head[:end].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        row = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    return [c.strip().lower() for c in row]


class CsvTables(Importer):
    name = "csv"
    description = "CSV tables of posts, interactions (source,target,kind), account statistics or lists"

    def matches(self, entry: Entry, head: bytes) -> bool:
        columns = _header(head)
        return columns is not None and table_kind(columns) is not None

    def native(self, path: str, network: str | None = None):
        """Big tables are read by DuckDB (see :mod:`.csv_native`), unless the header is not one line."""
        from .csv_native import header, plan
        columns = header(path)
        kind = table_kind(columns) if columns else None
        if kind is None:
            return None
        return plan(path, columns, kind, network or NETWORK, max_field=MAX_FIELD, kinds=ALL_KINDS,
                    post_counts=POST_COUNTS, stat_numbers=STAT_NUMBERS)

    def read(self, entry: Entry, ctx: Context):
        network = ctx.network or NETWORK
        rows = _rows(entry, ctx)
        header = next(rows, None)
        kind = table_kind([c.strip().lower() for c in header[1]]) if header else None
        if kind is None:
            raise ImportFormatError(entry.key, "line 1", "is not the header of a posts, interactions, "
                                    "account statistics or list memberships table.")
        columns = {c.strip().lower(): i for i, c in enumerate(header[1])}
        width = len(header[1])
        if kind == "posts":
            handles = _handles(entry, columns, width) if "handle" in columns else {}
            convert = _PostRow(network, columns, handles)
        elif kind == "interactions":
            convert = _InteractionRow(network, columns)
        elif kind == "accounts":
            convert = _AccountRow(network, columns)
        else:
            convert = _ListRow(network, columns)
        for where, row in rows:
            if not row:
                continue
            if len(row) != width:
                ctx.reject(where, f"has {len(row)} columns where the header has {width}.")
                continue
            yield from ctx.guard(where, convert, row)


def _lines(entry: Entry, ctx: Context | None):
    """Decoded physical lines, line endings kept (as the csv module wants); progress in bytes."""
    with entry.open() as stream:
        number = 0
        first = True
        while True:
            raw = stream.readline(MAX_LINE)
            if not raw:
                return
            number += 1
            if ctx is not None:
                ctx.progress(len(raw))
            if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the over-long line
                    raw = stream.readline(MAX_LINE)
                    if ctx is not None:
                        ctx.progress(len(raw))
                if ctx is not None:
                    ctx.reject(f"line {number}", f"is longer than {MAX_LINE >> 20} MiB.")
                yield "\n"
                continue
            try:
                line = raw.decode("utf-8-sig" if first else "utf-8")
            except UnicodeDecodeError as exc:
                if ctx is not None:
                    ctx.reject(f"line {number}", f"is not UTF-8 text ({exc.reason} at byte {exc.start}).")
                line = "\n"
            first = False
            yield line


def _rows(entry: Entry, ctx: Context | None):
    """``(where, row)`` per CSV record, ``where`` naming the line it starts on; bad CSV is rejected."""
    reader = csv.reader(_lines(entry, ctx))
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if ctx is not None:
                ctx.reject(f"line {start}", f"is not valid CSV ({exc}).")
            continue
        yield f"line {start}", row


def _handles(entry: Entry, columns: dict, width: int) -> dict[str, str]:
    """handle (lower case, no @) -> account id, from the posts file's own ``handle`` column."""
    found = {}
    h, a = columns["handle"], columns["account_id"]
    rows = _rows(entry, None)
    next(rows, None)
    for _, row in rows:
        if len(row) == width and row[h].strip() and row[a].strip():
            found.setdefault(row[h].strip().lstrip("@").lower(), row[a].strip())
    return found


def _network(row, columns, default: str) -> str:
    i = columns.get("network")
    return (row[i].strip() or default) if i is not None else default


def _id(row, columns, name) -> str:
    value = row[columns[name]].strip()
    if not value:
        raise ValueError(f"the {name} column is empty")
    return value


def _opt(row, columns, name) -> str | None:
    i = columns.get(name)
    if i is None:
        return None
    return row[i].strip() or None


def _number(row, columns, name) -> float | None:
    value = _opt(row, columns, name)
    if value is None:
        return None
    try:
        n = float(value)
    except ValueError:
        raise ValueError(f"the {name} column holds {value!r}, which is not a number") from None
    if not math.isfinite(n) or n < 0:
        raise ValueError(f"the {name} column holds {value!r}; it should be a number, 0 or more")
    return n


def _count(row, columns, name) -> int | None:
    n = _number(row, columns, name)
    return None if n is None else int(n)


class _PostRow:
    def __init__(self, network, columns, handles):
        self.network, self.columns, self.handles = network, columns, handles
        self.seen: set[str] = set()

    def __call__(self, row) -> list:
        c = self.columns
        network = _network(row, c, self.network)
        author = _id(row, c, "account_id")
        body = row[c["text"]]
        counts = {name: _count(row, c, name) for name in POST_COUNTS}
        post = Post(
            network, _id(row, c, "post_id"), author, created_at=_opt(row, c, "created_at"), text=body,
            lang=_opt(row, c, "lang"), reply_to_post_id=_opt(row, c, "reply_to_post_id"),
            reply_to_account_id=_opt(row, c, "reply_to_account_id"),
            quote_of_post_id=_opt(row, c, "quote_of_post_id"), **counts,
            hashtags=_HASHTAG.findall(body) if "#" in body else [],
            links=[u.rstrip(".,;:!?)") for u in _LINK.findall(body)] if "://" in body else [],
        )
        if "@" in body and self.handles:
            post.mentions = [self.handles[h.lower()] for h in _MENTION.findall(body) if h.lower() in self.handles]
        handle = _opt(row, c, "handle")
        if handle and author not in self.seen:
            self.seen.add(author)
            return [Account(network, author, handle=handle.lstrip("@")), post]
        return [post]


class _InteractionRow:
    def __init__(self, network, columns):
        self.network, self.columns = network, columns

    def __call__(self, row) -> list:
        c = self.columns
        kind = row[c["kind"]].strip().lower()
        if kind not in ALL_KINDS:
            raise ValueError(f"the kind {kind!r} is not one of {', '.join(sorted(ALL_KINDS))}")
        post_id = _opt(row, c, "post_id")
        target = _opt(row, c, "target")
        if target is None and not (kind == "like" and post_id):
            raise ValueError("the target column is empty")
        return [Interaction(_network(row, c, self.network), kind, _id(row, c, "source"), target, post_id=post_id,
                            time=_opt(row, c, "time"), weight=_number(row, c, "weight"))]


class _AccountRow:
    def __init__(self, network, columns):
        self.network, self.columns = network, columns

    def __call__(self, row) -> list:
        c = self.columns
        handle = _opt(row, c, "handle")
        return [Account(_network(row, c, self.network), _id(row, c, "account_id"),
                        handle=handle.lstrip("@") if handle else None,
                        display_name=_opt(row, c, "display_name"), bio=_opt(row, c, "bio"),
                        **{name: _number(row, c, name) for name in STAT_NUMBERS})]


class _ListRow:
    def __init__(self, network, columns):
        self.network, self.columns = network, columns

    def __call__(self, row) -> list:
        c = self.columns
        handle = _opt(row, c, "owner_handle")
        return [ListMembership(_network(row, c, self.network), _id(row, c, "list_id"), _id(row, c, "member_id"),
                               list_name=_opt(row, c, "list_name"), owner_id=_opt(row, c, "owner_id"),
                               owner_handle=handle.lstrip("@") if handle else None)]


IMPORTER = CsvTables()
