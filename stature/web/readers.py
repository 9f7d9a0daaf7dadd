"""Short-lived read-only connections to the workspace, that step aside for a writer.

Each request opens its own read-only connection and closes it when it answers, so the
dashboard holds the workspace only while it reads. A command that wants to write (an
ingest) and finds it open marks that it is waiting (:func:`stature.workspace.writer_waiting`);
new requests then wait for it, up to :data:`WAIT_S`, and answer 503 "busy" after that.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from ..errors import WorkspaceError
from ..workspace import Workspace
from ..workspace.workspace import writer_waiting

WAIT_S = 10.0


class Busy(Exception):
    """The workspace is being written and did not come free in time."""


class Unreadable(Exception):
    """The workspace cannot be read at all (missing or damaged)."""


class Readers:
    def __init__(self, path, wait_s: float = WAIT_S):
        self.path, self.wait_s = path, wait_s

    @contextmanager
    def open(self):
        """A read-only :class:`Workspace` for one request; waits while a writer has or wants the file."""
        deadline = time.monotonic() + self.wait_s
        pause = 0.01
        while True:
            if not writer_waiting(self.path):
                try:
                    ws = Workspace(self.path, read_only=True)
                    break
                except WorkspaceError as exc:
                    if "lock" not in str(exc).lower():
                        raise Unreadable(str(exc)) from None
            if time.monotonic() >= deadline:
                raise Busy()
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
        try:
            yield ws
        finally:
            ws.close()
