"""Post topics on TweetTopic: its 19 labels as a user taxonomy, the 180 English training tweets as examples.

Reports macro-F1 and sample-averaged F1 on the English validation tweets and the Spanish, Greek and
Japanese development files (held out: nothing here is tuned on them), beside a majority-class baseline
and a keyword baseline. Choices are made by 5-fold cross-validation on the English training tweets,
printed first.

    .venv/bin/python evaluation/tweettopic.py [--models keyword,examples,minilm] [--markdown]
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
HELD_OUT = {"English validation": "en_validation.jsonl", "Spanish dev": "es_dev.jsonl",
            "Greek dev": "gr_dev.jsonl", "Japanese dev": "ja_dev.jsonl"}


def read(name):
    rows = [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines() if line.strip()]
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
    """name -> (classifier, fallback label for posts it leaves empty)."""
    counts = {}
    for _, topics in taxonomy.examples:
        for t in topics:
            counts[t] = counts.get(t, 0) + 1
    majority = max(counts, key=counts.get)
    bare = load(TOPICS)  # the same taxonomy without examples
    out = {"majority class": (Majority(majority), None),
           "keyword baseline (names + descriptions)": (KeywordClassifier(bare, bridge=False), majority)}
    if "keyword" in models:
        out["keyword, bridged to the built-in lexicon"] = (KeywordClassifier(bare), majority)
    if "examples" in models:
        out["examples model, keyword features"] = (ExampleClassifier(taxonomy, words=False), None)
        out["examples model, keyword + word features"] = (ExampleClassifier(taxonomy, words=True), None)
        out["examples model, word features chosen by CV (default)"] = (ExampleClassifier(taxonomy), None)
    if "minilm" in models:
        from stature.topics.embedding import EmbeddingClassifier
        out["MiniLM embeddings + examples"] = (EmbeddingClassifier(taxonomy), None)
        out["MiniLM + keyword features + examples"] = (EmbeddingClassifier(taxonomy, with_keywords=True), None)
    return out


def cross_validate(taxonomy, models, folds=5):
    """F1 of each system on the English training tweets, each fold's model fitted on the others."""
    labels = list(taxonomy.topics)
    texts = [t for t, _ in taxonomy.examples]
    names = [[taxonomy[t].name for t in ts] for _, ts in taxonomy.examples]
    y = matrix(names, taxonomy, labels)
    order = np.random.default_rng(1).permutation(len(texts))
    preds = {}
    for part in np.array_split(order, folds):
        train = [taxonomy.examples[i] for i in order if i not in set(part)]
        fold_tax = load(TOPICS).with_examples(train)
        for name, (clf, fallback) in systems(fold_tax, models).items():
            p = predict(clf, [texts[i] for i in part], labels, fallback)
            preds.setdefault(name, np.zeros_like(y))[part] = p
    return {name: f1_scores(y, p) for name, p in preds.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="keyword,examples", help="comma list: keyword,examples,minilm")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation on the training tweets")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    models = set(args.models.split(","))
    taxonomy = load(TOPICS, DATA / "en_train.jsonl")
    labels = list(taxonomy.topics)
    results, timings = {}, {}
    if not args.no_cv:
        results["English train, 5-fold CV (used for choices)"] = cross_validate(taxonomy, models)
    built = systems(taxonomy, models)
    for split, filename in HELD_OUT.items():
        texts, gold = read(filename)
        y = matrix(gold, taxonomy, labels)
        results[f"{split} (n={len(texts)})"] = row = {}
        for name, (clf, fallback) in built.items():
            start = time.perf_counter()
            row[name] = f1_scores(y, predict(clf, texts, labels, fallback))
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
    names = list(built)
    if args.markdown:
        splits = list(results)
        print("| system | " + " | ".join(splits) + " |")
        print("|---|" + "---|" * len(splits))
        for name in names:
            cells = [f"{results[s][name][0]:.3f} / {results[s][name][1]:.3f}" for s in splits]
            print(f"| {name} | " + " | ".join(cells) + " |")
        print("\nEach cell: macro-F1 / sample-averaged F1.")
    else:
        for split, row in results.items():
            print(split)
            for name in names:
                macro, sample = row[name]
                print(f"  {name:<45} macro-F1 {macro:.3f}   sample-F1 {sample:.3f}")
    n = sum(len(read(f)[0]) for f in HELD_OUT.values())
    print("\nClassification time on the held-out files (" + str(n) + " posts): " +
          ", ".join(f"{k}: {v:.2f} s" for k, v in timings.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
