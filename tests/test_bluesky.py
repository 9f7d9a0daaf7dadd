import hashlib
import json
import random
import struct

import pytest

from stature import ImportFormatError, ingest
from stature.importers import Context, entries
from stature.importers.bluesky import IMPORTER, did_of
from stature.importers.car import CID, CarError, CarFile, decode_dag_cbor, read_cid

from conftest import dataset

REPO = "formats/bluesky-repo/repo.car"
OWNER = "did:plc:rbkeag6b36ghkibhr6x235pm"


# --- a minimal DAG-CBOR encoder: the slow, obvious reference the decoder is checked against ---

def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def encode(value) -> bytes:
    if value is None:
        return b"\xf6"
    if value is True or value is False:
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        return _head(3, len(value.encode())) + value.encode()
    if isinstance(value, CID):
        return b"\xd8\x2a" + encode(b"\x00" + value.raw)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(map(encode, value))
    keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))  # DAG-CBOR's canonical key order
    return _head(5, len(value)) + b"".join(encode(k) + encode(value[k]) for k in keys)


def _varint(n: int) -> bytes:
    out = b""
    while True:
        out += bytes([n & 0x7F | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


def cid_of(block: bytes) -> CID:
    return read_cid(b"\x01\x71\x12\x20" + hashlib.sha256(block).digest(), 0)[0]


def car(root: CID, blocks: list[tuple[CID, bytes]]) -> bytes:
    header = encode({"roots": [root], "version": 1})
    return _varint(len(header)) + header + b"".join(
        _varint(len(c.raw) + len(b)) + c.raw + b for c, b in blocks)


def _read(path):
    """Import without a database: the records, or the ImportFormatError."""
    entry = entries(path)[0]
    ctx = Context()
    ctx.entry = entry
    return list(IMPORTER.read(entry, ctx))


# --- the real export ---

def test_bluesky_repo_counts(workspace):
    report = ingest(workspace, [dataset(REPO)])
    assert [f.format for f in report.files] == ["bluesky"]
    s = workspace.status()
    assert s["posts"] == 13
    assert s["replies"] == 4
    assert s["interactions"]["like"] == 39
    assert s["interactions"]["follow"] == 22
    assert s["interactions"]["repost"] == 1
    assert s["interactions"]["block"] == 2
    assert s["lists"] == 1
    assert set(s["networks"]) == {"bluesky"}
    # every like, repost, follow and block is the owner's, aimed at a DID
    assert workspace.sql("SELECT DISTINCT source_id FROM interactions "
                         "WHERE kind IN ('like', 'repost', 'follow', 'block')") == [(OWNER,)]
    assert workspace.sql("SELECT count(*) FROM interactions WHERE target_id NOT LIKE 'did:%'") == [(0,)]


def test_profile_becomes_the_owner_account(workspace):
    ingest(workspace, [dataset(REPO)])
    bio, created = workspace.sql("SELECT bio, created_at::DATE::VARCHAR FROM accounts WHERE account_id = ?",
                                 [OWNER])[0]
    assert bio.startswith("🇵🇱 miejsce na mój myślotok")
    assert bio.endswith("https://github.com/aazsamir/")
    assert created == "2024-11-25"


def test_posts_carry_replies_facets_and_languages(workspace):
    ingest(workspace, [dataset(REPO)])
    post = f"at://{OWNER}/app.bsky.feed.post/"
    reply_to, reply_account, quote, tags, links, lang = workspace.sql(
        "SELECT reply_to_post_id, reply_to_account_id, quote_of_post_id, hashtags, links, lang "
        "FROM posts WHERE post_id = ?", [post + "3m3kwb37mss23"])[0]
    assert reply_to == post + "3m3kw6jvyuc23"  # a thread of the owner's own posts
    assert reply_account == OWNER
    assert quote is None  # it embeds a feed generator, which is not a post
    assert tags == ["libphpsky"]
    assert links == ["https://bsky.app/profile/samorollo.bsky.social/feed/libphpsky-feed"]
    assert lang == "en"
    tags, links = workspace.sql("SELECT hashtags, links FROM posts WHERE post_id = ?", [post + "3m3kw6jvyuc23"])[0]
    assert tags == ["libphpsky", "php", "atproto"]
    assert links == ["https://github.com/aazsamir/libphpsky"]
    replies = dict(workspace.sql("SELECT reply_to_account_id, count(*) FROM posts "
                                 "WHERE reply_to_post_id IS NOT NULL GROUP BY 1"))
    assert replies == {"did:plc:oio4hkxaop4ao4wz2pp3f4cr": 2, "did:plc:ec5rvyvs72wkb3nrmsoyynwv": 1, OWNER: 1}


def test_likes_and_reposts_name_the_post_and_its_author(workspace):
    ingest(workspace, [dataset(REPO)])
    repost = workspace.sql("SELECT target_id, post_id, time::VARCHAR FROM interactions WHERE kind = 'repost'")
    assert repost == [("did:plc:parnunr7llcra6mdbzxzzzz3",
                       "at://did:plc:parnunr7llcra6mdbzxzzzz3/app.bsky.feed.post/3lkrakj3fts2c",
                       "2025-03-20 07:15:35.664")]
    likes = workspace.sql("SELECT target_id, post_id FROM interactions WHERE kind = 'like'")
    assert all(post.startswith(f"at://{target}/") for target, post in likes)


def test_list_item_is_named_from_the_list_record(workspace):
    ingest(workspace, [dataset(REPO)])
    assert workspace.sql("SELECT list_id, member_id, list_name, owner_id FROM list_memberships") == [
        (f"at://{OWNER}/app.bsky.graph.list/3lgq27b2o7z27", "did:plc:sahrzigq533rgk2z5cypvtmf", "Trolle", OWNER)]


def test_reimport_changes_nothing(workspace):
    ingest(workspace, [dataset(REPO)])
    before = workspace.status()
    again = ingest(workspace, [dataset(REPO)])
    assert [f.status for f in again.files] == ["unchanged"]
    assert workspace.status() == before


def test_did_of_reads_only_dids():
    assert did_of("at://did:plc:abc/app.bsky.feed.post/1") == "did:plc:abc"
    assert did_of("at://someone.bsky.social/app.bsky.feed.post/1") is None
    assert did_of(None) is None


# --- the decoder, checked against the published decoded form and a reference encoder ---

def _as_json(value):
    """A decoded value in repo.json's notation: CIDs as text, integers as strings, bytes as lossy UTF-8."""
    if isinstance(value, CID):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "ignore")
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def test_decoder_agrees_with_the_published_decoded_repo():
    expected = json.loads((dataset("formats/bluesky-repo") / "repo.json").read_text())
    archive = CarFile(dataset(REPO).read_bytes())
    assert [str(r) for r in archive.roots] == expected["header"]["roots"]
    assert len(archive) == len(expected["blocks"]) == 117
    for key, block in expected["blocks"].items():
        cid = next(c for c in archive._index if str(c) == key)
        assert _as_json(archive.get(cid)) == block, key


def test_decoded_blocks_encode_back_to_the_same_bytes():
    archive = CarFile(dataset(REPO).read_bytes())
    for cid in archive._index:
        raw = archive.block(cid)
        assert encode(decode_dag_cbor(raw)) == raw
        assert cid_of(raw) == cid


def test_decoder_reads_every_cbor_major_type():
    value = {"n": 0, "big": 2**63 - 1, "neg": -(2**40), "f": 1.5, "b": b"\x00\xff", "t": "zażółć",
             "l": [True, False, None, [], {}], "link": cid_of(b"\xa0")}
    assert decode_dag_cbor(encode(value)) == value
    assert decode_dag_cbor(b"\xf9\x3e\x00") == 1.5  # half and single floats, though DAG-CBOR writes doubles
    assert decode_dag_cbor(b"\xfa\x3f\xc0\x00\x00") == 1.5


# --- hostile and damaged input ---

@pytest.mark.parametrize("data, message", [
    (b"\x81" * 100 + b"\x00", "nested more than"),
    (b"\x9b\x0f\xff\xff\xff\xff\xff\xff\xff", "claims"),                  # an array of 2**60 items
    (b"\x5b\x0f\xff\xff\xff\xff\xff\xff\xff", "claims"),                  # a byte string of 2**60 bytes
    (b"\xbb\x0f\xff\xff\xff\xff\xff\xff\xff", "claims"),                  # a map of 2**60 pairs
    (b"\x9f\x00\xff", "indefinite-length"),
    (b"\xc1\x00", "tag 1"),
    (b"\xd8\x2a\x41\x01", "0x00-prefixed"),
    (b"\xa1\x00\x00", "not text"),
    (b"\xa2\x61a\x00\x61a\x01", "repeats the key"),
    (b"\x62\xff\xfe", "UTF-8"),
    (b"\xf7", "simple value"),
    (b"\x1c", "reserved"),
    (b"\x00\x00", "stray bytes"),
    (b"", "claims 1 bytes"),
])
def test_hostile_cbor_is_refused(data, message):
    with pytest.raises(CarError, match=message):
        decode_dag_cbor(data)


@pytest.mark.parametrize("cut", [1, 10, 59, 60, 200, 16_000, 32_250])
def test_truncated_copy_is_rejected_naming_the_file(tmp_path, workspace, cut):
    broken = tmp_path / "repo.car"
    broken.write_bytes(dataset(REPO).read_bytes()[:cut])
    with pytest.raises(ImportFormatError) as raised:
        ingest(workspace, [broken])
    assert str(broken) in str(raised.value)
    assert "Bluesky repository" in str(raised.value) or "block" in str(raised.value)
    assert workspace.status()["posts"] == 0
    assert workspace.status()["interactions"]["like"] == 0


def test_corrupted_record_is_rejected_naming_file_and_record(tmp_path, workspace):
    data = bytearray(dataset(REPO).read_bytes())
    at = data.find(b"Trolle")  # the list's name, inside its record block
    data[at] = ord("X")
    broken = tmp_path / "repo.car"
    broken.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError, match=r"repo\.car, record app\.bsky\.graph\.list/3lgq27b2o7z27: "
                                                r"the block \w+ does not match its hash"):
        ingest(workspace, [broken])
    assert workspace.status()["lists"] == 0


