"""The importer interface and the helpers every importer shares."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import orjson

from ..errors import ImportFormatError
from .sources import READ_ERRORS, Entry, describe

MAX_LINE_BYTES = 64 << 20


class Context:
    """What an importer needs besides the file: options, and where bad records go."""

    def __init__(self, *, skip_bad: bool = False, include_direct: bool = False,
                 network: str | None = None, progress: Callable[[int], None] | None = None):
        self.skip_bad = skip_bad
        self.include_direct = include_direct
        self.network = network
        self.progress = progress or (lambda n: None)
        self.bad: list[ImportFormatError] = []
        self.entry: Entry | None = None

    def reject(self, where: str, why: str) -> None:
        """A bad record: raise, or with ``--skip-bad`` note it and go on."""
        error = ImportFormatError(self.entry.key if self.entry else "?", where, why)
        if not self.skip_bad:
            raise error
        self.bad.append(error)

    def guard(self, where: str, convert: Callable, *args) -> list:
        """``convert(*args)`` as a list of records; a record of the wrong shape is rejected."""
        try:
            return convert(*args)
        except ImportFormatError as exc:
            if exc.where is None:  # about the whole file, not this record
                raise
            self.reject(where, exc.reason)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            self.reject(where, _describe(exc))
        return []


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"the field {exc.args[0]!r} is missing."
    if isinstance(exc, (TypeError, AttributeError)):
        return f"a field has the wrong type ({exc})."
    return f"a value is not valid ({exc})."


@dataclass
class NativePlan:
    """How DuckDB reads a whole file itself, for big files: the same records as ``read``, faster.

    ``lines`` reads the file (it becomes the view ``native_lines``, with each row's place in the file
    as ``native_row``); if it fails, or ``check``
    counts any row the plan cannot read, the Python reader is used instead. ``derived`` temp
    tables (name, query) come next; ``stages`` maps each staging table to a query giving
    its rows, in the staging table's column order, without the import id.
    """

    lines: str
    check: str
    derived: list
    stages: dict


class Importer:
    """One data format. Subclasses set ``name`` and implement ``matches`` and ``read``."""

    name = ""
    description = ""
    # the ingest options that change what this format yields: part of what makes a file "unchanged"
    options: tuple = ("include_direct", "network")

    def matches(self, entry: Entry, head: bytes) -> bool:
        """Does this file look like mine? ``head`` is its first few KiB."""
        raise NotImplementedError

    def read(self, entry: Entry, ctx: Context) -> Iterable:
        """Yield canonical records (see :mod:`stature.model`)."""
        raise NotImplementedError

    def native(self, path: str, network: str | None = None) -> NativePlan | None:
        """A :class:`NativePlan` for a big file on disk, or None (the default) to always use ``read``.
        ``network`` is the one given with ``--network``, for formats that take it."""
        return None


def parse_json(data: bytes | str, entry: Entry, where: str | None = None):
    """Parse JSON, turning every failure (syntax, nesting too deep) into a clear error."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportFormatError(entry.key, where, f"is not valid JSON ({exc}).") from None


def json_lines(entry: Entry, ctx: Context) -> Iterator[tuple[str, object]]:
    """``(where, value)`` for each non-empty line of a JSON-lines file; bad lines are rejected."""
    with entry.open() as stream:
        number = 0
        while True:
            line = stream.readline(MAX_LINE_BYTES + 1)  # never more than the limit in memory
            if not line:
                break
            number += 1
            ctx.progress(len(line))
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                ctx.reject(f"line {number}", f"is longer than {MAX_LINE_BYTES >> 20} MiB.")
                while line and not line.endswith(b"\n"):  # skipped, a piece at a time
                    line = stream.readline(1 << 20)
                    ctx.progress(len(line))
                continue
            line = line.strip()
            if not line:
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                ctx.reject(f"line {number}", f"is not valid JSON ({exc}).")
                continue
            yield f"line {number}", value


def json_document(entry: Entry, ctx: Context):
    """A whole-file JSON document; a leading ``window.YTD... =`` assignment is stripped, never run."""
    data = entry.read()
    ctx.progress(len(data))
    stripped = data.lstrip()
    if stripped[:1] not in (b"[", b"{"):
        eq = stripped.find(b"=")
        if eq < 0 or not stripped[:eq].strip().replace(b".", b"").replace(b"_", b"").isalnum():
            raise ImportFormatError(entry.key, None, "is neither JSON nor a `window.YTD... = [...]` file.")
        stripped = stripped[eq + 1:]
    return parse_json(stripped, entry)


STREAM_ABOVE_BYTES = 8 << 20  # whole-file arrays bigger than this are read an element at a time


def _assignment_end(prefix: str) -> int | None:
    """Where the JSON starts after a ``window.YTD.name.part0 =`` prefix (None: not such a prefix)."""
    eq = prefix.find("=")
    name = prefix[:eq].strip().replace(".", "").replace("_", "") if eq >= 0 else ""
    return eq + 1 if name.isascii() and name.isalnum() else None


