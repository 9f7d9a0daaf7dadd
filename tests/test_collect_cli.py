"""`stature collect`: the command, its errors, consent, depth, and what goal check and the report make of it."""
from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from collect_helpers import ME_BSKY, ME_MASTO, contents, counts, recording, recordings, run_collect, write_log
from conftest import ROOT
from replay import Replay

from stature import Workspace, ingest
from stature.analytics import exclude
from stature.collect import Limits

ME_DID = "did:plc:wpe35pganb6d4pg4ekmfy6u5"



def _status(cli):
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    info.pop("workspace")
    return info


def test_ingest_of_the_log_gives_the_same_status_as_the_collect(cli, tmp_path, bluesky):
    log = tmp_path / "bluesky.jsonl"
    result = cli("collect", "bluesky", ME_BSKY, "--service", bluesky.url, "--log", log, "--max-posts", 0)
    assert result.exit_code == 0, result.output
    assert "Collected 1 of 1 target(s) from bluesky" in result.output
    collected = _status(cli)
    assert collected["networks"]["bluesky"]["accounts"] == 93  # the account, its 48 followers and 48 follows, 4 of them both
    cli.path.unlink()
    assert cli("ingest", log).exit_code == 0
    assert _status(cli) == collected


def test_the_default_log_sits_beside_the_workspace_and_a_second_run_reuses_it(cli, bluesky):
    args = ("collect", "bluesky", ME_BSKY, "--service", bluesky.url, "--max-posts", 2, "--max-followers", 0)
    assert cli(*args).exit_code == 0
    log = cli.path.with_name("cli.bluesky.jsonl")
    assert log.exists()
    sent = len(bluesky.requests)
    again = cli(*args)
    assert again.exit_code == 0 and len(bluesky.requests) == sent
    assert f"0 requests (0 retried), {log.read_text().count(chr(10))} answers reused" in again.output


def test_unknown_handle_is_a_clear_error(cli, tmp_path, bluesky):
    bluesky.script("/xrpc/app.bsky.actor.getProfile?actor=nobody.bsky.social", 400,
                   {"error": "InvalidRequest", "message": "Profile not found"})
    result = cli("collect", "bluesky", "nobody.bsky.social", "--service", bluesky.url, "--log", tmp_path / "l.jsonl")
    assert result.exit_code == 1
    assert "Error: Not collected: nobody.bsky.social: no such account" in result.output
    assert "Profile not found" in result.output


def test_suspended_bluesky_account_is_said_so(workspace, tmp_path, bluesky):
    bluesky.script("/xrpc/app.bsky.actor.getProfile?actor=gone.bsky.social", 400,
                   {"error": "AccountTakedown", "message": "Account has been suspended"})
    result = run_collect(workspace, bluesky, "bluesky", ["gone.bsky.social"], tmp_path / "l.jsonl")
    assert result.summary.failed == ["gone.bsky.social: the account is suspended (taken down); nothing to collect."]


def test_unknown_and_deleted_mastodon_accounts_are_said_so(workspace, tmp_path, mastodon):
    mastodon.script("/api/v1/accounts/lookup?acct=left", 410, {"error": "Gone"})
    result = run_collect(workspace, mastodon, "mastodon", ["@nobody@fosstodon.org", "@left@fosstodon.org"],
                         tmp_path / "l.jsonl")
    assert result.summary.failed[0].startswith("@nobody@fosstodon.org: no such account on fosstodon.org")
    assert result.summary.failed[1] == "@left@fosstodon.org: the account is suspended or deleted; nothing to collect."


def test_a_server_that_refuses_is_a_clear_error(cli, tmp_path, mastodon):
    mastodon.script("/api/v1/accounts/lookup?acct=schochastics", 401,
                    {"error": "This method requires an authenticated user"})
    result = cli("collect", "mastodon", ME_MASTO, "--service", mastodon.url, "--log", tmp_path / "l.jsonl")
    assert result.exit_code == 1
    assert "refused to answer without a login (HTTP 401: This method requires an authenticated user)" in result.output


def test_no_network_is_a_clear_error(cli, tmp_path):
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("collect", "mastodon", ME_MASTO, "--service", f"http://127.0.0.1:{port}", "--log",
                 tmp_path / "l.jsonl")
    assert result.exit_code == 1
    assert "Cannot reach 127.0.0.1" in result.output and "Is the network up" in result.output


