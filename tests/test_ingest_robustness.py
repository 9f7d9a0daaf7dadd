"""All-or-nothing imports, re-imports that change nothing, and hostile files."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from stature import ImportFormatError, Workspace, ingest

from conftest import dataset

MANIFEST = 'window.__THAR_CONFIG = {"userInfo": {"accountId": "1", "userName": "owner", "displayName": "Owner"}}'


def _archive(folder, tweets: list, extra: dict | None = None):
    """A minimal X archive folder: manifest.js plus tweet.js holding ``tweets``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.js").write_text(MANIFEST)
    (folder / "tweet.js").write_text("window.YTD.tweet.part0 = " + json.dumps([{"tweet": t} for t in tweets]))
    for name, content in (extra or {}).items():
        (folder / name).write_text(content)
    return folder


def _tweet(i: int, **fields) -> dict:
    t = {"id_str": str(1000 + i), "full_text": f"post number {i} #demo", "created_at": "Wed Feb 10 18:59:53 +0000 2021",
         "favorite_count": "1", "retweet_count": "0", "lang": "en",
         "entities": {"hashtags": [{"text": "demo"}], "user_mentions": [], "urls": []}}
    t.update(fields)
    return t


def test_reimport_changes_nothing(workspace):
    path = dataset("formats/x-archive")
    ingest(workspace, [path])
    before = workspace.status()
    report = ingest(workspace, [path])
    assert report.count("imported") == 0 and report.count("unchanged") == 7
    assert workspace.status() == before


def test_same_data_from_another_path_is_stored_once(tmp_path, workspace):
    copy = shutil.copytree(dataset("formats/x-archive"), tmp_path / "copy")
    ingest(workspace, [dataset("formats/x-archive")])
    before = {k: v for k, v in workspace.status().items() if k != "imports"}
    ingest(workspace, [copy])
    after = {k: v for k, v in workspace.status().items() if k != "imports"}
    assert after == before


def test_changed_file_replaces_what_it_brought(tmp_path, workspace):
    folder = _archive(tmp_path / "a", [_tweet(i) for i in range(5)])
    ingest(workspace, [folder])
    assert workspace.status()["posts"] == 5
    _archive(folder, [_tweet(i) for i in range(3)])
    ingest(workspace, [folder])
    assert workspace.status()["posts"] == 3


def test_bad_record_names_file_and_record_and_leaves_nothing(tmp_path, workspace):
    folder = _archive(tmp_path / "a", [_tweet(0), _tweet(1, id_str={"not": "an id"}), _tweet(2)])
    with pytest.raises(ImportFormatError) as err:
        ingest(workspace, [folder])
    assert "tweet.js" in str(err.value) and "record 2" in str(err.value)
    assert workspace.status()["posts"] == 0


def test_skip_bad_lists_bad_records_and_imports_the_rest(tmp_path, workspace):
    folder = _archive(tmp_path / "a", [_tweet(0), _tweet(1, id_str=[1, 2]), _tweet(2, entities="oops")])
    report = ingest(workspace, [folder], skip_bad=True)
    skipped = [line for f in report.files for line in f.skipped]
    assert len(skipped) == 2 and "record 2" in skipped[0] and "record 3" in skipped[1]
    assert workspace.status()["posts"] == 1


def test_deeply_nested_json_is_a_clear_error(tmp_path, cli):
    folder = tmp_path / "deep"
    folder.mkdir()
    (folder / "manifest.js").write_text(MANIFEST)
    (folder / "tweet.js").write_text("window.YTD.tweet.part0 = " + "[" * 100_000 + "]" * 100_000)
    result = cli("ingest", folder)
    assert result.exit_code == 1
    assert "tweet.js" in result.output and "not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_archive_file_is_parsed_never_evaluated(tmp_path, cli):
    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "manifest.js").write_text(MANIFEST)
    marker = tmp_path / "pwned"
    (folder / "tweet.js").write_text(
        f"window.YTD.tweet.part0 = require('fs').writeFileSync('{marker}', 'x')")
    result = cli("ingest", folder)
    assert result.exit_code == 1 and "tweet.js" in result.output
    assert not marker.exists()


