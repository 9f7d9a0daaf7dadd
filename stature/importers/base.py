"""The importer interface and the helpers every importer shares."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import orjson

from ..errors import ImportFormatError
from .sources import Entry

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
        for number, line in enumerate(stream, 1):
            ctx.progress(len(line))
            if len(line) > MAX_LINE_BYTES:
                ctx.reject(f"line {number}", f"is longer than {MAX_LINE_BYTES >> 20} MiB.")
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
    except (OSError, EOFError) as exc:
        raise ImportFormatError(entry.key, None, f"cannot be read: {exc}") from None
    return False

