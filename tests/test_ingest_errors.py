"""Failures of the input or the environment are an ``Error:`` sentence with exit 1, never an internal error."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from stature import ImportFormatError, ingest

from conftest import ROOT, dataset


def _zip_archive(path, tweets: bytes | None = None, compression=zipfile.ZIP_DEFLATED):
    """The real X archive as a .zip (data/...), its tweet.js replaced by ``tweets`` when given."""
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for f in sorted(dataset("formats/x-archive").iterdir()):
            data = f.read_bytes()
            if f.name == "tweet.js" and tweets is not None:
                data = tweets
            z.writestr(f"data/{f.name}", data)
    return path


def _damage_member(path, name: str, at: float = 0.5, length: int = 64):
    """Overwrite bytes in the middle of a member's stored data."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    with open(path, "r+b") as f:
        f.seek(info.header_offset + 26)
        name_len, extra_len = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
        start = info.header_offset + 30 + name_len + extra_len
        f.seek(start + int(info.compress_size * at))
        f.write(os.urandom(length))


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])  # bad data, bad CRC
def test_corrupt_zip_member_is_an_error_and_skipped_with_skip_bad(tmp_path, cli, compression):
    archive = _zip_archive(tmp_path / "archive.zip", compression=compression)
    _damage_member(archive, "data/tweet.js")
    result = cli("ingest", archive)
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "tweet.js" in result.output and "internal error" not in result.output
    assert cli("status", "--json").exit_code == 0 and '"posts": 0' in cli("status", "--json").output

    result = cli("ingest", "--skip-bad", archive)
    assert result.exit_code == 0, result.output
    assert "failed" in result.output and "tweet.js" in result.output
    status = cli("status", "--json").output
    assert '"posts": 0' in status and '"follow": 235' in status  # the other members came in


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4])
def test_empty_or_binary_tweets_js_in_an_archive_is_an_error(tmp_path, cli, content):
    archive = _zip_archive(tmp_path / "archive.zip", tweets=content)
    result = cli("ingest", archive)
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "tweet.js" in result.output


def test_truncated_workspace_is_an_error(tmp_path, cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    size = cli.path.stat().st_size
    for fraction in (0.1, 0.02):
        damaged = tmp_path / f"cut-{fraction}.duckdb"
        shutil.copy(cli.path, damaged)
        with open(damaged, "r+b") as f:
            f.truncate(int(size * fraction))
        from click.testing import CliRunner
        from stature.cli import main
        result = CliRunner().invoke(main, ["--workspace", str(damaged), "status"])
        assert result.exit_code == 1, result.output
        assert "cannot be read" in result.output and "internal error" not in result.output


def test_damaged_workspace_is_an_error(tmp_path, cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    size = cli.path.stat().st_size
    with open(cli.path, "r+b") as f:
        f.seek(int(size * 0.2))
        f.write(b"\xa5" * int(size * 0.6))
    results = [cli("export", tmp_path / "out"), cli("ingest", dataset("formats/mastodon-archive"))]
    for result in results:
        assert result.exit_code == 1, result.output
        assert "cannot be read" in result.output and "internal error" not in result.output
        assert str(tmp_path) not in result.output


def _run(args, env=None, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "stature", *map(str, args)], env=env, **kw)


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(float(sys.argv[2]))"


@pytest.mark.slow
def test_locked_workspace_is_waited_for_then_an_error_without_path_or_pid(tmp_path):
    ws = tmp_path / "ws.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(ws), "60"], stdout=subprocess.PIPE)
    try:
        holder.stdout.readline()
        proc = _run(["-q", "-w", ws, "ingest", dataset("formats/x-archive")], env={"STATURE_LOCK_WAIT": "1"},
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 1, err
    assert "Error:" in err and "in use by another process" in err and "waited 1 s" in err
    assert "PID" not in err and str(tmp_path) not in err and str(holder.pid) not in err


@pytest.mark.slow
def test_ingest_waits_for_a_workspace_released_soon(tmp_path):
    ws = tmp_path / "ws.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(ws), "6"], stdout=subprocess.PIPE)
    holder.stdout.readline()
    proc = _run(["-q", "-w", ws, "ingest", dataset("formats/x-archive")], env={"STATURE_LOCK_WAIT": "60"},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=120)
    holder.wait()
    assert proc.returncode == 0, err
    assert "Waiting for the workspace" in err and "7 file(s) imported" in out


@pytest.mark.slow
def test_broken_pipe_is_an_error_not_a_bug(tmp_path):
    ws = tmp_path / "ws.duckdb"
    assert _run(["-q", "-w", ws, "ingest", dataset("formats/x-archive")]).wait() == 0
    assert _run(["-q", "-w", ws, "score"], stdout=subprocess.DEVNULL).wait() == 0
    for args in (["top", "--limit", "0"], ["status"]):
        proc = _run(["-w", ws, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # the reader is gone before anything is written, as `| head` is after a line
        err = proc.stderr.read().decode()
        assert proc.wait() == 1, err
        assert err.startswith("Error:") and "broken pipe" in err and "Traceback" not in err, err


def test_unreadable_file_inside_a_folder_names_it(tmp_path, workspace):
    folder = tmp_path / "x"
    shutil.copytree(dataset("formats/x-archive"), folder)
    (folder / "tweet.js").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ImportFormatError, match="tweet.js"):
        ingest(workspace, [folder])


@pytest.mark.parametrize("name, line", [
    ("tweets.jsonl", '{"id_str": "1", "full_text": "hi", "user": {"id_str": "9", "screen_name": "a"}, '
                     '"favorite_count": 1000000000000000000000000000000}'),
    ("statuses.jsonl", '{"network": "mastodon", "url": "https://m.example/api/v1/accounts/1/statuses", "status": 200, '
                       '"body": [{"id": "5", "uri": "https://m.example/users/a/statuses/5", "content": "<p>x</p>", '
                       '"favourites_count": "1e30", "account": {"id": "1", "uri": "https://m.example/users/a"}}]}'),
])
def test_a_count_too_large_for_its_column_names_the_record(tmp_path, cli, name, line):
    (tmp_path / name).write_text(line + "\n")
    result = cli("ingest", tmp_path / name)
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "line 1" in result.output and "too large" in result.output
