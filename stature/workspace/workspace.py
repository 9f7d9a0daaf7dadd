"""The workspace: one DuckDB file holding the canonical tables."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..errors import StatureError, WorkspaceError
from ..model import KINDS
from .schema import migrate

DEFAULT_PATH = "stature.duckdb"
TABLES = ("accounts", "posts", "interactions", "list_memberships", "identities", "imports")
WAITING = ".waiting"   # beside the file while a writer waits for readers (a dashboard) to let go
LOCK_WAIT_S = 30.0


def writer_waiting(path) -> bool:
    """Whether a command is waiting to write the workspace at ``path`` (readers should hold off)."""
    try:
        return time.time() - os.stat(str(path) + WAITING).st_mtime < 2.0
    except OSError:
        return False


def _connect(path: Path, read_only: bool):
    """Open the file; a writer that finds it open waits up to ``LOCK_WAIT_S`` (``STATURE_LOCK_WAIT``), marked."""
    deadline = time.monotonic() + float(os.environ.get("STATURE_LOCK_WAIT", LOCK_WAIT_S))
    marker = Path(str(path) + WAITING)
    try:
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only)
            except duckdb.IOException as exc:
                if read_only or "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                marker.touch()
                time.sleep(0.05)
    finally:
        if not read_only:
            marker.unlink(missing_ok=True)


def default_path() -> str:
    """The workspace path from ``STATURE_WORKSPACE``, else ``./stature.duckdb``."""
    return os.environ.get("STATURE_WORKSPACE") or DEFAULT_PATH


class Workspace:
    """An open workspace. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        self.path = Path(path or default_path())
        if read_only and not self.path.exists():
            raise WorkspaceError(f"There is no workspace at {self.path}; run `stature ingest` first.")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = _connect(self.path, read_only)
        except duckdb.IOException as exc:
            raise WorkspaceError(f"Cannot open the workspace {self.path}: {exc}") from None
        except duckdb.Error as exc:
            raise WorkspaceError(f"{self.path} is not a Stature workspace (DuckDB said: {exc}).") from None
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")  # our own bars, on stderr, or none
        if not read_only:
            migrate(self.con, self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
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
        rows = self.sql(
            """SELECT DISTINCT network, account_id FROM accounts
               WHERE (account_id = $name OR lower(handle) = lower($name)) AND ($net = '' OR network = $net)""",
            {"name": name, "net": network})
        if not rows:
            raise StatureError(f"No account {spec!r} in {self.path}.")
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
