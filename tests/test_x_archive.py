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
