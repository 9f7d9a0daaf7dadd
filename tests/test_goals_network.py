"""The attention graph `connect` loads: weights by kind and age, interaction kinds per pair, exclusions."""
from __future__ import annotations

import math
from datetime import datetime

import pytest

from stature.analytics import exclude
from stature.goals import connect, load_network
from stature.goals.connect import resolve
from stature.model import Account, Interaction, Post
from stature.workspace import Writer

NOW = datetime(2024, 6, 30)


def write(ws, records):
    with ws.transaction() as con:
        writer = Writer(con, 1)
        for r in records:
            writer.add(r)
        writer.finish()


@pytest.fixture
def small(workspace):
    write(workspace, [
        Account("twitter", "1", handle="ann"), Account("twitter", "2", handle="bob"),
        Account("twitter", "3", handle="cat"), Account("mastodon", "9", handle="ann"),
        Interaction("twitter", "follow", "1", "2"),
        Post("twitter", "p1", "1", created_at=NOW, text="hi @bob", mentions=["2"]),
        Post("twitter", "p2", "1", created_at=NOW, text="again @bob", mentions=["2"]),
        Interaction("twitter", "like", "2", "1", post_id="p1", time=datetime(2023, 12, 30)),
        Interaction("twitter", "follow", "3", "2"),
        Interaction("twitter", "block", "3", "1"),
    ])
    return workspace


def test_weights_are_by_kind_and_fade_with_age(small):
    net = load_network(small, half_life_days=180)
    ann, bob = net.index("twitter", "1"), net.index("twitter", "2")
    assert net.adjacency[ann, bob] == pytest.approx(math.log1p(0.5 + 2 * 0.5))  # a follow and two mentions
    assert net.adjacency[bob, ann] == pytest.approx(math.log1p(0.2 * 0.5 ** (183 / 180)))  # a like, 183 days old
    assert net.kind_counts(ann, bob) == {"follow": 1, "mention": 2}
    assert net.kind_counts(bob, ann) == {"like": 1}
    assert net.adjacency[net.index("twitter", "3"), ann] == 0  # a block never counts
    assert net.walk[ann, bob] == pytest.approx(net.adjacency[ann, bob] + net.adjacency[bob, ann])


def test_accounts_resolve_by_id_handle_and_network(small):
    net = load_network(small)
    assert resolve(small, net, "twitter:1") == [net.index("twitter", "1")]
    assert resolve(small, net, "@bob") == [net.index("twitter", "2")]
    with pytest.raises(Exception, match="several accounts"):
        resolve(small, net, "ann")
    small.link(["twitter:1", "mastodon:9"])
    assert resolve(small, net, "twitter:1") == sorted([net.index("twitter", "1"), net.index("mastodon", "9")])


def test_excluded_accounts_are_never_suggested_nor_named(small):
    before = [s["account_id"] for s in connect(small, "twitter:2", top=5)["suggestions"]]
    assert "3" in before  # cat follows bob: a follow-back
    exclude(small, "twitter:3")
    after = connect(small, "twitter:2", top=5)
    assert "3" not in [s["account_id"] for s in after["suggestions"]]
    assert all(a["account_id"] != "3" for s in after["suggestions"] for a in s["mutual"]["accounts"])
