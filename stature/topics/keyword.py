"""Keyword evidence for topics: the taxonomy's names, keywords and descriptions as a multilingual lexicon.

:class:`KeywordClassifier` is always available. A user taxonomy is also *bridged* to the built-in one:
each user topic takes on the Spanish, Greek and Japanese terms of the built-in topics its name and
description match, so an English-only CSV still classifies posts in those languages. The other
classifiers use its evidence as features.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from .features import Features, extract, is_cjk, tokens
from .lexicon import Lexicon
from .taxonomy import Taxonomy, builtin
NAME_WEIGHT = 1.5
KEYWORD_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.5
BRIDGE_WEIGHT = 1.0
PROPAGATE = 0.5
THRESHOLD = 0.5
MAX_TOPICS = 5

_STOP = set("""a an and are as at be but by for from has have in into is it its of on or that the their this to
was were what when which who will with about also any can do does how if more most not other our so some such
than them then there these they those through very we you your all one new people things stuff etc e g i e
el la los las de del y en un una por para con que se su sus al lo o u
ο η το οι τα και σε στο στη στα του της των με για απο ενα μια""".split())


def as_features(post) -> Features:
    return post if isinstance(post, Features) else extract(post)


class KeywordClassifier:
    """Keyword evidence per topic, propagated to ancestors, turned into a confidence ``1 - e^-evidence``."""

    name = "keyword"

    def __init__(self, taxonomy: Taxonomy, *, threshold: float = THRESHOLD, max_topics: int = MAX_TOPICS,
                 bridge: bool = True):
        self.taxonomy = taxonomy
        self.threshold = threshold
        self.max_topics = max_topics
        self.lexicon = build_lexicon(taxonomy, bridge=bridge and taxonomy.source != "built-in")
        self._up = _ancestor_factors(taxonomy)

    def evidence(self, post) -> dict[str, float]:
        """Keyword evidence per topic, children's evidence passed up to their ancestors."""
        own = self.lexicon.match(as_features(post))
        total = dict(own)
        for topic, value in own.items():
            for ancestor, factor in self._up.get(topic, ()):
                total[ancestor] = total.get(ancestor, 0.0) + factor * value
        return total

    def scores(self, post) -> dict[str, float]:
        return {t: 1.0 - math.exp(-e) for t, e in self.evidence(post).items()}

    def classify(self, posts) -> list[list[tuple[str, float]]]:
        out = []
        for post in posts:
            ranked = sorted(((s, t) for t, s in self.scores(post).items() if s >= self.threshold), reverse=True)
            out.append([(t, round(s, 4)) for s, t in ranked[: self.max_topics]])
        return out


# ---------------------------------------------------------------- lexicon building


def build_lexicon(taxonomy: Taxonomy, *, bridge: bool = False) -> Lexicon:
    """The taxonomy's names, keywords and description words (when a topic has no keywords), each term's
    weight divided by the square root of the number of topics sharing it; with ``bridge``, the terms of
    the built-in topics each topic's text matches."""
    lexicon = Lexicon()
    for topic in taxonomy:
        for part in _name_parts(topic.name):
            lexicon.add(part, topic.id, NAME_WEIGHT)
        for keyword in topic.keywords:
            lexicon.add(keyword, topic.id, KEYWORD_WEIGHT)
        if not topic.keywords and topic.description:
            for word in dict.fromkeys(tokens(topic.description)):
                if word not in _STOP and (len(word) > 2 or not word.isascii()):
                    lexicon.add(word, topic.id, DESCRIPTION_WEIGHT)
    if bridge:
        base = _builtin_keyword()
        for topic in taxonomy:
            text = ". ".join([topic.name, topic.description, ", ".join(topic.keywords)])
            for concept, score in base.scores(text).items():
                if score < THRESHOLD:
                    continue
                source = base.taxonomy[concept]
                for part in _name_parts(source.name):
                    lexicon.add(part, topic.id, BRIDGE_WEIGHT * score * NAME_WEIGHT)
                for keyword in source.keywords:
                    lexicon.add(keyword, topic.id, BRIDGE_WEIGHT * score * KEYWORD_WEIGHT)
    shared = lexicon.topics_per_term()
    lexicon.reweight(lambda term_id, topic: 1.0 / math.sqrt(max(1, len(shared.get(term_id, ())))))
    return lexicon


def _name_parts(name: str) -> list[str]:
    """``"Film, TV & Video"`` -> the whole name and ``Film``, ``TV``, ``Video``."""
    parts = [p.strip() for p in re.split(r"[,&/()]|\band\b", name) if p.strip()]
    return list(dict.fromkeys([name, *parts]))


def _ancestor_factors(taxonomy: Taxonomy) -> dict[str, list[tuple[str, float]]]:
    """For each topic, its ancestors with ``PROPAGATE ** distance`` (shortest path)."""
    out = {}
    for topic in taxonomy:
        if not topic.parents:
            continue
        found, frontier, factor = {}, list(topic.parents), PROPAGATE
        while frontier and factor > 0.01:
            nxt = []
            for t in frontier:
                if t not in found:
                    found[t] = factor
                    nxt.extend(taxonomy[t].parents)
            frontier, factor = nxt, factor * PROPAGATE
        out[topic.id] = list(found.items())
    return out


def _words(feats: Features) -> set[str]:
    """The post's words and hashtag words (Japanese/Chinese runs as character pairs), stop words left out."""
    out = set()
    for word in [*feats.words, *(w for tag in feats.hashtags for w in tag)]:
        if is_cjk(word):
            out.update(word[i:i + 2] for i in range(max(1, len(word) - 1)))
        elif word not in _STOP and len(word) > 2:
            out.add(word)
    return out


def _vocabulary(feats: list[Features], min_count: int = 2) -> dict[str, int]:
    """Words in at least ``min_count`` examples, as feature columns."""
    counts: dict[str, int] = {}
    for f in feats:
        for word in _words(f):
            counts[word] = counts.get(word, 0) + 1
    return {w: i for i, w in enumerate(sorted(w for w, n in counts.items() if n >= min_count))}


def _dense(rows: list[dict[str, float]], columns: list[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(columns)}
    out = np.zeros((len(rows), len(columns)))
    for r, row in enumerate(rows):
        for key, value in row.items():
            i = index.get(key)
            if i is not None:
                out[r, i] = value
    return out


@lru_cache(maxsize=1)
def _builtin_keyword() -> KeywordClassifier:
    return KeywordClassifier(builtin())
