"""Where files come from: a file, a folder, a .zip or a .tar(.gz) archive, optionally gzipped.

Archives are read in memory and never extracted, so a member named
``../../etc/passwd`` cannot write anywhere; such names are refused all the same,
and so are links, devices and members whose size could exhaust memory.
"""
from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import ImportFormatError

MAX_FILE_BYTES = 8 << 30        # one file, decompressed
MAX_ARCHIVE_BYTES = 16 << 30    # all of an archive's members together, decompressed
MAX_RATIO = 200                 # decompressed / compressed, beyond which a member is a bomb
MAX_WHOLE_JSON_BYTES = 2 << 30  # a JSON document parsed at once


class Entry:
    """One file to import, with its siblings (files in the same folder or archive)."""

    def __init__(self, name: str, key: str, opener, size: int, siblings: dict | None = None,
                 path: Path | None = None):
        self.name = name          # path inside the folder or archive, with / separators
        self.key = key            # where it came from, for messages and re-import checks
        self.path = path          # the file on disk, when it is one (not an archive member)
        self._opener = opener
        self.size = size
        self.siblings = siblings if siblings is not None else {}

    def __repr__(self):
        return f"Entry({self.key!r})"

    @property
    def basename(self) -> str:
        name = PurePosixPath(self.name).name
        return name[:-3] if name.endswith(".gz") else name

    def open(self):
        """A binary stream of the (decompressed) content."""
        stream = self._opener()
        if self.name.endswith(".gz"):
            stream = gzip.GzipFile(fileobj=stream)
        return stream

    def read(self, limit: int = MAX_WHOLE_JSON_BYTES) -> bytes:
        with self.open() as stream:
            try:
                data = stream.read(limit + 1)
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise ImportFormatError(self.key, None, f"cannot be read: {exc}") from None
        if len(data) > limit:
            raise ImportFormatError(self.key, None, f"is larger than {limit >> 20} MiB, the most Stature "
                                    "reads as one document; split it or convert it to JSON lines.")
        return data

    def head(self, n: int = 4096) -> bytes:
        try:
            with self.open() as stream:
                return stream.read(n)
        except (OSError, EOFError, zipfile.BadZipFile):
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
        size = path.stat().st_size
        found = [Entry(path.name, str(path.resolve()), lambda p=path: open(p, "rb"), size, path=path.resolve())]
    siblings = {e.name: e for e in found}
    for e in found:
        e.siblings = siblings
    return sorted(found, key=lambda e: e.name)


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
            found.append(Entry(rel, str(full), lambda p=full: open(p, "rb"), full.stat().st_size, path=full))
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
        found.append(Entry(name, f"{path.resolve()}!{name}", lambda i=info: archive.open(i), info.file_size))
    return found


def _tar(path: Path) -> list[Entry]:
    found, total = [], 0
    try:
        with tarfile.open(path) as archive:
            for member in archive:
                if not member.isfile():  # links, devices, folders
                    continue
                name = _safe_member(path, member.name)
                total += member.size
                if member.size > MAX_FILE_BYTES or total > MAX_ARCHIVE_BYTES:
                    raise ImportFormatError(path, name, "is too large to read from a tar archive; "
                                            "extract the archive and import the folder.")
                data = archive.extractfile(member).read()
                found.append(Entry(name, f"{path.resolve()}!{name}", lambda d=data: io.BytesIO(d), len(data)))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ImportFormatError(path, None, f"is not a readable tar archive: {exc}") from None
    return found
