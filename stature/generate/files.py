"""A seeded generator of a realistic population of accounts, at any size, in formats Stature imports.

``generate(out_dir, accounts=100)`` makes a population for a test; ``accounts=1_000_000``
one for a benchmark. Everything is drawn with numpy in chunks and streamed to files,
so memory grows with the number of accounts and original posts, never with the files
written (about 0.6 GB at 200,000 accounts and a million posts). The same seed gives the
same files, byte for byte.

The model:

- twelve topics (:mod:`stature.generate.vocabulary`); each account has 1-3 interests,
  some topics more common than others, and a bio built from them;
- a heavy-tailed popularity (lognormal, sigma 2): follows, mentions and engagement pick
  their target within a topic in proportion to it, so the top 1% of accounts receive
  about a third of all follows (at 20,000 accounts; a quarter at 2,000, as nobody can
  have more followers than there are accounts); activity is heavy-tailed too and leans
  popular;
- follows: each account follows about ``follows_per_account`` others (lognormal), 85% of
  them chosen within one of its own interests, over the past year and the window;
- original posts: ``posts_per_account`` posts per account on average, of which 65% are
  originals, 25% replies and 10% quotes. An original is on one of its author's interests,
  its words, hashtags and an occasional link drawn from that topic, sometimes mentioning
  an account of the topic; its time follows a daily rhythm over ``days`` from ``start``;
- replies, quotes, reposts (0.5 per post) and likes (``likes_per_account``) go to posts
  of popular accounts sharing an interest of the engaging account, concentrated on a few
  posts per author, a while (exponential delay) after the post. Nobody engages with
  their own posts, and nobody likes or reposts a post twice;
- Twitter Lists: per 250 accounts one list on a topic, owned by a popular account of it,
  whose members are popular accounts of that topic.

Files (``network`` is ``twitter`` throughout, as the v1.1 importer gives):

- ``tweets.jsonl``: Twitter API v1.1 tweet objects, one per line: originals, replies
  (``in_reply_to_*`` and the ``@handle`` they start with), quotes (``quoted_status``
  embedded) and retweets (``retweeted_status`` embedded); each with its ``user``;
- ``interactions.csv``: follows and likes (``network,source,target,kind,time,weight,post_id``);
- ``accounts.csv``: every account's handle, name, bio and counts (account statistics);
- ``lists.csv``: list memberships;
- ``ground_truth.json``: each account's interests, popularity rank and followers, each
  list's topic, and the topics' words and hashtags,
  for tests of the analytics (it is in no import format, so ``stature ingest OUT_DIR``
  leaves it alone).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import orjson

from ..errors import StatureError
from .csv_files import ACCOUNTS, INTERACTIONS, LISTS, CsvTable
from .population import TOPIC_NAMES, Population, twitter_time, twitter_times
from .texts import originals, sentences
from .twitter_v1 import (ACCOUNT_BASE, ORIGINAL_BASE, RESPONSE_BASE, RETWEET_BASE, Embedded, TweetObjects,
                         write_lines)
from .vocabulary import TOPICS

NETWORK = "twitter"
POST_CHUNK = 10_000
TWEET_BATCH = 5_000
FILES = {"tweets": "tweets.jsonl", "interactions": "interactions.csv", "accounts": "accounts.csv",
         "lists": "lists.csv", "truth": "ground_truth.json"}
_LIST_NAMES = ("{} voices", "{} experts", "Best of {}", "{} people to follow")


def generate(out_dir, *, accounts: int = 1000, posts_per_account: float = 5.0, follows_per_account: float = 20.0,
             likes_per_account: float | None = None, seed: int = 0, start="2024-01-01", days: int = 120,
             progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Write a generated population into ``out_dir``; return ``{"paths": {...}, "counts": {...}}``.

    ``likes_per_account`` defaults to twice ``posts_per_account``. ``start`` is a date,
    a datetime or an ISO 8601 string (UTC). ``progress(done, total, stage)`` is called
    as the work advances. ``counts`` says what importing the files gives: ``accounts``,
    ``posts`` (``originals`` + ``replies`` + ``quotes``), and the ``follows``, ``likes``,
    ``reposts``, ``replies``, ``quotes``, ``mentions`` and ``list_memberships`` interactions.
    """
    if accounts < 1 or days < 1 or min(posts_per_account, follows_per_account, likes_per_account or 0) < 0:
        raise StatureError("A population needs at least 1 account and 1 day, and no negative rates.")
    if likes_per_account is None:
        likes_per_account = 2.0 * posts_per_account
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    population = Population(int(accounts), posts_per_account, follows_per_account, likes_per_account, int(seed),
                            _epoch(start), int(days))
    return _Files(population, out, progress).write()


def _epoch(start) -> int:
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise StatureError(f"The start {start!r} is not an ISO 8601 date such as 2024-01-01.") from None
    if isinstance(start, date) and not isinstance(start, datetime):
        start = datetime(start.year, start.month, start.day)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    return int(start.timestamp())



