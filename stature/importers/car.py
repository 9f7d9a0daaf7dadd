"""A small, defensive reader for CAR v1 files and the DAG-CBOR blocks inside them.

A CAR file is a varint-prefixed DAG-CBOR header ``{roots, version}`` followed by
sections, each a varint length, a CID and the block's bytes. Blocks are indexed
on open and decoded only when asked for, each checked against its SHA-256 hash.

Everything is bounded by the bytes actually present: a length that runs past the
end, nesting deeper than :data:`MAX_DEPTH`, indefinite lengths, tags other than
42 (a CID link) and non-text map keys are refused with a :class:`CarError`, so a
hostile file fails fast instead of hanging or exhausting memory.
"""
from __future__ import annotations

import base64
import hashlib
import struct

MAX_DEPTH = 64          # nested arrays/maps in one block; atproto records nest a handful deep
MAX_VARINT_BYTES = 9    # 63 bits, as the multiformats spec allows
MAX_DIGEST_BYTES = 128
MAX_BLOCK_BYTES = 4 << 20  # one decoded block; atproto records and tree nodes are far smaller
MAX_CAR_BYTES = 256 << 20  # one CAR file, held in memory while it is read
DECODED_FLOOR = 64 << 20   # every file may decode this much in all; see CarFile.get
DAG_CBOR, RAW, SHA2_256, SHA2_512 = 0x71, 0x55, 0x12, 0x13
_HASHES = {SHA2_256: hashlib.sha256, SHA2_512: hashlib.sha512}


class CarError(ValueError):
    """The bytes are not a well-formed CAR file or DAG-CBOR block."""


class CID:
    """A content identifier: version, codec and multihash, kept as its binary form."""

    __slots__ = ("raw", "version", "codec", "hash_code", "digest")

    def __init__(self, raw: bytes, version: int, codec: int, hash_code: int, digest: bytes):
        self.raw, self.version, self.codec, self.hash_code, self.digest = raw, version, codec, hash_code, digest

    def __eq__(self, other):
        return isinstance(other, CID) and other.raw == self.raw

    def __hash__(self):
        return hash(self.raw)

    def __str__(self):
        if self.version == 0:
            return _base58(self.raw)
        return "b" + base64.b32encode(self.raw).decode("ascii").lower().rstrip("=")

    def __repr__(self):
        return f"CID({self})"


def read_varint(data: bytes, pos: int, end: int | None = None) -> tuple[int, int]:
    """An unsigned LEB128 varint at ``pos`` (before ``end``): (value, position after it)."""
    end = len(data) if end is None else end
    value = shift = 0
    for i in range(MAX_VARINT_BYTES):
        if pos + i >= end:
            raise CarError(f"a varint at byte {pos} is cut off by the end of the data.")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos + i + 1
        shift += 7
    raise CarError(f"a varint at byte {pos} is longer than {MAX_VARINT_BYTES} bytes.")


def read_cid(data: bytes, pos: int, end: int | None = None) -> tuple[CID, int]:
    """A binary CID at ``pos`` (v0: a bare SHA-256 multihash; v1: version, codec, multihash)."""
    end = len(data) if end is None else end
    if end - pos >= 2 and data[pos] == SHA2_256 and data[pos + 1] == 32:
        if end - pos < 34:
            raise CarError(f"a CID at byte {pos} is cut off.")
        return CID(bytes(data[pos:pos + 34]), 0, DAG_CBOR, SHA2_256, bytes(data[pos + 2:pos + 34])), pos + 34
    version, at = read_varint(data, pos, end)
    if version != 1:
        raise CarError(f"a CID at byte {pos} has version {version}; only versions 0 and 1 exist.")
    codec, at = read_varint(data, at, end)
    hash_code, at = read_varint(data, at, end)
    size, at = read_varint(data, at, end)
    if size > MAX_DIGEST_BYTES or at + size > end:
        raise CarError(f"a CID at byte {pos} has a digest of {size} bytes, past the end of its data.")
    return CID(bytes(data[pos:at + size]), 1, codec, hash_code, bytes(data[at:at + size])), at + size


def decode_dag_cbor(data: bytes):
    """One DAG-CBOR value (which must fill ``data`` exactly); CID links come back as :class:`CID`."""
    decoder = _Decoder(bytes(data))
    value = decoder.item(0)
    if decoder.pos != len(decoder.data):
        raise CarError(f"{len(decoder.data) - decoder.pos} stray bytes follow the value.")
    return value


