"""Bring files into a workspace: all or nothing, re-imports changing nothing.

One call of :func:`ingest` is one transaction: a crash, a kill or (without
``skip_bad``) a bad record leaves the workspace exactly as it was. With
``skip_bad`` bad records are listed and skipped, and a file that cannot be read
at all is listed as failed and contributes nothing.

Every stored record lists the imports (files) that bring it. A file imported again
with other content, or with options that change what it yields (``format``,
``include_direct``, ``network``: see :func:`options_of`), replaces its earlier import:
what only that import brought goes, what another file also brings stays. A file
untouched since its import (same size and modification time, or zip CRC) is not read
at all; one touched but identical (same SHA-256, computed as it is read) changes nothing.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import duckdb

from .errors import ImportFormatError, StatureError
from .importers import Context, by_name, detect, entries
from .importers.base import ReadAgain
from .importers.hashing import HashBeside
from .importers.sources import READ_ERRORS, describe
from .workspace import Workspace, Writer
from .workspace.writer import TextTooLong

NATIVE_MIN_BYTES = 16 << 20  # smaller files are read in Python, which names bad records exactly
MEMORY_MIN, MEMORY_MAX = 512 << 20, 2 << 30


def memory_limit(todo) -> str:
    """What DuckDB may hold during an ingest (it spills to disk beyond): ``$STATURE_INGEST_MEMORY``, else eight
    times the bytes its own readers will parse, from 512 MB up to a quarter of the machine's memory (at least
    2 GB). Small files never get more than 512 MB (the bounded readers keep the rest of the process small); at
    512 MB the native readers spilled most of their work on big files (1M CSV posts 82 s, 26 s with 2-3 GB), at
    four times its size a 109 MB X archive's ``tweets.js`` did not fit DuckDB's array reader at all (so Python
    read it, 3x slower), and at 2 GB a 1.5 GB file of Twitter v2 pages spilled (33 s, 19 s with 6 GB)."""
    if os.environ.get("STATURE_INGEST_MEMORY"):
        return os.environ["STATURE_INGEST_MEMORY"].replace("'", "")
    native = sum(e.size for e, importer in todo if importer is not None and _natively_readable(e))
    return f"{min(max(8 * native, MEMORY_MIN), memory_most()) >> 20}MB"


def memory_most() -> int:
    """The most an ingest gives DuckDB: a quarter of the machine's memory, at least 2 GB."""
    try:
        return max(MEMORY_MAX, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4)
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): the floor
        return MEMORY_MAX


def _natively_readable(entry) -> bool:
    """Whether DuckDB may read ``entry`` (a big, uncompressed file on disk) when its importer has a native plan;
    a compressed file is read in Python, where its output is bounded."""
    return entry.path is not None and entry.size >= NATIVE_MIN_BYTES and not entry.name.endswith(".gz")


@dataclass
class FileResult:
    path: str
    format: str | None
    status: str  # imported | unchanged | unrecognised | failed
    added: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def added(self) -> dict:
        total: dict = {}
        for f in self.files:
            for k, v in f.added.items():
                total[k] = total.get(k, 0) + v
        return total

    def to_dict(self) -> dict:
        return {"files": [f.__dict__ for f in self.files], "added": self.added}


def ingest(workspace: Workspace, paths, *, format: str | None = None, skip_bad: bool = False,
           include_direct: bool = False, network: str | None = None,
           progress: Callable[[int, int, str], None] | None = None, native: bool = True) -> IngestReport:
    """Import every file under ``paths`` into ``workspace``.

    ``progress(done_bytes, total_bytes, current_file)`` is called as the work advances.
    Without ``skip_bad`` the first bad record stops the import with an
    :class:`ImportFormatError` and nothing of this call is kept. ``native=False`` reads
    every file in Python, even big ones DuckDB could read itself (for benchmarks and tests).
    """
    forced = by_name(format) if format else None
    todo = []
    for path in paths:
        found = entries(path)
        for entry in found:
            if forced is None:
                importer = detect(entry)
            else:  # a file named alone is taken as that format; in a folder, only its files are
                importer = forced if len(found) == 1 or forced.matches(entry, entry.head()) else None
            todo.append((entry, importer))
    if not todo:
        raise StatureError(f"No files found under {', '.join(map(str, paths))}.")
    if len(todo) == 1 and todo[0][1] is None:
        raise ImportFormatError(todo[0][0].key, None, "is in no format Stature recognises; "
                                "name one with --format (see `stature ingest --help`).")

    return _run(workspace, todo, progress, skip_bad, include_direct, network, native)


