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
from .population import (TAGS_PER_TOPIC, TOPIC_NAMES, WORDS_PER_TOPIC, Population, mix, twitter_time,
                         twitter_times, uniforms)
from .vocabulary import FILLER, TOPICS

NETWORK = "twitter"
ACCOUNT_BASE = 1_000_000_000                 # account i has id ACCOUNT_BASE + i
ORIGINAL_BASE = 1_600_000_000_000_000_000    # original post k has id ORIGINAL_BASE + k
RESPONSE_BASE = 1_700_000_000_000_000_000    # replies and quotes, numbered as written
RETWEET_BASE = 1_800_000_000_000_000_000
POST_CHUNK = 10_000
TWEET_BATCH = 5_000
MAX_WORDS = 14
LINK_SHARE = 0.12
MENTION_SHARE = 0.15
FILES = {"tweets": "tweets.jsonl", "interactions": "interactions.csv", "accounts": "accounts.csv",
         "lists": "lists.csv", "truth": "ground_truth.json"}
_SOURCE = '<a href="https://example.org/stature" rel="nofollow">stature generate</a>'
_WORDS = np.array([w for name in TOPIC_NAMES for w in TOPICS[name][1]], dtype=object)
_FILLER = np.array(FILLER, dtype=object)
_LIST_NAMES = ("{} voices", "{} experts", "Best of {}", "{} people to follow")
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


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


class _Csv:
    """A CSV file written a chunk of numpy / Arrow columns at a time."""

    def __init__(self, path: Path, columns: tuple[str, ...]):
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
        self.pa, self.pc = pa, pc
        self.columns = columns
        schema = pa.schema([(name, pa.string()) for name in columns])
        self.writer = pacsv.CSVWriter(str(path), schema, write_options=pacsv.WriteOptions(quoting_style="needed"))

    def write(self, length: int, **values) -> None:
        pa = self.pa
        arrays = []
        for name in self.columns:
            value = values.get(name)
            if value is None:
                arrays.append(pa.nulls(length, pa.string()))
            elif isinstance(value, str):
                arrays.append(pa.repeat(value, length))
            elif isinstance(value, np.ndarray) and value.dtype.kind == "M":  # UTC, said with a Z
                text = pa.array(value.astype("datetime64[s]")).cast(pa.string())
                arrays.append(self.pc.binary_join_element_wise(text, "Z", ""))
            else:
                arrays.append(pa.array(value).cast(pa.string()))
        self.writer.write_table(pa.Table.from_arrays(arrays, names=list(self.columns)))

    def close(self):
        self.writer.close()


