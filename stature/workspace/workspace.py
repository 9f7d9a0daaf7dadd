"""The workspace: one DuckDB file holding the canonical tables."""
from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import StatureError, WorkspaceBusy, WorkspaceError
from ..model import KINDS
from .schema import current_version, migrate

DEFAULT_PATH = "stature.duckdb"
TABLES = ("accounts", "posts", "interactions", "list_memberships", "identities", "imports")
WAITING = ".waiting"   # beside the file while a writer waits for readers (a dashboard) to let go


def writer_waiting(path) -> bool:
    """Whether a command is waiting to write the workspace at ``path`` (readers should hold off)."""
    try:
        return time.time() - os.stat(str(path) + WAITING).st_mtime < 2.0
    except OSError:
        return False


def default_path() -> str:
    """The workspace path from ``STATURE_WORKSPACE``, else ``./stature.duckdb``."""
    return os.environ.get("STATURE_WORKSPACE") or DEFAULT_PATH


LOCK_WAIT_SECONDS = float(os.environ.get("STATURE_LOCK_WAIT", "30"))


def is_damage(exc: BaseException) -> bool:
    """Is this DuckDB error about the file (unreadable, corrupt), not about the SQL that ran?"""
    return isinstance(exc, (duckdb.IOException, duckdb.InternalException, duckdb.SerializationException)) or (
        isinstance(exc, duckdb.Error) and (type(exc) is duckdb.Error or "corrupt" in str(exc).lower()))


def damaged(path, exc: BaseException | None = None) -> WorkspaceError:
    """The error for a workspace file DuckDB cannot read (truncated, damaged, not a database)."""
    detail = f" ({public_detail(str(exc), path)})" if exc is not None else ""
    return WorkspaceError(f"The workspace {Path(path).name} cannot be read: it is damaged, truncated or not a "
                          f"Stature workspace{detail}. Restore it from a copy, or ingest into a new one.")


def public_detail(message: str, path) -> str:
    """DuckDB's message without the file's folder or another process's id and program."""
    path = Path(path)
    for full in {str(path.resolve()), str(path.absolute()), str(path)}:
        message = message.replace(full, path.name)
    message = re.sub(r"Conflicting lock is held in .*?\(PID \d+\)", "another process holds its lock", message)
    message = re.sub(r"\s*See also https?://\S+", "", message)
    return message.replace("IO Error: ", "").strip().rstrip(".")


