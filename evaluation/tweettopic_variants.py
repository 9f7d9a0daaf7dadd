"""Alternatives to the default post classifier, on the same TweetTopic cross-validation as
``evaluation/tweettopic.py`` (same 5 folds, learned from the training folds of all four languages unless said, every choice made by an
inner 5-fold cross-validation on the training folds). Each variant changes one thing of the default
(static embedding + keyword features, ridge, one threshold for all topics); macro-F1 / sample-F1 per
language. Cross-validated development figures.

    .venv/bin/python evaluation/tweettopic_variants.py [--only NAME,...]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "evaluation"))

import tweettopic as tt  # noqa: E402
from stature.topics import linear, load  # noqa: E402
from stature.topics.classify import ExampleClassifier  # noqa: E402
from stature.topics.grams import CharGrams  # noqa: E402
from stature.topics.keyword import as_features  # noqa: E402
from stature.topics.linear import LinearModel, f1_scores  # noqa: E402

OWN, CONCEPTS = 19, 261  # keyword evidence columns: the user topics, then the built-in topics


def assign(proba, threshold):
    return LinearModel(np.zeros((1, 1)), np.zeros(1), threshold, True).assign(proba.copy())


def inner_oof(fit_proba, x, y, strengths):
    """For each strength, out-of-fold probabilities over an inner 5-fold split of the training posts."""
    order = np.random.default_rng(0).permutation(len(y))
    parts = np.array_split(order, 5)
    for strength in strengths:
        proba = np.zeros(y.shape)
        for part in parts:
            train = np.setdiff1d(order, part)
            proba[part] = fit_proba(x[train], y[train], x[part], strength)
        yield strength, proba


def choose(fit_proba, strengths, thresholds="global"):
    """A learner: inner CV picks strength and threshold(s) by the mean of macro- and sample-F1."""
    def learn(xtr, ytr, xte):
        best = None
        for strength, proba in inner_oof(fit_proba, xtr, ytr, strengths):
            options = [np.full(ytr.shape[1], t) for t in linear.THRESHOLDS] if thresholds == "global" \
                else [linear.per_topic_thresholds(proba, ytr)]
            for t in options:
                score = sum(f1_scores(ytr, assign(proba, t)))
                if best is None or score > best[0]:
                    best = (score, strength, t)
        _, strength, t = best
        return fit_proba(xtr, ytr, xte, strength), t
    return learn


def ridge_learner(per_topic=False):
    def learn(xtr, ytr, xte):
        model, _ = linear.fit_ridge_cv(xtr, ytr, per_topic=per_topic)
        return model.proba(xte), model.threshold
    return learn


def logistic(xtr, ytr, xte, strength):
    return linear.fit(xtr, ytr.astype(float), strength, balance=1.0).proba(xte)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma list of variant names to run")
    args = parser.parse_args(argv)
    base = load(tt.TOPICS)
    labels = list(base.topics)
    texts, gold, langs = tt.shared()
    y = tt.matrix(gold, base, labels)
    fold = tt.folds_of(langs)
    # keyword evidence and static embeddings do not depend on the examples: computed once
    everything = base.with_examples([(t, [base.find(n).id for n in g]) for t, g in zip(texts, gold)])
    x = ExampleClassifier(everything, static=True).vectors(texts)
    plain = [as_features(t).text for t in texts]

    def scaled(embedding=1.0):
        w = np.ones(x.shape[1])
        w[OWN + CONCEPTS:] = embedding
        return lambda train, test: (x[train] * w, x[test] * w)

    def with_grams(train, test):
        from scipy import sparse
        grams = CharGrams.fit([plain[i] for i in train])
        return tuple(sparse.hstack([sparse.csr_matrix(x[idx]), grams.transform([plain[i] for i in idx])],
                                   format="csr") for idx in (train, test))

    variants = {
        "default: ridge, one threshold": (scaled(), ridge_learner()),
        "not pooled: each language learned from its own posts only": (scaled(), ridge_learner()),
        "ridge, a threshold per topic (inner CV)": (scaled(), ridge_learner(per_topic=True)),
        "logistic regression, one-vs-rest, class-balanced": (scaled(), choose(logistic, (0.3, 1.0, 3.0, 10.0))),
        "embedding weighted x2 against the keyword features": (scaled(2.0), ridge_learner()),
        "embedding weighted x0.6": (scaled(0.6), ridge_learner()),
        "+ character 1-4-grams (TF-IDF)": (with_grams, ridge_learner()),
    }
    only = set(filter(None, args.only.split(",")))
    print("| variant | " + " | ".join(tt.SHARED) + " | learning, 5 folds (s) |")
    print("|---|" + "---|" * (len(tt.SHARED) + 1))
    for name, (features, learn) in variants.items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        pred = np.zeros_like(y)
        for k in range(tt.FOLDS):
            train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            groups = [(train, test)]
            if name.startswith("not pooled"):
                groups = [(train[langs[train] == lang], test[langs[test] == lang]) for lang in tt.SHARED]
            for tr, te in groups:
                xtr, xte = features(tr, te)
                proba, thresholds = learn(xtr, y[tr], xte)
                pred[te] = assign(proba, thresholds)
        cells = [f1_scores(y[langs == lang], pred[langs == lang]) for lang in tt.SHARED]
        print(f"| {name} | " + " | ".join(f"{m:.3f} / {s:.3f}" for m, s in cells)
              + f" | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
