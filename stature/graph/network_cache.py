"""The loaded network kept beside the workspace: memory-mapped arrays, keyed by what they were built from.

``stature.duckdb`` gets a folder ``stature.duckdb.network/`` holding one entry, named by a
fingerprint of everything the network is built from: the rows of ``accounts`` (network, account
id), of ``interactions`` (network, kind, source, target, time, weight) and the excluded accounts
(the exclusion list with the identities linked to it), each as a count and a sum of DuckDB row
hashes, with the parameters (as-of time, half-life, kind weights, the SQL that builds it), the
DuckDB version and this layout's version. Any ingest, exclusion or other
change to those rows changes the fingerprint, so a stale entry is never read: it is rebuilt
and replaces the old one. Hashing 10M rows takes a second or more, so the fingerprint is
remembered beside the file's stamp (size, modification time and inode of the workspace and of
its write-ahead log), with the default as-of time (the newest interaction): while the stamp is the
same, nothing was written, and neither the rows nor the interactions' times are read. Once anything
was written, the rows are hashed again and an unchanged graph keeps its entry, except after a write
session of Stature itself (a :class:`~stature.workspace.Workspace` opened for writing: a score run,
topics) that left the graph's tables alone: it carries the remembered fingerprint over to the stamp it
leaves (:func:`session_start`, :func:`session_end`), so the next load hashes nothing either. Arrays
are ``.npy`` files mapped copy-on-write (a reader never
writes the file); an entry is written to a temporary folder and renamed into place, so a
reader sees a whole entry or none. A workspace whose folder cannot be written simply goes
without the cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

LAYOUT = 2
_ARRAYS = ("adjacency_data", "adjacency_indices", "adjacency_indptr", "kinds", "walk_data", "walk_indices",
           "walk_indptr", "networks", "account_ids", "excluded", "keys", "key_order", "ids", "id_order", "account_rows")

_EXCLUDED_SQL = "(SELECT count(*) || ':' || coalesce(sum(hash(network, account_id)), 0) FROM {excluded} e)"
_FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(sum(hash(network, account_id)), 0) FROM accounts),
       (SELECT count(*) || ':' || coalesce(sum(hash(network, kind, source_id, target_id, time, weight)), 0)
        FROM interactions),
       """ + _EXCLUDED_SQL


def folder(workspace_path) -> Path:
    """Where the cache of the workspace at ``workspace_path`` lives."""
    path = Path(workspace_path)
    return path.with_name(path.name + ".network")


def stamp(workspace_path) -> list:
    """Size, modification time and inode of the workspace file and its write-ahead log: what any write changes."""
    out = []
    for path in (Path(workspace_path), Path(str(workspace_path) + ".wal")):
        try:
            info = path.stat()
            out.append([info.st_size, info.st_mtime_ns, info.st_ino])
        except OSError:
            out.append(None)
    return out


def remembered(workspace_path, file_stamp: list, request: dict) -> tuple | None:
    """``(as_of, key)`` found for ``request`` (the parameters as asked, ``as_of`` None for the newest) when
    the workspace last had ``file_stamp``; None if it changed since."""
    seen = _seen(workspace_path)
    try:
        if seen.get("stamp") != file_stamp or seen.get("request") != _digest(request):
            return None
        as_of = seen["as_of"]
        return (None if as_of is None else datetime.fromisoformat(as_of)), seen["key"]
    except (AttributeError, ValueError, KeyError, TypeError):
        return None


def remember(workspace_path, file_stamp: list, request: dict, as_of, key: str) -> None:
    """Note that the workspace with ``file_stamp`` answers ``request`` with ``as_of`` and fingerprint ``key``
    (best effort)."""
    _write_seen(workspace_path, {"stamp": file_stamp, "request": _digest(request),
                                 "as_of": as_of.isoformat() if isinstance(as_of, datetime) else as_of, "key": key})


def _seen(workspace_path) -> dict | None:
    try:
        return json.loads((folder(workspace_path) / "stamp.json").read_text())
    except (OSError, ValueError):
        return None


def _write_seen(workspace_path, seen: dict) -> None:
    """Replace what :func:`_seen` reads, whole (best effort)."""
    root = folder(workspace_path)
    try:
        staging = root / f".stamp-{os.getpid()}"
        staging.write_text(json.dumps(seen))
        os.replace(staging, root / "stamp.json")
    except OSError:
        pass


# What Stature's own writers change when they change the graph: outside an import they only add accounts
# and interactions (never update the columns the graph reads, never delete), so the counts tell; an import
# (which may replace a file's rows by as many others) shows in the imports table; the excluded accounts are
# few and hashed whole, as in the fingerprint; a migration shows in the schema version.
_SESSION_SQL = """
SELECT (SELECT max(version) FROM schema_version), (SELECT count(*) FROM accounts), (SELECT count(*) FROM interactions),
       (SELECT count(*) || ':' || coalesce(sum(hash(import_id, sha256, imported_at)), 0) FROM imports),
       """ + _EXCLUDED_SQL


