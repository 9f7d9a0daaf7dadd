"""Each recorded API response, as a log line, parsed into canonical records: exact counts."""
from __future__ import annotations

import pytest
from collect_helpers import counts, recording, recordings, write_log

from stature import ingest

# file -> (accounts, posts, interactions by kind, list memberships), read off the recordings
BLUESKY = {
    "a_profile.json": (1, 0, {}, 0),  # getProfiles: one profile
    "a_search.json": (10, 0, {}, 0),  # searchActorsTypeahead: 10 actors
    # getAuthorFeed: 43 own posts, 7 reposts (with the reposted posts) and 23 reply parents/roots
    "f_autfeed.json": (27, 73, {"mention": 8, "reply": 38, "repost": 7, "quote": 10}, 0),
    "f_feedfeed.json": (2, 7, {}, 0),
    "f_getposts.json": (1, 1, {}, 0),
    "f_getquotes.json": (3, 2, {"mention": 3, "quote": 2}, 0),  # 2 quotes of one post
    "f_postlikes.json": (5, 0, {"like": 4}, 0),  # 4 likers and the liked post's author
    "f_postthread.json": (1, 1, {}, 0),
    "f_reposts.json": (2, 0, {"repost": 1}, 0),
    "f_search.json": (25, 25, {"reply": 12, "quote": 2}, 0),
    "g_actorlist.json": (0, 0, {}, 0),
    "g_actorlists.json": (1, 0, {}, 0),  # 3 lists, all by one creator
    "g_actorstart.json": (1, 0, {}, 0),
    "g_followers.json": (49, 0, {"follow": 48}, 0),  # 48 followers of one subject
    "g_follows.json": (49, 0, {"follow": 48}, 0),
    "g_fs.json": (12, 0, {}, 0),
    "g_getlist.json": (9, 0, {}, 8),  # a list of 8 members and its creator
    "g_rel.json": (0, 0, {}, 0),
    "g_start.json": (12, 0, {}, 12),  # a starter pack: a sample of 12 members, one of them its creator
    "g_starts.json": (1, 0, {}, 0),
    "i_resolveh.json": (0, 0, {}, 0),
    "r_descRepo.json": (0, 0, {}, 0),
    "r_getRecord.json": (1, 1, {}, 0),
    "r_listrcd.json": (22, 50, {"mention": 10, "reply": 27, "quote": 9}, 0),  # 50 post records
    "r_listrcdL.json": (22, 50, {"mention": 10, "reply": 27, "quote": 9}, 0),  # the same request again
}
MASTODON = {
    "get_account_default.json": (1, 0, {}, 0),
    "get_account_featured_tags_default.json": (0, 0, {}, 0),
    "get_account_statuses_default.json": (16, 20, {"mention": 20, "reply": 2}, 0),
    "get_account_statuses_limit-0.json": (16, 20, {"mention": 20, "reply": 2}, 0),
    "get_account_statuses_limit-1.json": (10, 20, {"mention": 21, "reply": 1}, 0),
    # one of the 20 is a boost of an account that is not discoverable: the repost is kept, its post is not
    "get_account_statuses_limit-2.json": (10, 19, {"mention": 12, "reply": 1, "repost": 1}, 0),
    "get_account_statuses_limit-3.json": (10, 20, {"mention": 17}, 0),
    "get_account_statuses_limit-4.json": (9, 20, {"mention": 14, "reply": 2}, 0),
    "get_context_default.json": (55, 59, {"mention": 184, "reply": 59}, 0),  # 59 descendants
    "get_context_anonymous.json": (55, 59, {"mention": 184, "reply": 59}, 0),
    "get_context_with_ancesters.json": (1, 1, {}, 0),  # one ancestor
    "get_context_without_descendants.json": (1, 1, {}, 0),
    "get_instance_directory_anonymous_false.json": (3, 0, {}, 0),
    "get_instance_general_anonymous_false.json": (0, 0, {}, 0),
    "get_status_default.json": (2, 1, {"mention": 1}, 0),  # a status, its author and the account it mentions
    "get_status_anonymous.json": (2, 1, {"mention": 1}, 0),
    "get_status_instance.json": (2, 1, {"mention": 1}, 0),
    # timelines: posts of accounts that are not discoverable are left out (5 -> 3, 20 -> 13, 40 -> 33 ...)
    "get_timeline_hashtag_anonymous.json": (6, 3, {"mention": 1}, 0),
    "get_timeline_public_anonymous.json": (20, 13, {"reply": 1}, 0),
    "handle_params_max_id-0.json": (32, 33, {"mention": 2, "reply": 8}, 0),
    "handle_params_max_id-1.json": (26, 34, {"mention": 5, "reply": 8}, 0),
    "handle_params_max_id-2.json": (37, 36, {"mention": 16, "reply": 7}, 0),
    "handle_params_max_id-3.json": (33, 28, {"mention": 10, "reply": 5}, 0),
    "search_accounts_default.json": (3, 0, {}, 0),
}