class _Progress:
    """Adds up bytes done across files for a ``progress(done, total, label)`` callback."""

    def __init__(self, callback, total: int):
        self.callback, self.total, self.done = callback, total or 1, 0

    def advance(self, n: int, label: str = "") -> None:
        self.done += n
        if self.callback:
            self.callback(min(self.done, self.total), self.total, label)


def options_of(importer, include_direct: bool, network: str | None) -> str:
    """The options a file is read with that change what it yields, as stored with its import.

    An import counts as unchanged only when its content and these options are the same."""
    used = {"format": importer.name}
    if "include_direct" in importer.options:
        used["include_direct"] = bool(include_direct)
    if "network" in importer.options:
        used["network"] = network
    return json.dumps(used, sort_keys=True)


def _run(workspace, todo, progress, skip_bad, include_direct, network, native) -> IngestReport:
    con = workspace.con
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{memory_limit(todo)}'")  # DuckDB spills to disk beyond it
    try:
        with _without_collections():
            return _run_bounded(workspace, todo, progress, skip_bad, include_direct, network, native)
    finally:
        con.execute(f"SET memory_limit = '{limit}'")


@contextmanager
def _without_collections():
    """Python's cycle collector paused while an ingest runs.

    An ingest makes millions of objects and keeps many alive (a batch of staged rows, what a reader has
    learnt of the file), and the collector kept walking them: 4.1 s of a 16 s Mastodon API log import
    went to 20 full collections (1.4 s of 14.4 s even with collections every 100,000 allocations). Its
    records form no cycles: after importing every format of ../shared/datasets with the collector off,
    a collection finds 8 unreachable objects per ingest, however many records or bad lines it read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_bounded(workspace, todo, progress, skip_bad, include_direct, network, native) -> IngestReport:
    con = workspace.con
    bar = _Progress(progress, sum(e.size for e, i in todo if i is not None))
    known: dict[str, set] = {}   # path -> {(sha256, options)}
    stamps: dict[str, set] = {}  # path -> {(stamp, options)}
    for path, sha, stamp, options in con.execute("SELECT path, sha256, stamp, options FROM imports").fetchall():
        known.setdefault(path, set()).add((sha, options))
        if stamp:
            stamps.setdefault(path, set()).add((stamp, options))
    report = IngestReport()
    work, seen = [], set()  # (entry, importer, options) of the files to read
    for entry, importer in todo:
        if importer is None:
            report.files.append(FileResult(entry.key, None, "unrecognised"))
            continue
        options = options_of(importer, include_direct, network)
        if entry.key in seen:  # the same file named twice is read once
            continue
        seen.add(entry.key)
        if entry.stamp and (entry.stamp, options) in stamps.get(entry.key, ()):
            bar.advance(entry.size, entry.name)  # untouched since it was imported: not even read
            report.files.append(FileResult(entry.key, importer.name, "unchanged"))
            continue
        work.append((entry, importer, options))
    loaded = _load_native(con, work, bar, network) if native else {}
    try:
        with workspace.transaction():
            _import_all(workspace, work, loaded, report, bar, skip_bad, include_direct, network, known)
    finally:
        for table, _ in loaded.values():
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("DROP VIEW IF EXISTS native_lines")
    if progress:
        progress(bar.total, bar.total, "")
    return report


def _load_native(con, work, bar, network=None) -> dict:
    """Big files whose importer has a native plan, read by DuckDB before the transaction.

    A file DuckDB cannot read (a malformed line, a wrong type, a shape the plan does not
    know) is left to the Python reader, which names the bad record; reading here, outside
    the transaction, keeps such an error from aborting it.
    """
    loaded = {}
    for n, (entry, importer, _) in enumerate(work):
        if not _natively_readable(entry):
            continue
        plan = importer.native(str(entry.path), network)
        if plan is None:
            continue
        table = f"native_lines_{n}"
        try:
            digest = _load_lines(con, table, plan)
            con.execute(f"CREATE OR REPLACE TEMP VIEW native_lines AS SELECT rowid AS native_row, * FROM {table}")
            readable = con.execute(plan.check).fetchone()[0] == 0
        except duckdb.Error:
            readable = False
        if readable:
            entry.digest = entry.digest or digest
            loaded[entry.key] = (table, plan)
        else:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return loaded


def _load_lines(con, table: str, plan) -> str | None:
    """Make ``table`` from the plan's ``lines``; the file's SHA-256, taken as it is read (None if not)."""
    if plan.reads is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {plan.lines}")
        return plan.digest
    with HashBeside(plan.reads) as hashed:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {plan.lines}")
    return hashed.digest


def _import_all(workspace, work, loaded, report, bar, skip_bad, include_direct, network, known):
    con = workspace.con
    next_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
    writer = Writer(con)
    new_imports = []
    for entry, importer, options in work:
        ctx = Context(skip_bad=skip_bad, include_direct=include_direct, network=network,
                      progress=lambda n, _name=entry.name: bar.advance(n, _name))
        ctx.entry = entry
        import_id, next_id = next_id, next_id + 1
        writer.begin(import_id)
        try:
            if entry.key in loaded:
                table, plan = loaded[entry.key]
                con.execute(f"CREATE OR REPLACE TEMP VIEW native_lines AS SELECT rowid AS native_row, * FROM {table}")
                try:
                    writer.stage_native(plan)
                except TextTooLong as exc:
                    raise ImportFormatError(entry.key, None, str(exc)) from None
                con.execute("DROP VIEW native_lines")  # staged (inside the transaction, its memory
                con.execute(f"DROP TABLE {table}")      # is only given back at the commit)
                bar.advance(entry.size, entry.name)
            else:
                try:
                    _read(entry, importer, ctx, writer)
                except ReadAgain:
                    writer.discard(import_id)
                    ctx.bad, ctx.again = [], True
                    _read(entry, importer, ctx, writer)
            digest = entry.digest or _digest(entry)  # hashed while it was read (always, but for a rare case)
        except ImportFormatError as exc:
            if not skip_bad:
                raise
            writer.discard(import_id)
            report.files.append(FileResult(entry.key, importer.name, "failed", error=str(exc),
                                           skipped=[str(e) for e in ctx.bad]))
            continue
        if (digest, options) in known.get(entry.key, ()):  # touched, but the same: keep what is stored
            writer.discard(import_id)
            if entry.stamp:
                con.execute("UPDATE imports SET stamp = ? WHERE path = ? AND sha256 = ? AND options = ?",
                            [entry.stamp, entry.key, digest, options])
            report.files.append(FileResult(entry.key, importer.name, "unchanged"))
            continue
        result = FileResult(entry.key, importer.name, "imported", skipped=[str(e) for e in ctx.bad])
        new_imports.append((import_id, entry.key, digest, importer.name, len(ctx.bad), entry.stamp, options,
                            result))
        report.files.append(result)

    # a changed file replaces what its earlier import brought, except what another import still brings
    paths = [path for _, path, *_ in new_imports]
    old = [i for (i,) in con.execute("SELECT import_id FROM imports WHERE path IN (SELECT unnest($p::VARCHAR[]))",
                                     {"p": paths}).fetchall()]
    if old:
        for table in ("posts", "interactions", "list_memberships", "accounts"):
            con.execute(f"""UPDATE {table} SET
                    sources = list_filter(sources, lambda x: NOT list_contains($old::INTEGER[], x)),
                    import_id = list_min(list_filter(sources, lambda x: NOT list_contains($old::INTEGER[], x)))
                WHERE list_has_any(sources, $old::INTEGER[])""", {"old": old})
            con.execute(f"DELETE FROM {table} WHERE len(sources) = 0")
        con.execute("DELETE FROM imports WHERE import_id IN (SELECT unnest($old::INTEGER[]))", {"old": old})
    added = writer.finish()
    empty = {"accounts": 0, "posts": 0, "interactions": 0, "lists": 0}
    for import_id, path, digest, name, bad, stamp, options, result in new_imports:
        result.added = added.get(import_id, dict(empty))
        con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?)",
                    [import_id, path, digest, name, json.dumps(result.added), bad, stamp, options])


def _digest(entry) -> str:
    """The SHA-256 of a file's stored bytes, in a pass of its own (for files DuckDB read)."""
    sha = hashlib.sha256()
    try:
        with entry.open_raw() as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                sha.update(chunk)
    except READ_ERRORS as exc:
        raise ImportFormatError(entry.key, None, f"cannot be read: {describe(exc)}") from None
    return sha.hexdigest()


def _read(entry, importer, ctx: Context, writer: Writer) -> None:
    """Stage one file's records; any failure becomes an ImportFormatError naming the file."""
    try:
        for record in importer.read(entry, ctx):
            try:
                writer.add(record)
            except TextTooLong as exc:
                ctx.reject("a record", str(exc))
    except (ImportFormatError, StatureError):
        raise
    except READ_ERRORS as exc:
        raise ImportFormatError(entry.key, None, f"cannot be read: {describe(exc)}") from None
    except (RecursionError, MemoryError, UnicodeDecodeError, ValueError, TypeError,
            KeyError, AttributeError, IndexError) as exc:
        raise ImportFormatError(entry.key, None, f"could not be read as {importer.name}: "
                                f"{type(exc).__name__}: {exc}") from None
