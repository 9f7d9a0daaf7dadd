"""A small generated community for score tests, written through the canonical Writer.

``Community`` draws a community of ordinary accounts with heavy-tailed popularity:
each posts over the 60 days before ``AS_OF``, and others follow, repost, quote,
reply to and like those posts in proportion to the author's popularity. Tests then
add a scenario (a viral post, a ring, a farm, a prolific poster) and write it all.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from stature.model import Account, Interaction, ListMembership, Post
from stature.workspace import Writer

AS_OF = datetime(2024, 6, 30, 12, 0, 0)
NET = "twitter"


class Community:
    def __init__(self, size: int = 120, seed: int = 1):
        self.rng = np.random.default_rng(seed)
        self.records: list = []
        self.posts: dict[str, list[str]] = {}
        self._post_number = 0
        self._created: dict[str, datetime] = {}
        rng = self.rng
        self.members = [f"m{i}" for i in range(size)]
        self.popularity = rng.lognormal(0, 1.0, size)
        self.popularity /= self.popularity.mean()
        for i, m in enumerate(self.members):
            self.account(m, followers=int(50 * self.popularity[i] ** 2 + rng.integers(5, 40)),
                         listed=int(self.popularity[i] * 3), age_days=int(rng.integers(400, 3000)))
        for i, author in enumerate(self.members):
            for _ in range(int(rng.integers(4, 14))):
                post = self.post(author)
                self.engage(post, author, self.popularity[i])
        for i, m in enumerate(self.members):  # follows, towards popular accounts
            targets = rng.choice(size, size=min(size - 1, 8), replace=False, p=self.popularity / self.popularity.sum())
            for t in targets:
                if t != i:
                    self.records.append(Interaction(NET, "follow", m, self.members[t]))

    def account(self, account_id, *, followers=None, listed=None, age_days=1000):
        self.records.append(Account(NET, account_id, handle=account_id, created_at=AS_OF - timedelta(days=age_days),
                                    followers_count=followers, listed_count=listed))

    def post(self, author, *, days_ago=None, reply_to=None, reply_to_author=None) -> str:
        self._post_number += 1
        post_id = f"p{self._post_number}"
        when = AS_OF - timedelta(days=float(days_ago if days_ago is not None else self.rng.uniform(0.5, 60)))
        self._created[post_id] = when
        self.records.append(Post(NET, post_id, author, created_at=when, text=f"post {post_id}",
                                 reply_to_post_id=reply_to, reply_to_account_id=reply_to_author))
        self.posts.setdefault(author, []).append(post_id)
        return post_id

    def repost(self, who, post_id, author):
        self.records.append(Interaction(NET, "repost", who, author, post_id=post_id, time=self._time(post_id)))

    def reply(self, who, post_id, author) -> str:
        return self.post(who, days_ago=self._age(post_id) * 0.99, reply_to=post_id, reply_to_author=author)

    def engage(self, post_id, author, popularity, scale=1.0):
        rng = self.rng
        others = [m for m in self.members if m != author]
        n_reposts = min(len(others), rng.poisson(1.5 * popularity * scale))
        for who in rng.choice(others, size=n_reposts, replace=False):
            self.repost(str(who), post_id, author)
        n_replies = min(len(others), rng.poisson(1.0 * popularity * scale))
        for who in rng.choice(others, size=n_replies, replace=False):
            self.reply(str(who), post_id, author)
        for who in rng.choice(others, size=min(len(others), rng.poisson(2 * popularity * scale)), replace=False):
            self.records.append(Interaction(NET, "like", str(who), author, post_id=post_id, time=self._time(post_id)))

    def list_member(self, list_id, member, owner="m0"):
        self.records.append(ListMembership(NET, list_id, member, list_name=list_id, owner_id=owner))

    def _age(self, post_id) -> float:
        return (AS_OF - self._created[post_id]).total_seconds() / 86400

    def _time(self, post_id):
        return AS_OF - timedelta(days=self._age(post_id) * 0.99)

    def write(self, workspace, records=None):
        with workspace.transaction() as con:
            writer = Writer(con, 1)
            for record in records if records is not None else self.records:
                writer.add(record)
            writer.finish()
        return workspace


def scores(workspace) -> dict[str, float]:
    """handle -> exact score of the latest run."""
    from stature.analytics import score
    score(workspace, as_of=AS_OF)
    return {h: e for h, e in workspace.sql(
        "SELECT handle, exact FROM scores WHERE run_id = (SELECT max(run_id) FROM score_runs)")}


def rank_of(table: dict[str, float], handle: str) -> int:
    return 1 + sum(1 for v in table.values() if v > table[handle])
