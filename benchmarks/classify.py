"""Throughput of post classification on this machine: posts per second, one process.

Posts are the TweetTopic tweets (English, Spanish, Greek, Japanese), repeated to ``--posts``.

    .venv/bin/python benchmarks/classify.py [--posts 20000] [--models keyword,examples,minilm]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stature.topics import builtin, load  # noqa: E402
from stature.topics.classify import make_classifier  # noqa: E402
from stature.topics.features import extract  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "tweettopic"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--models", default="keyword,examples")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for f in sorted(DATA.glob("*.jsonl"))
             for line in f.read_text("utf-8").splitlines() if line.strip()]
    posts = (texts * (args.posts // len(texts) + 1))[: args.posts]
    user = load(ROOT / "evaluation" / "tweettopic_topics.csv", DATA / "en_train.jsonl")
    setups = {"keyword": ("built-in taxonomy (261 topics)", builtin(), "keyword"),
              "examples": ("TweetTopic taxonomy + 180 examples", user, "examples"),
              "minilm": ("TweetTopic taxonomy + 180 examples", user, "minilm")}
    print("| model | taxonomy | posts | seconds | posts/s |")
    print("|---|---|---|---|---|")
    for name in args.models.split(","):
        label, taxonomy, model = setups[name]
        clf = make_classifier(taxonomy, model)
        n = len(posts) if name != "minilm" else min(len(posts), 2000)
        start = time.perf_counter()
        for i in range(0, n, 1000):
            clf.classify([extract(t) for t in posts[i:i + 1000]])
        seconds = time.perf_counter() - start
        print(f"| {name} | {label} | {n:,} | {seconds:.2f} | {n / seconds:,.0f} |")


if __name__ == "__main__":
    main()
