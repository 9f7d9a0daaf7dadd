"""Goals and connections on a generated community with a planted target community.

The community comes from `stature generate`; its accounts interested in space are the
goal's target community. A planted account writes about space (two posts that the
community's credible members reply to and repost, two that nobody notices), about football
(liked by football fans, outside the audience) and about cooking (ignored), and follows
football fans and some of the most popular accounts, none of them interested in space:
left to itself, its circle of trust is about football.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from stature import Workspace, ingest
from stature.generate import generate
from stature.goals import check_goal, connect, connect_batch, parse_goal
from stature.model import Account, Interaction, Post
from stature.topics.store import classify_workspace
from stature.workspace import Writer

NET = "twitter"
ME = "4200000001"
GOAL = {
    "name": "Known among space people",
    "purpose": "Become a voice the space community listens to.",
    "topics": ["Astronomy & Space"],
    "audience": {"bio_keywords": ["astronomer", "space"], "topic_experts": True},
    "window": {"days": 120},
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    out = tmp_path_factory.mktemp("planted")
    generate(out / "community", accounts=400, seed=11)
    truth = json.loads((out / "community" / "ground_truth.json").read_text())
    accounts = truth["accounts"]
    interests = {a["id"]: a["interests"] for a in accounts}
    by_popularity = sorted(accounts, key=lambda a: a["popularity_rank"])
    space = [a["id"] for a in by_popularity if "space" in a["interests"]]
    football = [a["id"] for a in by_popularity if "football" in a["interests"] and "space" not in a["interests"]]
    popular_off_topic = [a["id"] for a in by_popularity[:25] if "space" not in a["interests"]][:6]
    words = {t: truth["topics"][t]["words"] for t in ("space", "football", "cooking")}
    tags = {t: truth["topics"][t]["hashtags"] for t in ("space", "football", "cooking")}
    start = datetime(2024, 1, 8, 15)
    records = [Account(NET, ME, handle="plantedwriter", display_name="Planted Writer", bio="Writer.")]
    reached = {}
    for k in range(12):
        topic = ("space", "football", "cooking")[k % 3]
        when = start + timedelta(days=7 * k + k % 3)
        post_id = f"planted-{k}"
        text = " ".join(words[topic][(k * 5 + j) % 30] for j in range(8)) + f" #{tags[topic][k % 6]}"
        records.append(Post(NET, post_id, ME, created_at=when, text=text.capitalize()))
        if topic == "space" and k < 6:  # two posts that credible space members reply to and repost
            fans = space[(k // 3) * 3:(k // 3) * 3 + 3]
            reached[post_id] = set(fans)
            for n, fan in enumerate(fans):
                records.append(Post(NET, f"{post_id}-reply-{n}", fan, created_at=when + timedelta(hours=2 + n),
                                    text="Great point on the " + words["space"][n], reply_to_post_id=post_id,
                                    reply_to_account_id=ME))
                records.append(Interaction(NET, "repost", fan, ME, post_id=post_id, time=when + timedelta(hours=3)))
        elif topic == "football":  # liked by football fans, outside the audience
            for fan in football[k:k + 8]:
                records.append(Interaction(NET, "like", fan, ME, post_id=post_id, time=when + timedelta(hours=1)))
    for other in popular_off_topic + football[:10] + space[12:13]:
        records.append(Interaction(NET, "follow", ME, other, time=start - timedelta(days=30)))
    ws = Workspace(out / "planted.duckdb")
    ingest(ws, [out / "community"])
    with ws.transaction() as con:
        writer = Writer(con, 99)
        for record in records:
            writer.add(record)
        writer.finish()
    classify_workspace(ws, model="keyword")
    yield {"ws": ws, "interests": interests, "space": space, "followed": popular_off_topic + football[:10],
           "rank": {a["id"]: a["popularity_rank"] for a in accounts}, "reached": reached, "goal": parse_goal(GOAL, "space-goal.toml")}
    ws.close()


@pytest.mark.slow
def test_goal_check_finds_the_posts_that_reached_the_target_community(planted):
    result = check_goal(planted["ws"], planted["goal"], account="plantedwriter")
    most = result["posts"]["most"]
    assert [p["post_id"] for p in most] and all(p["post_id"] in planted["reached"] for p in most)
    for p in most:
        assert p["on_goal_topics"] and p["reached_count"] == 3
        assert {r["account_id"] for r in p["reached"]} <= planted["reached"][p["post_id"]]
    least = {p["post_id"] for p in result["posts"]["least"]}
    assert not least & set(planted["reached"])
    assert result["topic_fit"]["on_topic"] == 4 and result["topic_fit"]["posts"] == 12
    share = result["audience_share"]
    assert share["from_audience"] > 0 and share["share"] < 1  # football likes are reactions from outside it
    totals = result["outcomes"]["totals"]
    assert totals["replies"] > 0 and totals["reposts"] > 0
    assert sum(w["value"] for w in result["progress"]) == pytest.approx(result["outcomes"]["value"])
    assert result["suggestions"]["topics"][0]["topic"] == "Astronomy & Space"
    assert result["suggestions"]["times"]["hours"]


@pytest.mark.slow
def test_connect_ranks_credible_members_above_popular_accounts_off_the_goals_topics(planted):
    ws, interests = planted["ws"], planted["interests"]
    popular_off_topic = {a for a, rank in planted["rank"].items() if rank <= 40 and "space" not in interests[a]}
    with_goal = connect(ws, "plantedwriter", goal=planted["goal"], top=20)["suggestions"]
    ids = [s["account_id"] for s in with_goal]
    assert sum("space" in interests.get(i, []) for i in ids[:10]) >= 8
    credible = [n for n, s in enumerate(with_goal) if s["goal_fit"] >= 0.35 and "space" in interests[s["account_id"]]]
    popular = [n for n, i in enumerate(ids) if i in popular_off_topic]
    assert len(credible) >= 10 and (not popular or max(credible[:10]) < min(popular))
    assert not set(ids) & set(planted["followed"])  # followed already: never suggested again
    best = with_goal[0]
    assert best["why"][0].endswith(")") and "Astronomy & Space" in best["why"][0]
    assert best["topics"][0]["topic"] == "Astronomy & Space" and best["topics"][0]["goal"]
    assert 1 <= len(best["paths"]) <= 3 and all(p["steps"] for p in best["paths"])

    plain = [s["account_id"] for s in connect(ws, "plantedwriter", top=20)["suggestions"]]
    assert sum("space" in interests.get(i, []) for i in plain[:10]) < 8  # left to itself: football
    assert set(plain) & popular_off_topic  # ... and popular accounts, which the goal pushes down


@pytest.mark.slow
def test_batch_connect_gives_what_connect_gives(planted):
    ws = planted["ws"]
    rows = list(connect_batch(ws, ["plantedwriter", f"{NET}:{planted['space'][0]}", "nobody-here"], top=5))
    single = connect(ws, "plantedwriter", top=5)["suggestions"]
    assert [s["account_id"] for s in rows[0]["suggestions"]] == [s["account_id"] for s in single]
    assert rows[0]["account_id"] == ME and len(rows[1]["suggestions"]) == 5
    assert "error" in rows[2] and rows[2]["suggestions"] == []
