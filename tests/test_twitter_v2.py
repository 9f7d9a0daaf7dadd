"""Twitter API v2 JSON lines as twarc writes them: real pages from DocNow/twarc-csv's test data."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from stature import ImportFormatError, ingest
from stature.importers import detect, entries

from conftest import dataset

V2 = "formats/twitter-api-v2"


def _page(name: str) -> dict:
    return json.loads((dataset(V2) / name).read_bytes().splitlines()[0])


@pytest.fixture
def brexit(workspace):
    ingest(workspace, [dataset(V2) / "brexit.jsonl"])
    page = _page("brexit.jsonl")
    ids = [t["id"] for t in page["data"]]
    workspace.con.execute("CREATE TEMP TABLE data_ids AS SELECT unnest(?::VARCHAR[]) AS post_id", [ids])
    return workspace


def test_brexit_data_tweets_counted_by_kind(brexit):
    ws = brexit
    # of the 100 tweets in `data`: 67 retweets, 11 quotes, 10 replies, 12 plain tweets
    assert ws.status()["interactions"]["repost"] == 67
    quotes = ws.sql("SELECT count(*) FROM interactions JOIN data_ids USING (post_id) WHERE kind = 'quote'")
    assert quotes == [(11,)]
    replies = ws.sql("SELECT count(*) FROM posts JOIN data_ids USING (post_id) WHERE reply_to_post_id IS NOT NULL")
    assert replies == [(10,)]
    assert ws.sql("SELECT count(*) FROM posts JOIN data_ids USING (post_id)") == [(100 - 67,)]
    # a retweet is never a post
    assert ws.sql("SELECT count(*) FROM posts WHERE post_id = '1440716856763977732'") == [(0,)]


def test_brexit_whole_page_totals(brexit):
    s = brexit.status()
    # 33 non-retweets in data, and the 55 included tweets not in data (7 of them replies)
    assert s["posts"] == 33 + 55
    assert s["replies"] == 10 + 7
    assert s["interactions"]["quote"] == 11 + 2  # 2 included quotes whose quoted author the page names
    assert s["accounts"] == 177 + 8  # includes.users, and mentioned accounts outside them
    assert brexit.sql("SELECT count(*) FROM accounts WHERE followers_count IS NOT NULL") == [(177,)]


def test_retweet_points_at_the_retweeted_tweet_and_its_author(brexit):
    row = brexit.sql("SELECT target_id, post_id, strftime(time, '%Y-%m-%dT%H:%M:%S') FROM interactions "
                     "WHERE kind = 'repost' AND source_id = '4100727022'")
    assert row == [("711945679", "1440713161355583489", "2021-09-22T16:37:20")]
    # the retweeted tweet is a post of its own, with its counts
    assert brexit.sql("SELECT author_id, like_count, repost_count, reply_count, quote_count FROM posts "
                      "WHERE post_id = '1440713161355583489'") == [("711945679", 20, 22, 1, 0)]


def test_quote_and_reply_fields(brexit):
    quote = brexit.sql("SELECT author_id, quote_of_post_id, quote_of_account_id FROM posts "
                       "WHERE post_id = '1440715975020584960'")
    assert quote == [("102658803", "1440660748275834882", "963465855538524162")]
    reply = brexit.sql("SELECT reply_to_post_id, reply_to_account_id FROM posts WHERE post_id = '1440716745577140229'")
    assert reply == [("1440621713281093641", "1717521084")]
    assert brexit.sql("SELECT target_id FROM interactions WHERE kind = 'reply' AND post_id = '1440716745577140229'") \
        == [("1717521084",)]


def test_entities_and_user_metrics(brexit):
    hashtags, links = brexit.sql("SELECT hashtags, links FROM posts WHERE post_id = '1440716656943058945'")[0]
    assert hashtags[:3] == ["UNGA", "UNGA2021", "Macron"] and len(hashtags) == 10
    assert links == ["https://www.nytimes.com/2021/09/22/world/europe/france-submarines-biden.html"]
    user = brexit.sql("SELECT handle, followers_count, following_count, posts_count, listed_count, "
                      "strftime(created_at, '%Y-%m-%d') FROM accounts WHERE account_id = '4203239195'")
    assert user == [("WarmongerHodges", 34920, 3552, 108443, 142, "2015-11-16")]
    # a mention names the account by id; its handle is kept
    page = _page("brexit.jsonl")
    mentioned = {m["id"]: m["username"] for t in page["data"] + page["includes"]["tweets"]
                 if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
                 for m in t.get("entities", {}).get("mentions", [])}
    some_id, some_handle = sorted(mentioned.items())[0]
    assert brexit.sql("SELECT handle FROM accounts WHERE account_id = ?", [some_id]) == [(some_handle,)]


def test_users_page_gives_accounts_and_pinned_tweets(workspace):
    ingest(workspace, [dataset(V2) / "users.jsonl"])
    page = _page("users.jsonl")
    ids = {u["id"] for u in page["data"]}
    assert len(page["data"]) == 96 and len(ids) == 91  # the page repeats 5 users
    got = {a for (a,) in workspace.sql("SELECT account_id FROM accounts WHERE posts_count IS NOT NULL")}
    assert got == ids
    pinned = {t["id"] for t in page["includes"]["tweets"]}
    assert {p for (p,) in workspace.sql("SELECT post_id FROM posts")} <= pinned
    assert workspace.status()["interactions"]["follow"] == 0  # a plain user lookup links nobody


def test_followers_page_gives_follows(tmp_path, workspace):
    page = _page("users.jsonl")
    page["__twarc"]["url"] = "https://api.twitter.com/2/users/1194578788295811072/followers?max_results=1000"
    path = tmp_path / "followers.jsonl"
    path.write_text(json.dumps(page) + "\n")
    ingest(workspace, [path])
    follows = workspace.sql("SELECT DISTINCT target_id, count(*) FROM interactions WHERE kind = 'follow' GROUP BY 1")
    assert follows == [("1194578788295811072", 91)]  # 96 users, 91 distinct


def test_list_memberships_page_gives_memberships(tmp_path, workspace):
    pages = [json.loads(line) for line in (dataset(V2) / "lists.jsonl").read_bytes().splitlines() if line.strip()]
    ingest(workspace, [dataset(V2) / "lists.jsonl"])  # owned lists: no members named
    assert workspace.status()["lists"] == 0
    pages[0]["__twarc"]["url"] = "https://api.twitter.com/2/users/12/list_memberships"
    path = tmp_path / "memberships.jsonl"
    path.write_text(json.dumps(pages[0]) + "\n")
    ingest(workspace, [path])
    rows = workspace.sql("SELECT list_id, member_id, list_name, owner_id FROM list_memberships ORDER BY list_id")
    assert len(rows) == len(pages[0]["data"]) == 4
    assert ("1354802865349435396", "12", "recsyslabs Pilot Partners", "1194578788295811072") in rows


def test_mentions_of_a_retweeted_tweet_belong_to_it(workspace):
    ingest(workspace, [dataset(V2) / "mentions_tweet.jsonl"])
    page = _page("mentions_tweet.jsonl")
    retweeted = page["data"][0]["referenced_tweets"][0]["id"]
    original = next(t for t in page["includes"]["tweets"] if t["id"] == retweeted)
    assert workspace.status()["interactions"]["repost"] == 1
    mentions = workspace.sql("SELECT source_id, post_id FROM interactions WHERE kind = 'mention'")
    assert {m for m in mentions} == {(original["author_id"], original["id"])}
    assert len(mentions) == len({m["id"] for m in original["entities"]["mentions"]})


def _test_data(tmp_path) -> Path:
    with tarfile.open(dataset(V2) / "twarc_csv_test_data.tgz") as archive:
        archive.extractall(tmp_path, filter="data")
    return tmp_path / "test-data"


def test_flattened_tweets_one_per_line(tmp_path, workspace):
    flat = _test_data(tmp_path) / "flat.jsonl"
    tweets = [json.loads(line) for line in flat.read_bytes().splitlines() if line.strip()]
    ingest(workspace, [flat])
    retweets = [t for t in tweets if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))]
    assert workspace.status()["interactions"]["repost"] == len({(t["author_id"], t["referenced_tweets"][0]["id"])
                                                                for t in retweets}) > 0
    first = tweets[0]  # a retweet, its original embedded with its author
    original = first["referenced_tweets"][0]
    assert workspace.sql("SELECT target_id FROM interactions WHERE kind = 'repost' AND source_id = ?",
                         [first["author_id"]])[0] == (original["author_id"],)
    assert workspace.sql("SELECT author_id, text FROM posts WHERE post_id = ?", [original["id"]]) == [
        (original["author_id"], original["text"])]
    assert workspace.sql("SELECT handle FROM accounts WHERE account_id = ?", [first["author"]["id"]]) == [
        (first["author"]["username"],)]


def test_streaming_pages_and_a_cut_last_line(tmp_path, workspace):
    stream = _test_data(tmp_path) / "streaming_output_with_error.jsonl"
    with pytest.raises(ImportFormatError, match=r"streaming_output_with_error\.jsonl, line 8: is not valid JSON"):
        ingest(workspace, [stream])
    assert workspace.status()["posts"] == 0
    report = ingest(workspace, [stream], skip_bad=True)
    assert len(report.files[0].skipped) == 1
    assert workspace.status()["posts"] >= 7  # the 7 whole lines, each a page with one tweet as `data`


def test_whole_test_data_archive(workspace):
    report = ingest(workspace, [dataset(V2) / "twarc_csv_test_data.tgz"], skip_bad=True)
    status = {f.path.split("!")[1]: (f.format, f.status) for f in report.files}
    assert status["test-data/brexit.jsonl"] == ("twitter-v2", "imported")
    assert status["test-data/flat.jsonl"] == ("twitter-v2", "imported")
    for other in ("test-data/tweets_compliance.jsonl", "test-data/users_compliance.jsonl", "LICENSE"):
        assert status[other] == (None, "unrecognised"), other
    assert [f for f in report.files if f.status == "failed"] == []
    assert [s for f in report.files for s in f.skipped if "line 8" not in s] == []


def test_reimport_changes_nothing(workspace):
    paths = [dataset(V2) / name for name in ("brexit.jsonl", "users.jsonl", "mentions_tweet.jsonl")]
    ingest(workspace, paths)
    before = workspace.status()
    assert {f.status for f in ingest(workspace, paths).files} == {"unchanged"}
    assert workspace.status() == before


def test_detection_tells_v2_from_v1():
    for name in ("brexit.jsonl", "users.jsonl", "lists.jsonl", "mentions_tweet.jsonl"):
        assert detect(entries(dataset(V2) / name)[0]).name == "twitter-v2", name
    for name in ("get_retweets.json", "get_followers_0.json", "get_list_members_0.json", "get_mentions.json"):
        assert detect(entries(dataset("formats/twitter-api-v1") / name)[0]).name == "twitter-v1", name


def test_item_of_the_wrong_shape_is_rejected_with_its_line_and_item(tmp_path, workspace):
    page = _page("brexit.jsonl")
    page["data"][6]["author_id"] = ["not", "an", "id"]
    path = tmp_path / "bad.jsonl"
    path.write_bytes((dataset(V2) / "mentions_tweet.jsonl").read_bytes().rstrip() + b"\n" + json.dumps(page).encode())
    with pytest.raises(ImportFormatError, match=r"bad\.jsonl, line 2, item 7: a field has the wrong type"):
        ingest(workspace, [path])
    report = ingest(workspace, [path], skip_bad=True)
    assert len(report.files[0].skipped) == 1
