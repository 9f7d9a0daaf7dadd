"""Small hostile files cannot bring an ingest down: each is refused with an Error naming the file,
in a process whose peak memory stays under 1 GB (measured here), and the workspace is left as it was."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tarfile

import pytest

from stature import Workspace, ingest

from conftest import ROOT, dataset
from test_bluesky import car, cid_of, encode

GB_KIB = 1 << 20  # ru_maxrss is in KiB
TWEET = {"id_str": "1", "created_at": "Wed Feb 10 18:59:53 +0000 2021", "text": "hello",
         "user": {"id_str": "2", "screen_name": "someone", "followers_count": 1},
         "entities": {"hashtags": [], "user_mentions": [], "urls": []}}

pytestmark = pytest.mark.slow


@pytest.fixture
def stored(tmp_path):
    """A workspace holding the real X archive, and what it holds."""
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [dataset("formats/x-archive")])
        before = ws.status(), ws.sql("SELECT * FROM imports ORDER BY import_id")
    return path, before


def _measured(workspace, *args) -> tuple[int, str, int]:
    """(exit code, stdout + stderr, peak RSS in KiB) of ``stature -w WORKSPACE ingest ARGS``, in its own
    process."""
    out_path = workspace.with_suffix(".out")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "stature", "-q", "-w", str(workspace), "ingest",
                                 *map(str, args)], stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out_path.read_text(), usage.ru_maxrss


def _refused(stored, path, *words, args=()):
    """Refused: ``Error:`` and exit 1, or with --skip-bad the file listed as failed and nothing kept."""
    workspace, before = stored
    code, err, peak = _measured(workspace, path, *args)
    if "--skip-bad" in args:
        assert code == 0 and "failed" in err and "1 failed" in err, err
    else:
        assert code == 1, err
        assert err.startswith("Error:"), err
    assert path.name in err and "internal error" not in err, err
    for word in words:
        assert word in err, err
    print(f"{path.name}: refused, peak memory {peak >> 10} MiB")
    assert peak < GB_KIB, f"peak memory {peak >> 10} MiB"
    with Workspace(workspace) as ws:
        assert (ws.status(), ws.sql("SELECT * FROM imports ORDER BY import_id")) == before
    return err


def _gzip_repeated(unit: bytes, times: int) -> bytes:
    """A gzip file of ``unit`` repeated: one member compressed once, concatenated (valid gzip)."""
    member = gzip.compress(unit, compresslevel=9)
    return member * times


def test_gzip_bomb_is_refused(tmp_path, stored):
    line = (json.dumps({**TWEET, "padding": "x" * 20_000}) + "\n").encode()
    bomb = tmp_path / "tweets.jsonl.gz"
    bomb.write_bytes(_gzip_repeated(line * 500, 100))  # 1 GB of JSON lines in about 1 MB
    assert bomb.stat().st_size < 2 << 20
    _refused(stored, bomb, "gzip bomb")


def test_tar_bomb_is_refused(tmp_path, stored):
    def member(name: str, data: bytes) -> bytes:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        return info.tobuf(format=tarfile.GNU_FORMAT) + data + b"\0" * (-len(data) % 512)

    unit = member("data/tweets.jsonl", (json.dumps(TWEET) + "\n").encode() * 2 + b" " * (4 << 20))
    bomb = tmp_path / "bomb.tar.gz"
    bomb.write_bytes(_gzip_repeated(unit, 1500) + gzip.compress(b"\0" * 1024))  # 6 GB of members
    assert bomb.stat().st_size < 10 << 20
    _refused(stored, bomb, "tar bomb")


def test_one_huge_tar_member_is_refused_before_it_is_read(tmp_path, stored):
    info = tarfile.TarInfo("tweets.jsonl")
    info.size = 6 << 30  # claimed, never stored
    bomb = tmp_path / "claims.tar"
    bomb.write_bytes(info.tobuf(format=tarfile.GNU_FORMAT) + b"{}" + b"\0" * 510 + b"\0" * 1024)
    _refused(stored, bomb, "tar")


def test_huge_line_is_refused_as_it_grows(tmp_path, stored):
    path = tmp_path / "tweets.jsonl"
    with open(path, "wb") as f:
        f.write((json.dumps(TWEET) + "\n").encode())
        f.write(b'{"id_str": "3", "text": "')
        chunk = b"y" * (1 << 20)
        for _ in range(80):  # an 80 MiB line
            f.write(chunk)
        f.write(b'"}\n')
    err = _refused(stored, path, "line 2", "longer than")
    assert "MiB" in err


def test_huge_compressed_line_is_refused(tmp_path, stored):
    head = json.dumps(TWEET)[:-1].encode() + b', "more": "'
    path = tmp_path / "tweets.jsonl.gz"
    path.write_bytes(gzip.compress(head) + _gzip_repeated(b"z" * (16 << 20), 64))  # a 1 GiB line
    _refused(stored, path)


def test_huge_text_field_in_a_small_gzip_is_refused(tmp_path, stored):
    start = json.dumps(TWEET).encode()
    start = start[:start.index(b'"hello"')] + b'"'
    path = tmp_path / "tweet.json.gz"
    data = gzip.compress(start) + _gzip_repeated(b"t" * (16 << 20), 64) + gzip.compress(b'"}}')  # 1 GiB text
    path.write_bytes(data)
    assert path.stat().st_size < 2 << 20
    _refused(stored, path)


def test_long_text_field_is_refused_naming_the_post(tmp_path, stored):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({**TWEET, "id_str": "99", "text": "w" * (3 << 20)}) + "\n")
    _refused(stored, path, "99", "characters")


def test_car_whose_keys_share_one_big_block_is_refused(tmp_path, stored):
    big = encode({"$type": "app.bsky.feed.like", "subject": {"uri": "at://did:plc:x/app.bsky.feed.post/1"},
                  "padding": b"p" * ((4 << 20) - 200), "createdAt": "2024-01-01T00:00:00Z"})
    node = encode({"l": None, "e": [{"p": 0, "k": f"app.bsky.feed.like/{i:04}".encode(), "v": cid_of(big), "t": None}
                                    for i in range(300)]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = tmp_path / "repo.car"
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, big)]))
    assert path.stat().st_size < 5 << 20
    _refused(stored, path, "share one big block")
    _refused(stored, path, "share one big block", args=["--skip-bad"])


def test_zip_bomb_member_is_refused(tmp_path, stored):
    import zipfile
    bomb = tmp_path / "archive.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("data/tweets.jsonl", "w") as member:  # written in pieces: this process stays small
            for _ in range(512):
                member.write(b" " * (1 << 20))
    _refused(stored, bomb, "zip bomb")


def test_gzip_bomb_inside_a_zip_is_refused(tmp_path, stored):
    import zipfile
    line = (json.dumps({**TWEET, "padding": "x" * 20_000}) + "\n").encode()
    archive = tmp_path / "nested.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("data/tweets.jsonl.gz", _gzip_repeated(line * 500, 100))
    _refused(stored, archive, "gzip bomb", "tweets.jsonl.gz")


def test_duckdb_gets_little_memory_for_small_or_compressed_files_and_more_for_big_ones(monkeypatch):
    from types import SimpleNamespace

    from stature.ingest import memory_limit, memory_most

    def entry(name, size):
        return SimpleNamespace(name=name, size=size, path=name), object()

    monkeypatch.delenv("STATURE_INGEST_MEMORY", raising=False)
    assert memory_limit([entry("bomb.jsonl.gz", 1 << 30)]) == "512MB"   # compressed: read in Python, bounded
    assert memory_limit([entry("small.jsonl", 1 << 20)]) == "512MB"
    assert memory_limit([entry("posts.csv", 150 << 20)]) == "1200MB"
    assert memory_limit([entry("huge.jsonl", 5 << 30)]) == f"{memory_most() >> 20}MB"  # a quarter of the machine's
    assert memory_most() >= 2 << 30
    monkeypatch.setenv("STATURE_INGEST_MEMORY", "3GB")
    assert memory_limit([entry("small.jsonl", 1 << 20)]) == "3GB"
