"""A file handed to DuckDB through a named pipe, hashed as its bytes go through: one read for both.

DuckDB reads files by name, so to hash what it reads without a pass of its own the file is
fed to it through a FIFO by a thread that hashes each chunk on the way. DuckDB's JSON reader
reads such a stream as fast as the file (within a few per cent); its CSV reader would read it
on one thread only, so CSV tables are hashed in the scan :mod:`.csv_native` makes anyway.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading

CHUNK = 1 << 20


class HashedPipe:
    """``with HashedPipe(path) as pipe:`` DuckDB reads ``pipe.path``; afterwards ``pipe.digest`` is the
    SHA-256 of every byte of the file if DuckDB read it to the end, else None."""

    def __init__(self, source: str):
        self.source = source
        self.digest: str | None = None
        self._dir = tempfile.mkdtemp(prefix="stature-pipe-")
        self.path = os.path.join(self._dir, "file")
        os.mkfifo(self.path, 0o600)
        self._thread = threading.Thread(target=self._feed, daemon=True)

    def __enter__(self) -> "HashedPipe":
        self._thread.start()
        return self

    def _feed(self) -> None:
        sha = hashlib.sha256()
        try:
            with open(self.source, "rb") as src, open(self.path, "wb", buffering=0) as out:
                while chunk := src.read(CHUNK):
                    sha.update(chunk)
                    out.write(chunk)  # blocks until DuckDB reads; fails once it stops reading
        except OSError:  # the reader went away (an error, or it never opened the pipe): no digest
            return
        self.digest = sha.hexdigest()

    def __exit__(self, *exc) -> None:
        for _ in range(100):  # DuckDB stopped early or never opened the pipe: let the feeder go
            if not self._thread.is_alive():
                break
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
                os.close(fd)  # a writer waiting to open is released; its next write fails
            except OSError:
                pass
            self._thread.join(0.05)
        else:
            self.digest = None
        shutil.rmtree(self._dir, ignore_errors=True)