def test_corrupted_record_is_skipped_with_skip_bad(tmp_path, workspace):
    data = bytearray(dataset(REPO).read_bytes())
    data[data.find(b"Trolle")] = ord("X")
    broken = tmp_path / "repo.car"
    broken.write_bytes(bytes(data))
    report = ingest(workspace, [broken], skip_bad=True)
    assert len(report.files[0].skipped) == 1
    assert workspace.status()["posts"] == 13
    assert workspace.sql("SELECT list_name FROM list_memberships") == [(None,)]  # the list record was lost


def test_shared_or_cyclic_tree_is_refused(tmp_path):
    record = encode({"$type": "app.bsky.graph.follow", "subject": "did:plc:x", "createdAt": "2024-01-01T00:00:00Z"})
    leaf = encode({"l": None, "e": [{"p": 0, "k": b"app.bsky.graph.follow/1", "v": cid_of(record), "t": None}]})
    # a node whose left and right branches are the same node
    node = encode({"l": cid_of(leaf), "e": [{"p": 0, "k": b"app.bsky.graph.follow/2", "v": cid_of(record),
                                             "t": cid_of(leaf)}]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    blocks = [(cid_of(b), b) for b in (commit, node, leaf, record)]
    path = tmp_path / "shared.car"
    path.write_bytes(car(cid_of(commit), blocks))
    with pytest.raises(ImportFormatError, match="reached twice"):
        _read(path)
    # a node linking to itself: possible only with a hash the reader cannot check, so it is refused
    fake = read_cid(b"\x01\x71\x1e\x20" + b"\x01" * 32, 0)[0]
    loop = encode({"l": fake, "e": []})
    commit = encode({"did": "did:plc:me", "version": 3, "data": fake, "rev": "x", "prev": None})
    path.write_bytes(car(cid_of(commit), [(cid_of(commit), commit), (fake, loop)]))
    with pytest.raises(ImportFormatError, match="cannot check"):
        _read(path)


@pytest.mark.parametrize("code, digest, ok", [
    (0x13, lambda b: hashlib.sha512(b).digest(), True),          # SHA-512: checked, read
    (0x13, lambda b: b"\x00" * 64, False),                       # SHA-512 that does not match
    (0xb220, lambda b: hashlib.blake2b(b, digest_size=32).digest(), False),  # BLAKE2b: not checked, refused
    (0x00, lambda b: b, False),                                  # "identity": no hash at all
])
def test_blocks_are_read_only_when_their_hash_is_checked(tmp_path, code, digest, ok):
    record = encode({"$type": "app.bsky.graph.follow", "subject": "did:plc:x", "createdAt": "2024-01-01T00:00:00Z"})
    d = digest(record)
    cid = read_cid(b"\x01\x71" + _varint(code) + _varint(len(d)) + d, 0)[0]
    node = encode({"l": None, "e": [{"p": 0, "k": b"app.bsky.graph.follow/1", "v": cid, "t": None}]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "hashes.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(commit), commit), (cid_of(node), node), (cid, record)]))
    if ok:
        assert [r.target_id for r in _read(path) if getattr(r, "kind", None) == "follow"] == ["did:plc:x"]
    else:
        with pytest.raises(ImportFormatError, match="cannot check|does not match"):
            _read(path)


def test_keys_sharing_one_big_block_are_refused(tmp_path, workspace):
    big = encode({"$type": "app.bsky.feed.like", "subject": {"uri": "at://did:plc:x/app.bsky.feed.post/1"},
                  "padding": b"x" * (3 << 20), "createdAt": "2024-01-01T00:00:00Z"})
    node = encode({"l": None, "e": [{"p": 0, "k": f"app.bsky.feed.like/{i:04}".encode(), "v": cid_of(big),
                                     "t": None} for i in range(40)]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "shared-blocks.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, big)]))
    with pytest.raises(ImportFormatError, match="share one big block"):
        ingest(workspace, [path])
    report = ingest(workspace, [path], skip_bad=True)  # the whole file fails, not record after record
    assert report.files[0].status == "failed" and "share one big block" in report.files[0].error
    assert workspace.status()["interactions"]["like"] == 0


def test_a_small_valid_repo_reads(tmp_path):
    record = encode({"$type": "app.bsky.graph.block", "subject": "did:plc:x", "createdAt": "2024-01-01T00:00:00Z"})
    node = encode({"l": None, "e": [{"p": 0, "k": b"app.bsky.graph.block/1", "v": cid_of(record), "t": None},
                                    {"p": 21, "k": b"2", "v": cid_of(record), "t": None}]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "small.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, record)]))
    records = _read(path)
    blocks = [r for r in records if getattr(r, "kind", None) == "block"]
    assert [(b.source_id, b.target_id) for b in blocks] == [("did:plc:me", "did:plc:x")] * 2


def _repo_with(tmp_path, key: bytes, record: dict):
    block = encode(record)
    node = encode({"l": None, "e": [{"p": 0, "k": key, "v": cid_of(block), "t": None}]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "one.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, block)]))
    return path


@pytest.mark.parametrize("key, record, message", [
    (b"app.bsky.feed.post/1", {"$type": "app.bsky.feed.post", "text": ["not", "text"]}, "wrong type"),
    (b"app.bsky.feed.post/1", {"$type": "app.bsky.feed.post", "text": "hi", "facets": {"a": 1}}, "wrong type"),
    (b"app.bsky.feed.post/1", {"$type": "app.bsky.feed.post", "text": "hi", "reply": {"parent": 5}}, "wrong type"),
    (b"app.bsky.feed.like/1", {"$type": "app.bsky.feed.like", "subject": "at://did:plc:x/p/1"}, "wrong type"),
    (b"app.bsky.feed.like/1", {"$type": "app.bsky.feed.like"}, "'subject' is missing"),
    (b"app.bsky.graph.follow/1", {"$type": "app.bsky.graph.follow", "subject": "bob"}, "not a DID"),
    (b"app.bsky.graph.follow/1", {"$type": "app.bsky.graph.follow", "subject": 7}, "not a DID"),
    (b"nokey", {"$type": "app.bsky.graph.follow", "subject": "did:plc:x"}, "collection/rkey"),
])
def test_a_malformed_record_is_named(tmp_path, key, record, message):
    with pytest.raises(ImportFormatError, match=rf"one\.car, record {key.decode()}: .*{message}"):
        _read(_repo_with(tmp_path, key, record))


def test_damaged_blocks_never_crash_the_decoder():
    archive = CarFile(dataset(REPO).read_bytes())
    blocks = [archive.block(cid) for cid in archive._index]
    rng = random.Random(7)
    refused = 0
    for _ in range(3000):
        data = bytearray(rng.choice(blocks))
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            decode_dag_cbor(bytes(data))
        except CarError:
            refused += 1
    assert refused > 1000


def test_bad_tree_key_prefix_is_refused(tmp_path):
    record = encode({"$type": "app.bsky.graph.block", "subject": "did:plc:x"})
    node = encode({"l": None, "e": [{"p": 99, "k": b"x", "v": cid_of(record), "t": None}]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "bad.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, record)]))
    with pytest.raises(ImportFormatError, match=r"bad\.car: .*key \(p, k\) is not valid"):
        _read(path)


def test_absurd_section_length_is_refused(tmp_path):
    data = dataset(REPO).read_bytes()
    header_end = 1 + data[0]
    path = tmp_path / "repo.car"
    path.write_bytes(data[:header_end] + b"\xff\xff\xff\xff\xff\xff\xff\xff\x7f" + data[header_end + 2:])
    with pytest.raises(ImportFormatError, match="truncated file"):
        _read(path)


def test_damaged_copies_never_crash(tmp_path):
    """Random byte flips, cuts and insertions: each copy reads or fails with an ImportFormatError."""
    original = dataset(REPO).read_bytes()
    rng = random.Random(20240501)
    path = tmp_path / "repo.car"
    outcomes = {"read": 0, "refused": 0}
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(data))
            action = rng.random()
            if action < 0.6:
                data[at] = rng.randrange(256)
            elif action < 0.8:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 9)))
            else:
                del data[at:at + rng.randint(1, 50)]
        path.write_bytes(bytes(data))
        try:
            _read(path)
            outcomes["read"] += 1
        except ImportFormatError as exc:
            assert str(path) in str(exc)
            outcomes["refused"] += 1
    assert outcomes["refused"] > 250
