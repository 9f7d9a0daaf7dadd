"""Account -> topics it is credibly known for, each with its evidence and a confidence in [0, 1].

What the account does and what others do with it make a topic; its own bio only strengthens one:

    shown = 1 - (1 - posts)(1 - lists)
    confidence = 1 - (1 - shown)(1 - bio)   where shown reaches :data:`SHOWN`, else ``shown``

- **posts**: ``activity x (BASE + (1 - BASE) x recognition)``. *Activity* grows with the number of the
  account's posts on the topic and, separately, with the number of distinct weeks they span, so a
  burst in one week stays small however many posts it holds. *Recognition* grows with the reactions
  (replies, quotes, reposts, likes) those posts drew from other accounts; each reactor counts once
  per post, weighs more when it is itself credible on the topic (or, where an influence score was
  computed, influential), and no post counts for more than :data:`POST_CAP` reactors, so one viral
  post never makes a topic. A post counts once whatever its score, so hashtag stuffing gains nothing.
- **lists**: Twitter Lists (or similar) whose name is about the topic: curated by others, strong.
- **bio**: the account says so itself. It adds to a topic the posts or lists show; on its own it gives
  at most a *self-described* topic (level ``self-described``), which is never among what the account is
  known for nor ranked among experts, and only when the bio names the topic with two or more distinct
  terms: one bio word never makes a topic.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ..rules.decay import decay, half_life
from ..rules.interactions import REACTION_WEIGHTS as KIND_WEIGHTS

BASE = 0.4                 # share of the post evidence that needs no reactions
POSTS_SCALE = 6.0          # posts for activity 1 - 1/e
WEEKS_SCALE = 2.0          # distinct weeks for activity 1 - 1/e
POST_CAP = 5.0             # most reactor weight one post can bring
RECOGNITION_SCALE = 8.0    # reactor weight for recognition 1 - 1/e
LIST_SCALE = 2.0           # lists (distinct owners) for 1 - 1/e
BIO_WEIGHT = 0.35
SHOWN = 0.05               # posts/lists evidence from which a bio may strengthen the topic
SELF_TERMS = 2             # distinct bio terms for a self-described topic
ANONYMOUS_WEIGHT = 0.1     # per log-unit of counted reactions with no known reactor
CREDIBLE = 0.35            # a reactor at least this confident on the topic is "credible" on it
LEVELS = (("strong", 0.6), ("moderate", 0.35), ("weak", 0.1))
SELF_DESCRIBED = "self-described"


@dataclass(slots=True)
class TopicPost:
    network: str
    post_id: str
    author_id: str
    topic: str
    score: float
    created_at: datetime | None = None
    text: str | None = None
    counted_reactions: int = 0   # like/repost counts the network reported


@dataclass(slots=True)
class Expertise:
    network: str
    account_id: str
    topic: str
    confidence: float
    level: str
    posts: int = 0
    weeks: int = 0
    reactors: int = 0
    lists: int = 0
    bio: bool = False
    evidence: dict = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether this is a topic the account is known for (not only self-described)."""
        return self.level != SELF_DESCRIBED


def level(confidence: float) -> str | None:
    for name, floor in LEVELS:
        if confidence >= floor:
            return name
    return None


