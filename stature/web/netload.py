"""The network for suggested connections, loaded once in the background and again when the workspace changes."""
from __future__ import annotations

import threading

from .readers import file_state


class NetworkLoader:
    """Loads :func:`stature.goals.load_network` in a thread; pages show "loading" until it is ready."""

    def __init__(self, readers):
        self.readers = readers
        self._lock = threading.Lock()
        self._net, self._stamp, self._loading, self._error = None, None, None, None

    def _current_stamp(self):
        return file_state(self.readers.path)

    def start(self) -> None:
        """Begin loading unless the loaded network is current or a load is under way."""
        stamp = self._current_stamp()
        with self._lock:
            if self._loading is not None or (self._net is not None and self._stamp == stamp):
                return
            self._loading = threading.Thread(target=self._load, args=(stamp,), name="stature-network", daemon=True)
            self._loading.start()

    def _load(self, stamp) -> None:
        from ..goals import load_network
        try:
            with self.readers.open() as ws:
                net = load_network(ws)
            with self._lock:
                self._net, self._stamp, self._error = net, stamp, None
        except Exception as exc:  # shown as the state; the pages work without it
            with self._lock:
                self._error = type(exc).__name__
        finally:
            with self._lock:
                self._loading = None

    def get(self):
        """The network when it is current, else None (and a load is started)."""
        self.start()
        with self._lock:
            return self._net if self._net is not None and self._stamp == self._current_stamp() else None

    def state(self) -> str:
        with self._lock:
            if self._net is not None and self._stamp == self._current_stamp():
                return "ready"
            if self._loading is not None:
                return "loading"
            return "failed" if self._error else "loading"

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the network is ready (for tests and scripts); True when it is."""
        self.start()
        thread = self._loading
        if thread is not None:
            thread.join(timeout)
        return self.state() == "ready"
