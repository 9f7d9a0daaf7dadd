"""Where files come from: a file, a folder, a .zip or a .tar(.gz) archive, optionally gzipped.

Archives are read in place and never extracted, so a member named
``../../etc/passwd`` cannot write anywhere; such names are refused all the same,
and so are links and devices. Everything is read as a bounded stream: a tar member
is streamed from the archive (only small ones are kept in memory), gzip output is
limited both in total and in proportion to what is stored (:data:`MAX_RATIO`), and a
zip or tar whose members claim far more than the archive holds is refused before
anything is read. A file's SHA-256 is computed from its stored bytes as it is read.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import ImportFormatError

MAX_FILE_BYTES = 8 << 30        # one file, decompressed (streamed, never held)
MAX_ARCHIVE_BYTES = 16 << 30    # all of an archive's members together, decompressed
MAX_RATIO = 200                 # decompressed / compressed, beyond which a member is a bomb
RATIO_FLOOR = 64 << 20          # output any compressed file may reach whatever its ratio
MAX_WHOLE_JSON_BYTES = 64 << 20  # a JSON document parsed at once (it takes several times this in memory)
TAR_HELD_BYTES = 1 << 20        # tar members up to this size are kept in memory while the archive is listed
TAR_HELD_TOTAL = 64 << 20       # ... up to this much in all; bigger ones are streamed from the archive

# what reading a damaged file, archive or compressed stream raises
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, tarfile.TarError)


def describe(exc: BaseException) -> str:
    """A read error in a few words: what Python said, else its kind."""
    if isinstance(exc, EOFError):
        return f"it ends too early (truncated?){': ' + str(exc) if str(exc) else ''}"
    text = str(exc).strip()
    return text or type(exc).__name__


def _bounded(limit: int, stored: int) -> int:
    """The most a compressed stream of ``stored`` bytes may decompress to."""
    return min(limit, max(RATIO_FLOOR, MAX_RATIO * stored))


class _Hashing(io.RawIOBase):
    """Passes a stream through, hashing it; a read to the end gives the entry its digest."""

    def __init__(self, inner, entry: "Entry"):
        self.inner, self.entry, self.sha = inner, entry, hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        n = len(data)
        if n == 0:
            if self.sha is not None:
                self.entry.digest = self.sha.hexdigest()
                self.sha = None
            return 0
        buffer[:n] = data
        if self.sha is not None:
            self.sha.update(data)
        return n

    def close(self):
        try:
            self.inner.close()
        finally:
            super().close()


class _Limited(io.RawIOBase):
    """A decompressing stream that stops with a clear error past ``limit`` bytes."""

    def __init__(self, inner, entry: "Entry", limit: int):
        self.inner, self.entry, self.limit, self.done = inner, entry, limit, 0

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        n = len(data)
        self.done += n
        if self.done > self.limit:
            raise ImportFormatError(self.entry.key, None, f"decompresses to more than {self.limit >> 20:,} MiB "
                                    f"from {max(self.entry.size, 1):,} stored bytes (a gzip bomb?); "
                                    "Stature refuses it.")
        buffer[:n] = data
        return n

    def close(self):
        try:
            self.inner.close()
        finally:
            super().close()


class Entry:
    """One file to import, with its siblings (files in the same folder or archive)."""

    def __init__(self, name: str, key: str, opener, size: int, siblings: dict | None = None,
                 path: Path | None = None, stamp: str | None = None):
        self.name = name          # path inside the folder or archive, with / separators
        self.key = key            # where it came from, for messages and re-import checks
        self.path = path          # the file on disk, when it is one (not an archive member)
        self._opener = opener
        self.size = size          # stored bytes (compressed, for a .gz)
        self.siblings = siblings if siblings is not None else {}
        self.stamp = stamp        # size and modification time (or CRC): unchanged without reading it
        self.digest: str | None = None  # SHA-256 of the stored bytes, once a read reached the end

    def __repr__(self):
        return f"Entry({self.key!r})"

    @property
    def basename(self) -> str:
        name = PurePosixPath(self.name).name
        return name[:-3] if name.endswith(".gz") else name

    def open_raw(self):
        """A binary stream of the stored bytes (still compressed, for a .gz)."""
        return self._opener()

    def open(self):
        """A buffered binary stream of the (decompressed) content, bounded and hashed as it is read."""
        try:
            stream = io.BufferedReader(_Hashing(self._opener(), self), 1 << 16)
        except READ_ERRORS as exc:
            raise ImportFormatError(self.key, None, f"cannot be read: {describe(exc)}") from None
        if self.name.endswith(".gz"):
            inner = gzip.GzipFile(fileobj=stream, mode="rb")
            stream = io.BufferedReader(_Limited(inner, self, _bounded(MAX_FILE_BYTES, self.size)), 1 << 16)
        return stream

    def read(self, limit: int = MAX_WHOLE_JSON_BYTES) -> bytes:
        """The whole content, refused as soon as it grows past ``limit`` bytes."""
        with self.open() as stream:
            try:
                data = stream.read(limit + 1)
                if len(data) <= limit:
                    stream.read(1)  # reach the end, so the file's digest is known
            except READ_ERRORS as exc:
                raise ImportFormatError(self.key, None, f"cannot be read: {describe(exc)}") from None
        if len(data) > limit:
            raise ImportFormatError(self.key, None, f"is larger than {limit >> 20} MiB, the most Stature "
                                    "reads as one document; split it or convert it to JSON lines.")
        return data

    def head(self, n: int = 4096) -> bytes:
        try:
            with self.open() as stream:
                return stream.read(n)
        except (ImportFormatError, *READ_ERRORS):
            return b""

    def sibling(self, basename: str) -> "Entry | None":
        """A file of this name in the same folder (``foo.json`` also finds ``foo.json.gz``)."""
        folder = PurePosixPath(self.name).parent
        for candidate in (basename, basename + ".gz"):
            found = self.siblings.get(str(folder / candidate) if str(folder) != "." else candidate)
            if found is not None:
                return found
        return None


def entries(path: str | os.PathLike) -> list[Entry]:
    """Every file under ``path`` (a file, folder or archive), sorted by name."""
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(path, None, "does not exist.")
    if path.is_dir():
        found = _folder(path)
    elif zipfile.is_zipfile(path) and path.suffix.lower() == ".zip":
        found = _zip(path)
    elif _is_tar(path):
        found = _tar(path)
    else:
        info = path.stat()
        found = [Entry(path.name, str(path.resolve()), lambda p=path: open(p, "rb"), info.st_size,
                       path=path.resolve(), stamp=_stamp(info))]
    siblings = {e.name: e for e in found}
    for e in found:
        e.siblings = siblings
    return sorted(found, key=lambda e: e.name)


def _stamp(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}"


def _is_tar(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".tar", ".tgz", ".tar.gz")) and tarfile.is_tarfile(path)


def _folder(root: Path) -> list[Entry]:
    found = []
    base = root.resolve()
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d)))
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            if filename.startswith(".") or full.is_symlink() or not full.is_file():
                continue
            rel = full.relative_to(base).as_posix()
            info = full.stat()
            found.append(Entry(rel, str(full), lambda p=full: open(p, "rb"), info.st_size, path=full,
                               stamp=_stamp(info)))
    return found


def _safe_member(archive: Path, name: str) -> str:
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or (posix.parts and ":" in posix.parts[0]):
        raise ImportFormatError(archive, name, "is an archive member whose path leaves the archive "
                                "(absolute or with '..'); Stature refuses such archives.")
    return posix.as_posix()


def _zip(path: Path) -> list[Entry]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFormatError(path, None, f"is not a readable zip archive: {exc}") from None
    found, total = [], 0
    for info in infos:
        if info.is_dir():
            continue
        name = _safe_member(path, info.filename)
        if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symlink stored in the zip
            continue
        total += info.file_size
        if info.file_size > MAX_FILE_BYTES or total > MAX_ARCHIVE_BYTES or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20):
            raise ImportFormatError(path, name, "decompresses to far more than it stores (a zip bomb?); "
                                    "Stature refuses it.")
        found.append(Entry(name, f"{path.resolve()}!{name}", lambda i=info: archive.open(i), info.file_size,
                           stamp=f"zip:{info.file_size}:{info.CRC:08x}:{info.date_time}"))
    return found


def _tar(path: Path) -> list[Entry]:
    """A tar's members: small ones read into memory as the archive is listed, others streamed from it."""
    found, total, held = [], 0, 0
    stored = path.stat().st_size
    try:
        with tarfile.open(path) as archive:
            for member in archive:
                if not member.isfile():  # links, devices, folders
                    continue
                name = _safe_member(path, member.name)
                total += member.size
                if member.size > MAX_FILE_BYTES or total > MAX_ARCHIVE_BYTES or total > _bounded(
                        MAX_ARCHIVE_BYTES, stored):
                    raise ImportFormatError(path, name, "holds far more than the archive stores (a tar bomb?); "
                                            "Stature refuses it.")
                stamp = f"tar:{member.size}:{member.mtime}"
                key = f"{path.resolve()}!{name}"
                if member.size <= TAR_HELD_BYTES and held + member.size <= TAR_HELD_TOTAL:
                    data = archive.extractfile(member).read()
                    held += len(data)
                    found.append(Entry(name, key, lambda d=data: io.BytesIO(d), len(data), stamp=stamp))
                else:
                    found.append(Entry(name, key, lambda n=member.name: _TarMember(path, n), member.size,
                                       stamp=stamp))
    except READ_ERRORS as exc:
        raise ImportFormatError(path, None, f"is not a readable tar archive: {describe(exc)}") from None
    return found


class _TarMember(io.RawIOBase):
    """One member of a tar archive, streamed from it (the archive is opened again for it)."""

    def __init__(self, path: Path, name: str):
        self.archive = tarfile.open(path)
        try:
            for member in self.archive:
                if member.name == name:
                    self.stream = self.archive.extractfile(member)
                    return
        except BaseException:
            self.archive.close()
            raise
        self.archive.close()
        raise FileNotFoundError(f"{name} is no longer in {path.name}")

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        try:
            self.archive.close()
        finally:
            super().close()