def expertise(posts: list[TopicPost], reactions=(), lists=(), bios=(), *, influence=None,
              top: int = 5, as_of: datetime | None = None, half_life_days: float | None = None,
              self_described: bool = False) -> list[Expertise]:
    """Expertise for every account with any evidence, at least weak, strongest first.

    ``reactions``: ``(network, post_id, reactor_id, kind)``; ``lists``: ``(network, member_id, list_id,
    list_name, owner_id, topic, score)``; ``bios``: ``(network, account_id, topic, score)`` or
    ``(network, account_id, topic, score, terms)`` with the number of distinct bio terms for the topic
    (one when left out); ``self_described``: also return the bio-only topics (level ``self-described``);
    ``influence``: ``{(network, account_id): score 1-100}`` from the influence score, when computed.
    Reactions to a post fade with its age before ``as_of`` (the newest post by default) by the one decay
    rule (:mod:`stature.rules.decay`).
    """
    dated = [p.created_at for p in posts if p.created_at is not None]
    as_of = as_of or (max(dated) if dated else None)
    half_life_days = half_life_days or half_life()

    def fade(post):
        if as_of is None or post.created_at is None:
            return 1.0
        return decay((as_of - post.created_at).total_seconds() / 86400.0, half_life_days)

    influence = influence or {}
    by_pair: dict[tuple, list[TopicPost]] = defaultdict(list)
    for p in posts:
        by_pair[(p.network, p.author_id, p.topic)].append(p)
    reacted: dict[tuple, dict[str, str]] = defaultdict(dict)
    for network, post_id, reactor, kind in reactions:
        if reactor is None or kind not in KIND_WEIGHTS:
            continue
        seen = reacted[(network, post_id)]
        if KIND_WEIGHTS[kind] > KIND_WEIGHTS.get(seen.get(reactor), 0):
            seen[reactor] = kind
    listed: dict[tuple, dict] = defaultdict(dict)
    for network, member, list_id, name, owner, topic, score in lists:
        curator = owner or f"list:{list_id}"
        entry = listed[(network, member, topic)]
        if score > entry.get(curator, (0, None))[0]:
            entry[curator] = (score, name or list_id)
    bio_of, bio_terms = {}, {}
    for network, account, topic, score, *terms in bios:
        key = (network, account, topic)
        bio_of[key] = max(score, bio_of.get(key, 0.0))
        bio_terms[key] = max(terms[0] if terms else 1, bio_terms.get(key, 0))

    pairs = set(by_pair) | set(listed) | set(bio_of)

    def parts(pair):
        own = by_pair.get(pair, [])
        weeks = {p.created_at.isocalendar()[:2] for p in own if p.created_at is not None}
        activity = (1 - math.exp(-len(own) / POSTS_SCALE)) * (1 - math.exp(-max(len(weeks), 1 if own else 0)
                                                                           / WEEKS_SCALE))
        c_lists = 1 - math.exp(-sum(s for s, _ in listed.get(pair, {}).values()) / LIST_SCALE)
        c_bio = BIO_WEIGHT * bio_of.get(pair, 0.0)
        return own, weeks, activity, c_lists, c_bio

    # pass 1: confidence without reactions, to know who is credible on what
    base = {}
    for pair in pairs:
        _, _, activity, c_lists, c_bio = parts(pair)
        base[pair] = combine(1 - (1 - activity * BASE) * (1 - c_lists), c_bio)

    out = []
    for pair in pairs:
        network, account, topic = pair
        own, weeks, activity, c_lists, c_bio = parts(pair)
        weight_of: dict[str, float] = {}
        post_rows, total = [], 0.0
        for p in own:
            post_weight, known, faded = 0.0, 0, fade(p)
            for reactor, kind in reacted.get((network, p.post_id), {}).items():
                if reactor == account:
                    continue
                known += 1
                cred = base.get((network, reactor, topic), 0.0)
                bonus = influence.get((network, reactor), 0.0) / 100.0
                w = KIND_WEIGHTS[kind] * faded * (1.0 + 2.0 * cred + bonus)
                post_weight += w
                weight_of[reactor] = weight_of.get(reactor, 0.0) + w
            extra = max(0, p.counted_reactions - known)
            post_weight += ANONYMOUS_WEIGHT * faded * math.log1p(extra)
            total += min(POST_CAP, post_weight)
            post_rows.append((min(POST_CAP, post_weight), p.score, p))
        recognition = 1 - math.exp(-total / RECOGNITION_SCALE)
        c_posts = activity * (BASE + (1 - BASE) * recognition)
        shown = 1 - (1 - c_posts) * (1 - c_lists)
        confidence = combine(shown, c_bio)
        name = level(confidence) if shown >= SHOWN else None
        if name is None:
            if not (self_described and c_bio > 0 and bio_terms.get(pair, 0) >= SELF_TERMS):
                continue
            name, confidence = SELF_DESCRIBED, c_bio
        post_rows.sort(key=lambda r: (-r[0], -r[1], r[2].post_id))
        reactors = sorted(weight_of.items(), key=lambda kv: (-kv[1], kv[0]))
        curated = sorted(listed.get(pair, {}).items(), key=lambda kv: (-kv[1][0], kv[0]))
        dates = sorted(p.created_at for p in own if p.created_at is not None)
        evidence = {
            "components": {"posts": round(c_posts, 4), "lists": round(c_lists, 4), "bio": round(c_bio, 4)},
            "bio_strengthens": shown >= SHOWN and c_bio > 0, "bio_terms": bio_terms.get(pair, 0),
            "activity": round(activity, 4), "recognition": round(recognition, 4),
            "first_post": dates[0].isoformat() if dates else None,
            "last_post": dates[-1].isoformat() if dates else None,
            "top_posts": [{"post_id": p.post_id, "score": round(p.score, 4), "reaction_weight": round(w, 3),
                           "created_at": p.created_at.isoformat() if p.created_at else None,
                           "text": (p.text or "")[:200]} for w, _, p in post_rows[:top]],
            "reactors": [{"account_id": r, "weight": round(w, 3),
                          "credible": base.get((network, r, topic), 0.0) >= CREDIBLE} for r, w in reactors[:top]],
            "lists": [name_ for _, (_, name_) in curated[:top]],
        }
        out.append(Expertise(network, account, topic, round(confidence, 4), name, len(own), len(weeks),
                             len(weight_of), len(listed.get(pair, {})), pair in bio_of, evidence))
    out.sort(key=lambda e: (not e.known, -e.confidence, e.network, e.account_id, e.topic))
    return out


def combine(shown: float, bio: float) -> float:
    """The bio adds to a topic the posts and lists show (from :data:`SHOWN`), and to nothing else."""
    return 1 - (1 - shown) * (1 - bio) if shown >= SHOWN else shown
