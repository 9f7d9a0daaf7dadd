import pytest

from stature import ingest

from conftest import dataset


def test_x_archive_counts(workspace):
    ingest(workspace, [dataset("formats/x-archive")])
    s = workspace.status()
    assert s["posts"] == 58
    assert s["replies"] == 14
    assert s["interactions"]["repost"] == 12
    assert s["interactions"]["follow"] == 235
    assert s["interactions"]["like"] == 29
    # a retweet's mentions belong to the retweeted post, so only the owner's own 25 count
    assert s["interactions"]["mention"] == 25
    assert s["lists"] == 4


def test_x_archive_owner_comes_from_manifest(workspace):
    ingest(workspace, [dataset("formats/x-archive")])
    handle, name, bio = workspace.sql(
        "SELECT handle, display_name, bio FROM accounts WHERE account_id = '1321902678188974081'")[0]
    assert handle == "RTIatMLA"
    assert name.startswith("Research Training Institute")
    assert "Medical Library Association" in bio
    followers = workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'follow' "
                              "AND target_id = '1321902678188974081'")[0][0]
    assert followers == 111


def test_x_archive_file_without_owner_is_rejected(tmp_path, workspace):
    import pytest
    from stature import ImportFormatError

    lone = tmp_path / "follower.js"
    lone.write_bytes((dataset("formats/x-archive") / "follower.js").read_bytes())
    with pytest.raises(ImportFormatError, match="manifest.js"):
        ingest(workspace, [lone])
    assert workspace.status()["interactions"]["follow"] == 0


def test_big_archive_files_are_streamed_with_the_same_records(tmp_path, monkeypatch):
    from stature import Workspace, ingest
    from stature.importers import base

    with Workspace(tmp_path / "whole.duckdb") as ws:
        ingest(ws, [dataset("formats/x-archive")])
        whole = {k: v for k, v in ws.status().items() if k != "workspace"}
        posts = ws.sql("SELECT post_id, text, mentions FROM posts ORDER BY post_id")
    monkeypatch.setattr(base, "STREAM_ABOVE_BYTES", 0)  # every file read an element at a time
    with Workspace(tmp_path / "streamed.duckdb") as ws:
        ingest(ws, [dataset("formats/x-archive")])
        assert {k: v for k, v in ws.status().items() if k != "workspace"} == whole
        assert ws.sql("SELECT post_id, text, mentions FROM posts ORDER BY post_id") == posts


def test_a_streamed_file_names_its_bad_record(tmp_path, monkeypatch):
    from stature import ImportFormatError, Workspace, ingest
    from stature.importers import base

    monkeypatch.setattr(base, "STREAM_ABOVE_BYTES", 0)
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "manifest.js").write_text('window.__THAR_CONFIG = {"userInfo": {"accountId": "1"}}')
    (folder / "tweet.js").write_text('window.YTD.tweet.part0 = [{"tweet": {"id_str": "5", "full_text": "a"}},'
                                     ' {"tweet": {"id_str": {"x": 1}}}]')
    with Workspace(tmp_path / "w.duckdb") as ws, pytest.raises(ImportFormatError, match="tweet.js, record 2"):
        ingest(ws, [folder])
    (folder / "tweet.js").write_text('window.YTD.tweet.part0 = [{"tweet": {"id_str": "5", "full_text": "a"}}, {"tw')
    with Workspace(tmp_path / "w.duckdb") as ws, pytest.raises(ImportFormatError, match="not valid JSON"):
        ingest(ws, [folder])
