"""Each rule has one source (stature.rules) that every engine and surface follows.

- Exclusion: excluding one of a person's linked accounts hides the person's every account in the
  dashboard's views, the exports, the communities, `connect` and the score.
- Decay: the score, `connect` (and communities) and topic expertise fade an interaction of a given
  age by the same amount, the one in stature.rules.decay.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from stature import Workspace
from stature.analytics import exclude, score
from stature.analytics.communities import communities, community_members, detect_communities
from stature.errors import StatureError
from stature.exports import graph_tables
from stature.goals import connect, load_network
from stature.model import Account, Interaction, Post
from stature.rules.decay import DEFAULT_WINDOW_DAYS, decay, decay_sql, half_life
from stature.topics.expertise import TopicPost, expertise
from stature.workspace import Writer
from stature import views

NOW = datetime(2024, 6, 30, 12, 0, 0)


# ---------------------------------------------------------------- exclusion, through linked identities


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A generated population through the whole pipeline (scores, topics, communities)."""
    from stature.demo import run_demo
    path = tmp_path_factory.mktemp("rules") / "rules.duckdb"
    with Workspace(path) as ws:
        run_demo(ws, accounts=80, seed=3)
    return path


def _expert_and_partner(ws):
    """B: the best expert on the leading topic; C: the account B pays most attention to; A: a quiet account."""
    leading = views.overview(ws)["experts"][0]
    b = leading["experts"][0]
    c = views.ego_network(ws, b["network"], b["account_id"])["out"][0]
    quiet = ws.sql("""SELECT a.account_id FROM accounts a WHERE a.account_id NOT IN (?, ?)
                      ORDER BY a.followers_count, a.account_id LIMIT 1""", [b["account_id"], c["account_id"]])[0][0]
    return leading["topic_id"], b, c, ("twitter", quiet)


def _shown(ws, topic_id, b, c) -> dict:
    """Where the account ``b`` shows up, surface by surface."""
    key = (b["network"], b["account_id"])
    nodes, edges = graph_tables(ws)
    community = ws.sql("SELECT community FROM communities WHERE network = ? AND account_id = ?", list(key))
    found = communities(ws, members=1000)["communities"]
    ego = views.ego_network(ws, c["network"], c["account_id"], limit=1000)
    return {
        "search": any((a["network"], a["account_id"]) == key for a in views.search(ws, b["handle"])["accounts"]),
        "top": any((r["network"], r["account_id"]) == key for r in views.overview(ws, limit=0)["top"] or []),
        "experts": any((e["network"], e["account_id"]) == key for e in views.topic_view(ws, topic_id)["experts"]),
        "ego": any(o["account_id"] == b["account_id"] for side in ("in", "out") for o in ego[side]),
        "export nodes": f"{key[0]}:{key[1]}" in nodes.column("id").to_pylist(),
        "export edges": f"{key[0]}:{key[1]}" in edges.column("source").to_pylist() + edges.column("target").to_pylist(),
        "communities": any(m["account_id"] == b["account_id"] for x in found for m in x["members"]),
        "community members": bool(community) and any(
            m["account_id"] == b["account_id"] for m in community_members(ws, community[0][0], limit=1000)["members"]),
        "connect": not load_network(ws).excluded[load_network(ws).index(*key)],
    }


@pytest.mark.slow
def test_excluding_an_account_hides_its_linked_accounts_everywhere(demo):
    with Workspace(demo) as ws:
        topic_id, b, c, quiet = _expert_and_partner(ws)
        before = _shown(ws, topic_id, b, c)
        assert all(before.values()), before  # the account is there to hide, everywhere
        ws.link([f"{quiet[0]}:{quiet[1]}", f"{b['network']}:{b['account_id']}"])
        exclude(ws, f"{quiet[0]}:{quiet[1]}")  # exclude the person's other, quiet account
        after = _shown(ws, topic_id, b, c)
        assert not any(after.values()), after
        with pytest.raises(StatureError, match="exclusion list"):
            views.account_view(ws, f"{b['network']}:{b['account_id']}")
        suggested = connect(ws, f"{c['network']}:{c['account_id']}", top=50)["suggestions"]
        assert b["account_id"] not in {s["account_id"] for s in suggested}
        score(ws)  # scored again: the person is one node, and never ranked
        detect_communities(ws)
        assert not any(_shown(ws, topic_id, b, c).values())


# ---------------------------------------------------------------- one decay


