"""Read-only connections to the workspace that live only while requests come, and step aside for a writer.

Requests share one read-only connection (each gets its own cursor): opening the file costs far more than
a query. The connection is closed as soon as no request uses it and either a writer waits
(:func:`stature.workspace.workspace.writer_waiting`, set by a command that wants to write and found the file
open) or nothing asked for a moment (:data:`IDLE_S`). While a writer waits or writes, new requests wait
for it, up to :data:`WAIT_S`, and answer 503 "busy" after that.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import WorkspaceBusy, WorkspaceError
from ..workspace import Workspace
from ..workspace.workspace import writer_waiting

WAIT_S = 10.0
IDLE_S = 1.0
POLL_S = 0.05


class Busy(Exception):
    """The workspace is being written and did not come free in time."""


class Unreadable(Exception):
    """The workspace cannot be read at all (missing or damaged)."""


class _Reading(Workspace):
    """A :class:`Workspace` over a cursor of the shared read-only connection."""

    def __init__(self, path, con):  # noqa: super().__init__ would open the file again
        self.path, self.con = Path(path), con
        con.execute("SET TimeZone = 'UTC'")


class Readers:
    def __init__(self, path, wait_s: float = WAIT_S):
        self.path, self.wait_s = path, wait_s
        self._cond = threading.Condition()
        self._ws: Workspace | None = None
        self._users = 0
        self._last = 0.0
        self._watch: threading.Thread | None = None

    def _close_if_idle(self, force: bool = False) -> None:
        if self._ws is not None and self._users == 0 and (
                force or writer_waiting(self.path) or time.monotonic() - self._last > IDLE_S):
            self._ws.close()
            self._ws = None

    def _watcher(self) -> None:
        """Lets go of the idle connection when a writer waits, or after a moment without requests."""
        while True:
            time.sleep(POLL_S)
            with self._cond:
                self._close_if_idle()
                if self._ws is None:
                    self._watch = None
                    return

    @contextmanager
    def open(self):
        """A read-only :class:`Workspace` for one request; waits while a writer has or wants the file."""
        deadline = time.monotonic() + self.wait_s
        with self._cond:
            while True:
                if writer_waiting(self.path):
                    self._close_if_idle()
                elif self._ws is None:
                    try:
                        self._ws = Workspace(self.path, read_only=True, wait=0)
                    except WorkspaceBusy:
                        pass   # a writer has it: wait below
                    except WorkspaceError as exc:
                        raise Unreadable(str(exc)) from None
                if self._ws is not None and not writer_waiting(self.path):
                    break
                if time.monotonic() >= deadline:
                    raise Busy()
                self._cond.wait(POLL_S)
            self._users += 1
            self._last = time.monotonic()
            cursor = self._ws.con.cursor()
            if self._watch is None:
                self._watch = threading.Thread(target=self._watcher, name="stature-readers", daemon=True)
                self._watch.start()
        try:
            yield _Reading(self.path, cursor)
        finally:
            cursor.close()
            with self._cond:
                self._users -= 1
                self._close_if_idle()
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._close_if_idle(force=True)


def file_state(path):
    """What changes whenever the workspace does: size and modification time of its file and its write-ahead log."""
    import os
    state = []
    for name in (str(path), str(path) + ".wal"):
        try:
            st = os.stat(name)
            state.append((st.st_mtime_ns, st.st_size))
        except OSError:
            state.append(None)
    return tuple(state) if state[0] is not None else None


class Cache:
    """Answers already given, kept while the workspace file is unchanged (its size and modification time)."""

    def __init__(self, path, size: int = 256):
        self.path, self.size = path, size
        self._lock = threading.Lock()
        self._items: dict = {}
        self._stamp = None
        self._pending: dict = {}

    def _current(self):
        return file_state(self.path)

    def get(self, key):
        stamp = self._current()
        with self._lock:
            if stamp != self._stamp:
                self._items, self._stamp = {}, stamp
                return None
            value = self._items.pop(key, None)
            if value is not None:
                self._items[key] = value  # most recently used last
            return value

    def once(self, key, compute, wait_s: float = 60.0):
        """The cached value for ``key``, else ``compute()``: run once however many requests ask at the same
        time (the others wait for it). A value that is not a ``(body, media type)`` pair is not kept."""
        value = self.get(key)
        if value is not None:
            return value
        with self._lock:
            waiting = self._pending.get(key)
            if waiting is None:
                self._pending[key] = done = threading.Event()
        if waiting is not None:
            waiting.wait(wait_s)
            value = self.get(key)
            return value if value is not None else compute()
        try:
            value = compute()
            if isinstance(value, tuple):
                self.put(key, value)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            done.set()

    def put(self, key, value) -> None:
        stamp = self._current()
        with self._lock:
            if stamp != self._stamp:
                self._items, self._stamp = {}, stamp
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.pop(next(iter(self._items)))