def test_bad_account_names_are_refused_before_any_request(cli, tmp_path):
    result = cli("collect", "mastodon", "schochastics", "--log", tmp_path / "l.jsonl")
    assert result.exit_code == 1 and "is not @user@server" in result.output


def test_excluded_accounts_are_never_fetched(workspace, tmp_path, bluesky):
    ingest(workspace, [write_log(tmp_path / "p.jsonl", "bluesky", ["a_profile.json"])])
    exclude(workspace, ME_BSKY)
    result = run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "l.jsonl")
    assert bluesky.requests == []
    assert result.summary.notes == [f"{ME_BSKY} is on the exclusion list: not collected."]


def _labelled(profile: dict) -> dict:
    profile = copy.deepcopy(profile)
    profile["labels"] = [{"src": profile["did"], "uri": profile["did"], "val": "!no-unauthenticated",
                          "cts": "2025-01-01T00:00:00Z"}]
    return profile


def test_an_account_asking_not_to_be_shown_logged_out_gets_its_profile_only(workspace, tmp_path, bluesky):
    body = recording("bluesky", "a_profile.json")["response"]["body"]
    bluesky.script(f"/xrpc/app.bsky.actor.getProfiles?actors={ME_BSKY}", 200,
                   {"profiles": [_labelled(body["profiles"][0])]})
    result = run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "l.jsonl")
    assert [p for p, _ in bluesky.requests] == [f"/xrpc/app.bsky.actor.getProfiles?actors={ME_BSKY}"]
    assert result.summary.notes == [f"{ME_BSKY} asks not to be shown to logged-out users (!no-unauthenticated): "
                                    "only its profile was collected."]
    assert workspace.sql("SELECT handle, display_name, bio FROM accounts") == [(ME_BSKY, None, None)]


def test_mastodon_noindex_account_gets_its_profile_only(workspace, tmp_path, mastodon):
    account = dict(recording("mastodon", "get_account_default.json")["response"]["body"], noindex=True)
    mastodon.script("/api/v1/accounts/lookup?acct=schochastics", 200, account)
    result = run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "l.jsonl")
    assert len(mastodon.requests) == 1
    assert "asks not to be indexed (noindex): only its profile was collected" in result.summary.notes[0]


def test_reactions_of_an_opted_out_account_are_kept_without_its_profile(workspace, tmp_path):
    rec = copy.deepcopy(recording("bluesky", "f_postlikes.json"))
    liker = rec["response"]["body"]["likes"][0]["actor"]
    liker["description"] = "I do not consent to scraping. #nobot"
    (tmp_path / "l.jsonl").write_text(json.dumps({"network": "bluesky", "url": rec["request"]["url"],
                                                  "fetched_at": rec["recorded"], "status": 200,
                                                  "body": rec["response"]["body"]}) + "\n")
    ingest(workspace, [tmp_path / "l.jsonl"])
    assert counts(workspace)["interactions"] == {"like": 4}
    assert workspace.sql("SELECT handle, display_name, bio FROM accounts WHERE account_id = ?", [liker["did"]]) == [
        (liker["handle"], None, None)]


def test_mastodon_replies_of_an_account_that_is_not_discoverable_keep_no_text(workspace, tmp_path):
    ingest(workspace, [write_log(tmp_path / "l.jsonl", "mastodon", ["get_context_default.json"])])
    body = recording("mastodon", "get_context_default.json")["response"]["body"]
    quiet = {s["uri"] for s in body["descendants"] if s["account"].get("discoverable") is False}
    assert quiet  # the recording has some
    texts = dict(workspace.sql("SELECT post_id, text FROM posts"))
    assert all(texts[u] is None for u in quiet)
    assert sum(t is not None for t in texts.values()) == 59 - len(quiet)


