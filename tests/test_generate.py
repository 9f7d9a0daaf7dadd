"""The population generator: seeded, scalable, heavy-tailed, and in formats Stature imports."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest

from stature import StatureError, ingest
from stature.generate.vocabulary import TOPICS
from stature.generate import generate

TWITTER_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                          r"\d\d \d\d:\d\d:\d\d \+0000 \d{4}$")


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    out = tmp_path_factory.mktemp("population")
    return out, generate(out, accounts=300, seed=7)


def tweets(out) -> list[dict]:
    with open(out / "tweets.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def rows(out, name) -> list[dict]:
    with open(out / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_same_seed_gives_the_same_files(tmp_path, population):
    out, result = population
    again = generate(tmp_path / "again", accounts=300, seed=7)
    assert again["counts"] == result["counts"]
    for name in ("tweets.jsonl", "interactions.csv", "accounts.csv", "lists.csv", "ground_truth.json"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
    other = generate(tmp_path / "other", accounts=300, seed=8)
    assert (tmp_path / "other" / "tweets.jsonl").read_bytes() != (out / "tweets.jsonl").read_bytes()
    assert other["counts"] != result["counts"]


def test_sizes_scale_with_the_accounts(tmp_path):
    small = generate(tmp_path / "small", accounts=200, seed=1)["counts"]
    large = generate(tmp_path / "large", accounts=1600, seed=1)["counts"]
    assert (small["accounts"], large["accounts"]) == (200, 1600)
    for name in ("posts", "follows", "likes", "reposts", "replies"):
        assert 5 < large[name] / small[name] < 12, name
    half = generate(tmp_path / "half", accounts=200, seed=1, posts_per_account=2.5)["counts"]
    assert 0.3 < half["posts"] / small["posts"] < 0.7


def test_top_one_percent_receive_a_large_share_of_follows(tmp_path):
    out = tmp_path / "tail"
    generate(out, accounts=2000, seed=3, posts_per_account=1)
    followers = Counter(r["target"] for r in rows(out, "interactions.csv") if r["kind"] == "follow")
    counts = sorted(followers.values(), reverse=True)
    share = sum(counts[:20]) / sum(counts)
    assert share > 0.15  # 20 of 2,000 accounts: fifteen times their share of the population, or more
    truth = json.loads((out / "ground_truth.json").read_text())
    by_rank = sorted(truth["accounts"], key=lambda a: a["popularity_rank"])
    top = sum(followers[a["id"]] for a in by_rank[:20])
    bottom = sum(followers[a["id"]] for a in by_rank[-1000:])
    assert top > bottom  # the 20 most popular are followed more than the 1,000 least


def test_posts_are_twitter_v1_json_lines(population):
    out, result = population
    lines = tweets(out)
    counts = result["counts"]
    assert len(lines) == counts["tweet_lines"] == counts["posts"] + counts["reposts"]
    for t in lines:
        assert TWITTER_TIME.match(t["created_at"]) and t["id_str"] == str(t["id"])
        assert t["user"]["id_str"] and TWITTER_TIME.match(t["user"]["created_at"])
        assert {"followers_count", "friends_count", "statuses_count", "screen_name"} <= set(t["user"])
        for tag in t["entities"]["hashtags"]:
            start, end = tag["indices"]
            assert t["text"][start:end] == "#" + tag["text"]
        for m in t["entities"]["user_mentions"]:
            start, end = m["indices"]
            assert t["text"][start:end] == "@" + m["screen_name"]
    retweets = [t for t in lines if "retweeted_status" in t]
    replies = [t for t in lines if t["in_reply_to_status_id_str"]]
    quotes = [t for t in lines if t.get("quoted_status_id_str")]
    assert (len(retweets), len(replies), len(quotes)) == (counts["reposts"], counts["replies"], counts["quotes"])
    rt = retweets[0]
    assert rt["text"] == f"RT @{rt['retweeted_status']['user']['screen_name']}: {rt['retweeted_status']['text']}"
    ids = {t["id_str"]: t for t in lines}
    for reply in replies:
        parent = ids[reply["in_reply_to_status_id_str"]]
        assert parent["user"]["id_str"] == reply["in_reply_to_user_id_str"] != reply["user"]["id_str"]
        assert reply["text"].startswith("@" + reply["in_reply_to_screen_name"] + " ")
        assert parent["created_at"] != reply["created_at"]
    assert all(ids[q["quoted_status_id_str"]]["text"] == q["quoted_status"]["text"] for q in quotes)


def test_original_posts_are_about_their_authors_interests(population):
    out, _ = population
    truth = json.loads((out / "ground_truth.json").read_text())
    interests = {a["id"]: set(a["interests"]) for a in truth["accounts"]}
    assert all(1 <= len(v) <= 3 for v in interests.values())
    tag_topic = {tag: name for name, (_, _, tags) in TOPICS.items() for tag in tags}
    tagged = 0
    for t in tweets(out):
        if "retweeted_status" in t or t["in_reply_to_status_id_str"] or t["is_quote_status"]:
            continue
        for tag in t["entities"]["hashtags"]:
            assert tag_topic[tag["text"]] in interests[t["user"]["id_str"]]
            tagged += 1
    assert tagged > 100
    accounts = {r["account_id"]: r for r in rows(out, "accounts.csv")}
    for a in truth["accounts"]:
        role = TOPICS[a["interests"][0]][0]
        assert accounts[a["id"]]["bio"].lower().startswith(role.lower())


def test_ground_truth_is_not_imported_and_the_counts_match_an_import(population, workspace):
    from stature.importers import REGISTRY
    if "twitter-v1" not in {i.name for i in REGISTRY}:
        pytest.skip("the Twitter API v1.1 importer is not in this tree yet")
    out, result = population
    report = ingest(workspace, [out])
    formats = {f.path.rsplit("/", 1)[-1]: (f.format, f.status) for f in report.files}
    assert formats["ground_truth.json"] == (None, "unrecognised")
    assert formats["tweets.jsonl"] == ("twitter-v1", "imported")
    n = result["counts"]
    s = workspace.status()
    assert (s["accounts"], s["posts"], s["replies"], s["lists"]) == (
        n["accounts"], n["posts"], n["replies"], n["list_memberships"])
    assert s["interactions"] == {"follow": n["follows"], "mention": n["mentions"], "reply": n["replies"],
                                 "repost": n["reposts"], "quote": n["quotes"], "like": n["likes"]}
    assert s["networks"].keys() == {"twitter"}
    start, end = workspace.sql("SELECT min(created_at)::DATE::VARCHAR, max(created_at)::DATE::VARCHAR FROM posts")[0]
    assert start >= "2024-01-01" and end <= "2024-04-30"
    assert workspace.sql("SELECT count(*) FROM interactions WHERE time IS NULL")[0][0] == 0
    # the counts in the user objects agree with the follows imported
    mismatched = workspace.sql("""SELECT count(*) FROM accounts a LEFT JOIN (
        SELECT target_id, count(*) AS n FROM interactions WHERE kind = 'follow' GROUP BY target_id) f
        ON f.target_id = a.account_id WHERE a.followers_count != coalesce(f.n, 0)""")[0][0]
    assert mismatched == 0


def test_bad_sizes_are_refused(tmp_path):
    with pytest.raises(StatureError, match="at least 1 account"):
        generate(tmp_path, accounts=0)
    with pytest.raises(StatureError, match="not an ISO 8601 date"):
        generate(tmp_path, accounts=5, start="next tuesday")


def test_tiny_and_silent_populations_still_work(tmp_path):
    assert generate(tmp_path / "one", accounts=1)["counts"]["follows"] == 0
    quiet = generate(tmp_path / "quiet", accounts=50, posts_per_account=0)["counts"]
    assert quiet["posts"] == quiet["likes"] == quiet["reposts"] == 0 and quiet["follows"] > 0


def test_cli_generates_with_progress_off_when_piped(tmp_path, cli):
    result = cli("generate", tmp_path / "c", "--accounts", 120, "--seed", 2)
    assert result.exit_code == 0, result.output
    assert "Generated 120 accounts" in result.output
    assert "stature ingest" in result.output
    assert (tmp_path / "c" / "tweets.jsonl").stat().st_size > 0
    result = cli("generate", tmp_path / "d", "--accounts", 0)
    assert result.exit_code == 2 and "--accounts" in result.output


def test_topic_sampler_draws_in_proportion_to_weight_within_the_topic():
    import numpy as np
    from stature.generate.population import TopicSampler

    interests = np.array([[0, 1, -1], [0, -1, -1], [1, 2, -1], [0, 2, -1], [2, -1, -1]], dtype=np.int8)
    weight = np.array([1.0, 3.0, 2.0, 6.0, 0.0])
    sampler = TopicSampler(interests, weight)
    rng = np.random.default_rng(0)
    for topic, expected in ((0, {0: 0.1, 1: 0.3, 3: 0.6}), (1, {0: 1 / 3, 2: 2 / 3}), (2, {2: 0.25, 3: 0.75})):
        drawn = sampler.sample(np.full(100_000, topic), rng.random(100_000))
        found = {int(k): v / len(drawn) for k, v in zip(*np.unique(drawn, return_counts=True))}
        assert found.keys() == expected.keys()  # never outside the topic, never weight 0
        assert all(abs(found[k] - p) < 0.01 for k, p in expected.items())


def test_chunks_change_nothing_an_import_counts(tmp_path, monkeypatch, workspace):
    """Follows and engagement are drawn a chunk of accounts at a time; many small chunks agree too."""
    from stature.generate import population as population_model
    from stature.importers import REGISTRY
    if "twitter-v1" not in {i.name for i in REGISTRY}:
        pytest.skip("the Twitter API v1.1 importer is not in this tree yet")
    monkeypatch.setattr(population_model, "ACCOUNT_CHUNK", 37)
    result = generate(tmp_path, accounts=250, seed=5)
    n = result["counts"]
    ingest(workspace, [tmp_path])
    s = workspace.status()
    assert (s["accounts"], s["posts"]) == (250, n["posts"])
    assert s["interactions"] == {"follow": n["follows"], "mention": n["mentions"], "reply": n["replies"],
                                 "repost": n["reposts"], "quote": n["quotes"], "like": n["likes"]}
    ids = workspace.sql("SELECT count(DISTINCT post_id) FROM posts WHERE reply_to_post_id IS NOT NULL "
                        "OR quote_of_post_id IS NOT NULL")[0][0]
    assert ids == n["replies"] + n["quotes"]  # every reply and quote has its own id