def test_zip_member_escaping_the_archive_is_refused(tmp_path, workspace):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("manifest.js", MANIFEST)
        z.writestr("../../escaped.js", "window.YTD.tweet.part0 = []")
    with pytest.raises(ImportFormatError, match="leaves the archive"):
        ingest(workspace, [archive])
    assert not (tmp_path.parent / "escaped.js").exists()


def test_zip_bomb_is_refused(tmp_path, workspace):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("tweet.js", b"\0" * (64 << 20))
    with pytest.raises(ImportFormatError, match="zip bomb"):
        ingest(workspace, [archive])


def test_zip_of_an_archive_imports_like_the_folder(tmp_path, workspace):
    archive = tmp_path / "archive.zip"
    source = dataset("formats/x-archive")
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(source.iterdir()):
            z.write(f, f"data/{f.name}")
    ingest(workspace, [archive])
    s = workspace.status()
    assert (s["posts"], s["interactions"]["follow"], s["lists"]) == (58, 235, 4)


def test_unknown_single_file_asks_for_a_format(tmp_path, workspace):
    odd = tmp_path / "notes.txt"
    odd.write_text("hello there, this is not data\n")
    with pytest.raises(ImportFormatError, match="--format"):
        ingest(workspace, [odd])


def test_direct_messages_need_include_direct(tmp_path, workspace):
    dms = ('window.YTD.direct_messages.part0 = [{"dmConversation": {"conversationId": "1-2", "messages": '
           '[{"messageCreate": {"id": "77", "senderId": "1", "recipientId": "2", "text": "private", '
           '"createdAt": "2021-02-10T18:59:53.000Z"}}]}}]')
    folder = _archive(tmp_path / "a", [_tweet(0)], {"direct-messages.js": dms})
    ingest(workspace, [folder])
    assert workspace.sql("SELECT count(*) FROM posts WHERE visibility = 'direct'")[0][0] == 0
    with Workspace(tmp_path / "with-dms.duckdb") as other:
        ingest(other, [folder], include_direct=True)
        assert other.sql("SELECT text FROM posts WHERE visibility = 'direct'") == [("private",)]


@pytest.mark.slow
def test_killed_import_leaves_workspace_as_before(tmp_path):
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [dataset("formats/x-archive")])
        before = ws.status()
    big = _archive(tmp_path / "big", [_tweet(i) for i in range(1_200_000)])  # about 10 s to import
    proc = subprocess.Popen([sys.executable, "-m", "stature", "--quiet", "--workspace", str(path),
                             "ingest", str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    assert proc.poll() is None, "the import finished before it could be killed; make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Workspace(path) as ws:
        assert ws.status() == before
        # and the workspace still takes new data
        ingest(ws, [_archive(tmp_path / "small", [_tweet(i) for i in range(3)])])
        assert ws.status()["posts"] == before["posts"] + 3


def test_status_json_shape(cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    result = cli("status", "--json")
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert set(info["interactions"]) >= {"follow", "mention", "reply", "repost", "quote", "like"}
    assert info["posts"] == 58 and info["replies"] == 14 and info["lists"] == 4
    assert info["networks"]["twitter"]["posts"] == 58


def test_export_writes_every_table(tmp_path, cli):
    import duckdb

    cli("ingest", dataset("formats/x-archive"))
    for fmt in ("parquet", "csv"):
        out = tmp_path / fmt
        assert cli("export", "--format", fmt, out).exit_code == 0
        con = duckdb.connect()
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        assert con.execute(f"SELECT count(*) FROM {reader}('{out}/posts.{fmt}')").fetchone()[0] == 58
        assert con.execute(f"SELECT count(*) FROM {reader}('{out}/interactions.{fmt}')").fetchone()[0] == 315


def test_link_makes_accounts_one_person(cli):
    cli("ingest", dataset("formats/x-archive"))
    result = cli("link", "twitter:RTIatMLA", "twitter:esuelzer")
    assert result.exit_code == 0, result.output
    info = json.loads(cli("status", "--json").output)
    assert info["identities"] == 1
    assert cli("link", "twitter:nobody-here", "twitter:RTIatMLA").exit_code == 1


def test_missing_workspace_is_a_clear_error(tmp_path):
    from click.testing import CliRunner
    from stature.cli import main

    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "none.duckdb"), "status"])
    assert result.exit_code == 1 and "no workspace" in result.output