class _Decoder:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise CarError(f"a value at byte {self.pos} claims {n} bytes, more than the {len(self.data) - self.pos} left.")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def _head(self) -> tuple[int, int, int]:
        """(major type, additional info, argument)."""
        first = self._take(1)[0]
        major, info = first >> 5, first & 0x1F
        if info < 24:
            return major, info, info
        if info in (24, 25, 26, 27):
            return major, info, int.from_bytes(self._take(1 << (info - 24)), "big")
        if info == 31:
            raise CarError(f"an indefinite-length value at byte {self.pos - 1} is not allowed in DAG-CBOR.")
        raise CarError(f"byte {self.pos - 1} holds a reserved CBOR code ({first:#04x}).")

    def _count(self, n: int, each: int) -> int:
        if n * each > len(self.data) - self.pos:
            raise CarError(f"a collection at byte {self.pos} claims {n} items, more than the data can hold.")
        return n

    def item(self, depth: int):
        if depth > MAX_DEPTH:
            raise CarError(f"values are nested more than {MAX_DEPTH} deep.")
        start = self.pos
        major, info, arg = self._head()
        if major == 0:
            return arg
        if major == 1:
            return -1 - arg
        if major == 2:
            return self._take(arg)
        if major == 3:
            try:
                return self._take(arg).decode("utf-8")
            except UnicodeDecodeError:
                raise CarError(f"the text at byte {start} is not valid UTF-8.") from None
        if major == 4:
            return [self.item(depth + 1) for _ in range(self._count(arg, 1))]
        if major == 5:
            result = {}
            for _ in range(self._count(arg, 2)):
                key = self.item(depth + 1)
                if not isinstance(key, str):
                    raise CarError(f"a map at byte {start} has a key that is not text.")
                if key in result:
                    raise CarError(f"a map at byte {start} repeats the key {key!r}.")
                result[key] = self.item(depth + 1)
            return result
        if major == 6:
            if arg != 42:
                raise CarError(f"byte {start} holds CBOR tag {arg}; DAG-CBOR allows only tag 42 (a CID).")
            raw = self.item(depth + 1)
            if not isinstance(raw, bytes) or not raw or raw[0] != 0:
                raise CarError(f"the CID link at byte {start} is not a 0x00-prefixed byte string.")
            cid, end = read_cid(raw, 1)
            if end != len(raw):
                raise CarError(f"the CID link at byte {start} has stray bytes.")
            return cid
        # major 7: simple values and floats
        if info == 20:
            return False
        if info == 21:
            return True
        if info == 22:
            return None
        if info == 25:
            return struct.unpack(">e", arg.to_bytes(2, "big"))[0]
        if info == 26:
            return struct.unpack(">f", arg.to_bytes(4, "big"))[0]
        if info == 27:
            return struct.unpack(">d", arg.to_bytes(8, "big"))[0]
        raise CarError(f"byte {start} holds the CBOR simple value {arg}, which DAG-CBOR does not allow.")


class CarFile:
    """The roots and blocks of a CAR v1 file held in memory; blocks decode on demand."""

    def __init__(self, data: bytes):
        self.data = data
        # blocks are counted each time they are decoded, so keys that all point at one big block
        # cannot make a small file decode to gigabytes
        self.decoded, self.max_decoded = 0, max(DECODED_FLOOR, 2 * len(data))
        self.roots, pos = _header(data)
        self._index: dict[CID, tuple[int, int]] = {}
        while pos < len(data):
            size, at = read_varint(data, pos)
            end = at + size
            if size == 0 or end > len(data):
                raise CarError(f"the section at byte {pos} claims {size} bytes, but the file ends "
                               f"{len(data) - at} bytes later (a truncated file?).")
            cid, block_start = read_cid(data, at, end)
            if cid.hash_code == SHA2_256 and len(cid.digest) != 32:
                raise CarError(f"the section at byte {pos} has a SHA-256 CID whose digest is not 32 bytes.")
            self._index.setdefault(cid, (block_start, end))
            pos = end

    def __len__(self):
        return len(self._index)

    def __contains__(self, cid) -> bool:
        return cid in self._index

    def block(self, cid: CID) -> bytes:
        """The raw bytes of a block, checked against its hash."""
        if not isinstance(cid, CID):
            raise CarError(f"a link should be a CID, not {type(cid).__name__}.")
        where = self._index.get(cid)
        if where is None:
            raise CarError(f"the block {cid} is not in the file.")
        raw = self.data[where[0]:where[1]]
        hasher = _HASHES.get(cid.hash_code)
        if hasher is None:
            raise CarError(f"the block {cid} is hashed with multihash code {cid.hash_code:#x}, which Stature "
                           "cannot check; only SHA-256 and SHA-512 blocks are read.")
        if hasher(raw).digest() != cid.digest:
            raise CarError(f"the block {cid} does not match its hash (a corrupted file?).")
        return raw

    def get(self, cid: CID):
        """The decoded DAG-CBOR value of a block (raw blocks come back as bytes)."""
        raw = self.block(cid)
        if cid.codec == RAW:
            return raw
        if cid.codec != DAG_CBOR:
            raise CarError(f"the block {cid} has codec {cid.codec:#x}, which is neither DAG-CBOR nor raw.")
        if len(raw) > MAX_BLOCK_BYTES:
            raise CarError(f"the block {cid} is {len(raw) >> 20} MiB; Stature decodes blocks of at most "
                           f"{MAX_BLOCK_BYTES >> 20} MiB.")
        self.decoded += len(raw)
        if self.decoded > self.max_decoded:
            raise CarError(f"its blocks, counted each time a record or tree node refers to them, add up to "
                           f"more than {self.max_decoded >> 20} MiB (many keys share one big block?); "
                           "Stature refuses it.")
        try:
            return decode_dag_cbor(raw)
        except CarError as exc:
            raise CarError(f"the block {cid} is not valid DAG-CBOR: {exc}") from None


def _header(data: bytes) -> tuple[list[CID], int]:
    size, at = read_varint(data, 0)
    if size == 0 or at + size > len(data):
        raise CarError(f"the header claims {size} bytes, but the file holds {len(data) - at} after it.")
    try:
        header = decode_dag_cbor(data[at:at + size])
    except CarError as exc:
        raise CarError(f"the header is not valid DAG-CBOR: {exc}") from None
    if not isinstance(header, dict) or "version" not in header:
        raise CarError("the header is not a CAR header {roots, version}.")
    if header["version"] != 1:
        raise CarError(f"it is a CAR version {header['version']!r} file; only version 1 is read.")
    roots = header.get("roots")
    if not isinstance(roots, list) or not roots or not all(isinstance(r, CID) for r in roots):
        raise CarError("the header names no root CIDs.")
    return roots, at + size


def looks_like_car(head: bytes) -> bool:
    """Does ``head`` (the first few KiB of a file) start with a CAR v1 header?"""
    try:
        roots, _ = _header(head)
    except CarError:
        return False
    return bool(roots)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(raw: bytes) -> str:
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out
