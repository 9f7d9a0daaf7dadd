"""The model behind :mod:`stature.generate`: accounts, their interests and popularity, and events.

Account-level quantities are numpy arrays drawn once. Everything about an original post
(its author, topic, time, words) is a pure function of its number, drawn with a
counter-based hash, so a post can be written, embedded in a retweet or counted anywhere
without being stored. Follows and engagement are drawn per chunk of acting accounts
from a generator seeded by (seed, stage, chunk), so a chunk can be drawn again, exactly,
to count first and write later.
"""
from __future__ import annotations

import time

import numpy as np

from .vocabulary import (FIRST_NAMES, HANDLE_ADJECTIVES, HANDLE_NOUNS, LAST_NAMES, TOPIC_WEIGHTS,
                                   TOPICS)

TOPIC_NAMES = tuple(TOPICS)
T = len(TOPIC_NAMES)
WORDS_PER_TOPIC = len(TOPICS["ai"][1])
TAGS_PER_TOPIC = len(TOPICS["ai"][2])
ACCOUNT_CHUNK = 25_000

POPULARITY_SIGMA = 2.0
OWN_INTEREST = 0.85          # share of follows and engagement chosen within one of the actor's interests
SHARES = {"original": 0.65, "reply": 0.25, "quote": 0.10}
REPOSTS_PER_POST = 0.5
DELAY_HOURS = {"like": 4.0, "repost": 6.0, "reply": 3.0, "quote": 12.0}
ACCOUNTS_PER_LIST = 250
# share of posts per hour of the day (UTC): quiet nights, a lunch and an evening peak
DIURNAL = np.array([2, 1.5, 1, 1, 1, 1.5, 2.5, 4, 5, 5.5, 6, 6.5, 7, 6.5, 6, 5.5, 5.5, 6, 6.5, 7, 7, 6, 4.5, 3])
_DIURNAL_CDF = np.cumsum(DIURNAL) / DIURNAL.sum()
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# -- counter-based randomness: what a post is depends on its number only -------------------------

_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64, element-wise (uint64 arithmetic wraps around, as it should)."""
    x = x + _G
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def uniforms(key: np.uint64, items: np.ndarray, columns: int, salt: int = 0) -> np.ndarray:
    """Uniform [0, 1) numbers, ``(len(items), columns)``, a pure function of (seed key, item, column)."""
    x = items.astype(np.uint64)[:, None] * np.uint64(64) + np.arange(salt, salt + columns, dtype=np.uint64)
    return (mix(x ^ key) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


class TopicSampler:
    """Draws accounts within a topic in proportion to a weight, many topics in one searchsorted."""

    def __init__(self, interests: np.ndarray, weight: np.ndarray):
        account, slot = np.nonzero(interests >= 0)
        topic = interests[account, slot].astype(np.int64)
        keep = weight[account] > 0
        account, topic = account[keep], topic[keep]
        order = np.lexsort((account, topic))
        self.members = account[order].astype(np.int64)
        topic = topic[order]
        cumulative = np.concatenate([[0.0], np.cumsum(weight[self.members])])
        first = np.searchsorted(topic, np.arange(T + 1))
        before = cumulative[first[:-1]]
        total = cumulative[first[1:]] - before
        fraction = (cumulative[1:] - before[topic]) / np.where(total[topic] > 0, total[topic], 1.0)
        fraction[first[1:][first[1:] > first[:-1]] - 1] = 1.0  # each topic's last member ends it exactly
        self.keys = topic + fraction
        self.sizes = first[1:] - first[:-1]

    def __len__(self):
        return len(self.members)

    def sample(self, topics: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One account per (topic, uniform); a topic without members falls to the next one's."""
        index = np.searchsorted(self.keys, topics + u, side="right")
        return self.members[np.minimum(index, len(self.members) - 1)]


