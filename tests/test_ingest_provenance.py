"""Provenance: a record two files bring belongs to both; replacing one file's import keeps what another
still brings; options that change what a file yields make a re-import."""
from __future__ import annotations

import json
import re

import pytest

from stature import ingest

from test_bluesky import car, cid_of, encode

TIME = "Wed Feb 10 18:59:53 +0000 2021"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# post i has an id ending in 900i and mentions the account whose id ends in 800i


def _v1(path, posts):
    lines = [{"id_str": f"900{i}", "created_at": TIME, "text": f"post {i} @m800{i}",
              "user": {"id_str": "7000", "screen_name": "author", "followers_count": 3},
              "entities": {"user_mentions": [{"id_str": f"800{i}", "screen_name": f"m800{i}"}],
                           "hashtags": [], "urls": []}} for i in posts]
    path = path.with_suffix(".jsonl")
    path.write_text("".join(json.dumps(t) + "\n" for t in lines))
    return path


def _v2(path, posts):
    page = {"data": [{"id": f"900{i}", "author_id": "7000", "text": f"post {i} @m800{i}",
                      "created_at": "2021-02-10T18:59:53.000Z",
                      "entities": {"mentions": [{"id": f"800{i}", "username": f"m800{i}"}]}} for i in posts],
            "includes": {"users": [{"id": "7000", "username": "author", "name": "A"}]}}
    path = path.with_suffix(".jsonl")
    path.write_text(json.dumps(page) + "\n")
    return path


def _csv(path, posts):
    path = path.with_suffix(".csv")
    path.write_text("post_id,account_id,handle,text\n" + "".join(f"900{i},u800{i},user{i},post {i}\n" for i in posts))
    return path


def _x_archive(path, posts):
    path.mkdir(exist_ok=True)
    (path / "manifest.js").write_text('window.__THAR_CONFIG = {"userInfo": {"accountId": "7000", '
                                      '"userName": "owner", "displayName": "Owner"}}')
    tweets = [{"tweet": {"id_str": f"900{i}", "full_text": f"post {i} @m800{i}", "created_at": TIME,
                         "entities": {"user_mentions": [{"id_str": f"800{i}", "screen_name": f"m800{i}"}],
                                      "hashtags": [], "urls": []}}} for i in posts]
    (path / "tweet.js").write_text("window.YTD.tweet.part0 = " + json.dumps(tweets))
    return path


def _mastodon(path, posts):
    path.mkdir(exist_ok=True)
    me = "https://ex.social/users/me"
    (path / "actor.json").write_text(json.dumps({"@context": "https://www.w3.org/ns/activitystreams", "id": me,
                                                 "type": "Person", "preferredUsername": "me",
                                                 "followers": me + "/followers"}))
    items = [{"type": "Create", "actor": me, "to": [PUBLIC], "published": "2021-02-10T18:59:53Z",
              "object": {"id": f"{me}/statuses/900{i}", "type": "Note", "content": f"<p>post {i}</p>",
                         "published": "2021-02-10T18:59:53Z",
                         "tag": [{"type": "Mention", "href": f"https://other.social/users/m800{i}",
                                  "name": f"@m800{i}"}]}} for i in posts]
    (path / "outbox.json").write_text(json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                                                  "type": "OrderedCollection", "orderedItems": items}))
    return path


def _bluesky(path, posts):
    records = {f"app.bsky.feed.post/900{i}": encode({
        "$type": "app.bsky.feed.post", "text": f"post {i}", "createdAt": "2021-02-10T18:59:53Z",
        "facets": [{"features": [{"$type": "app.bsky.richtext.facet#mention", "did": f"did:plc:m800{i}"}]}]})
        for i in posts}
    node = encode({"l": None, "e": [{"p": 0, "k": key.encode(), "v": cid_of(block), "t": None}
                                    for key, block in sorted(records.items())]})
    commit = encode({"did": "did:plc:me", "version": 3, "data": cid_of(node), "rev": "x", "prev": None})
    path = path.with_suffix(".car")
    path.write_bytes(car(cid_of(commit), [(cid_of(b), b) for b in (commit, node, *records.values())]))
    return path


def _edgelist(path, posts):
    path = path.with_suffix(".edgelist")
    path.write_text("".join(f"u900{i} m800{i}\n" for i in posts))
    return path


FORMATS = {"twitter-v1": _v1, "twitter-v2": _v2, "csv": _csv, "x-archive": _x_archive, "mastodon": _mastodon,
           "bluesky": _bluesky, "edgelist": _edgelist}


def _numbers(ws, query, pattern):
    return {int(m.group(1)) for (value,) in ws.sql(query) if value and (m := re.search(pattern, value))}


