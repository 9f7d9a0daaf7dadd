"""Collecting against a local server replaying the recorded API responses: paging, faults, resume."""
from __future__ import annotations

import pytest
from collect_helpers import ME_BSKY, ME_MASTO, Sleeps, contents, counts, recordings, run_collect
from replay import Replay

from stature import Workspace, ingest
from stature.collect import CollectError, Limits




def test_mastodon_statuses_are_paged_in_five_recorded_pages(workspace, tmp_path, mastodon):
    result = run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl",
                         limits=Limits(max_posts=None))
    pages = [p for p, _ in mastodon.requests if p.startswith("/api/v1/accounts/109302436954721982/statuses")]
    assert len(pages) == 6  # five recorded pages by max_id, then the empty page past the last
    assert [p.split("max_id=")[-1] for p in pages[1:5]] == ["113191408914362368", "112979293284087498",
                                                           "112418329082967725", "111922827116719110"]
    own = workspace.sql("SELECT count(*) FROM posts WHERE author_id = 'https://fosstodon.org/users/schochastics'")
    assert own == [(99,)]  # 100 statuses, one of them a boost
    assert counts(workspace)["interactions"]["repost"] == 1
    assert workspace.sql("SELECT followers_count, posts_count FROM accounts WHERE handle = "
                         "'schochastics@fosstodon.org'") == [(1036, 280)]
    # 3 followers and 3 follows (one recorded page each, with --max-followers above 3)
    assert counts(workspace)["interactions"]["follow"] == 6
    assert result.summary.accounts == [ME_MASTO] and not result.summary.failed


def test_mastodon_hashtag_timeline_is_paged_in_four_by_max_id(workspace, tmp_path, mastodon):
    run_collect(workspace, mastodon, "mastodon", ["#ichbinhanna@mastodon.social"], tmp_path / "t.jsonl",
                limits=Limits(max_posts=None))
    pages = [p for p, _ in mastodon.requests if p.startswith("/api/v1/timelines/tag/ichbinhanna")]
    assert len(pages) == 5 and sum("max_id=" in p for p in pages) == 4
    # 160 statuses in 4 pages of 40; those of accounts that are not discoverable are left out
    assert counts(workspace)["posts"] == 33 + 34 + 36 + 28


def test_max_posts_stops_paging(workspace, tmp_path, mastodon):
    run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl",
                limits=Limits(max_posts=30, max_followers=0))
    pages = [p for p, _ in mastodon.requests if "/statuses?" in p]
    assert len(pages) == 2


def test_bluesky_cursor_is_followed(workspace, tmp_path, bluesky):
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "b.jsonl", limits=Limits(max_posts=None))
    feed = [p for p, _ in bluesky.requests if "getAuthorFeed" in p]
    assert len(feed) == 2 and "cursor=2024-03-21T23%3A36%3A16.378Z" in feed[1]
    followers = [p for p, _ in bluesky.requests if "getFollowers" in p]
    assert len(followers) == 2 and "cursor=3lktasir3le2j" in followers[1]
    me = "did:plc:wpe35pganb6d4pg4ekmfy6u5"
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'follow' AND target_id = ?", [me]) == [(48,)]
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'follow' AND source_id = ?", [me]) == [(48,)]
    assert workspace.sql("SELECT count(*) FROM posts WHERE author_id = ?", [me]) == [(43,)]  # its 43 posts in the recorded page
    assert workspace.sql("SELECT followers_count, following_count FROM accounts WHERE account_id = ?", [me]) == [
        (554, 296)]


def test_reactions_are_asked_only_where_the_counts_say_there_are_some(workspace, tmp_path, bluesky):
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "b.jsonl", limits=Limits(max_posts=None))
    feed = [i for i in recordings_body("bluesky", "f_autfeed.json")["feed"] if not i.get("reason")]
    for method, key in (("getLikes", "likeCount"), ("getRepostedBy", "repostCount"), ("getQuotes", "quoteCount"),
                        ("getPostThread", "replyCount")):
        assert bluesky.count(method) == sum(1 for i in feed if i["post"].get(key)), method