class Population:
    """The account-level arrays everything else is drawn from."""

    def __init__(self, n, posts_per_account, follows_per_account, likes_per_account, seed, start, days):
        self.n, self.seed, self.start, self.days = n, seed, start, days
        self.chunk = ACCOUNT_CHUNK
        self.chunks = -(-n // self.chunk)
        self.end = start + days * 86400
        self.key = mix(np.array([seed], dtype=np.uint64))[0]
        rng = np.random.default_rng([seed, 0])
        self.interests = np.full((n, 3), -1, dtype=np.int8)
        log_pref = np.log(np.asarray(TOPIC_WEIGHTS))
        for lo in range(0, n, 100_000):  # Gumbel top-k: 1-3 distinct interests, popular topics likelier
            hi = min(lo + 100_000, n)
            keys = log_pref - np.log(-np.log(rng.random((hi - lo, T))))
            self.interests[lo:hi] = np.argsort(-keys, axis=1)[:, :3]
        self.n_interests = rng.choice([1, 2, 3], size=n, p=[0.4, 0.4, 0.2]).astype(np.int64)
        self.interests[np.arange(3)[None, :] >= self.n_interests[:, None]] = -1

        z = rng.standard_normal(n)
        self.popularity = np.exp(POPULARITY_SIGMA * z)
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[np.argsort(-self.popularity, kind="stable")] = np.arange(1, n + 1)
        activity = np.exp(0.4 * z + 0.9 * rng.standard_normal(n))
        activity /= activity.mean()
        engagement = np.exp(0.8 * rng.standard_normal(n))
        engagement /= engagement.mean()
        reach = np.exp(rng.standard_normal(n) - 0.5)

        self.originals = rng.poisson(posts_per_account * SHARES["original"] * activity)
        self.post_start = np.concatenate([[0], np.cumsum(self.originals)]).astype(np.int64)
        self.total_originals = int(self.post_start[-1])
        self.follows = np.minimum(rng.poisson(follows_per_account * reach), n - 1)
        wants = {
            "like": rng.poisson(likes_per_account * engagement),
            "repost": rng.poisson(posts_per_account * REPOSTS_PER_POST * engagement),
            "reply": rng.poisson(posts_per_account * SHARES["reply"] * activity),
            "quote": rng.poisson(posts_per_account * SHARES["quote"] * activity),
        }
        if self.total_originals == 0:
            wants = {kind: np.zeros(n, dtype=np.int64) for kind in wants}
        self.wants = wants
        names = rng.integers(0, [len(HANDLE_ADJECTIVES), len(HANDLE_NOUNS), len(FIRST_NAMES), len(LAST_NAMES)],
                             size=(n, 4))
        self.name_parts = names.astype(np.int16)
        self.bio_picks = (rng.random((n, 3)) * [WORDS_PER_TOPIC, WORDS_PER_TOPIC, TAGS_PER_TOPIC]).astype(np.int8)
        self.created = start - (30 + rng.random(n) * 3650).astype(np.int64) * 86400
        self.anyone = TopicSampler(self.interests, self.popularity)
        self.authors = TopicSampler(self.interests, self.popularity * (self.originals > 0))

    # -- pure functions of an account or a post -------------------------------------------------

    def handle(self, i: int) -> str:
        parts = self.name_parts[i]
        return f"{HANDLE_ADJECTIVES[parts[0]]}{HANDLE_NOUNS[parts[1]]}{i}"

    def display_name(self, i: int) -> str:
        parts = self.name_parts[i]
        return f"{FIRST_NAMES[parts[2]]} {LAST_NAMES[parts[3]]}"

    def topics_of(self, i: int) -> list[str]:
        return [TOPIC_NAMES[t] for t in self.interests[i, :self.n_interests[i]]]

    def bio(self, i: int) -> str:
        topics = self.interests[i, :self.n_interests[i]]
        pick = self.bio_picks[i]
        role, words, tags = TOPICS[TOPIC_NAMES[topics[0]]]
        first, second = words[pick[0]], words[pick[1]]
        text = f"{role[0].upper()}{role[1:]}. Writing about {first} and {second}" if first != second else \
            f"{role[0].upper()}{role[1:]}. Writing about {first}"
        others = [TOPIC_NAMES[t] for t in topics[1:]]
        if others:
            text += f"; also into {' and '.join(others)}"
        return f"{text}. #{tags[pick[2]]}"

    def author_of(self, k: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.post_start, k, side="right") - 1

    def post_topics(self, k: np.ndarray, author: np.ndarray) -> np.ndarray:
        """An author's m-th original is on their (m mod interests)-th interest."""
        m = k - self.post_start[author]
        return self.interests[author, m % self.n_interests[author]].astype(np.int64)

    def post_times(self, k: np.ndarray) -> np.ndarray:
        u = uniforms(self.key, k, 3, salt=0)
        hour = np.searchsorted(_DIURNAL_CDF, u[:, 1], side="right")
        day = (u[:, 0] * self.days).astype(np.int64)
        return self.start + day * 86400 + hour * 3600 + (u[:, 2] * 3600).astype(np.int64)

    def post_on(self, author: np.ndarray, topic: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One of ``author``'s originals, on ``topic`` where they have one; early ones likelier."""
        count = self.originals[author]
        n_int = self.n_interests[author]
        match = self.interests[author] == topic[:, None]
        slot = match.argmax(axis=1)
        on_topic = np.where(match.any(axis=1) & (slot < count), (count - slot + n_int - 1) // n_int, 0)
        skew = u * u
        m = np.where(on_topic > 0, slot + n_int * (skew * on_topic).astype(np.int64), (skew * count).astype(np.int64))
        return self.post_start[author] + m

    def pick_topics(self, rng, who: np.ndarray) -> np.ndarray:
        """A topic per event: one of the actor's interests, or now and then any topic."""
        own = rng.random(len(who)) < OWN_INTEREST
        slot = (rng.random(len(who)) * self.n_interests[who]).astype(np.int64)
        return np.where(own, self.interests[who, slot], rng.integers(0, T, len(who))).astype(np.int64)

    # -- chunks of events, drawn the same way each time they are asked for ----------------------

    def chunk_bounds(self, c: int) -> tuple[int, int]:
        """The accounts ``[lo, hi)`` of chunk ``c``."""
        return c * self.chunk, min((c + 1) * self.chunk, self.n)

    def follow_chunk(self, c: int):
        lo, hi = self.chunk_bounds(c)
        rng = np.random.default_rng([self.seed, 1, c])
        src = np.repeat(np.arange(lo, hi), self.follows[lo:hi])
        dst = self.anyone.sample(self.pick_topics(rng, src), rng.random(len(src)))
        pairs = np.unique((src * self.n + dst)[src != dst])
        src, dst = pairs // self.n, pairs % self.n
        when = self.start - 365 * 86400 + (rng.random(len(src)) * (self.days + 365) * 86400).astype(np.int64)
        return src, dst, when

    def engagement_chunk(self, c: int) -> dict:
        """``kind -> (engager, author, original post, time)`` for the engagers of chunk ``c``."""
        lo, hi = self.chunk_bounds(c)
        rng = np.random.default_rng([self.seed, 2, c])
        found = {}
        for kind in ("like", "repost", "reply", "quote"):
            src = np.repeat(np.arange(lo, hi), self.wants[kind][lo:hi])
            topics = self.pick_topics(rng, src)
            author = self.authors.sample(topics, rng.random(len(src)))
            post = self.post_on(author, topics, rng.random(len(src)))
            keep = author != src
            src, author, post = src[keep], author[keep], post[keep]
            if kind in ("like", "repost"):  # once per post
                _, first = np.unique(src * max(self.total_originals, 1) + post, return_index=True)
                first.sort()
                src, author, post = src[first], author[first], post[first]
            delay = rng.exponential(DELAY_HOURS[kind] * 3600, len(src)).astype(np.int64)
            when = np.minimum(self.post_times(post) + 60 + delay, self.end)
            found[kind] = (src, author, post, when)
        return found

    def lists(self):
        """``(list number, topic, owner, members)`` for each list."""
        rng = np.random.default_rng([self.seed, 3])
        count = max(1, self.n // ACCOUNTS_PER_LIST) if self.n >= 20 else 0
        topics = rng.choice(T, size=count, p=np.asarray(TOPIC_WEIGHTS) / sum(TOPIC_WEIGHTS))
        found = []
        for number, topic in enumerate(topics):
            owner = int(self.anyone.sample(np.array([topic]), rng.random(1))[0])
            size = int(min(5 + rng.geometric(1 / 20), self.anyone.sizes[topic]))
            members = np.unique(self.anyone.sample(np.full(size, topic), rng.random(size)))
            found.append((number, int(topic), owner, members[members != owner]))
        return found


def twitter_time(seconds: int) -> str:
    """Epoch seconds as Twitter's ``Wed Feb 10 18:59:53 +0000 2021``."""
    t = time.gmtime(int(seconds))
    return (f"{_WEEKDAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000 {t.tm_year}")


def twitter_times(seconds: np.ndarray) -> list[str]:
    """:func:`twitter_time` of many epoch seconds at once."""
    seconds = np.asarray(seconds, dtype=np.int64)
    days = seconds // 86400
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    rest = seconds - days * 86400
    columns = zip(((days + 3) % 7).tolist(), (month.astype(np.int64) % 12).tolist(),
                  (day - month).astype(np.int64).tolist(), (rest // 3600).tolist(), (rest // 60 % 60).tolist(),
                  (rest % 60).tolist(), (month.astype("datetime64[Y]").astype(np.int64) + 1970).tolist())
    return [f"{_WEEKDAYS[w]} {_MONTHS[m]} {d + 1:02d} {h:02d}:{mi:02d}:{s:02d} +0000 {y}"
            for w, m, d, h, mi, s, y in columns]