def _ingest(workspace, tmp_path, network, names, **kw):
    log = write_log(tmp_path / "log.jsonl", network, names)
    return ingest(workspace, [log], **kw)


@pytest.mark.parametrize("name", sorted(BLUESKY))
def test_bluesky_recording_gives_exact_records(workspace, tmp_path, name):
    report = _ingest(workspace, tmp_path, "bluesky", [name])
    assert report.files[0].format == "bluesky-api"
    accounts, posts, kinds, lists = BLUESKY[name]
    assert counts(workspace) == {"accounts": accounts, "posts": posts, "interactions": kinds, "lists": lists}


@pytest.mark.parametrize("name", sorted(MASTODON))
def test_mastodon_recording_gives_exact_records(workspace, tmp_path, name):
    report = _ingest(workspace, tmp_path, "mastodon", [name])
    assert report.files[0].format == "mastodon-api"
    accounts, posts, kinds, lists = MASTODON[name]
    assert counts(workspace) == {"accounts": accounts, "posts": posts, "interactions": kinds, "lists": lists}


def test_every_recording_is_counted_here():
    from collect_helpers import recordings
    named = set(BLUESKY) | set(MASTODON) | {
        "get_account_followers_default.json", "get_account_following_default.json",  # tests below
        "get_favourited_by_default.json", "get_favourited_by_anonymous.json",
        "get_reblogged_by_default.json", "get_reblogged_by_anonymous.json"}
    assert {p.name for n in ("bluesky", "mastodon") for p in recordings(n)} == named


def test_mastodon_followers_without_the_account_keep_the_accounts(workspace, tmp_path):
    report = _ingest(workspace, tmp_path, "mastodon", ["get_account_followers_default.json"], skip_bad=True)
    assert counts(workspace) == {"accounts": 3, "posts": 0, "interactions": {}, "lists": 0}
    assert "its lookup is missing" in report.files[0].skipped[0]


@pytest.mark.parametrize("lookup_first", [True, False])  # False: the follows wait for the lookup that names them
def test_mastodon_followers_are_follows_once_the_account_is_known(workspace, tmp_path, lookup_first):
    lists = ["get_account_followers_default.json", "get_account_following_default.json"]
    lookup = ["get_account_default.json"]
    _ingest(workspace, tmp_path, "mastodon", lookup + lists if lookup_first else lists + lookup)
    me = "https://fosstodon.org/users/schochastics"
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'follow' AND target_id = ?", [me]) == [(3,)]
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'follow' AND source_id = ?", [me]) == [(3,)]


@pytest.mark.parametrize("name", ["get_favourited_by_default.json", "get_favourited_by_anonymous.json",
                                  "get_reblogged_by_default.json", "get_reblogged_by_anonymous.json"])
def test_reactions_to_a_status_the_log_does_not_hold_keep_the_accounts_and_say_why(workspace, tmp_path, name):
    """The recorded favourites and boosts are of a status no recording holds: 40 accounts each, no reactions."""
    report = _ingest(workspace, tmp_path, "mastodon", [name], skip_bad=True)
    assert counts(workspace) == {"accounts": 40, "posts": 0, "interactions": {}, "lists": 0}
    assert "109294719267373593 on mastodon.social" in report.files[0].skipped[0]


