"""A native reader for big CSV tables: DuckDB parses them and SQL does what ``csv_tables`` does per row.

It stages exactly the records :mod:`stature.importers.csv_tables` gives (a parity test
holds the two together): the same stripped ids, the same numbers, hashtags, links and
``@handle`` mentions found by the same regular expressions, written for DuckDB's RE2
with Python's own ``\\w`` and ``\\s`` classes spelled out (RE2 has no look-behind, so
the character before a ``#`` or ``@`` is matched instead, which gives the same matches).

Whatever this reader cannot vouch for goes to the Python reader, which names the bad
line: a row DuckDB cannot parse (wrong column count, a stray quote, bad UTF-8), a cell
Python would reject (an empty id, a number Python's ``float`` would refuse, an unknown
interaction kind, an over-long field), and two layouts where DuckDB's parser and
Python's ``csv`` module read the same bytes differently: spaces between a delimiter and
a quote (DuckDB drops them) and a carriage return not followed by a line feed.
Handles are compared in lower case by DuckDB's ``lower``, which differs from Python's
only for a few letters (final sigma, dotted capital I).
"""
from __future__ import annotations

import csv
import hashlib
import mmap
import re
from functools import lru_cache

from .base import NativePlan

# str.isspace(), which is what Python's str.strip() and the regex \s take for whitespace
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"  # a subset of what float() reads
_MAX_COUNT = 2.0 ** 63
_LONE_CR = re.compile(rb"\r(?!\n)")


@lru_cache(maxsize=1)
def word_class() -> str:
    """Python's ``\\w`` (Unicode word characters) as an RE2 character class body, range by range."""
    parts = []
    for first, last in ((0, 0x40000), (0xE0000, 0x110000)):  # planes 4-13 hold no word characters
        chars = "".join(map(chr, range(first, last)))
        parts += [(m.start() + first, m.end() - 1 + first) for m in re.finditer(r"\w+", chars)]
    return "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in parts)


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def patterns() -> dict[str, str]:
    """The hashtag, mention and link patterns of ``csv_tables``, for RE2 (group 1 is the match)."""
    w = word_class()
    space = "".join(_char(ord(c)) for c in WHITESPACE)
    return {
        "hashtag": f"(?:^|[^{w}&#])#([{w}]+)",
        "mention": f"(?:^|[^{w}@])@([{w}]+)",  # of which the first 50 characters (RE2 is slow at {1,50})
        "link": f"(https?://[^{space}<>\"']+)",
    }


def header(path: str) -> list[str] | None:
    """The normalised column names of a CSV file's first line, or None if it is not one whole record."""
    with open(path, "rb") as f:
        line = f.readline(1 << 20)
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if text.count('"') % 2 or not text.endswith("\n"):
        return None
    row = next(csv.reader([text]), None)
    return [c.strip().lower() for c in row] if row else None


def scan(path: str) -> tuple[bool, str | None]:
    """One pass over a CSV file's bytes: does it hold layouts DuckDB's CSV parser reads otherwise than
    Python's csv module, and (when it does not) the file's SHA-256, hashed window by window in the same pass.

    DuckDB drops spaces between a delimiter and a quoted field (``1, "x"`` or ``"x" ,2``),
    where Python keeps them, and takes a lone carriage return for a line end.
    """
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        try:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return False, sha.hexdigest()
        with data:
            if data.find(b"\r") >= 0 and _LONE_CR.search(data):  # (CRLF files only pay for this)
                return True, None
            view = memoryview(data)
            try:
                for start in range(0, len(data), _WINDOW):
                    sha.update(view[start:start + _WINDOW])
                    if any(_spaced_quote(data, i) for i in _spaces_by_quotes(data, start)):
                        return True, None
            finally:
                view.release()
    return False, sha.hexdigest()


_WINDOW = 1 << 20


def _spaces_by_quotes(data, start: int):
    """Where a space or tab stands next to a double quote in one window (searched there, in cache)."""
    end = min(start + _WINDOW + 1, len(data))
    for pattern in (b' "', b'\t"', b'" ', b'"\t'):
        i = data.find(pattern, start, end)
        while i >= 0:
            yield i if pattern[0] != 34 else i + 1
            i = data.find(pattern, i + 1, end)


_FIELD_END = (b",", b"\r", b"\n", b"")