def test_depth_one_collects_the_engaged_accounts_lighter(workspace, tmp_path, bluesky):
    """The likers of a post (the recorded likes of another post, scripted here) get their profiles and posts."""
    feed = recording("bluesky", "f_autfeed.json")["response"]["body"]["feed"]
    post = next(i["post"] for i in feed if not i.get("reason") and i["post"]["likeCount"])
    likes = dict(recording("bluesky", "f_postlikes.json")["response"]["body"], uri=post["uri"])
    from urllib.parse import quote
    bluesky.script(f"/xrpc/app.bsky.feed.getLikes?limit=100&uri={quote(post['uri'], safe='')}", 200, likes)
    likers = [like["actor"]["did"] for like in likes["likes"]]
    bluesky.script("/xrpc/app.bsky.actor.getProfiles?" + "&".join(f"actors={d}" for d in likers), 200,
                   {"profiles": [like["actor"] for like in likes["likes"]]})
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "l.jsonl",
                limits=Limits(max_posts=None, max_followers=0, depth=1))
    batch = [p for p, _ in bluesky.requests if p.startswith("/xrpc/app.bsky.actor.getProfiles") and "did" in p]
    assert len(batch) == 1 and all(quote(d, safe="") in batch[0] for d in likers)
    feeds = [p for p, _ in bluesky.requests if "getAuthorFeed" in p and "did" in p]
    assert len(feeds) == len(likers)  # one page of each liker's posts
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'like' AND target_id = ?", [ME_DID]) == [(4,)]


def test_progress_reports_requests_with_a_total_that_ends_done(workspace, tmp_path, mastodon):
    calls = []
    run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "l.jsonl",
                progress=lambda done, total, label: calls.append((done, total, label)))
    assert all(done <= total for done, total, _ in calls)
    done, total, label = calls[-1]
    assert done == total == len(mastodon.requests) and "records" in label


@pytest.mark.slow
def test_goal_check_and_the_report_use_the_reactions_collected(cli, tmp_path):
    """The likes collected name who reacted: goal check counts them, the report shows them."""
    log = write_log(tmp_path / "l.jsonl", "bluesky", ["f_postthread.json", "f_postlikes.json"])
    assert cli("ingest", log).exit_code == 0
    liker = recording("bluesky", "f_postlikes.json")["response"]["body"]["likes"][0]["actor"]["handle"]
    goal = tmp_path / "goal.toml"
    goal.write_text(f'name = "Reach political scientists"\n[audience]\naccounts = ["{liker}"]\n'
                    '[window]\nstart = 2023-09-01\nend = 2023-10-31\n')
    result = cli("goal", "check", goal, "--account", "soubhikbarari.bsky.social", "--json")
    assert result.exit_code == 0, result.output
    check = json.loads(result.output)
    assert check["audience_share"] == {"reactions": 4, "from_audience": 1, "share": 0.25}
    assert not any("names nobody" in n for n in check["notes"])
    assert cli("score").exit_code == 0
    out = tmp_path / "report.html"
    result = cli("report", "--account", "soubhikbarari.bsky.social", "--goal", goal, "-o", out)
    assert result.exit_code == 0, result.output
    assert liker in out.read_text()


@pytest.mark.slow
def test_a_killed_collect_resumes_to_the_same_workspace(tmp_path):
    """SIGKILL part-way through a real `stature collect` process, then the same command again."""
    with Replay(recordings("mastodon")) as server:
        whole = tmp_path / "whole.duckdb"
        with Workspace(whole) as ws:
            run_collect(ws, server, "mastodon", [ME_MASTO], tmp_path / "whole.jsonl")
            expected, total = contents(ws), len(server.requests)
        server.requests.clear()
        server.delay = 0.01  # the run lasts seconds, not a fraction of one
        log, ws_path = tmp_path / "killed.jsonl", tmp_path / "killed.duckdb"
        command = [sys.executable, "-m", "stature", "--quiet", "--workspace", str(ws_path), "collect", "mastodon",
                   ME_MASTO, "--service", server.url, "--log", str(log)]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and (not log.exists() or log.read_bytes().count(b"\n") < 60):
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        before = len(server.requests)
        assert 60 <= before < total, "the collect was not killed part-way"
        server.delay = 0.0
        assert subprocess.run(command, env=env, capture_output=True).returncode == 0
        assert len(server.requests) <= total + 1  # at most the request in flight at the kill is sent again
        with Workspace(ws_path, read_only=True) as ws:
            assert contents(ws) == expected


@pytest.mark.slow
def test_the_http_client_is_not_imported_at_cli_start_up():
    code = "import sys, stature.cli, stature.importers; print('httpx2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_an_account_linked_to_an_excluded_one_is_never_fetched(workspace, tmp_path, bluesky):
    """Excluding one of a person's accounts excludes the person, on every network."""
    ingest(workspace, [write_log(tmp_path / "b.jsonl", "bluesky", ["a_profile.json"]),
                       write_log(tmp_path / "m.jsonl", "mastodon", ["get_account_default.json"])])
    workspace.link([f"bluesky:{ME_BSKY}", "mastodon:schochastics@fosstodon.org"])
    exclude(workspace, "mastodon:schochastics@fosstodon.org")
    run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "l.jsonl")
    assert bluesky.requests == []