class _Files:
    """Writes one population: follows, lists, counts, accounts, then the tweets and likes."""

    def __init__(self, population: Population, out: Path, progress):
        self.c = population
        self.paths = {name: out / filename for name, filename in FILES.items()}
        self.progress = progress or (lambda done, total, stage: None)
        self.total = 4 * population.n + population.total_originals
        self.done = 0
        self.counts = dict.fromkeys(("accounts", "posts", "originals", "replies", "quotes", "reposts", "follows",
                                     "likes", "mentions", "lists", "list_memberships", "tweet_lines"), 0)
        self._users: dict[int, orjson.Fragment] = {}

    def step(self, n: int, stage: str) -> None:
        self.done += n
        self.progress(min(self.done, self.total), self.total, stage)

    def write(self) -> dict:
        c = self.c
        interactions = _Csv(self.paths["interactions"], ("network", "source", "target", "kind", "time", "weight",
                                                          "post_id"))
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

    def _follows(self, interactions: _Csv):
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
        out = _Csv(self.paths["lists"], ("network", "list_id", "member_id", "list_name", "owner_id", "owner_handle"))
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
        out = _Csv(self.paths["accounts"], ("network", "account_id", "handle", "display_name", "bio",
                                            "followers_count", "following_count", "listed_count", "posts_count"))
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

    def _user(self, i: int) -> orjson.Fragment:
        """Account ``i`` as a v1.1 user object, serialised once per chunk."""
        found = self._users.get(i)
        if found is None:
            c = self.c
            found = orjson.Fragment(orjson.dumps({
                "id": ACCOUNT_BASE + i, "id_str": str(ACCOUNT_BASE + i), "name": c.display_name(i),
                "screen_name": c.handle(i), "description": c.bio(i), "protected": False,
                "followers_count": int(self.followers[i]),
                "friends_count": int(self.following[i]), "listed_count": int(self.listed[i]),
                "created_at": twitter_time(c.created[i]), "favourites_count": int(self.made["like"][i]),
                "verified": bool(c.rank[i] <= max(1, c.n // 1000)), "statuses_count": int(self.statuses[i]),
            }))
            self._users[i] = found
        return found

    def _mention(self, i: int, start: int) -> dict:
        c = self.c
        handle = c.handle(i)
        return {"screen_name": handle, "name": c.display_name(i), "id": ACCOUNT_BASE + i,
                "id_str": str(ACCOUNT_BASE + i), "indices": [start, start + len(handle) + 1]}

    # -- tweets -----------------------------------------------------------------------------------

    def _original_tweets(self, ks: np.ndarray) -> list[dict]:
        """The v1.1 objects of original posts ``ks``: a pure function of their numbers."""
        c = self.c
        author = c.author_of(ks)
        topic = c.post_topics(ks, author)
        when = twitter_times(c.post_times(ks))
        u = uniforms(c.key, ks, 1 + 2 * MAX_WORDS + 7, salt=8)
        n_words = 6 + (u[:, 0] * (MAX_WORDS - 5)).astype(np.int64)
        pick = u[:, 1 + MAX_WORDS:1 + 2 * MAX_WORDS]
        words = np.where(u[:, 1:1 + MAX_WORDS] < 0.6,
                         _WORDS[topic[:, None] * WORDS_PER_TOPIC + (pick * WORDS_PER_TOPIC).astype(np.int64)],
                         _FILLER[(pick * len(FILLER)).astype(np.int64)])
        extra = u[:, 1 + 2 * MAX_WORDS:]
        n_tags = np.searchsorted([0.5, 0.85], extra[:, 0], side="right")
        tag1 = (extra[:, 1] * TAGS_PER_TOPIC).astype(np.int64)
        tag2 = (tag1 + 1 + (extra[:, 2] * (TAGS_PER_TOPIC - 1)).astype(np.int64)) % TAGS_PER_TOPIC
        linked = extra[:, 3] < LINK_SHARE
        mentioned = c.anyone.sample(topic, extra[:, 5])
        mentions = (extra[:, 6] < MENTION_SHARE) & (mentioned != author)
        codes = mix((ks.astype(np.uint64) * np.uint64(64) + np.uint64(63)) ^ c.key)
        counts = {kind: self.post_counts[kind][ks] for kind in self.post_counts}
        tweets = []
        for i in range(len(ks)):
            k, a, t = int(ks[i]), int(author[i]), int(topic[i])
            text = " ".join(words[i, :n_words[i]])
            text = text[0].upper() + text[1:] + "."
            user_mentions, hashtags, urls = [], [], []
            if mentions[i]:
                user_mentions.append(self._mention(int(mentioned[i]), len(text) + 1))
                text += f" @{user_mentions[0]['screen_name']}"
            tags = TOPICS[TOPIC_NAMES[t]][2]
            for tag in (tags[tag1[i]], tags[tag2[i]])[:n_tags[i]]:
                hashtags.append({"text": tag, "indices": [len(text) + 1, len(text) + 2 + len(tag)]})
                text += f" #{tag}"
            if linked[i]:
                short = "https://t.co/" + _base62(int(codes[i]))
                expanded = f"https://{TOPIC_NAMES[t]}.example.org/{words[i, 0].lower()}/{k}"
                urls.append({"url": short, "expanded_url": expanded, "display_url": expanded[8:],
                             "indices": [len(text) + 1, len(text) + 1 + len(short)]})
                text += " " + short
            post_id = ORIGINAL_BASE + k
            tweets.append({
                "created_at": when[i], "id": post_id, "id_str": str(post_id), "text": text,
                "truncated": False,
                "entities": {"hashtags": hashtags, "symbols": [], "user_mentions": user_mentions, "urls": urls},
                "source": _SOURCE, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
                "in_reply_to_user_id": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None,
                "user": self._user(a), "is_quote_status": False, "quote_count": int(counts["quote"][i]),
                "reply_count": int(counts["reply"][i]), "retweet_count": int(counts["repost"][i]),
                "favorite_count": int(counts["like"][i]), "favorited": False, "retweeted": False, "lang": "en",
            })
        return tweets

    def _originals(self, tweets):
        for lo in range(0, self.c.total_originals, POST_CHUNK):
            hi = min(lo + POST_CHUNK, self.c.total_originals)
            self._users.clear()
            batch = self._original_tweets(np.arange(lo, hi, dtype=np.int64))
            self.counts["mentions"] += sum(len(t["entities"]["user_mentions"]) for t in batch)
            _write_lines(tweets, batch)
            self.counts["tweet_lines"] += len(batch)
            self.step(hi - lo, "posts")

    def _responses(self, tweets, interactions: _Csv):
        """Each chunk's engagement again, exactly as counted: likes to the CSV, the rest as tweets."""
        c = self.c
        next_id = {"response": RESPONSE_BASE, "repost": RETWEET_BASE}  # replies and quotes share numbers
        for chunk in range(c.chunks):
            self._users.clear()
            events = c.engagement_chunk(chunk)
            src, author, post, when = events["like"]
            interactions.write(len(src), network=NETWORK, source=src + ACCOUNT_BASE, target=author + ACCOUNT_BASE,
                               kind="like", time=when.astype("datetime64[s]"), post_id=post + ORIGINAL_BASE)
            self.counts["likes"] += len(src)
            rng = np.random.default_rng([c.seed, 4, chunk])
            for kind in ("reply", "quote", "repost"):
                src, author, post, when = events[kind]
                numbering = "repost" if kind == "repost" else "response"
                sentences = (self._sentences(rng, c.post_topics(post, author), 4 if kind == "reply" else 6)
                             if kind != "repost" else [""] * len(src))
                for lo in range(0, len(src), TWEET_BATCH):  # a batch at a time, to bound memory
                    part = slice(lo, lo + TWEET_BATCH)
                    written = self._response_batch(kind, next_id[numbering], src[part], author[part], post[part],
                                                   twitter_times(when[part]), sentences[part])
                    _write_lines(tweets, written)
                    next_id[numbering] += len(written)
                self.counts[{"reply": "replies", "quote": "quotes", "repost": "reposts"}[kind]] += len(src)
                self.counts["tweet_lines"] += len(src)
            self.counts["mentions"] += len(events["reply"][0])
            self.step(_size(c.chunk_bounds(chunk)), "replies, quotes, reposts, likes")

    def _response_batch(self, kind, first_id, src, author, post, times, sentences) -> list[dict]:
        if kind == "reply":
            return [self._reply(first_id + i, int(src[i]), int(author[i]), ORIGINAL_BASE + int(post[i]),
                                sentences[i], times[i]) for i in range(len(src))]
        needed = np.unique(post)
        originals = {k: _Embedded(t) for k, t in zip(needed.tolist(), self._original_tweets(needed))}
        make = self._quote if kind == "quote" else self._retweet
        return [make(first_id + i, int(src[i]), int(author[i]), originals[int(post[i])], sentences[i], times[i])
                for i in range(len(src))]

    def _sentences(self, rng, topics: np.ndarray, shortest: int) -> list[str]:
        n = len(topics)
        lengths = rng.integers(shortest, shortest + 7, n)
        pick = rng.random((n, shortest + 6))
        words = np.where(rng.random((n, shortest + 6)) < 0.5,
                         _WORDS[topics[:, None] * WORDS_PER_TOPIC + (pick * WORDS_PER_TOPIC).astype(np.int64)],
                         _FILLER[(pick * len(FILLER)).astype(np.int64)])
        return [" ".join(words[i, :lengths[i]]) + "." for i in range(n)]

    def _common(self, tweet_id: int, who: int, when: str, text: str) -> dict:
        return {"created_at": when, "id": tweet_id, "id_str": str(tweet_id), "text": text,
                "truncated": False, "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                "source": _SOURCE, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
                "in_reply_to_user_id": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None,
                "user": self._user(who), "is_quote_status": False, "quote_count": 0, "reply_count": 0,
                "retweet_count": 0, "favorite_count": 0, "favorited": False, "retweeted": False, "lang": "en"}

    def _reply(self, tweet_id, who, author, original_id, sentence, when) -> dict:
        handle = self.c.handle(author)
        tweet = self._common(tweet_id, who, when, f"@{handle} {sentence}")
        tweet["entities"]["user_mentions"].append(self._mention(author, 0))
        tweet.update(in_reply_to_status_id=original_id, in_reply_to_status_id_str=str(original_id),
                     in_reply_to_user_id=ACCOUNT_BASE + author, in_reply_to_user_id_str=str(ACCOUNT_BASE + author),
                     in_reply_to_screen_name=handle)
        return tweet

    def _quote(self, tweet_id, who, author, original, sentence, when) -> dict:
        short = "https://t.co/" + _base62(tweet_id)
        tweet = self._common(tweet_id, who, when, f"{sentence[0].upper()}{sentence[1:]} {short}")
        expanded = f"https://twitter.com/{self.c.handle(author)}/status/{original.id}"
        tweet["entities"]["urls"].append({"url": short, "expanded_url": expanded, "display_url": expanded[8:],
                                          "indices": [len(tweet["text"]) - len(short), len(tweet["text"])]})
        tweet.update(is_quote_status=True, quoted_status_id=original.id, quoted_status_id_str=str(original.id),
                     quoted_status=original.json)
        return tweet

    def _retweet(self, tweet_id, who, author, original, _sentence, when) -> dict:
        handle = self.c.handle(author)
        tweet = self._common(tweet_id, who, when, f"RT @{handle}: {original.text}")
        tweet["entities"]["user_mentions"].append(self._mention(author, 3))
        tweet.update(retweeted_status=original.json, retweet_count=original.retweet_count)
        return tweet

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


class _Embedded:
    """An original tweet to embed in retweets and quotes, serialised once."""

    __slots__ = ("id", "text", "retweet_count", "json")

    def __init__(self, tweet: dict):
        self.id, self.text, self.retweet_count = tweet["id"], tweet["text"], tweet["retweet_count"]
        self.json = orjson.Fragment(orjson.dumps(tweet))


def _size(bounds: tuple[int, int]) -> int:
    return bounds[1] - bounds[0]


def _write_lines(stream, tweets: list[dict]) -> None:
    if tweets:
        stream.write(b"\n".join(map(orjson.dumps, tweets)) + b"\n")


def _base62(number: int, width: int = 10) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(_B62[digit])
    return "".join(digits)