def recordings_body(network, name):
    from collect_helpers import recording
    return recording(network, name)["response"]["body"]


def test_429_502_and_a_dropped_connection_are_survived(workspace, tmp_path, mastodon):
    clean = tmp_path / "clean.duckdb"
    limits = Limits(max_posts=10)
    with Replay(recordings("mastodon")) as quiet, Workspace(clean) as ws:
        run_collect(ws, quiet, "mastodon", [ME_MASTO], tmp_path / "clean.jsonl", limits=limits)
        expected = contents(ws)
    mastodon.inject("/statuses", 429, headers={"Retry-After": "7"})
    mastodon.inject("/followers", 502, times=2)
    mastodon.inject("/following", "drop")
    sleeps = Sleeps()
    result = run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl", sleep=sleeps,
                         limits=limits)
    assert 7.0 in sleeps  # Retry-After honoured
    assert result.summary.retries == 4
    assert [s for _, s in mastodon.requests].count("drop") == 1
    assert contents(workspace) == expected


def test_a_server_that_keeps_failing_is_a_clear_error_and_what_came_is_kept(workspace, tmp_path, mastodon):
    mastodon.inject("/followers", 503, times=100)
    with pytest.raises(CollectError, match="did not answer .*followers.* after 6 tries"):
        run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl")
    assert counts(workspace)["posts"] == 99  # the statuses before the failure were imported
    mastodon.faults.clear()  # the server is back
    run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl")
    assert counts(workspace)["interactions"]["follow"] == 6


def test_a_timeout_is_tried_again(workspace, tmp_path, mastodon):
    mastodon.inject("/following", ("slow", 1.0))
    from stature.collect import collect
    result = collect(workspace, "mastodon", [ME_MASTO], log=tmp_path / "m.jsonl", service=mastodon.url,
                     fetcher={"sleep": Sleeps(), "timeout": 0.2})
    assert result.summary.retries == 1
    assert counts(workspace)["interactions"]["follow"] == 6


def test_bluesky_rate_limit_waits_for_the_reset(workspace, tmp_path, bluesky):
    body = recordings_body("bluesky", "a_profile.json")
    bluesky.script(f"/xrpc/app.bsky.actor.getProfiles?actors={ME_BSKY}", 200, body,
                   {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": "1747676784",
                    "RateLimit-Policy": "3000;w=300"})
    sleeps = Sleeps()
    from stature.collect import collect
    collect(workspace, "bluesky", [ME_BSKY], log=tmp_path / "b.jsonl", service=bluesky.url,
            limits=Limits(max_posts=0, max_followers=0),
            fetcher={"sleep": sleeps, "clock": lambda: 1747676784 - 42.5})
    assert sleeps == [42.5]


def test_mastodon_rate_limit_reset_is_an_iso_time(workspace, tmp_path, mastodon):
    from datetime import datetime
    rec = mastodon.accounts["schochastics"]
    mastodon.script("/api/v1/accounts/lookup?acct=schochastics", 200, rec["body"],
                    {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "1",
                     "X-RateLimit-Reset": "2025-07-17T13:45:00.216801Z"})
    sleeps = Sleeps()
    now = datetime.fromisoformat("2025-07-17T13:44:10.216801+00:00").timestamp()
    from stature.collect import collect
    collect(workspace, "mastodon", [ME_MASTO], log=tmp_path / "m.jsonl", service=mastodon.url,
            limits=Limits(max_posts=0, max_followers=0), fetcher={"sleep": sleeps, "clock": lambda: now})
    assert sleeps == [50.0]