def test_an_engaged_account_saying_nobot_is_kept_to_its_like_and_not_collected_at_depth(workspace, tmp_path, bluesky):
    from urllib.parse import quote
    feed = recording("bluesky", "f_autfeed.json")["response"]["body"]["feed"]
    post = next(i["post"] for i in feed if not i.get("reason") and i["post"]["likeCount"])
    likes = copy.deepcopy(dict(recording("bluesky", "f_postlikes.json")["response"]["body"], uri=post["uri"]))
    nobot = likes["likes"][0]["actor"]
    nobot["description"] = "No scraping, no archiving. #NoBot"
    bluesky.script(f"/xrpc/app.bsky.feed.getLikes?limit=100&uri={quote(post['uri'], safe='')}", 200, likes)
    others = [like["actor"]["did"] for like in likes["likes"][1:]]
    bluesky.script("/xrpc/app.bsky.actor.getProfiles?" + "&".join(f"actors={d}" for d in others), 200,
                   {"profiles": [like["actor"] for like in likes["likes"][1:]]})
    result = run_collect(workspace, bluesky, "bluesky", [ME_BSKY], tmp_path / "l.jsonl",
                         limits=Limits(max_posts=None, max_followers=0, depth=1))
    assert "1 account(s) that engaged ask not to be indexed" in " ".join(result.summary.notes)
    assert not any(quote(nobot["did"], safe="") in p for p, _ in bluesky.requests)
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'like' AND source_id = ?",
                         [nobot["did"]]) == [(1,)]
    assert workspace.sql("SELECT bio FROM accounts WHERE account_id = ?", [nobot["did"]]) == [(None,)]


def test_a_bad_log_line_is_a_clear_error_naming_the_line(workspace, tmp_path):
    from stature.errors import ImportFormatError
    log = write_log(tmp_path / "l.jsonl", "bluesky", ["a_profile.json"])
    with open(log, "a") as f:
        f.write('{"network": "bluesky", "url": "https://bsky.social/xrpc/x"\n')
    with pytest.raises(ImportFormatError, match=r"l\.jsonl, line 2: is not valid JSON"):
        ingest(workspace, [log])
    assert counts(workspace)["accounts"] == 0  # nothing of the failed import is kept
    report = ingest(workspace, [log], skip_bad=True)
    assert counts(workspace)["accounts"] == 1 and len(report.files[0].skipped) == 1


def test_until_a_date_means_to_the_end_of_that_day():
    from stature.cli.collect import _when
    assert _when("2025-04-30", "--until").isoformat() == "2025-04-30T23:59:59.999999+00:00"
    assert _when("2025-04-30", "--since").isoformat() == "2025-04-30T00:00:00+00:00"


def test_mastodon_depth_one_asks_for_the_newest_statuses_of_those_who_favourited(workspace, tmp_path, mastodon):
    """The recorded favourites of another status, scripted as the favourites of this account's newest one."""
    from stature.importers.mastodon_api import opted_out
    newest = recording("mastodon", "get_account_statuses_limit-0.json")["response"]["body"][0]
    fans = recording("mastodon", "get_favourited_by_default.json")["response"]["body"]
    mastodon.script(f"/api/v1/statuses/{newest['id']}/favourited_by?limit=80", 200, fans)
    result = run_collect(workspace, mastodon, "mastodon", [ME_MASTO], tmp_path / "l.jsonl",
                         limits=Limits(max_posts=1, max_followers=0, depth=1))
    open_fans = [a for a in fans if not opted_out(a)]
    assert 0 < len(open_fans) < len(fans)  # some of the 40 are not discoverable
    asked = {p.split("/")[4] for p, _ in mastodon.requests if p.endswith("/statuses?limit=30&exclude_reblogs=false")}
    assert asked == {a["id"] for a in open_fans}
    assert f"{len(fans) - len(open_fans)} account(s) that engaged ask not to be indexed" in " ".join(
        result.summary.notes)
    me = "https://fosstodon.org/users/schochastics"
    assert workspace.sql("SELECT count(*) FROM interactions WHERE kind = 'like' AND target_id = ?", [me]) == [(40,)]
