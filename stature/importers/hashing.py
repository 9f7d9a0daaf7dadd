"""A file's SHA-256 taken while DuckDB reads it, for readers that cannot hash what they read.

DuckDB reads files by name. Fed a JSON-lines file through a pipe (so that every byte it read
could be hashed on the way), its JSON reader held about the file's size more in memory and ran
1.1-1.6x slower (a 1.5 GB file no longer fit in 2 GB), so instead a thread hashes the same bytes
(from the page cache) while DuckDB parses them: no pass of its own before or after the read.
"""
from __future__ import annotations

import hashlib
import threading

CHUNK = 1 << 20


class HashBeside:
    """``with HashBeside(path) as h:`` read ``path`` meanwhile; then ``h.digest`` is its SHA-256 (None if
    it could not be read)."""

    def __init__(self, path: str):
        self.path = path
        self.digest: str | None = None
        self._thread = threading.Thread(target=self._hash, daemon=True)

    def _hash(self) -> None:
        sha = hashlib.sha256()  # hashlib and file reads release the GIL: this runs beside DuckDB
        try:
            with open(self.path, "rb") as f:
                while chunk := f.read(CHUNK):
                    sha.update(chunk)
        except OSError:
            return
        self.digest = sha.hexdigest()

    def __enter__(self) -> "HashBeside":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._thread.join()