def test_since_and_until_bound_the_posts_whose_reactions_are_asked(workspace, tmp_path, bluesky):
    from datetime import datetime, timezone
    since, until = datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 4, 30, tzinfo=timezone.utc)
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "b.jsonl",
                limits=Limits(since=since, until=until, max_followers=0))
    feed = [i["post"] for i in recordings_body("bluesky", "f_autfeed.json")["feed"] if not i.get("reason")]
    inside = [p for p in feed if since.isoformat()[:10] <= p["record"]["createdAt"][:10] < "2025-04-30"]
    assert inside and len(inside) < len(feed)
    assert bluesky.count("getLikes") == sum(1 for p in inside if p["likeCount"])
    assert bluesky.count("getAuthorFeed") == 1  # the page reached posts older than --since: no next page


def test_every_log_line_is_one_response(workspace, tmp_path, mastodon):
    import json
    log = tmp_path / "m.jsonl"
    mastodon.inject("/followers", 502)
    run_collect(workspace, mastodon, "mastodon", [ME_MASTO], log, limits=Limits(max_posts=5))
    lines = [json.loads(line) for line in log.read_bytes().split(b"\n") if line]
    assert len(lines) == len(mastodon.requests)
    assert all(set(x) - {"headers"} == {"network", "url", "fetched_at", "status", "body"} for x in lines)
    assert [x["status"] for x in lines].count(502) == 1
    assert lines[0]["url"] == f"{mastodon.url}/api/v1/accounts/lookup?acct=schochastics"


def test_rate_limit_headers_are_kept_to(workspace, tmp_path, mastodon):
    rec = mastodon.accounts["schochastics"]
    mastodon.script("/api/v1/accounts/lookup?acct=schochastics", 200, rec["body"],
                    {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"})
    sleeps = Sleeps()
    run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "m.jsonl", sleep=sleeps,
                limits=Limits(max_posts=1, max_followers=0))
    assert sleeps[0] == 30.0


def test_resume_after_interruption_fetches_nothing_again_and_gives_the_same_workspace(workspace, tmp_path, mastodon):
    limits = Limits(max_posts=20)
    with Replay(recordings("mastodon")) as quiet, Workspace(tmp_path / "whole.duckdb") as ws:
        run_collect(ws, quiet, "mastodon", [ME_MASTO], tmp_path / "whole.jsonl", limits=limits)
        expected, total = contents(ws), len(quiet.requests)
    stop_after = 20

    def interrupt(done, total, label):
        if done >= stop_after:
            raise KeyboardInterrupt

    log = tmp_path / "m.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_collect(workspace, mastodon, "mastodon", [ME_MASTO], log, progress=interrupt, limits=limits)
    first = len(mastodon.requests)
    assert stop_after <= first < total
    result = run_collect(workspace, mastodon, "mastodon", [ME_MASTO], log, limits=limits)
    assert len(mastodon.requests) == total  # nothing fetched twice
    assert result.summary.reused == first
    assert contents(workspace) == expected


def test_a_half_written_last_line_is_dropped_on_resume(workspace, tmp_path, bluesky):
    log = tmp_path / "b.jsonl"
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], log, limits=Limits(max_posts=3))
    whole = contents(workspace)
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # killed mid-write
    with Workspace(tmp_path / "again.duckdb") as ws:
        run_collect(ws, bluesky, "bluesky", [ME_BSKY], log, limits=Limits(max_posts=3))
        assert contents(ws) == whole
    assert log.read_bytes().count(b"\n") == len(lines)


def test_ingest_of_the_log_rebuilds_the_same_workspace(workspace, tmp_path, bluesky):
    log = tmp_path / "b.jsonl"
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], log, limits=Limits(max_posts=None))
    with Workspace(tmp_path / "rebuilt.duckdb") as ws:
        ingest(ws, [log])
        assert contents(ws) == contents(workspace)


def test_paging_never_leaves_the_server():
    from stature.collect.mastodon import next_link
    base = "https://fosstodon.org"
    assert next_link('<https://fosstodon.org/api/v1/x?max_id=1>; rel="next"', base) == \
        "https://fosstodon.org/api/v1/x?max_id=1"
    assert next_link('<https://elsewhere.example/api/v1/x?max_id=1>; rel="next"', base) is None
    assert next_link('<https://fosstodon.org/api/v1/x?since_id=1>; rel="prev"', base) is None