def test_the_decay_rule_reads_the_same_in_sql_and_python():
    import duckdb
    h = half_life()
    assert h == DEFAULT_WINDOW_DAYS / 2
    con = duckdb.connect()
    for age in (0.0, 10.0, 45.0, 90.0, 400.0, -3.0):
        in_sql = con.execute(f"SELECT {decay_sql('t', str(age), str(h))} FROM (SELECT 1 AS t)").fetchone()[0]
        assert in_sql == pytest.approx(decay(age, h))
    assert con.execute(f"SELECT {decay_sql('t', 'NULL', str(h))} FROM (SELECT NULL AS t)").fetchone()[0] == 1.0
    assert decay(45.0, 45.0) == 0.5 and decay(None, 45.0) == 1.0 and decay(-1.0, 45.0) == 1.0


@pytest.fixture
def aged(workspace):
    """ann's post, liked by bob 30 days before NOW and by cat at NOW."""
    records = [
        Account("twitter", "1", handle="ann", created_at=NOW - timedelta(days=900)),
        Account("twitter", "2", handle="bob", created_at=NOW - timedelta(days=900)),
        Account("twitter", "3", handle="cat", created_at=NOW - timedelta(days=900)),
        Post("twitter", "p1", "1", created_at=NOW - timedelta(days=40), text="hello"),
        Interaction("twitter", "like", "2", "1", post_id="p1", time=NOW - timedelta(days=30)),
        Interaction("twitter", "like", "3", "1", post_id="p1", time=NOW),
    ]
    with workspace.transaction() as con:
        writer = Writer(con, 1)
        for record in records:
            writer.add(record)
        writer.finish()
    return workspace


def test_the_score_fades_interactions_by_the_rule(aged):
    from stature.analytics.engine import DuckDBEngine
    from stature.analytics.relational import Params, graph_steps
    engine = DuckDBEngine(aged.con)
    try:
        for step in graph_steps(Params(NOW)):
            engine.run(step)
        faded = dict(aged.sql("SELECT s.node_id, e.decay FROM events e JOIN nodes s ON s.idx = e.src"))
    finally:
        engine.cleanup()
    assert faded["twitter:2"] == pytest.approx(decay(30, half_life()))
    assert faded["twitter:3"] == pytest.approx(1.0)


def test_connect_fades_interactions_by_the_rule(aged):
    net = load_network(aged, as_of=NOW)
    ann, bob, cat = (net.index("twitter", i) for i in "123")
    like = 0.2  # stature.rules.interactions.KIND_WEIGHTS["like"]
    assert net.adjacency[bob, ann] == pytest.approx(math.log1p(like * decay(30, half_life())))
    assert net.adjacency[cat, ann] == pytest.approx(math.log1p(like))


def test_expertise_fades_reactions_by_the_rule():
    posts = [TopicPost("twitter", f"p{week}", "ann", "science", 1.0, created_at=NOW - timedelta(weeks=week))
             for week in range(1, 7)]  # weeks of posts on the topic, without reactions
    old = TopicPost("twitter", "old", "ann", "science", 1.0, created_at=NOW - timedelta(days=30))
    new = TopicPost("twitter", "new", "ann", "science", 1.0, created_at=NOW)
    reactions = [("twitter", "old", "bob", "reply"), ("twitter", "new", "bob", "reply")]
    found = expertise([*posts, old, new], reactions, as_of=NOW)
    weights = {p["post_id"]: p["reaction_weight"] for p in found[0].evidence["top_posts"]}
    assert weights["old"] == pytest.approx(weights["new"] * decay(30, half_life()), abs=1e-3)


# ---------------------------------------------------------------- the default account


def test_the_report_and_goal_check_mean_the_same_account_by_default(aged):
    from stature.goals import check_goal, parse_goal
    goal = parse_goal({"name": "reach", "audience": {"accounts": ["cat"]}})
    assert views.default_account(aged) == "twitter:1"  # ann, the only author: an archive's owner
    assert check_goal(aged, goal)["account"]["account_id"] == "1"
    named = parse_goal({"name": "reach", "account": "bob", "audience": {"accounts": ["cat"]}})
    assert views.default_account(aged, named) == "bob"  # the goal's own account comes first, for both
    assert check_goal(aged, named)["account"]["handle"] == "bob"


def test_without_one_author_only_the_report_falls_back_to_the_top_ranked(aged):
    from stature.goals import check_goal, parse_goal
    with aged.transaction() as con:
        writer = Writer(con, 2)
        writer.add(Post("twitter", "p2", "2", created_at=NOW, text="bob writes too"))
        writer.finish()
    assert views.default_account(aged) is None  # nothing scored yet: no top-ranked account either
    score(aged, as_of=NOW)
    assert views.default_account(aged) == f"twitter:{views.overview(aged, limit=1)['top'][0]['account_id']}"
    with pytest.raises(StatureError, match="Say which account"):
        check_goal(aged, parse_goal({"name": "reach", "audience": {"accounts": ["cat"]}}))
