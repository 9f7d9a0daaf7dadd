"""The importer interface and the helpers every importer shares."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import orjson

from ..errors import ImportFormatError
from .sources import READ_ERRORS, Entry, describe

MAX_LINE_BYTES = 64 << 20


class ReadAgain(Exception):
    """Raised by a reader that finds, part way through a file, that it must read it again from the start
    in another way (``Context.again`` is then true): what it gave so far is dropped."""


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
        self.again = False  # the file is being read a second time, after the reader raised ReadAgain

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

    The file's SHA-256 is taken as it is read, never in a pass of its own: ``digest`` where the plan
    read every byte itself while making it (a scan of the file), or, with ``reads`` (the file's
    path), ingest hashes the file while DuckDB runs ``lines`` (see :mod:`.hashing`).
    """

    lines: str
    check: str
    derived: list
    stages: dict
    digest: str | None = None
    reads: str | None = None


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


def json_member_items(entry: Entry, ctx: Context, key: str):
    """The elements of the array ``key`` of a whole-file JSON object (an ActivityStreams collection's
    ``orderedItems``), a big file read a piece at a time as :func:`json_items` does; the object's other
    members are read and dropped."""
    if entry.size <= STREAM_ABOVE_BYTES and not entry.name.endswith(".gz"):
        document = json_document(entry, ctx)
        items = document.get(key) if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise ImportFormatError(entry.key, None, f"should be a JSON object with a list of `{key}`.")
        return iter(items)
    return _JsonStream(entry, ctx).member_items(key)


def _stream_items(entry: Entry, ctx: Context):
    return _JsonStream(entry, ctx).array_items()


class _JsonStream:
    """A JSON document read a piece at a time: whole values are parsed as soon as they are complete,
    none may grow past :data:`MAX_LINE_BYTES`."""

    def __init__(self, entry: Entry, ctx: Context):
        import codecs
        import json

        self.entry, self.ctx, self.json = entry, ctx, json
        self.decoder, self.text_of = json.JSONDecoder(), codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.eof, self.stream = "", 0, False, None

    def bad(self, why: str) -> ImportFormatError:
        return ImportFormatError(self.entry.key, None, why)

    def more(self):
        chunk = self.stream.read(1 << 20)
        self.ctx.progress(len(chunk))
        self.buf = self.buf[self.pos:] + self.text_of.decode(chunk, final=not chunk)
        self.pos, self.eof = 0, not chunk

    def skip_space(self):
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or self.eof:
                return
            self.more()

    def peek(self) -> str:
        self.skip_space()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def value(self, what: str):
        """One whole JSON value at the current position."""
        while True:
            self.skip_space()
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
                whole = end < len(self.buf) or self.eof
            except self.json.JSONDecodeError as exc:
                if self.eof:
                    raise self.bad(f"is not valid JSON ({exc.msg}: {what}).") from None
                whole = False
            if whole:
                self.pos = end
                return value
            if len(self.buf) - self.pos > MAX_LINE_BYTES:
                raise self.bad(f"has {what} longer than {MAX_LINE_BYTES >> 20} MiB.")
            self.more()

    def expect(self, char: str, what: str):
        if self.peek() != char:
            raise self.bad(f"is not valid JSON (a '{char}' should come {what}).")
        self.pos += 1

    def elements(self):
        """The elements of the array starting at the current position."""
        self.expect("[", "here")
        if self.peek() == "]":
            self.pos += 1
            return
        number = 0
        while True:
            number += 1
            yield self.value(f"record {number}")
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]", f"after record {number}")
            return

    def run(self, body):
        """Open the file, run ``body`` (a generator), then check that only space follows."""
        with self.entry.open() as self.stream:
            try:
                while not self.eof and len(self.buf) < 4096 and "[" not in self.buf and "{" not in self.buf:
                    self.more()
                yield from body()
                while True:  # only space (or a `;`) may follow, to the end, which also gives the file's digest
                    if self.buf[self.pos:].strip().strip(";").strip():
                        raise self.bad("is not valid JSON (something follows the document).")
                    self.pos = len(self.buf)
                    if self.eof:
                        break
                    self.more()
            except RecursionError:
                raise self.bad("is not valid JSON (nested too deeply).") from None
            except UnicodeDecodeError as exc:
                raise self.bad(f"is not valid UTF-8 text ({exc.reason} at byte {exc.start}).") from None

    def array_items(self):
        def body():
            found = [i for i in (self.buf.find("["), self.buf.find("{")) if i >= 0]
            start = min(found, default=-1)
            if start > 0:
                end = _assignment_end(self.buf[:start])
                if end is None or self.buf[end:start].strip():
                    raise self.bad("is neither JSON nor a `window.YTD... = [...]` file.")
            if start < 0 or self.buf[start] != "[":
                raise self.bad("should hold a list of records after `window.YTD... =`.")
            self.pos = start
            yield from self.elements()
        return self.run(body)

    def member_items(self, key: str):
        def body():
            self.expect("{", "first")
            found = False
            if self.peek() == "}":
                self.pos += 1
            else:
                while True:
                    name = self.value("a member name")
                    if not isinstance(name, str):
                        raise self.bad("is not valid JSON (a member name should be text).")
                    self.expect(":", f"after {name!r}")
                    if name == key and self.peek() == "[":
                        found = True
                        yield from self.elements()
                    else:
                        self.value(f"the member {name!r}")
                    if self.peek() == ",":
                        self.pos += 1
                        continue
                    self.expect("}", f"after the member {name!r}")
                    break
            if not found:
                raise self.bad(f"should be a JSON object with a list of `{key}`.")
        return self.run(body)


def text(value, field: str = "value") -> str | None:
    """A string field: None stays None, numbers become text, anything else is rejected."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{field} should be text, not {type(value).__name__}")


LARGEST = 2 ** 63 - 1  # the largest whole number a count column holds


def number(value, field: str = "value") -> float | None:
    """A count: None, a number, or a numeric string (whole numbers within a 64-bit column)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TypeError(f"{field} should be a number, not a boolean")
    if isinstance(value, str):
        value = float(value) if any(c in value for c in ".eE") else int(value)
    elif not isinstance(value, (int, float)):
        raise TypeError(f"{field} should be a number, not {type(value).__name__}")
    return _within(value, field) if type(value) is int else value


def count(value, field: str = "value") -> int | None:
    n = number(value, field)
    return None if n is None else _within(int(n), field)


def _within(n: int, field: str) -> int:
    if not -LARGEST <= n <= LARGEST:
        raise ValueError(f"{field} is too large ({n:.3g})")
    return n


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

