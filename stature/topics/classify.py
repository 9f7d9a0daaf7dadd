"""Post -> topics, each with a confidence in [0, 1].

Three classifiers share one interface, ``classify(posts) -> [[(topic_id, score), ...], ...]`` where a
post is a :class:`~stature.topics.features.Features` (see :func:`features.extract`) or plain text:

- :class:`KeywordClassifier` (always available, multilingual): the taxonomy's names, keywords and
  descriptions as a lexicon. A user taxonomy is also *bridged* to the built-in one: each user topic
  takes on the Spanish, Greek and Japanese terms of the built-in topics its name and description
  match, so an English-only CSV still classifies posts in those languages.
- :class:`ExampleClassifier` (when the taxonomy has labelled examples): a linear model learned from the
  examples on language-independent features, the keyword evidence for every user topic and for every
  built-in topic, so what it learns from English examples carries to other languages.
- ``embedding.EmbeddingClassifier`` (optional extra ``topics``): sentence embeddings from the packaged
  all-MiniLM-L6-v2 model.

:func:`make_classifier` picks one; see EVALUATION.md and BENCHMARKS.md for how they compare.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from . import linear
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


class ExampleClassifier:
    """A linear model over keyword evidence (the taxonomy's own topics and the built-in ones), learned
    from the taxonomy's labelled examples. Whether the examples' own words are features too, the
    regularisation and the threshold are chosen by cross-validation on the examples."""

    name = "examples"

    def __init__(self, taxonomy: Taxonomy, *, max_topics: int = MAX_TOPICS, words="auto"):
        if not taxonomy.examples:
            raise ValueError("ExampleClassifier needs a taxonomy with labelled examples.")
        self.taxonomy = taxonomy
        self.max_topics = max_topics
        self.own = KeywordClassifier(taxonomy)
        self.concepts = _builtin_keyword() if taxonomy.source != "built-in" else None
        self.labels = list(taxonomy.topics)
        texts = [as_features(text) for text, _ in taxonomy.examples]
        y = np.zeros((len(texts), len(self.labels)), dtype=bool)
        index = {t: i for i, t in enumerate(self.labels)}
        for row, (_, topics) in enumerate(taxonomy.examples):
            for t in topics:
                y[row, index[t]] = True
        vocabulary = _vocabulary(texts)
        best = None
        for use_words in ((False, True) if words == "auto" else (bool(words),)):
            self.vocabulary = vocabulary if use_words else {}
            model, search = linear.fit_cv(self.vectors(texts), y)
            score = max(sum(v) / 2 for v in search["cv"].values())
            if best is None or score > best[0]:
                best = (score, self.vocabulary, model, {**search, "words": use_words})
        _, self.vocabulary, self.model, self.search = best

    def vectors(self, posts) -> np.ndarray:
        feats = [as_features(p) for p in posts]
        own = _dense([self.own.evidence(f) for f in feats], self.labels)
        parts = [1.0 - np.exp(-own)]
        if self.concepts is not None:
            concept_ids = list(self.concepts.taxonomy.topics)
            parts.append(1.0 - np.exp(-_dense([self.concepts.evidence(f) for f in feats], concept_ids)))
        if self.vocabulary:
            bag = np.zeros((len(feats), len(self.vocabulary)))
            for row, f in enumerate(feats):
                for word in _words(f):
                    column = self.vocabulary.get(word)
                    if column is not None:
                        bag[row, column] = 1.0
            parts.append(bag)
        return np.hstack(parts)

    def classify(self, posts) -> list[list[tuple[str, float]]]:
        posts = list(posts)
        if not posts:
            return []
        proba = self.model.proba(self.vectors(posts))
        chosen = self.model.assign(proba)
        out = []
        for p, c in zip(proba, chosen):
            idx = [i for i in np.argsort(-p) if c[i]][: self.max_topics]
            out.append([(self.labels[i], round(float(p[i]), 4)) for i in idx])
        return out


def make_classifier(taxonomy: Taxonomy, model: str = "auto"):
    """``auto``: the example-trained model when the taxonomy has examples, else keywords.
    ``keyword``, ``examples`` or ``minilm`` (needs the ``topics`` extra) choose one."""
    if model == "auto":
        model = "examples" if taxonomy.examples else "keyword"
    if model == "keyword":
        return KeywordClassifier(taxonomy)
    if model == "examples":
        return ExampleClassifier(taxonomy)
    if model == "minilm":
        from .embedding import EmbeddingClassifier
        return EmbeddingClassifier(taxonomy)
    from ..errors import StatureError
    raise StatureError(f"Unknown topic model {model!r}: choose auto, keyword, examples or minilm.")


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


def classify_jsonl(path, classifier, *, batch: int = 1000, progress=None):
    """Classify the posts of a JSON lines file (``{"id": ..., "text": ...}`` per line, optionally
    ``hashtags``, ``mentions`` and ``links`` lists); yield ``{"id": ..., "topics": [{"topic", "score"}]}``.
    Topic names are the taxonomy's display names."""
    from ..errors import ImportFormatError
    from .taxonomy import _read_text, json_lines

    lines = _read_text(path).splitlines()
    pending = []

    def flush():
        results = classifier.classify([f for _, f in pending])
        for (post_id, _), topics in zip(pending, results):
            yield {"id": post_id, "topics": [{"topic": classifier.taxonomy[t].name, "score": s} for t, s in topics]}
        pending.clear()

    for number, record in json_lines(lines, path):
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise ImportFormatError(path, f"line {number}", 'expected an object with "id" and a "text" string.')
        extras = {}
        for key, arg in (("hashtags", "hashtags"), ("mentions", "mention_names"), ("links", "links")):
            value = record.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ImportFormatError(path, f"line {number}", f'"{key}" must be a list of strings.')
            extras[arg] = value
        pending.append((record["id"], extract(record["text"], **extras)))
        if len(pending) >= batch:
            yield from flush()
            if progress:
                progress(number, len(lines), "posts")
    if pending:
        yield from flush()
    if progress:
        progress(len(lines), len(lines), "posts")
