"""Twitter API v1.1 JSON: real API responses (python-twitter's test data) and RumourEval 2017 threads."""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from stature import ImportFormatError, ingest
from stature.importers import detect, entries
from stature.importers.twitter_v1 import IMPORTER

from conftest import dataset

V1 = "formats/twitter-api-v1"


def _posts(ws, where="TRUE"):
    return ws.sql(f"SELECT post_id, author_id, text, reply_to_post_id, quote_of_post_id, quote_of_account_id, "
                  f"hashtags, mentions, like_count FROM posts WHERE {where}")


# --- real API responses ---------------------------------------------------------------------------

def test_retweets_are_reposts_of_the_original(workspace):
    path = dataset(V1) / "get_retweets.json"
    ingest(workspace, [path])
    tweets = json.loads(path.read_bytes())
    reposts = workspace.sql("SELECT source_id, target_id, post_id, strftime(time, '%Y-%m-%d %H:%M:%S') "
                            "FROM interactions WHERE kind = 'repost' ORDER BY source_id")
    assert len(reposts) == 14
    assert {(s, t, p) for s, t, p, _ in reposts} == {(rt["user"]["id_str"], "12", "397") for rt in tweets}
    assert ("2883171442", "12", "397", "2015-12-03 14:19:01") in reposts  # the retweet's own time
    # the retweets are not posts; the original is, by its own author
    assert [(p[0], p[1], p[2]) for p in _posts(workspace)] == [("397", "12", "getting waxed!")]
    handle, followers, following, posts, listed = workspace.sql(
        "SELECT handle, followers_count, following_count, posts_count, listed_count FROM accounts "
        "WHERE account_id = '2883171442'")[0]
    assert (handle, followers, following, posts, listed) == ("VeryOldTweets", 572, 1, 1091, 40)
    assert workspace.sql("SELECT handle FROM accounts WHERE account_id = '12'") == [("jack",)]


def test_followers_page_gives_accounts(workspace):
    ingest(workspace, [dataset(V1) / "get_followers_0.json"])
    s = workspace.status()
    assert s["accounts"] == 200 and s["posts"] == 0
    row = workspace.sql("SELECT handle, followers_count, following_count, listed_count, posts_count, bio, "
                        "strftime(created_at, '%Y-%m-%d') FROM accounts WHERE account_id = '2386149065'")[0]
    assert row[:5] == ("hkarolam", 346, 2028, 2, 2301)
    assert row[5].startswith("facebook") and row[6] == "2014-03-05"


def test_list_members_page_gives_members_and_their_latest_tweets(workspace):
    ingest(workspace, [dataset(V1) / "get_list_members_0.json"])
    s = workspace.status()
    assert s["posts"] == 20  # each member's embedded latest status
    members = json.loads((dataset(V1) / "get_list_members_0.json").read_bytes())["users"]
    authors = {a for (a,) in workspace.sql("SELECT DISTINCT author_id FROM posts")}
    assert authors == {u["id_str"] for u in members}


def test_mentions_timeline_gives_replies_quotes_and_mentions(workspace):
    ingest(workspace, [dataset(V1) / "get_mentions.json"])
    s = workspace.status()
    assert s["posts"] == 19 + 2  # 19 tweets and the 2 tweets they quote
    assert s["replies"] == 13
    assert s["interactions"]["mention"] == 28
    assert s["interactions"]["quote"] == 2
    quote = _posts(workspace, "post_id = '674691080227540993'")[0]
    assert quote[4:6] == ("674686215954808832", "20060293")
    assert _posts(workspace, "post_id = '674686215954808832'")[0][1] == "20060293"  # the quoted tweet is a post
    # a mentioned account is known by id, handle and name
    assert workspace.sql("SELECT handle FROM accounts WHERE account_id = '4040207472'") == [("himawari8bot",)]


def _testdata(tmp_path) -> Path:
    with tarfile.open(dataset(V1) / "python_twitter_testdata.tgz") as archive:
        archive.extractall(tmp_path, filter="data")
    return tmp_path / "testdata"