def _spaced_quote(data, i: int) -> bool:
    """Is the blank at ``i`` one DuckDB would drop: between a delimiter and a quoted field's quotes?"""
    n = len(data)
    a = i
    while a > 0 and data[a - 1:a] in (b" ", b"\t"):
        a -= 1
    b = i
    while b < n and data[b:b + 1] in (b" ", b"\t"):
        b += 1
    before = data[a - 1:a] if a > 0 else b""
    if before in _FIELD_END:  # a field starts with blanks: quotes after them open a quoted field
        q = b
        while q < n and data[q:q + 1] == b'"':
            q += 1
        run = q - b
        return run > 0 and (run % 2 == 1 or data[q:q + 1] in _FIELD_END)
    if before == b'"' and data[b:b + 1] in _FIELD_END:  # quotes, then blanks to the end of the field
        q = a - 1
        while q > 0 and data[q - 1:q] == b'"':
            q -= 1
        run = a - q
        return run % 2 == 1 or (data[q - 1:q] if q > 0 else b"") in _FIELD_END
    return False


class _Columns:
    """SQL for one table's cells, the way ``csv_tables`` reads them.

    The file is read with every cell stripped as ``str.strip`` does (NULL when nothing is
    left), except ``text``, which is kept as it is; ``too_long`` marks rows with a cell
    Python's csv module would refuse.
    """

    def __init__(self, columns: list[str], network: str):
        self.index = {name: i for i, name in enumerate(columns)}
        self.network = network

    def read(self, path: str, max_field: int) -> str:
        ws = _sql(WHITESPACE)
        cells = []
        for name, i in self.index.items():
            c = f"c{i}"
            if name == "text":
                cells.append(f"coalesce({c}, '') AS {c}")
            else:  # trim(c, chars) is slow, so only where the cell starts or ends with a blank
                cells.append(f"nullif(CASE WHEN contains({ws}, left({c}, 1)) OR contains({ws}, right({c}, 1)) "
                             f"THEN trim({c}, {ws}) ELSE {c} END, '') AS {c}")
        too_long = " OR ".join(f"coalesce(length(c{i}) >= {max_field - 1}, false)" for i in self.index.values())
        spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in self.index.values()) + "}"
        return (f"SELECT {', '.join(cells)}, {too_long} AS too_long "
                f"FROM read_csv({_sql(path)}, header = true, delim = ',', quote = '\"', escape = '\"', "
                f"columns = {spec}, auto_detect = false, strict_mode = true, null_padding = false, "
                f"encoding = 'utf-8')")

    def opt(self, name: str) -> str:
        """``_opt``: the stripped cell, NULL when empty or the column is absent."""
        return f"c{self.index[name]}" if name in self.index else "NULL"

    def handle(self, name: str) -> str:
        return f"ltrim({self.opt(name)}, '@')" if name in self.index else "NULL"

    def net(self) -> str:
        if "network" not in self.index:
            return _sql(self.network)
        return f"coalesce({self.opt('network')}, {_sql(self.network)})"

    def number(self, name: str) -> str:
        return f"{self.opt(name)}::DOUBLE" if name in self.index else "NULL::DOUBLE"

    def count(self, name: str) -> str:
        return f"trunc({self.opt(name)}::DOUBLE)::BIGINT" if name in self.index else "NULL::BIGINT"

    def bad_number(self, name: str, limit: float | None = None) -> str:
        """The cell is not empty and not a number, 0 or more, that ``float`` reads the same way."""
        if name not in self.index:
            return "false"
        v = self.opt(name)
        too_big = f" OR {v}::DOUBLE >= {limit!r}" if limit else ""
        return (f"({v} IS NOT NULL AND (NOT regexp_full_match({v}, {_sql(_NUMBER)}) "
                f"OR NOT isfinite({v}::DOUBLE) OR {v}::DOUBLE < 0{too_big}))")

    def empty(self, name: str) -> str:
        return f"({self.opt(name)} IS NULL)"


