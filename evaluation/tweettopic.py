"""Post topics on TweetTopic, cross-validated on the shared files: accuracy and throughput of each model.

The 19 TweetTopic labels are a user taxonomy (``evaluation/tweettopic_topics.csv``: names plus
descriptions written for this project). The labelled posts are all the shared files: English train (180)
and validation (20), Spanish (215), Greek (205) and Japanese (223) dev, 843 posts. They are split into 5
folds, each fold holding a fifth of every language (seeded shuffle); each fold's posts are classified by
models learned from the other four folds, in all four languages. Every choice a model makes inside
(regularisation, threshold, whether example words are features) is made by its own 5-fold
cross-validation on its training folds only. Macro-F1 (over the labels a language's posts carry or are
given) and sample-averaged F1 are reported per language, beside a majority-class baseline and the
keyword baselines, with each model's classification throughput (posts/s, this process, one core).

All figures are cross-validated development figures: the model choices (which features, the default)
were made on these same files. ``--test FILE`` also scores other labelled files (same format) with
models learned from all 843 shared posts.

    .venv/bin/python evaluation/tweettopic.py [--models keyword,examples,static,grams,static+grams,minilm] [--markdown]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stature.topics import load  # noqa: E402
from stature.topics.classify import ExampleClassifier, KeywordClassifier  # noqa: E402
from stature.topics.linear import f1_scores  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "tweettopic"
TOPICS = ROOT / "evaluation" / "tweettopic_topics.csv"
SHARED = {"English": ["en_train.jsonl", "en_validation.jsonl"], "Spanish": ["es_dev.jsonl"],
          "Greek": ["gr_dev.jsonl"], "Japanese": ["ja_dev.jsonl"]}
FOLDS = 5
SEED = 1
DEFAULT = "static"


def read(path: Path):
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], [r["topics"] for r in rows]


def matrix(label_lists, taxonomy, labels):
    y = np.zeros((len(label_lists), len(labels)), dtype=bool)
    index = {t: i for i, t in enumerate(labels)}
    for r, names in enumerate(label_lists):
        for name in names:
            y[r, index[taxonomy.find(name).id]] = True
    return y


def predict(classifier, texts, labels, fallback=None):
    pred = np.zeros((len(texts), len(labels)), dtype=bool)
    index = {t: i for i, t in enumerate(labels)}
    for r, topics in enumerate(classifier.classify(texts)):
        for topic, _ in topics:
            pred[r, index[topic]] = True
        if fallback is not None and not topics:
            pred[r, index[fallback]] = True
    return pred


class Majority:
    def __init__(self, label):
        self.label = label

    def classify(self, texts):
        return [[(self.label, 1.0)] for _ in texts]


def systems(taxonomy, models):
    """name -> (build() -> classifier, fallback label for posts it leaves empty). Built lazily."""
    counts = {}
    for _, topics in taxonomy.examples:
        for t in topics:
            counts[t] = counts.get(t, 0) + 1
    majority = max(counts, key=counts.get)
    bare = load(TOPICS)  # the same taxonomy without examples
    out = {"majority class": (lambda: Majority(majority), None),
           "keyword baseline (names + descriptions)": (lambda: KeywordClassifier(bare, bridge=False), majority)}
    if "keyword" in models:
        out["keyword, bridged to the built-in lexicon (no examples)"] = (lambda: KeywordClassifier(bare), majority)
    if "examples" in models:
        out["examples: keyword features"] = (lambda: ExampleClassifier(taxonomy, words=False), None)
    if "static" in models:
        out["static: static embeddings + keyword features (default)"] = (
            lambda: ExampleClassifier(taxonomy, static=True), None)
    if "grams" in models:
        out["character n-grams + keyword features"] = (
            lambda: ExampleClassifier(taxonomy, embeddings=False, grams=True), None)
    if "static+grams" in models:
        out["static embeddings + n-grams + keyword features"] = (
            lambda: ExampleClassifier(taxonomy, static=True, grams=True), None)
    if "minilm" in models:
        from stature.topics.embedding import EmbeddingClassifier
        out["MiniLM (torch) embeddings + keyword features"] = (
            lambda: EmbeddingClassifier(taxonomy, with_keywords=True), None)
    return out


def shared():
    """Texts, label lists and language of every shared labelled post."""
    texts, gold, langs = [], [], []
    for lang, files in SHARED.items():
        for name in files:
            t, g = read(DATA / name)
            texts += t
            gold += g
            langs += [lang] * len(t)
    return texts, gold, np.array(langs)


def folds_of(langs):
    """Fold number per post: a seeded shuffle within each language, dealt round the folds."""
    rng = np.random.default_rng(SEED)
    fold = np.zeros(len(langs), dtype=int)
    for lang in SHARED:
        idx = np.flatnonzero(langs == lang)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % FOLDS
    return fold


def cross_validate(models, progress=True):
    """Out-of-fold predictions of every system; returns (results per language, posts/s per system)."""
    base = load(TOPICS)
    labels = list(base.topics)
    texts, gold, langs = shared()
    y = matrix(gold, base, labels)
    fold = folds_of(langs)
    preds, seconds, fit_seconds = {}, {}, {}
    for k in range(FOLDS):
        train = [(texts[i], [base.find(n).id for n in gold[i]]) for i in np.flatnonzero(fold != k)]
        test = np.flatnonzero(fold == k)
        for name, (build, fallback) in systems(base.with_examples(train), models).items():
            start = time.perf_counter()
            clf = build()
            fit_seconds[name] = fit_seconds.get(name, 0.0) + time.perf_counter() - start
            start = time.perf_counter()
            p = predict(clf, [texts[i] for i in test], labels, fallback)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
            preds.setdefault(name, np.zeros_like(y))[test] = p
        if progress:
            print(f"fold {k + 1}/{FOLDS} done", file=sys.stderr, flush=True)
    results = {lang: {name: f1_scores(y[langs == lang], p[langs == lang]) for name, p in preds.items()}
               for lang in SHARED}
    speed = {name: len(texts) / max(s, 1e-9) for name, s in seconds.items()}
    return results, speed, {n: s / FOLDS for n, s in fit_seconds.items()}


def test_files(models, paths):
    base = load(TOPICS)
    labels = list(base.topics)
    texts, gold, _ = shared()
    taxonomy = base.with_examples([(t, [base.find(n).id for n in g]) for t, g in zip(texts, gold)])
    built = {name: (build(), fallback) for name, (build, fallback) in systems(taxonomy, models).items()}
    out = {}
    for path in paths:
        t, g = read(Path(path))
        y = matrix(g, base, labels)
        out[f"{Path(path).name} (n={len(t)})"] = {name: f1_scores(y, predict(clf, t, labels, fb))
                                                  for name, (clf, fb) in built.items()}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="keyword,examples,static,grams,static+grams",
                        help="comma list: keyword,examples,static,grams,static+grams,minilm")
    parser.add_argument("--test", nargs="*", default=[], metavar="FILE",
                        help="also score these labelled files with models learned from all shared posts")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    models = set(args.models.split(","))
    results, speed, fit = cross_validate(models)
    if args.test:
        results.update(test_files(models, args.test))
    names = list(next(iter(results.values())))
    columns = list(results)
    if args.markdown:
        print("| system | " + " | ".join(columns) + " | posts/s | learning (s) |")
        print("|---|" + "---|" * (len(columns) + 2))
        for name in names:
            cells = [f"{results[c][name][0]:.3f} / {results[c][name][1]:.3f}" for c in columns]
            print(f"| {name} | " + " | ".join(cells) + f" | {speed[name]:,.0f} | {fit[name]:.1f} |")
        print("\nEach cell: macro-F1 / sample-averaged F1, 5-fold cross-validated on the shared files.")
    else:
        for column in columns:
            print(column)
            for name in names:
                macro, sample = results[column][name]
                print(f"  {name:<55} macro-F1 {macro:.3f}   sample-F1 {sample:.3f}")
        print("throughput (posts/s): " + ", ".join(f"{n}: {s:,.0f}" for n, s in speed.items()))


if __name__ == "__main__":
    main()
