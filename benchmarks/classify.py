"""Throughput of post classification on this machine: posts per second, one process, each model beside
the packaged all-MiniLM-L6-v2 on torch (the peer the static model was distilled from).

Posts are the TweetTopic tweets (English, Spanish, Greek, Japanese), repeated to ``--posts``; the
example-trained models learn the TweetTopic taxonomy from all 843 shared labelled posts first (learning
time printed apart). Timed: feature extraction and classification, as ``stature classify`` does them, in wall-clock seconds
and in CPU seconds of this process (the rate a quiet core gives when other jobs share the machine; torch
may use both cores, so MiniLM's CPU seconds count both).

    .venv/bin/python benchmarks/classify.py [--posts 20000] [--models keyword,examples,static,minilm] [--torch-threads 1]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stature.topics import builtin, load  # noqa: E402
from stature.topics.classify import ExampleClassifier, make_classifier  # noqa: E402
from stature.topics.features import extract  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "tweettopic"
SHARED = ["en_train.jsonl", "en_validation.jsonl", "es_dev.jsonl", "gr_dev.jsonl", "ja_dev.jsonl"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--models", default="keyword,examples,static,minilm")
    parser.add_argument("--minilm-posts", type=int, default=1000, help="posts for the (slow) MiniLM peer")
    parser.add_argument("--batch", type=int, default=2000, help="posts per classify() call (as the workspace does)")
    parser.add_argument("--torch-threads", type=int, help="torch threads for MiniLM (default: torch's own choice)")
    args = parser.parse_args()
    if args.torch_threads and "minilm" in args.models:
        import torch
        torch.set_num_threads(args.torch_threads)
    rows = [json.loads(line) for f in SHARED for line in (DATA / f).read_text("utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    posts = (texts * (args.posts // len(texts) + 1))[: args.posts]
    user = load(ROOT / "evaluation" / "tweettopic_topics.csv")
    user = user.with_examples([(r["text"], [user.find(n).id for n in r["topics"]]) for r in rows])
    setups = {"keyword": ("built-in taxonomy (261 topics), no examples", builtin(), "keyword"),
              "examples": ("TweetTopic + 843 examples: keyword features", user, "examples"),
              "static": ("TweetTopic + 843 examples: static embeddings + keywords (default)", user, "static"),
              "grams": ("TweetTopic + 843 examples: n-grams + keywords", user, "grams"),
              "minilm": ("TweetTopic taxonomy, MiniLM on torch (peer)", load(ROOT / "evaluation" /
                                                                             "tweettopic_topics.csv"), "minilm")}
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print("| model | setup | learning (s) | posts | seconds | posts/s | CPU seconds | posts per CPU-second |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        label, taxonomy, model = setups[name]
        start = time.perf_counter()
        clf = (ExampleClassifier(taxonomy, embeddings=False, grams=True) if model == "grams"
               else make_classifier(taxonomy, model))
        learning = time.perf_counter() - start
        n = len(posts) if name != "minilm" else min(len(posts), args.minilm_posts)
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, n, args.batch):
            clf.classify([extract(t) for t in posts[i:i + args.batch]])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"| {name} | {label} | {learning:.1f} | {n:,} | {seconds:.2f} | {n / seconds:,.0f} | {cpu:.2f} "
              f"| {n / cpu:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
