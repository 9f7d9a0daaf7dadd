"""Generated posts as Twitter API v1.1 tweet objects, one JSON object a line (``tweets.jsonl``)."""
from __future__ import annotations

import orjson

from .population import TOPIC_NAMES, Population, twitter_time
from .texts import Original

ACCOUNT_BASE = 1_000_000_000                 # account i has id ACCOUNT_BASE + i
ORIGINAL_BASE = 1_600_000_000_000_000_000    # original post k has id ORIGINAL_BASE + k
RESPONSE_BASE = 1_700_000_000_000_000_000    # replies and quotes, numbered as written
RETWEET_BASE = 1_800_000_000_000_000_000
_SOURCE = '<a href="https://example.org/stature" rel="nofollow">stature generate</a>'
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Embedded:
    """An original tweet to embed in retweets and quotes, serialised once."""

    __slots__ = ("id", "text", "retweet_count", "json")

    def __init__(self, tweet: dict):
        self.id, self.text, self.retweet_count = tweet["id"], tweet["text"], tweet["retweet_count"]
        self.json = orjson.Fragment(orjson.dumps(tweet))


class TweetObjects:
    """Builds v1.1 objects for one population; ``stats`` holds each account's counts for its user object."""

    def __init__(self, c: Population, stats):
        self.c, self.stats = c, stats
        self._users: dict[int, orjson.Fragment] = {}

    def forget_users(self) -> None:
        """Drop the serialised user objects (they are kept per chunk, to bound memory)."""
        self._users.clear()

    def user(self, i: int) -> orjson.Fragment:
        """Account ``i`` as a v1.1 user object, serialised once per chunk."""
        found = self._users.get(i)
        if found is None:
            c, s = self.c, self.stats
            found = orjson.Fragment(orjson.dumps({
                "id": ACCOUNT_BASE + i, "id_str": str(ACCOUNT_BASE + i), "name": c.display_name(i),
                "screen_name": c.handle(i), "description": c.bio(i), "protected": False,
                "followers_count": int(s.followers[i]),
                "friends_count": int(s.following[i]), "listed_count": int(s.listed[i]),
                "created_at": twitter_time(c.created[i]), "favourites_count": int(s.made["like"][i]),
                "verified": bool(c.rank[i] <= max(1, c.n // 1000)), "statuses_count": int(s.statuses[i]),
            }))
            self._users[i] = found
        return found

    def mention(self, i: int, start: int) -> dict:
        c = self.c
        handle = c.handle(i)
        return {"screen_name": handle, "name": c.display_name(i), "id": ACCOUNT_BASE + i,
                "id_str": str(ACCOUNT_BASE + i), "indices": [start, start + len(handle) + 1]}

    def original(self, o: Original, counts: dict) -> dict:
        """The v1.1 object of an original post; ``counts`` its replies, quotes, reposts and likes."""
        text = o.sentence
        user_mentions, hashtags, urls = [], [], []
        if o.mention is not None:
            user_mentions.append(self.mention(o.mention, len(text) + 1))
            text += f" @{user_mentions[0]['screen_name']}"
        for tag in o.hashtags:
            hashtags.append({"text": tag, "indices": [len(text) + 1, len(text) + 2 + len(tag)]})
            text += f" #{tag}"
        if o.link is not None:
            short = "https://t.co/" + base62(o.link)
            expanded = f"https://{TOPIC_NAMES[o.topic]}.example.org/{o.link_word}/{o.number}"
            urls.append({"url": short, "expanded_url": expanded, "display_url": expanded[8:],
                         "indices": [len(text) + 1, len(text) + 1 + len(short)]})
            text += " " + short
        post_id = ORIGINAL_BASE + o.number
        return {
            "created_at": o.when, "id": post_id, "id_str": str(post_id), "text": text,
            "truncated": False,
            "entities": {"hashtags": hashtags, "symbols": [], "user_mentions": user_mentions, "urls": urls},
            "source": _SOURCE, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None,
            "user": self.user(o.author), "is_quote_status": False, "quote_count": int(counts["quote"]),
            "reply_count": int(counts["reply"]), "retweet_count": int(counts["repost"]),
            "favorite_count": int(counts["like"]), "favorited": False, "retweeted": False, "lang": "en",
        }

    def _common(self, tweet_id: int, who: int, when: str, text: str) -> dict:
        return {"created_at": when, "id": tweet_id, "id_str": str(tweet_id), "text": text,
                "truncated": False, "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                "source": _SOURCE, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
                "in_reply_to_user_id": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None,
                "user": self.user(who), "is_quote_status": False, "quote_count": 0, "reply_count": 0,
                "retweet_count": 0, "favorite_count": 0, "favorited": False, "retweeted": False, "lang": "en"}

    def reply(self, tweet_id, who, author, original_id, sentence, when) -> dict:
        handle = self.c.handle(author)
        tweet = self._common(tweet_id, who, when, f"@{handle} {sentence}")
        tweet["entities"]["user_mentions"].append(self.mention(author, 0))
        tweet.update(in_reply_to_status_id=original_id, in_reply_to_status_id_str=str(original_id),
                     in_reply_to_user_id=ACCOUNT_BASE + author, in_reply_to_user_id_str=str(ACCOUNT_BASE + author),
                     in_reply_to_screen_name=handle)
        return tweet

    def quote(self, tweet_id, who, author, original: Embedded, sentence, when) -> dict:
        short = "https://t.co/" + base62(tweet_id)
        tweet = self._common(tweet_id, who, when, f"{sentence[0].upper()}{sentence[1:]} {short}")
        expanded = f"https://twitter.com/{self.c.handle(author)}/status/{original.id}"
        tweet["entities"]["urls"].append({"url": short, "expanded_url": expanded, "display_url": expanded[8:],
                                          "indices": [len(tweet["text"]) - len(short), len(tweet["text"])]})
        tweet.update(is_quote_status=True, quoted_status_id=original.id, quoted_status_id_str=str(original.id),
                     quoted_status=original.json)
        return tweet

    def retweet(self, tweet_id, who, author, original: Embedded, _sentence, when) -> dict:
        handle = self.c.handle(author)
        tweet = self._common(tweet_id, who, when, f"RT @{handle}: {original.text}")
        tweet["entities"]["user_mentions"].append(self.mention(author, 3))
        tweet.update(retweeted_status=original.json, retweet_count=original.retweet_count)
        return tweet


def write_lines(stream, tweets: list[dict]) -> None:
    """Append ``tweets`` to ``stream``, one JSON object a line."""
    if tweets:
        stream.write(b"\n".join(map(orjson.dumps, tweets)) + b"\n")


def base62(number: int, width: int = 10) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        digits.append(_B62[digit])
    return "".join(digits)