def test_bluesky_likes_match_a_repository_export_key_for_key(workspace, tmp_path):
    """Accounts are DIDs and posts at:// URIs, as the CAR importer writes them."""
    _ingest(workspace, tmp_path, "bluesky", ["f_postlikes.json"])
    uri = recording("bluesky", "f_postlikes.json")["response"]["body"]["uri"]
    rows = workspace.sql("SELECT DISTINCT target_id, post_id FROM interactions WHERE kind = 'like'")
    assert rows == [("did:plc:ic6zqvuw5ulmfpjiwnhsr2ns", uri)]
    assert all(s.startswith("did:plc:") for (s,) in workspace.sql("SELECT source_id FROM interactions"))


def test_mastodon_keys_match_an_account_archive(workspace, tmp_path):
    """Statuses by their ActivityPub uri and accounts by their actor uri, as the archive importer keys them."""
    _ingest(workspace, tmp_path, "mastodon", ["get_status_default.json"])
    assert workspace.sql("SELECT post_id, author_id FROM posts") == [
        ("https://fosstodon.org/users/schochastics/statuses/114620457512351116",
         "https://fosstodon.org/users/schochastics")]
    assert ("schochastics@fosstodon.org",) in workspace.sql("SELECT handle FROM accounts")


def test_one_post_met_as_repo_record_post_view_and_thread_is_stored_once(workspace, tmp_path):
    """getRecord gives the repository record (read as a .car export reads it), getPosts and getPostThread the view."""
    _ingest(workspace, tmp_path, "bluesky", ["r_getRecord.json", "f_getposts.json", "f_postthread.json"])
    assert workspace.sql("SELECT post_id, like_count FROM posts") == [
        ("at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s", 4)]


def _every_mastodon_recording_twice_in_a_shuffled_order(path):
    import random

    names = [p.name for p in recordings("mastodon")]
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)
    return write_log(path, "mastodon", shuffled + names)


def test_mastodon_log_read_in_one_pass_gives_what_two_passes_give(tmp_path, monkeypatch):
    """Held back and resolved at the end (one pass), or everything learnt first (two passes): the same rows."""
    from collect_helpers import contents

    from stature import Workspace
    from stature.importers import mastodon_api

    log = _every_mastodon_recording_twice_in_a_shuffled_order(tmp_path / "log.jsonl")
    read = {}
    for name, held_back in (("one pass", mastodon_api.MAX_DEFERRED), ("two passes", -1)):
        monkeypatch.setattr(mastodon_api, "MAX_DEFERRED", held_back)  # -1: read again at once, in two passes
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            report = ingest(ws, [log], skip_bad=True)
            read[name] = contents(ws), sorted(report.files[0].skipped)
    assert read["one pass"] == read["two passes"]
    assert len(read["one pass"][0]["posts"]) > 300 and len(read["one pass"][1]) == 8


def test_an_account_that_opts_out_after_it_was_read_in_full_is_kept_quiet_throughout(workspace, tmp_path):
    """The first answer gives the profile in full; a later one says noindex: the log is read again, quietly."""
    import json

    from collect_helpers import as_log_line, recording

    rec = recording("mastodon", "get_account_statuses_default.json")
    author = rec["response"]["body"][0]["account"]
    later = json.loads(json.dumps(recording("mastodon", "get_account_default.json")))
    later["response"]["body"] = dict(author, noindex=True)
    later["request"]["url"] = later["request"]["url"].split("?")[0].rsplit("/", 1)[0] + "/" + author["id"]
    log = tmp_path / "log.jsonl"
    log.write_text(as_log_line("mastodon", rec) + "\n" + as_log_line("mastodon", later) + "\n")
    ingest(workspace, [log])
    assert workspace.sql("SELECT display_name, bio FROM accounts WHERE account_id = ?", [author["uri"]]) == [(None, None)]
    assert workspace.sql("SELECT count(*) FROM posts WHERE author_id = ? AND text IS NOT NULL", [author["uri"]]) == [(0,)]