def test_json_lines_stream_with_extended_text_and_quotes(tmp_path, workspace):
    lines = _testdata(tmp_path) / "streaming" / "lines.json"
    report = ingest(workspace, [lines])
    assert report.files[0].format == "twitter-v1"
    s = workspace.status()
    assert s["posts"] == 71 + 8  # 72 lines hold 71 distinct tweets; 8 of them quote a tweet not among them
    assert s["interactions"]["quote"] == 8
    text, hashtags = workspace.sql("SELECT text, hashtags FROM posts WHERE post_id = '972472958596866048'")[0]
    assert text.endswith("#Quran") and len(text) > 140  # extended_tweet.full_text, not the cut `text`
    assert hashtags == ["Quran"]  # the extended entities, not the short ones (which have none)
    assert _posts(workspace, "post_id = '972472958601056256'")[0][4:6] == ("972472152447438859", "399314591")


@pytest.mark.slow
def test_whole_test_data_archive_claims_tweets_and_users_only(workspace):
    report = ingest(workspace, [dataset(V1) / "python_twitter_testdata.tgz"], skip_bad=True)
    by_name = {f.path.split("!")[1]: f for f in report.files}
    assert by_name["testdata/get_search.json"].format == "twitter-v1"            # {"statuses": [...]}
    assert by_name["testdata/get_user.json"].format == "twitter-v1"              # a single user
    assert by_name["testdata/get_statuses.map.1.json"].format == "twitter-v1"    # {"id": {id: tweet}}
    assert by_name["testdata/public_timeline.json"].format == "twitter-v1"       # 2007 tweets, no id_str
    for private_or_other in ("testdata/direct_messages.json", "testdata/direct_messages/get_direct_messages.json",
                             "testdata/get_follower_ids.json", "testdata/get_trends_current.json",
                             "testdata/get_lists.json", "testdata/get_show_friendship.json", "testdata/ratelimit.json"):
        assert by_name[private_or_other].status == "unrecognised", private_or_other
    assert [f for f in report.files if f.status == "failed"] == []
    # the one tweet without a user is skipped with a clear reason
    bad = [s for f in report.files for s in f.skipped]
    assert bad == [f"{by_name['testdata/models/models_status_no_user.json'].path}, line 1: "
                   "is a tweet without its `user`, so its author is unknown."]
    assert workspace.sql("SELECT count(*) FROM posts WHERE text LIKE '%Communists are distinguished%'") == [(0,)]
    assert workspace.status()["posts"] > 1000


def test_reimport_changes_nothing(workspace):
    paths = [dataset(V1) / name for name in ("get_mentions.json", "get_retweets.json", "get_list_members_0.json")]
    ingest(workspace, paths)
    before = workspace.status()
    report = ingest(workspace, paths)
    assert {f.status for f in report.files} == {"unchanged"}
    assert workspace.status() == before


# --- bad input --------------------------------------------------------------------------------------

def _lines(path: Path, n: int) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()][:n]


def test_broken_json_line_is_named(tmp_path, workspace):
    good = _lines(_testdata(tmp_path / "src") / "streaming" / "lines.json", 3)
    path = tmp_path / "tweets.jsonl"
    path.write_bytes(b"\n".join([good[0], good[1], good[2][:500], b""]))
    with pytest.raises(ImportFormatError, match=r"tweets\.jsonl, line 3: is not valid JSON"):
        ingest(workspace, [path])
    assert workspace.status()["posts"] == 0
    report = ingest(workspace, [path], skip_bad=True)
    assert workspace.status()["posts"] == 2 and len(report.files[0].skipped) == 1


def test_tweet_of_the_wrong_shape_is_rejected_with_its_record(tmp_path, workspace):
    tweets = json.loads((dataset(V1) / "get_mentions.json").read_bytes())
    tweets[4]["id_str"] = {"not": "an id"}
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(tweets, indent=1))  # one document over many lines
    with pytest.raises(ImportFormatError, match=r"timeline\.json, record 5: a field has the wrong type \(an id"):
        ingest(workspace, [path])
    report = ingest(workspace, [path], skip_bad=True)
    assert len(report.files[0].skipped) == 1 and workspace.status()["posts"] == 19 + 2 - 1