class Workspace:
    """An open workspace. Use as a context manager, or call :meth:`close`.

    A workspace another process has open for writing (an ingest) is waited for, up to
    ``wait`` seconds (``$STATURE_LOCK_WAIT``, else 30); ``waiting()`` is called once when the
    wait begins. Error messages name the file but not its folder, nor the other process.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 wait: float | None = None, waiting=None):
        self.path = Path(path or default_path())
        if read_only and not self.path.exists():
            raise WorkspaceError(f"There is no workspace at {self.path}; run `stature ingest` first.")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect(read_only, LOCK_WAIT_SECONDS if wait is None else wait, waiting)
        self._graph_session = None
        try:
            if not read_only:  # the network cache stays current across writes that leave the graph alone
                from ..graph import network_cache
                self._graph_session = network_cache.session_start(self.con, self.path)
            self.con.execute("SET TimeZone = 'UTC'")
            self.con.execute("SET enable_progress_bar = false")  # our own bars, on stderr, or none
            if not read_only:
                migrate(self.con, self.path)
            elif current_version(self.con) == 0:
                raise WorkspaceError(f"{self.path.name} is a DuckDB file but not a Stature workspace.")
        except duckdb.Error as exc:
            self.con.close()
            if is_damage(exc):
                raise damaged(self.path, exc) from None
            raise
        except BaseException:
            self.con.close()
            raise

    def _connect(self, read_only: bool, wait: float, waiting):
        """Open the file; a writer that finds it in use waits up to ``wait`` seconds, with a marker beside
        the file (:func:`writer_waiting`) so that readers such as the dashboard let go meanwhile."""
        try:
            return self._connect_waiting(read_only, wait, waiting)
        finally:
            if not read_only:
                Path(str(self.path) + WAITING).unlink(missing_ok=True)

    def _connect_waiting(self, read_only: bool, wait: float, waiting):
        deadline, pause, told = time.monotonic() + wait, 0.05, False
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise damaged(self.path, exc) from None
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(
                        f"The workspace {self.path.name} is in use by another process (an ingest, or a program "
                        f"writing to it); waited {wait:g} s for it. Try again when that process is done.") from None
                if not read_only:
                    Path(str(self.path) + WAITING).touch()
                if waiting is not None and not told:
                    waiting()
                    told = True
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 0.5)
            except duckdb.Error as exc:
                raise damaged(self.path, exc) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._graph_session is not None:
            from ..graph import network_cache
            network_cache.session_end(self.con, self.path, self._graph_session)
            self._graph_session = None
        self.con.close()

    @contextmanager
    def transaction(self):
        """All or nothing: commit when the block ends, roll back when it raises."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def sql(self, query: str, params=None) -> list[tuple]:
        return self.con.execute(query, params or []).fetchall()

    def status(self) -> dict:
        """What the workspace holds: accounts, posts, replies, interactions by kind, lists, networks."""
        one = lambda q: self.con.execute(q).fetchone()[0]  # noqa: E731
        interactions = dict.fromkeys(KINDS, 0)
        for kind, n in self.sql("SELECT kind, count(*) FROM interactions GROUP BY kind"):
            interactions[kind] = n
        networks = {}
        for table, key in (("accounts", "accounts"), ("posts", "posts"), ("interactions", "interactions")):
            for network, n in self.sql(f"SELECT network, count(*) FROM {table} GROUP BY network"):
                networks.setdefault(network, {"accounts": 0, "posts": 0, "interactions": 0})[key] = n
        return {
            "workspace": str(self.path),
            "accounts": one("SELECT count(*) FROM accounts"),
            "posts": one("SELECT count(*) FROM posts"),
            "replies": one("SELECT count(*) FROM posts WHERE reply_to_post_id IS NOT NULL"),
            "interactions": interactions,
            "lists": one("SELECT count(*) FROM list_memberships"),
            "identities": one("SELECT count(DISTINCT person_id) FROM identities"),
            "imports": one("SELECT count(*) FROM imports"),
            "networks": dict(sorted(networks.items())),
        }

    def export(self, out_dir: str | os.PathLike, fmt: str = "parquet", *, include_private: bool = False) -> list[Path]:
        """Write every canonical table to ``out_dir`` as Parquet or CSV; return the files written. Posts that
        are not public are left out unless ``include_private``; CSV text cells cannot start a formula."""
        from ..rules import visibility
        if fmt not in ("parquet", "csv"):
            raise StatureError(f"Unknown export format {fmt!r}: choose parquet or csv.")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in TABLES:
            target = out / f"{table}.{fmt}"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
            where = f" WHERE {visibility.where(include_private=include_private)}" if table == "posts" else ""
            query = f"SELECT * FROM {table}{where}"
            if fmt == "csv":  # lists as JSON text, so the CSV reads back anywhere
                cols = self.sql(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = ? ORDER BY ordinal_position", [table])
                query = "SELECT " + ", ".join(
                    f"to_json({c}) AS {c}" if t.endswith("[]") else csv_cell(c) if t == "VARCHAR" else c
                    for c, t in cols) + f" FROM {table}{where}"
            self.con.execute(f"COPY ({query}) TO '{_sql_str(target)}' ({options})")
            written.append(target)
        return written

    def find_account(self, spec: str) -> tuple[str, str]:
        """Resolve ``[network:]handle-or-id`` (a leading ``@`` is ignored) to ``(network, account_id)``.
        An id may itself hold ``:`` (Mastodon URLs, ``did:plc:...``, ``at://`` URIs): only a known network
        before the first ``:`` is taken as the network."""
        head, _, rest = spec.partition(":")
        known = {n for (n,) in self.sql("SELECT DISTINCT network FROM accounts")}
        network, name = (head, rest) if rest and head in known else ("", spec)
        name = name.lstrip("@")
        rows = self.sql(  # each condition apart: DuckDB filters each in the scan, the OR it would not (6x slower)
            """SELECT DISTINCT network, account_id FROM (
                   SELECT network, account_id FROM accounts WHERE account_id = $name
                   UNION ALL SELECT network, account_id FROM accounts WHERE lower(handle) = lower($name))
               WHERE $net = '' OR network = $net ORDER BY network, account_id""",
            {"name": name, "net": network})
        if not rows:
            raise StatureError(f"No account {spec!r} in this workspace.")
        if len(rows) > 1:
            options = ", ".join(f"{n}:{a}" for n, a in rows[:5])
            raise StatureError(f"{spec!r} matches several accounts ({options}); say which as NETWORK:ID.")
        return rows[0]

    def link(self, specs: list[str]) -> str:
        """Record that the accounts named by ``specs`` are one person; return the person id."""
        if len(specs) < 2:
            raise StatureError("Name at least two accounts to link.")
        accounts = [self.find_account(s) for s in specs]
        with self.transaction() as con:
            keys = [f"{n}:{a}" for n, a in accounts]
            existing = con.execute(
                "SELECT DISTINCT person_id FROM identities WHERE network || ':' || account_id IN "
                "(SELECT unnest($keys))", {"keys": keys}).fetchall()
            person = min([p for (p,) in existing] or [min(keys)])
            ids = [p for (p,) in existing]
            if ids:  # merge people already linked
                con.execute("UPDATE identities SET person_id = $p WHERE person_id IN (SELECT unnest($ids))",
                            {"p": person, "ids": ids})
            for network, account_id in accounts:
                con.execute("DELETE FROM identities WHERE network = ? AND account_id = ?", [network, account_id])
                con.execute("INSERT INTO identities VALUES (?, ?, ?)", [person, network, account_id])
        return person


def csv_cell(column: str) -> str:
    """SQL for a text column as a CSV cell no spreadsheet runs: a leading ``= + - @``, tab or CR gets a ``'``."""
    return f"CASE WHEN regexp_matches({column}, '^[=+\\-@\\t\\r]') THEN chr(39) || {column} ELSE {column} END AS {column}"


def _sql_str(path) -> str:
    return str(path).replace("'", "''")