class _Files:
    """Writes one population: follows, lists, counts, accounts, then the tweets and likes.

    The population (:mod:`.population`) and the texts (:mod:`.texts`) are drawn there; this class only
    counts what it is handed and passes it to the writers of each format (:mod:`.csv_files`,
    :mod:`.twitter_v1`).
    """

    def __init__(self, population: Population, out: Path, progress):
        self.c = population
        self.paths = {name: out / filename for name, filename in FILES.items()}
        self.progress = progress or (lambda done, total, stage: None)
        self.total = 4 * population.n + population.total_originals
        self.done = 0
        self.counts = dict.fromkeys(("accounts", "posts", "originals", "replies", "quotes", "reposts", "follows",
                                     "likes", "mentions", "lists", "list_memberships", "tweet_lines"), 0)
        self.tweets = TweetObjects(population, self)

    def step(self, n: int, stage: str) -> None:
        self.done += n
        self.progress(min(self.done, self.total), self.total, stage)

    def write(self) -> dict:
        c = self.c
        interactions = CsvTable(self.paths["interactions"], INTERACTIONS)
        try:
            self.followers, self.following = self._follows(interactions)
            self.listed = self._lists()
            self._count_engagement()
            self._accounts()
            with open(self.paths["tweets"], "wb") as tweets:
                self._originals(tweets)
                self._responses(tweets, interactions)
        finally:
            interactions.close()
        self._truth()
        counts = self.counts
        counts["accounts"] = c.n
        counts["originals"] = c.total_originals
        counts["posts"] = counts["originals"] + counts["replies"] + counts["quotes"]
        return {"paths": {name: str(path) for name, path in self.paths.items()}, "counts": counts}

    # -- follows, lists and counts ----------------------------------------------------------------

    def _follows(self, interactions: CsvTable):
        c = self.c
        followers = np.zeros(c.n, dtype=np.int64)
        following = np.zeros(c.n, dtype=np.int64)
        for chunk in range(c.chunks):
            src, dst, when = c.follow_chunk(chunk)
            np.add.at(followers, dst, 1)
            np.add.at(following, src, 1)
            interactions.write(len(src), network=NETWORK, source=src + ACCOUNT_BASE, target=dst + ACCOUNT_BASE,
                               kind="follow", time=when.astype("datetime64[s]"))
            self.counts["follows"] += len(src)
            self.step(_size(c.chunk_bounds(chunk)), "follows")
        return followers, following

    def _lists(self):
        c = self.c
        listed = np.zeros(c.n, dtype=np.int64)
        out = CsvTable(self.paths["lists"], LISTS)
        self.list_topics = []
        try:
            for number, topic, owner, members in c.lists():
                name = TOPIC_NAMES[topic]
                shown = name.upper() if len(name) <= 2 else name if number % 4 == 2 else name.title()
                title = _LIST_NAMES[number % len(_LIST_NAMES)].format(shown)
                handle = c.handle(owner)
                list_id = f"{handle}/{title.lower().replace(' ', '-')}-{number}"
                out.write(len(members), network=NETWORK, list_id=list_id, member_id=members + ACCOUNT_BASE,
                          list_name=title, owner_id=str(owner + ACCOUNT_BASE), owner_handle=handle)
                np.add.at(listed, members, 1)
                self.list_topics.append((list_id, name))
                self.counts["lists"] += 1
                self.counts["list_memberships"] += len(members)
        finally:
            out.close()
        return listed

    def _count_engagement(self):
        """Draw every chunk's engagement once to learn each post's and account's counts."""
        c = self.c
        size = c.total_originals
        self.post_counts = {kind: np.zeros(size, dtype=np.int32) for kind in ("like", "repost", "reply", "quote")}
        self.made = {kind: np.zeros(c.n, dtype=np.int64) for kind in self.post_counts}
        for chunk in range(c.chunks):
            for kind, (src, _, post, _) in c.engagement_chunk(chunk).items():
                np.add.at(self.post_counts[kind], post, 1)
                np.add.at(self.made[kind], src, 1)
            self.step(_size(c.chunk_bounds(chunk)), "engagement")
        self.statuses = c.originals + self.made["reply"] + self.made["quote"] + self.made["repost"]

    # -- accounts ---------------------------------------------------------------------------------

    def _accounts(self):
        c = self.c
        out = CsvTable(self.paths["accounts"], ACCOUNTS)
        try:
            for lo in range(0, c.n, c.chunk):
                hi = min(lo + c.chunk, c.n)
                ids = np.arange(lo, hi)
                out.write(hi - lo, network=NETWORK, account_id=ids + ACCOUNT_BASE,
                          handle=[c.handle(i) for i in range(lo, hi)],
                          display_name=[c.display_name(i) for i in range(lo, hi)],
                          bio=[c.bio(i) for i in range(lo, hi)], followers_count=self.followers[lo:hi],
                          following_count=self.following[lo:hi], listed_count=self.listed[lo:hi],
                          posts_count=self.statuses[lo:hi])
                self.step(hi - lo, "accounts")
        finally:
            out.close()

    # -- tweets -----------------------------------------------------------------------------------

    def _original_tweets(self, ks: np.ndarray) -> list[dict]:
        """The v1.1 objects of original posts ``ks``: a pure function of their numbers."""
        counts = self.post_counts
        return [self.tweets.original(o, {kind: counts[kind][o.number] for kind in counts})
                for o in originals(self.c, ks)]

    def _originals(self, tweets):
        for lo in range(0, self.c.total_originals, POST_CHUNK):
            hi = min(lo + POST_CHUNK, self.c.total_originals)
            self.tweets.forget_users()
            batch = self._original_tweets(np.arange(lo, hi, dtype=np.int64))
            self.counts["mentions"] += sum(len(t["entities"]["user_mentions"]) for t in batch)
            write_lines(tweets, batch)
            self.counts["tweet_lines"] += len(batch)
            self.step(hi - lo, "posts")

    def _responses(self, tweets, interactions: CsvTable):
        """Each chunk's engagement again, exactly as counted: likes to the CSV, the rest as tweets."""
        c = self.c
        next_id = {"response": RESPONSE_BASE, "repost": RETWEET_BASE}  # replies and quotes share numbers
        for chunk in range(c.chunks):
            self.tweets.forget_users()
            events = c.engagement_chunk(chunk)
            src, author, post, when = events["like"]
            interactions.write(len(src), network=NETWORK, source=src + ACCOUNT_BASE, target=author + ACCOUNT_BASE,
                               kind="like", time=when.astype("datetime64[s]"), post_id=post + ORIGINAL_BASE)
            self.counts["likes"] += len(src)
            rng = np.random.default_rng([c.seed, 4, chunk])
            for kind in ("reply", "quote", "repost"):
                src, author, post, when = events[kind]
                numbering = "repost" if kind == "repost" else "response"
                said = (sentences(rng, c.post_topics(post, author), 4 if kind == "reply" else 6)
                        if kind != "repost" else [""] * len(src))
                for lo in range(0, len(src), TWEET_BATCH):  # a batch at a time, to bound memory
                    part = slice(lo, lo + TWEET_BATCH)
                    written = self._response_batch(kind, next_id[numbering], src[part], author[part], post[part],
                                                   twitter_times(when[part]), said[part])
                    write_lines(tweets, written)
                    next_id[numbering] += len(written)
                self.counts[{"reply": "replies", "quote": "quotes", "repost": "reposts"}[kind]] += len(src)
                self.counts["tweet_lines"] += len(src)
            self.counts["mentions"] += len(events["reply"][0])
            self.step(_size(c.chunk_bounds(chunk)), "replies, quotes, reposts, likes")

    def _response_batch(self, kind, first_id, src, author, post, times, said) -> list[dict]:
        t = self.tweets
        if kind == "reply":
            return [t.reply(first_id + i, int(src[i]), int(author[i]), ORIGINAL_BASE + int(post[i]), said[i], times[i])
                    for i in range(len(src))]
        needed = np.unique(post)
        embedded = {k: Embedded(tw) for k, tw in zip(needed.tolist(), self._original_tweets(needed))}
        make = t.quote if kind == "quote" else t.retweet
        return [make(first_id + i, int(src[i]), int(author[i]), embedded[int(post[i])], said[i], times[i])
                for i in range(len(src))]

    # -- ground truth -----------------------------------------------------------------------------

    def _truth(self):
        """Interests and popularity rank per account, topic per list; streamed, one account a line."""
        c = self.c
        head = {"seed": c.seed, "start": twitter_time(c.start), "days": c.days, "network": NETWORK,
                "topics": {name: {"role": role, "words": list(words), "hashtags": list(tags)}
                           for name, (role, words, tags) in TOPICS.items()},
                "lists": [{"list_id": list_id, "topic": topic} for list_id, topic in self.list_topics]}
        with open(self.paths["truth"], "wb") as f:
            f.write(orjson.dumps(head)[:-1] + b',\n"accounts": [\n')
            for lo in range(0, c.n, c.chunk):
                hi = min(lo + c.chunk, c.n)
                f.write(b",\n".join(orjson.dumps({
                    "id": str(ACCOUNT_BASE + i), "handle": c.handle(i), "interests": c.topics_of(i),
                    "popularity_rank": int(c.rank[i]), "followers": int(self.followers[i]),
                }) for i in range(lo, hi)))
                f.write(b",\n" if hi < c.n else b"\n")
            f.write(b"]}\n")


def _size(bounds: tuple[int, int]) -> int:
    return bounds[1] - bounds[0]
