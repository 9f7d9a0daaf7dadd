"""Bring files into a workspace: all or nothing, re-imports changing nothing.

One call of :func:`ingest` is one transaction: a crash, a kill or (without
``skip_bad``) a bad record leaves the workspace exactly as it was. With
``skip_bad`` bad records are listed and skipped, and a file that cannot be read
at all is listed as failed and contributes nothing.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

from .errors import ImportFormatError, StatureError
from .importers import Context, by_name, detect, entries
from .workspace import Workspace, Writer


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
           progress: Callable[[int, int, str], None] | None = None) -> IngestReport:
    """Import every file under ``paths`` into ``workspace``.

    ``progress(done_bytes, total_bytes, current_file)`` is called as the work advances.
    Without ``skip_bad`` the first bad record stops the import with an
    :class:`ImportFormatError` and nothing of this call is kept.
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

    total = sum(e.size for e, i in todo if i is not None) or 1
    report = IngestReport()
    with workspace.transaction():
        _import_all(workspace, todo, report, progress, total, skip_bad, include_direct, network)
    return report


def _import_all(workspace, todo, report, progress, total, skip_bad, include_direct, network):
    con = workspace.con
    known: dict[str, list] = {}
    for import_id, path, sha in con.execute("SELECT import_id, path, sha256 FROM imports").fetchall():
        known.setdefault(path, []).append((import_id, sha))
    next_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
    writer = Writer(con)
    replaced, new_imports = [], []
    done = 0
    for entry, importer in todo:
        if importer is None:
            report.files.append(FileResult(entry.key, None, "unrecognised"))
            continue

        def advance(n, _entry=entry):
            nonlocal done
            done += n
            if progress:
                progress(min(done, total), total, _entry.name)

        ctx = Context(skip_bad=skip_bad, include_direct=include_direct, network=network, progress=advance)
        ctx.entry = entry
        digest = _digest(entry)
        previous = known.get(entry.key, [])
        if any(sha == digest for _, sha in previous):
            advance(entry.size)
            report.files.append(FileResult(entry.key, importer.name, "unchanged"))
            continue
        import_id, next_id = next_id, next_id + 1
        writer.begin(import_id)
        try:
            _read(entry, importer, ctx, writer)
        except ImportFormatError as exc:
            if not skip_bad:
                raise
            writer.discard(import_id)
            report.files.append(FileResult(entry.key, importer.name, "failed", error=str(exc),
                                           skipped=[str(e) for e in ctx.bad]))
            continue
        # a changed file replaces exactly what its earlier import brought
        replaced.extend(old for old, _ in previous)
        known[entry.key] = [(import_id, digest)]
        result = FileResult(entry.key, importer.name, "imported", skipped=[str(e) for e in ctx.bad])
        new_imports.append((import_id, entry.key, digest, importer.name, len(ctx.bad), result))
        report.files.append(result)

    for old in replaced:
        for table in ("posts", "interactions", "list_memberships", "imports"):
            con.execute(f"DELETE FROM {table} WHERE import_id = ?", [old])
    added = writer.finish()
    empty = {"accounts": 0, "posts": 0, "interactions": 0, "lists": 0}
    for import_id, path, digest, name, bad, result in new_imports:
        result.added = added.get(import_id, dict(empty))
        con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?)",
                    [import_id, path, digest, name, json.dumps(result.added), bad])
    if progress:
        progress(total, total, "")


def _digest(entry) -> str:
    sha = hashlib.sha256()
    try:
        with entry.open() as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                sha.update(chunk)
    except (OSError, EOFError) as exc:
        raise ImportFormatError(entry.key, None, f"cannot be read: {exc}") from None
    return sha.hexdigest()


def _read(entry, importer, ctx: Context, writer: Writer) -> None:
    """Stage one file's records; any failure becomes an ImportFormatError naming the file."""
    try:
        for record in importer.read(entry, ctx):
            writer.add(record)
    except (ImportFormatError, StatureError):
        raise
    except (RecursionError, MemoryError, UnicodeDecodeError, ValueError, TypeError,
            KeyError, AttributeError, IndexError, OSError, EOFError) as exc:
        raise ImportFormatError(entry.key, None, f"could not be read as {importer.name}: "
                                f"{type(exc).__name__}: {exc}") from None