def test_skipped_tweet_does_not_hide_its_accounts_from_later_ones(tmp_path, workspace):
    tweets = json.loads((dataset(V1) / "get_retweets.json").read_bytes())
    tweets[0]["retweeted_status"]["id_str"] = ["not", "an", "id"]  # fails after jack's account was read
    path = tmp_path / "retweets.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tweets))
    report = ingest(workspace, [path], skip_bad=True)
    assert [s.split(": ", 1)[0][-6:] for s in report.files[0].skipped] == ["line 1"]
    assert workspace.status()["interactions"]["repost"] == 13
    assert workspace.sql("SELECT handle FROM accounts WHERE account_id = '12'") == [("jack",)]


def test_embedding_loop_is_rejected_not_recursed(tmp_path, workspace):
    tweet = json.loads((dataset(V1) / "get_retweets.json").read_bytes())[0]
    nested = tweet
    for _ in range(50):
        nested = {**tweet, "retweeted_status": nested}
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(nested))
    with pytest.raises(ImportFormatError, match="embedded in each other more than 3 deep"):
        ingest(workspace, [path])


def test_stream_notices_are_skipped(tmp_path, workspace):
    good = _lines(dataset(V1) / "get_retweets.json", 1)[0]
    tweet = json.dumps(json.loads(good)[0]).encode()
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"\n".join([b'{"delete": {"status": {"id": 1, "id_str": "1"}}}', tweet,
                                 b'{"limit": {"track": 12}}', b""]))
    ingest(workspace, [path])
    assert workspace.status()["interactions"]["repost"] == 1


# --- RumourEval 2017 / PHEME threads -------------------------------------------------------------------

def _rumoureval(tmp_path, *parts: str) -> Path:
    """The dataset extracted under ``tmp_path``: only ``data/<part>/`` for each part named, else all."""
    with tarfile.open(dataset("rumoureval2017/rumoureval2017.tgz")) as archive:
        members = [m for m in archive.getmembers()
                   if not parts or any(m.name.startswith(f"data/{part}/") for part in parts)]
        archive.extractall(tmp_path, members=members, filter="data")
    return tmp_path / "data"


def test_thread_layout_detection(tmp_path):
    data = _rumoureval(tmp_path, "dev", "dev-annotations")
    found = {e.name: e for e in entries(data / "dev")}
    thread = next(name.split("/source-tweet/")[0] for name in found if "/source-tweet/" in name)
    source = next(e for n, e in found.items() if n.startswith(thread + "/source-tweet/"))
    reply = next(e for n, e in found.items() if n.startswith(thread + "/replies/"))
    assert detect(source) is IMPORTER and detect(reply) is IMPORTER
    assert detect(found[thread + "/structure.json"]) is None
    assert detect(found["README"]) is None
    for annotations in entries(data / "dev-annotations"):
        assert detect(annotations) is None


def test_trump_threads_flattened_layout(tmp_path, workspace):
    trump = _rumoureval(tmp_path, "trump") / "trump"
    report = ingest(workspace, [trump])
    assert sorted(f.status for f in report.files) == ["imported"] * 26 + ["unrecognised"] * 2  # 2 structure.json
    s = workspace.status()
    # the dataset's README says 25, but the two threads hold 26 tweet files with 26 distinct ids
    assert s["posts"] == 26 and s["replies"] == 24
    reply = _posts(workspace, "post_id = '879678387849134084'")[0]
    assert reply[1:4] == ("822491959805825027", ".@realDonaldTrump 3 Years, 6 Months, 24 Days, 4 Hours, 29 Minutes, "
                          "and 22 Seconds", "879678356450676736")
    assert reply[7] == ["25073877"]  # user_mentions at the top level, ids given as numbers
    links = workspace.sql("SELECT links FROM posts WHERE post_id = '879678530379931648'")[0][0]
    assert links == ["https://twitter.com/i/web/status/879678530379931648"]
    (handle, followers, following), = workspace.sql(
        "SELECT handle, followers_count, following_count FROM accounts WHERE account_id = '25073877'")
    # the author's user object in one of the files (each file holds its own snapshot of the counts)
    assert handle == "realDonaldTrump" and 44_000_000 < followers < 44_100_000 and following == 45