def json_items(entry: Entry, ctx: Context):
    """The elements of a whole-file JSON array (a leading ``window.YTD... =`` is stripped, never run).

    A big file is read a piece at a time, each element parsed as soon as it is whole, so memory
    holds one element (at most :data:`MAX_LINE_BYTES`), not the document."""
    if entry.size <= STREAM_ABOVE_BYTES and not entry.name.endswith(".gz"):
        items = json_document(entry, ctx)
        if not isinstance(items, list):
            raise ImportFormatError(entry.key, None, "should hold a list of records after `window.YTD... =`.")
        return iter(items)
    return _stream_items(entry, ctx)


def _stream_items(entry: Entry, ctx: Context):
    import codecs
    import json

    decoder, text_of = json.JSONDecoder(), codecs.getincrementaldecoder("utf-8")()
    with entry.open() as stream:
        buf, pos, eof = "", 0, False

        def more():
            nonlocal buf, pos, eof
            chunk = stream.read(1 << 20)
            ctx.progress(len(chunk))
            buf = buf[pos:] + text_of.decode(chunk, final=not chunk)
            pos, eof = 0, not chunk

        def skip_space():
            nonlocal pos
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n":
                    pos += 1
                if pos < len(buf) or eof:
                    return
                more()

        def bad(why):
            return ImportFormatError(entry.key, None, why)

        try:
            while not eof and len(buf) < 4096 and "[" not in buf and "{" not in buf:
                more()
            start = min((i for i in (buf.find("["), buf.find("{")) if i >= 0), default=-1)
            if start > 0:
                end = _assignment_end(buf[:start])
                if end is None or buf[end:start].strip():
                    raise bad("is neither JSON nor a `window.YTD... = [...]` file.")
            if start < 0 or buf[start] != "[":
                raise bad("should hold a list of records after `window.YTD... =`.")
            pos = start + 1
            number = 0
            skip_space()
            if pos < len(buf) and buf[pos] == "]":
                pos += 1
            else:
                while True:
                    skip_space()
                    try:
                        value, end = decoder.raw_decode(buf, pos)
                        whole = end < len(buf) or eof
                    except json.JSONDecodeError as exc:
                        if eof:
                            raise bad(f"is not valid JSON ({exc.msg}: record {number + 1}).") from None
                        whole = False
                    if not whole:
                        if len(buf) - pos > MAX_LINE_BYTES:
                            raise bad(f"has a record (number {number + 1}) longer than {MAX_LINE_BYTES >> 20} MiB.")
                        more()
                        continue
                    number += 1
                    pos = end
                    yield value
                    skip_space()
                    if pos < len(buf) and buf[pos] == ",":
                        pos += 1
                        continue
                    if pos < len(buf) and buf[pos] == "]":
                        pos += 1
                        break
                    raise bad(f"is not valid JSON (a ',' or ']' should follow record {number}).")
            while True:  # only space (or a `;`) may follow, to the end, which also gives the file's digest
                if buf[pos:].strip().strip(";").strip():
                    raise bad("is not valid JSON (something follows the list).")
                pos = len(buf)
                if eof:
                    break
                more()
        except RecursionError:
            raise bad("is not valid JSON (nested too deeply).") from None
        except UnicodeDecodeError as exc:
            raise bad(f"is not valid UTF-8 text ({exc.reason} at byte {exc.start}).") from None


def text(value, field: str = "value") -> str | None:
    """A string field: None stays None, numbers become text, anything else is rejected."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{field} should be text, not {type(value).__name__}")


def number(value, field: str = "value") -> float | None:
    """A count: None, a number, or a numeric string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError(f"{field} should be a number, not a boolean")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return float(value) if any(c in value for c in ".eE") else int(value)
    raise TypeError(f"{field} should be a number, not {type(value).__name__}")


def count(value, field: str = "value") -> int | None:
    n = number(value, field)
    return None if n is None else int(n)


def identifier(value) -> str:
    """An id: non-empty text, or a whole number written out exactly."""
    kind = type(value)
    if kind is str:
        if value:
            return value
        raise ValueError("an id is empty")
    if kind is int:
        return str(value)
    raise TypeError(f"an id should be text or a whole number, not {kind.__name__}")


def optional_identifier(value) -> str | None:
    """An id that may be absent (None or empty)."""
    return None if value is None or value == "" else identifier(value)


def first_line_is_json(entry: Entry) -> bool:
    """Is the first non-blank line a whole JSON value (JSON lines), or is the file one document?"""
    try:
        with entry.open() as stream:
            for _ in range(1000):
                line = stream.readline(MAX_LINE_BYTES + 1)
                if not line or len(line) > MAX_LINE_BYTES:
                    return False
                if line.strip():
                    orjson.loads(line)
                    return True
    except orjson.JSONDecodeError:
        return False
    except READ_ERRORS as exc:
        raise ImportFormatError(entry.key, None, f"cannot be read: {describe(exc)}") from None
    return False