def plan(path: str, columns: list[str], kind: str, network: str, *, max_field: int,
         kinds: frozenset, post_counts: tuple, stat_numbers: tuple) -> NativePlan | None:
    """How to read the CSV table at ``path`` natively, or None when only the Python reader will do."""
    differs, digest = scan(path)
    if differs:
        return None
    c = _Columns(columns, network)
    lines = c.read(path, max_field)
    bad = ["too_long"]
    derived, stages = [], {}
    if kind == "posts":
        bad += [c.empty("post_id"), c.empty("account_id")] + [c.bad_number(n, _MAX_COUNT) for n in post_counts]
        derived, stages = _posts(c, post_counts)
    elif kind == "interactions":
        kind_sql = f"lower({c.opt('kind')})"
        bad += [c.empty("source"), c.bad_number("weight"),
                f"NOT regexp_full_match(coalesce({c.opt('kind')}, ''), '[\\x00-\\x7f]*')",
                f"{kind_sql} IS NULL OR {kind_sql} NOT IN ({', '.join(map(_sql, sorted(kinds)))})",
                f"({c.empty('target')} AND NOT ({kind_sql} = 'like' AND {c.opt('post_id')} IS NOT NULL))"]
        stages = {"stage_interactions": f"""SELECT {c.net()}, {kind_sql}, {c.opt('source')},
            {c.opt('target')}, {c.opt('post_id')}, {c.opt('time')}, {c.number('weight')}
            FROM native_lines ORDER BY native_row"""}
    elif kind == "accounts":
        bad += [c.empty("account_id")] + [c.bad_number(n) for n in stat_numbers]
        numbers = ", ".join(c.number(n) for n in stat_numbers)
        stages = {"stage_accounts": f"""SELECT {c.net()}, {c.opt('account_id')}, {c.handle('handle')},
            {c.opt('display_name')}, {c.opt('bio')}, NULL, {numbers}
            FROM native_lines ORDER BY native_row"""}
    else:
        bad += [c.empty("list_id"), c.empty("member_id")]
        stages = {"stage_lists": f"""SELECT {c.net()}, {c.opt('list_id')}, {c.opt('member_id')},
            {c.opt('list_name')}, {c.opt('owner_id')}, {c.handle('owner_handle')}
            FROM native_lines ORDER BY native_row"""}
    check = "SELECT count(*) FROM native_lines WHERE " + " OR ".join(f"({b})" for b in bad)
    return NativePlan(lines=lines, check=check, derived=derived, stages=stages, digest=digest)


def _posts(c: _Columns, post_counts: tuple) -> tuple[list, dict]:
    p = patterns()
    body = c.opt("text")
    author = c.opt("account_id")
    derived = []
    mentions = "[]::VARCHAR[]"
    if "handle" in c.index:
        h = c.opt("handle")
        derived = [
            ("csv_handles", f"""SELECT lower(ltrim({h}, '@')) AS key, arg_min({author}, native_row) AS account_id
                FROM native_lines WHERE {h} IS NOT NULL AND {author} IS NOT NULL GROUP BY key"""),
            ("csv_mentions", f"""SELECT native_row, list(h.account_id ORDER BY i) AS ids FROM (
                    SELECT native_row, unnest(m) AS handle, generate_subscripts(m, 1) AS i
                    FROM (SELECT native_row, regexp_extract_all({body}, {_sql(p['mention'])}, 1) AS m
                          FROM native_lines WHERE contains({body}, '@'))
                ) x JOIN csv_handles h ON h.key = lower(left(x.handle, 50)) GROUP BY native_row"""),
        ]
        mentions = "coalesce(m.ids, []::VARCHAR[])"
    counts = ", ".join(c.count(n) for n in post_counts)
    posts = f"""SELECT {c.net()}, {c.opt('post_id')}, {author}, {c.opt('created_at')}, {body},
        {c.opt('lang')}, {c.opt('reply_to_post_id')}, {c.opt('reply_to_account_id')},
        {c.opt('quote_of_post_id')}, NULL, {counts},
        CASE WHEN contains({body}, '#') THEN regexp_extract_all({body}, {_sql(p['hashtag'])}, 1)
             ELSE []::VARCHAR[] END,
        {mentions},
        CASE WHEN contains({body}, '://')
             THEN list_transform(regexp_extract_all({body}, {_sql(p['link'])}, 1), lambda u: rtrim(u, '.,;:!?)'))
             ELSE []::VARCHAR[] END,
        'public'
        FROM native_lines n {"LEFT JOIN csv_mentions m USING (native_row)" if derived else ""}"""
    stages = {"stage_posts": posts}
    if "handle" in c.index:  # the author's handle, from the first of their rows that has one
        stages["stage_accounts"] = f"""SELECT network, account_id, handle, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (
            SELECT arg_min({c.net()}, native_row) AS network, {author} AS account_id,
                   arg_min({c.handle('handle')}, native_row) AS handle, min(native_row) AS first
            FROM native_lines WHERE {c.opt('handle')} IS NOT NULL GROUP BY account_id) ORDER BY first"""
    return derived, stages