def test_corrupt_workspace_is_a_clear_error(tmp_path):
    from click.testing import CliRunner
    from stature.cli import main

    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(main, ["--workspace", str(bad), "status"])
    assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


def _snapshot(path):
    """Everything an import writes, as comparable values."""
    with Workspace(path) as ws:
        tables = {t: ws.sql(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}")
                  for t in ("accounts", "posts", "interactions", "list_memberships")}
        status = {k: v for k, v in ws.status().items() if k != "workspace"}
        return status, tables, ws.sql("SELECT import_id, path, sha256, options FROM imports ORDER BY 1")


@pytest.mark.slow
def test_a_kill_at_any_point_of_a_reimport_leaves_the_workspace_as_it_was(tmp_path):
    base = tmp_path / "base.duckdb"
    big = _archive(tmp_path / "big", [_tweet(i) for i in range(60_000)])
    other = _archive(tmp_path / "other", [_tweet(i) for i in range(25_000, 30_000)])
    with Workspace(base) as ws:
        ingest(ws, [big, other])
    before = _snapshot(base)
    _archive(big, [_tweet(i) for i in range(20_000, 85_000)])  # changed: a re-import replaces it
    done = tmp_path / "done.duckdb"
    shutil.copy(base, done)
    command = [sys.executable, "-m", "stature", "--quiet", "--workspace"]
    started = time.monotonic()
    assert subprocess.run(command + [str(done), "ingest", str(big)], capture_output=True).returncode == 0
    took = time.monotonic() - started
    after = _snapshot(done)
    assert after != before
    as_before = 0
    for fraction in (0.15, 0.3, 0.45, 0.6, 0.75, 0.9):
        target = tmp_path / f"killed-{fraction}.duckdb"
        shutil.copy(base, target)
        proc = subprocess.Popen(command + [str(target), "ingest", str(big)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(took * fraction)
        alive = proc.poll() is None
        proc.kill()   # SIGKILL; nothing to do when it already ended
        proc.wait()
        state = _snapshot(target)
        assert state in (before, after), f"a kill at {fraction:.0%} of the re-import left a mix"
        if alive and state == before:
            as_before += 1
    assert as_before >= 3, "too few kills landed inside the re-import; make the files bigger"


def test_ingest_leaves_the_cycle_collector_as_it_found_it(workspace):
    import gc

    assert gc.isenabled()
    ingest(workspace, [dataset("formats/x-archive")])
    assert gc.isenabled()
    with pytest.raises(ImportFormatError):
        ingest(workspace, [dataset("formats/x-archive/README.txt")])
    assert gc.isenabled()
    gc.disable()
    try:
        ingest(workspace, [dataset("formats/mastodon-archive")])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_ingest_leaves_no_cycles_behind(tmp_path, workspace):
    """The collector is paused during an ingest: records, rejected lines included, must not form cycles."""
    import gc

    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join('{"id_str": "%d", "full_text": "x", "user": {"id_str": "9"}, "favorite_count": "a"}\n{bad\n'
                           % i for i in range(2000)))
    ingest(workspace, [dataset("formats/x-archive")])  # what a first ingest sets up once
    gc.collect()
    gc.disable()
    try:
        report = ingest(workspace, [dataset("formats/mastodon-archive"), dataset("formats/bluesky-repo/repo.car"),
                                    dataset("formats/twitter-api-v2/brexit.jsonl"),
                                    dataset("formats/twitter-api-v1/get_mentions.json"), bad], skip_bad=True)
        assert sum(len(f.skipped) for f in report.files) == 4000
        assert gc.collect() < 100
    finally:
        gc.enable()