def _held(ws):
    """(posts, mentioned accounts with a mention edge, accounts) by number i."""
    if ws.sql("SELECT count(*) FROM posts")[0][0]:
        posts = _numbers(ws, "SELECT post_id FROM posts", r"900(\d)$")
    else:  # edge lists: the edge's source stands for the post
        posts = _numbers(ws, "SELECT source_id FROM interactions", r"900(\d)$")
    mentions = _numbers(ws, "SELECT target_id FROM interactions WHERE kind = 'mention'", r"800(\d)$")
    accounts = _numbers(ws, "SELECT account_id FROM accounts", r"800(\d)$")
    return posts, mentions, accounts


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_overlapping_files_keep_what_another_file_still_brings(tmp_path, workspace, fmt):
    write = FORMATS[fmt]
    a = write(tmp_path / "a", [1, 2])
    b = write(tmp_path / "b", [2, 3])
    c = write(tmp_path / "c", [2, 5])
    for path in (a, b, c):
        ingest(workspace, [path])
    mentions = fmt != "csv"  # a CSV post's @handle names no account id
    posts, mentioned, accounts = _held(workspace)
    assert posts == {1, 2, 3, 5} and accounts == {1, 2, 3, 5}
    assert mentioned == ({1, 2, 3, 5} if mentions else set())

    write(tmp_path / "a", [1, 4])  # post 2 is still in b and c
    ingest(workspace, [a])
    assert _held(workspace)[0] == {1, 2, 3, 4, 5}
    report = ingest(workspace, [b])
    assert report.count("unchanged") == len(report.files) and report.count("imported") == 0

    write(tmp_path / "a", [4])  # post 1 was only in a: it goes, and so does the account only it named
    ingest(workspace, [a])
    posts, mentioned, accounts = _held(workspace)
    assert posts == {2, 3, 4, 5} and accounts == {2, 3, 4, 5}
    assert mentioned == ({2, 3, 4, 5} if mentions else set())

    write(tmp_path / "b", [3])
    ingest(workspace, [b])
    assert 2 in _held(workspace)[0]  # c still brings it
    write(tmp_path / "c", [5])
    ingest(workspace, [c])
    posts, mentioned, accounts = _held(workspace)
    assert posts == {3, 4, 5} and accounts == {3, 4, 5}
    assert mentioned == ({3, 4, 5} if mentions else set())
    sources = workspace.sql("SELECT DISTINCT unnest(sources) FROM interactions UNION "
                            "SELECT DISTINCT unnest(sources) FROM posts UNION SELECT DISTINCT unnest(sources) FROM accounts")
    live = {i for (i,) in workspace.sql("SELECT import_id FROM imports")}
    assert {i for (i,) in sources} <= live  # nothing refers to an import that is gone


def test_the_same_overlap_in_one_ingest_belongs_to_both_files(tmp_path, workspace):
    a, b = _v1(tmp_path / "a", [1, 2]), _v1(tmp_path / "b", [2, 3])
    ingest(workspace, [a, b])
    assert workspace.sql("SELECT len(sources) FROM posts WHERE post_id = '9002'") == [(2,)]
    _v1(tmp_path / "a", [1])
    ingest(workspace, [a])
    assert _held(workspace)[:2] == ({1, 2, 3}, {1, 2, 3})


DM = ('window.YTD.direct_messages.part0 = [{"dmConversation": {"conversationId": "7000-8009", "messages": '
      '[{"messageCreate": {"id": "77", "senderId": "7000", "recipientId": "8009", "text": "private", '
      '"createdAt": "2021-02-10T18:59:53.000Z"}}]}}]')


def test_include_direct_reimports_and_direct_messages_give_no_interactions(tmp_path, workspace):
    folder = _x_archive(tmp_path / "x", [1, 2])
    (folder / "direct-messages.js").write_text(DM)
    ingest(workspace, [folder])
    mentions = workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'mention'")[0][0]
    report = ingest(workspace, [folder], include_direct=True)
    assert {f.path.rsplit("/", 1)[-1] for f in report.files if f.status == "imported"} >= {"direct-messages.js"}
    assert workspace.sql("SELECT text FROM posts WHERE visibility = 'direct'") == [("private",)]
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'mention'")[0][0] == mentions
    assert workspace.sql("SELECT count(*) FROM interactions WHERE target_id = '8009'") == [(0,)]
    ingest(workspace, [folder])  # without the flag again: the direct messages go
    assert workspace.sql("SELECT count(*) FROM posts WHERE visibility = 'direct'") == [(0,)]


def test_another_network_reimports(tmp_path, workspace):
    path = _edgelist(tmp_path / "e", [1, 2])
    ingest(workspace, [path])
    report = ingest(workspace, [path], network="congress")
    assert report.count("imported") == 1
    assert workspace.sql("SELECT DISTINCT network FROM interactions") == [("congress",)]
    assert workspace.sql("SELECT DISTINCT network FROM accounts") == [("congress",)]


def test_another_format_reimports(tmp_path, workspace):
    path = _v1(tmp_path / "t", [1, 2])
    first = ingest(workspace, [path], format="twitter-v2", skip_bad=True)  # every line is a bad v2 record
    assert first.count("imported") == 1 and workspace.status()["posts"] == 0
    report = ingest(workspace, [path])
    assert report.count("imported") == 1 and workspace.status()["posts"] == 2


def test_touched_but_identical_file_is_unchanged(tmp_path, workspace):
    import os
    path = _v1(tmp_path / "t", [1, 2])
    ingest(workspace, [path])
    os.utime(path, ns=(1, 1))
    report = ingest(workspace, [path])
    assert report.count("unchanged") == 1
    assert workspace.sql("SELECT count(*) FROM imports") == [(1,)]


@pytest.mark.slow
def test_small_and_large_batches_stage_the_same_rows(tmp_path, monkeypatch):
    """Rows staged as parameters (small batches) or as Arrow tables (large ones) are stored alike."""
    from collect_helpers import contents

    from conftest import dataset
    from stature import Workspace
    from stature.workspace import writer

    files = [dataset(f"formats/{name}") for name in ("x-archive", "mastodon-archive", "bluesky-repo/repo.car",
                                                     "twitter-api-v2/brexit.jsonl", "twitter-api-v1/get_mentions.json")]
    stored = []
    for small in (10**9, 0):  # every batch as parameters, then every batch as Arrow
        monkeypatch.setattr(writer, "SMALL_BATCH", small)
        with Workspace(tmp_path / f"{small}.duckdb") as ws:
            ingest(ws, files, native=False)
            stored.append(contents(ws))
    assert stored[0] == stored[1]
    assert len(stored[0]["posts"]) > 1000 and stored[0]["list_memberships"]
