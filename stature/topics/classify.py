"""Post -> topics, each with a confidence in [0, 1].

The classifiers share one interface, ``classify(posts) -> [[(topic_id, score), ...], ...]`` where a
post is a :class:`~stature.topics.features.Features` (see :func:`features.extract`) or plain text:

- :class:`~stature.topics.keyword.KeywordClassifier` (always available, multilingual): the taxonomy's
  names, keywords and descriptions as a lexicon, bridged to the built-in taxonomy's terms.
- :class:`ExampleClassifier` (when the taxonomy has labelled examples): a logistic regression learned
  from the examples. Its features: the keyword evidence for every user topic and every built-in topic
  (language-independent), and, for the ``static`` model (the default with examples), the post's
  static sentence embedding distilled from all-MiniLM-L6-v2 (:mod:`~stature.topics.static`, shipped
  in the package, numpy only). Character n-grams (:mod:`~stature.topics.grams`) are measured too.
- ``embedding.EmbeddingClassifier`` (optional extra ``topics``): the packaged all-MiniLM-L6-v2 itself,
  on torch; about ten times slower.

:func:`make_classifier` picks one; see EVALUATION.md and BENCHMARKS.md for how they compare.
"""
from __future__ import annotations

import numpy as np

from . import linear
from .features import Features, extract
from .keyword import (MAX_TOPICS, THRESHOLD, KeywordClassifier, _builtin_keyword, _dense, _vocabulary,  # noqa: F401
                      _words, as_features, build_lexicon)
from .taxonomy import Taxonomy

MODELS = ("auto", "keyword", "examples", "static", "minilm")
MODEL_VERSIONS = {"keyword": "keyword-1", "examples": "examples-1", "static": "static-1", "minilm": "minilm-2"}


def resolve_model(taxonomy: Taxonomy, model: str = "auto") -> str:
    """The model ``auto`` stands for: ``static`` when the taxonomy has labelled examples, else ``keyword``."""
    if model == "auto":
        return "static" if taxonomy.examples else "keyword"
    if model not in MODEL_VERSIONS:
        from ..errors import StatureError
        raise StatureError(f"Unknown topic model {model!r}: choose {', '.join(MODELS)}.")
    return model


def model_id(taxonomy: Taxonomy, model: str = "auto") -> str:
    """What the stored topics were classified with: the model and its version (a new version re-classifies)."""
    return MODEL_VERSIONS[resolve_model(taxonomy, model)]


class ExampleClassifier:
    """A linear model learned from the taxonomy's labelled examples. Features: keyword evidence (the
    taxonomy's own topics and the built-in ones); with ``static`` (or ``embeddings``), also the post's
    static embedding; with ``grams``, its character n-grams (in at least two examples, TF-IDF weighted;
    measured, not the default: no gain in cross-validation); with ``words``, the
    examples' own words (``auto``: whether they help is chosen by cross-validation). A ridge model,
    calibrated per topic (:func:`~stature.topics.linear.fit_ridge_cv`); its strength and threshold are
    chosen by cross-validation on the examples."""

    def __init__(self, taxonomy: Taxonomy, *, max_topics: int = MAX_TOPICS, words="auto", static: bool = False,
                 embeddings: bool | None = None, grams: bool | None = None):
        if not taxonomy.examples:
            raise ValueError("ExampleClassifier needs a taxonomy with labelled examples.")
        self.name = "static" if static else "examples"
        self.taxonomy = taxonomy
        self.max_topics = max_topics
        self.own = KeywordClassifier(taxonomy)
        self.concepts = _builtin_keyword() if taxonomy.source != "built-in" else None
        self.labels = list(taxonomy.topics)
        self.embedder = self.grams = None
        texts = [as_features(text) for text, _ in taxonomy.examples]
        y = np.zeros((len(texts), len(self.labels)), dtype=bool)
        index = {t: i for i, t in enumerate(self.labels)}
        for row, (_, topics) in enumerate(taxonomy.examples):
            for t in topics:
                y[row, index[t]] = True
        embeddings = static if embeddings is None else embeddings
        grams = bool(grams)  # off in the static model: no gain in cross-validation (EVALUATION.md)
        if embeddings:
            from .static import embedder
            self.embedder = embedder()
        if grams:
            from .grams import CharGrams
            self.grams = CharGrams.fit([f.text for f in texts])
        if embeddings or grams:
            words = False
        vocabulary = _vocabulary(texts)
        best = None
        for use_words in ((False, True) if words == "auto" else (bool(words),)):
            self.vocabulary = vocabulary if use_words else {}
            model, search = linear.fit_ridge_cv(self.vectors(texts), y)
            score = max(sum(v) / 2 for v in search["cv"].values())
            if best is None or score > best[0]:
                best = (score, self.vocabulary, model, {**search, "words": use_words})
        _, self.vocabulary, self.model, self.search = best

    def vectors(self, posts):
        """Feature rows: a numpy array, or a scipy sparse matrix when character n-grams are features."""
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
        if self.embedder is not None:
            parts.append(self.embedder.embed([f.text for f in feats]))
        if self.grams is None:
            return np.hstack(parts)
        from scipy import sparse
        return sparse.hstack([sparse.csr_matrix(np.hstack(parts)), self.grams.transform([f.text for f in feats])],
                             format="csr")

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
    """``auto``: the ``static`` model when the taxonomy has examples, else keywords. ``keyword``,
    ``examples`` (keyword features only), ``static`` or ``minilm`` (needs the ``topics`` extra) choose one."""
    model = resolve_model(taxonomy, model)
    if model == "keyword":
        return KeywordClassifier(taxonomy)
    if model in ("examples", "static") and not taxonomy.examples:
        from ..errors import StatureError
        raise StatureError(f"The {model} topic model learns from labelled examples: pass --examples FILE.")
    if model == "examples":
        return ExampleClassifier(taxonomy)
    if model == "static":
        return ExampleClassifier(taxonomy, static=True)
    from .embedding import EmbeddingClassifier
    return EmbeddingClassifier(taxonomy)


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
