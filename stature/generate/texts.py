"""What generated posts say: words, hashtags, links and mentions, drawn from the population (no files).

An original post's text is a pure function of its number (counter-based uniforms), so it can be
drawn again anywhere (when it is embedded in a retweet or a quote) and come out the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .population import TAGS_PER_TOPIC, TOPIC_NAMES, WORDS_PER_TOPIC, Population, mix, twitter_times, uniforms
from .vocabulary import FILLER, TOPICS

MAX_WORDS = 14
LINK_SHARE = 0.12
MENTION_SHARE = 0.15
_WORDS = np.array([w for name in TOPIC_NAMES for w in TOPICS[name][1]], dtype=object)
_FILLER = np.array(FILLER, dtype=object)


@dataclass(slots=True)
class Original:
    """One original post, as drawn: who, when, about what, and what it says."""

    number: int
    author: int
    topic: int
    when: str            # the Twitter API's created_at
    sentence: str        # the words, capitalised, with a full stop
    mention: int | None  # an account of the topic it mentions
    hashtags: tuple      # 0-2 of the topic's hashtags
    link: int | None     # a code for its link's short URL, when it has one
    link_word: str       # the word its link's path starts with


def originals(c: Population, ks: np.ndarray) -> list[Original]:
    """The original posts numbered ``ks``."""
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
    out = []
    for i in range(len(ks)):
        t = int(topic[i])
        text = " ".join(words[i, :n_words[i]])
        tags = TOPICS[TOPIC_NAMES[t]][2]
        out.append(Original(int(ks[i]), int(author[i]), t, when[i], text[0].upper() + text[1:] + ".",
                            int(mentioned[i]) if mentions[i] else None,
                            (tags[tag1[i]], tags[tag2[i]])[:n_tags[i]],
                            int(codes[i]) if linked[i] else None, words[i, 0].lower()))
    return out


def sentences(rng, topics: np.ndarray, shortest: int) -> list[str]:
    """One sentence per topic of ``topics`` (a reply's or a quote's), ``shortest`` words or more."""
    n = len(topics)
    lengths = rng.integers(shortest, shortest + 7, n)
    pick = rng.random((n, shortest + 6))
    words = np.where(rng.random((n, shortest + 6)) < 0.5,
                     _WORDS[topics[:, None] * WORDS_PER_TOPIC + (pick * WORDS_PER_TOPIC).astype(np.int64)],
                     _FILLER[(pick * len(FILLER)).astype(np.int64)])
    return [" ".join(words[i, :lengths[i]]) + "." for i in range(n)]