def _graph_state(con) -> list:
    from ..rules.exclusions import EXCLUDED_ACCOUNTS

    return [str(v) for v in con.execute(_SESSION_SQL.format(excluded=EXCLUDED_ACCOUNTS)).fetchone()]


def session_start(con, workspace_path) -> dict | None:
    """At the start of a write session (the workspace locked by ``con``): what :func:`session_end` compares,
    or None when there is no current fingerprint to carry over."""
    seen, file_stamp = _seen(workspace_path), stamp(workspace_path)
    if not seen or seen.get("stamp") != file_stamp:
        return None
    try:
        return {"stamp": file_stamp, "graph": _graph_state(con)}
    except Exception:  # an older or partial workspace: nothing carried over, the next load hashes
        return None


def session_end(con, workspace_path, started: dict | None) -> None:
    """Before ``con`` lets go of the workspace: when this session left the graph's tables as they were,
    write its changes out (a checkpoint) and note the file's new stamp beside the remembered fingerprint."""
    if started is None:
        return
    try:
        if _graph_state(con) != started["graph"]:
            return
        con.execute("CHECKPOINT")  # the file as the next reader finds it (closing writes nothing more)
    except Exception:
        return
    seen = _seen(workspace_path)
    if seen and seen.get("stamp") == started["stamp"]:  # still locked: nobody else wrote meanwhile
        seen["stamp"] = stamp(workspace_path)
        _write_seen(workspace_path, seen)


def _digest(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]


def fingerprint(ws, params: dict) -> str:
    """A key that changes whenever the rows the network is built from, or ``params``, change."""
    import duckdb

    from ..rules.exclusions import EXCLUDED_ACCOUNTS

    tables = ws.sql(_FINGERPRINT_SQL.format(excluded=EXCLUDED_ACCOUNTS))[0]
    text = json.dumps({"layout": LAYOUT, "duckdb": duckdb.__version__, "tables": list(tables), "params": params},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def read(workspace_path, key: str):
    """The parts of the cached :class:`~stature.graph.network.Network` for ``key`` (its fields but the
    as-of time, in order), or None when there is none."""
    from .csr import CSR

    entry = folder(workspace_path) / key
    try:
        meta = json.loads((entry / "meta.json").read_text())
        a = {name: _load(entry / f"{name}.npy") for name in _ARRAYS}
    except (OSError, ValueError, KeyError):
        return None
    n = meta["nodes"]
    adjacency = CSR(a["adjacency_data"], a["adjacency_indices"], a["adjacency_indptr"], (n, n))
    walk = CSR(a["walk_data"], a["walk_indices"], a["walk_indptr"], (n, n))
    lookup = {name: a[name] for name in ("keys", "key_order", "ids", "id_order")}
    return adjacency, a["kinds"], walk, a["networks"], a["account_ids"], a["excluded"], lookup, a["account_rows"]


def _load(path: Path):
    import numpy as np

    try:
        return np.load(path, mmap_mode="c")
    except ValueError:  # an empty array cannot be mapped
        return np.load(path)


def write(workspace_path, key: str, net) -> bool:
    """Store ``net`` under ``key`` (replacing any older entry); False when the folder cannot be written."""
    import numpy as np

    root = folder(workspace_path)
    arrays = {"adjacency_data": net.adjacency.data, "adjacency_indices": net.adjacency.indices,
              "adjacency_indptr": net.adjacency.indptr, "kinds": net.kinds, "walk_data": net.walk.data,
              "walk_indices": net.walk.indices, "walk_indptr": net.walk.indptr,
              "networks": np.asarray(net.networks).astype(str), "account_ids": np.asarray(net.account_ids).astype(str),
              "excluded": net.excluded, **{name: net.lookup[name] for name in ("keys", "key_order", "ids", "id_order")},
              "account_rows": net.account_rows if net.account_rows is not None else np.full(net.nodes, -1, np.int64)}
    try:
        root.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    except OSError:
        return False
    try:
        for name, values in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(values))
        (staging / "meta.json").write_text(json.dumps({"key": key, "nodes": net.nodes, "edges": int(net.adjacency.nnz)}))
        os.rename(staging, root / key)
    except OSError:  # no room, or another process put the same entry in place first
        shutil.rmtree(staging, ignore_errors=True)
        return (root / key).is_dir()
    for old in root.iterdir():  # one entry is kept: the newest (others' unfinished writes are left alone)
        if old.name not in (key, "stamp.json") and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return True