def _thread_files(data: Path) -> dict[str, Path]:
    """post id -> file, for every tweet file of the train, dev and test threads."""
    return {p.stem: p for part in ("train", "dev", "test") for kind in ("source-tweet", "replies")
            for p in (data / part).rglob(f"{kind}/*.json")}


@pytest.fixture(scope="module")
def rumoureval(tmp_path_factory):
    """train, dev and test ingested together, once for the tests below (several minutes: 5,568 files)."""
    from stature import Workspace

    tmp = tmp_path_factory.mktemp("rumoureval")
    data = _rumoureval(tmp)
    with Workspace(tmp / "ws.duckdb") as ws:
        report = ingest(ws, [data / "train", data / "dev", data / "test"])
        yield ws, report, data


@pytest.mark.slow
def test_rumoureval_threads_counts(rumoureval):
    ws, report, data = rumoureval
    files = _thread_files(data)
    assert len(files) == 5568
    s = ws.status()
    assert s["replies"] == 5243
    # every thread tweet is a post; the 4 outside tweets that 5 replies quote are posts too
    assert s["posts"] == 5568 + 4
    ws.con.execute("CREATE TEMP TABLE thread_ids AS SELECT unnest(?::VARCHAR[]) AS post_id", [list(files)])
    assert ws.sql("SELECT count(*), count(DISTINCT author_id) FROM posts JOIN thread_ids USING (post_id)") == [
        (5568, 3859)]
    assert s["interactions"]["quote"] == 5
    # a reply points at its parent, and the reply interaction at the parent's author
    source = ws.sql("SELECT author_id FROM posts WHERE post_id = '552783667052167168'")[0][0]
    n = ws.sql("SELECT count(*) FROM interactions WHERE kind = 'reply' AND target_id = ? AND post_id IN "
               "(SELECT post_id FROM posts WHERE reply_to_post_id = '552783667052167168')", [source])[0][0]
    assert n == ws.sql("SELECT count(*) FROM posts WHERE reply_to_post_id = '552783667052167168'")[0][0] > 0


@pytest.mark.slow
def test_rumoureval_non_tweets_are_listed_unrecognised(rumoureval):
    ws, report, data = rumoureval
    unrecognised = {Path(f.path).name for f in report.files if f.status == "unrecognised"}
    assert {"structure.json", "README"} <= unrecognised
    assert sum(1 for f in report.files if Path(f.path).name == "structure.json") == 325
    assert {f.format for f in report.files if f.status == "imported"} == {"twitter-v1"}
    assert sum(1 for f in report.files if f.status == "imported") == 5568


@pytest.mark.slow
def test_rumoureval_reimport_changes_nothing(rumoureval):
    ws, report, data = rumoureval
    before = ws.status()
    again = ingest(ws, [data / "train", data / "dev", data / "test"])
    assert {f.status for f in again.files} == {"unchanged", "unrecognised"}
    assert ws.status() == before


@pytest.mark.slow
def test_rumoureval_archive_ingests_directly(workspace):
    report = ingest(workspace, [dataset("rumoureval2017/rumoureval2017.tgz")])
    imported = [f for f in report.files if f.status == "imported"]
    assert len(imported) == 5568 + 26 and {f.format for f in imported} == {"twitter-v1"}
    assert all("!data/" in f.path for f in imported)
    names = {f.path.rsplit("/", 1)[1] for f in report.files if f.status == "unrecognised"}
    assert {"structure.json", "subtaskA.json", "subtaskB.json", "README"} <= names
    s = workspace.status()
    assert s["posts"] == 5568 + 4 + 26 and s["replies"] == 5243 + 24
