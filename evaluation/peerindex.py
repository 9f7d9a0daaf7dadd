"""Does the influence score agree with people? Pairwise AUC on the PeerIndex judgements.

    .venv/bin/python evaluation/peerindex.py [--pairs ../shared/datasets/peerindex/pairs_dev.csv] [--fit]

Each user of each pair becomes an account with its eight named statistics (followers,
following, listed, mentions received, retweets received, mentions sent, retweets sent,
posts; the three undocumented network features are not used), written as a CSV of
account statistics and imported with ``stature ingest``. Then ``stature score`` runs as
it does for anyone, and the integer 1-100 score ``stature top`` shows is compared on
every pair: the ROC AUC of ``score(A) - score(B)`` as a prediction of people's choice
(the contest's metric) is the pairwise AUC, reported beside follower count alone and
listed count alone (each as ``log(1 + A) - log(1 + B)``: 0.846 and 0.858 on the dev
file), with the plain share of pairs ordered as people ordered them.

``--fit`` searches the weights of the four components these statistics measure on a
grid (steps of 0.05), over each component's points on the calibrated scale, reporting the in-sample AUC of the best and a 5-fold
cross-validated AUC of the search (fit on four fifths of the pairs, judged on the
fifth left out), the honest estimate.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAIRS = ROOT.parent / "shared" / "datasets" / "peerindex" / "pairs_dev.csv"
STATS = {  # PeerIndex column suffix -> Stature account statistic
    "follower_count": "followers_count", "following_count": "following_count", "listed_count": "listed_count",
    "mentions_received": "mentions_received", "retweets_received": "reposts_received",
    "mentions_sent": "mentions_sent", "retweets_sent": "reposts_sent", "posts": "posts_count",
}
FITTED = ("audience", "amplification", "conversation", "recognition")


def read_pairs(path: Path) -> tuple[list[dict], np.ndarray, list[tuple[str, str]]]:
    """(accounts, choice per pair, (account A, account B) per pair); a user is its feature vector."""
    accounts: dict[str, dict] = {}
    choices, pairs = [], []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            ids = []
            for side in ("A", "B"):
                stats = {ours: float(row[f"{side}_{theirs}"]) for theirs, ours in STATS.items()}
                key = "u" + hashlib.sha1(repr(sorted(stats.items())).encode()).hexdigest()[:12]
                accounts[key] = {"account_id": key, "handle": key, **stats}
                ids.append(key)
            choices.append(int(row["Choice"]))
            pairs.append(tuple(ids))
    return list(accounts.values()), np.array(choices), pairs


def pairwise_auc(values: dict, choices: np.ndarray, pairs) -> float:
    """ROC AUC of ``value(A) - value(B)`` as a prediction that people chose A (the contest's metric)."""
    from scipy.stats import rankdata

    margin = np.array([values[x] - values[y] for x, y in pairs], dtype=float)
    ranks = rankdata(margin)
    chose_a = choices == 1
    n1, n0 = chose_a.sum(), (~chose_a).sum()
    return float((ranks[chose_a].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def agreement(values: dict, choices: np.ndarray, pairs) -> float:
    """Share of pairs ordered as people ordered them (ties count half)."""
    a = np.array([values[x] for x, _ in pairs], dtype=float)
    b = np.array([values[y] for _, y in pairs], dtype=float)
    first_wins = np.where(a > b, 1.0, np.where(a < b, 0.0, 0.5))
    return float(np.mean(np.where(choices == 1, first_wins, 1.0 - first_wins)))


def score_workspace(accounts: list[dict], folder: Path):
    """Import the accounts as a CSV of statistics and run the score; returns the open workspace."""
    from stature import Workspace, ingest
    from stature.analytics import score

    table = folder / "peerindex_accounts.csv"
    with open(table, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["account_id", "handle", *STATS.values()])
        writer.writeheader()
        writer.writerows(accounts)
    ws = Workspace(folder / "peerindex.duckdb")
    ingest(ws, [table], network="peerindex")
    score(ws)
    return ws


def component_percentiles(ws) -> dict[str, dict[str, float]]:
    rows = ws.sql("""SELECT s.account_id, c.component, c.percentile FROM score_components c
                     JOIN scores s USING (run_id, node_id) WHERE run_id = (SELECT max(run_id) FROM score_runs)""")
    out: dict = {}
    for account, component, percentile in rows:
        out.setdefault(component, {})[account] = percentile
    return out


def weight_grid(step: float = 0.05):
    ticks = int(round(1 / step))
    for parts in itertools.product(range(ticks + 1), repeat=len(FITTED) - 1):
        last = ticks - sum(parts)
        if last >= 0:
            yield dict(zip(FITTED, [p * step for p in (*parts, last)]))


def combined(percentiles, weights) -> dict[str, float]:
    accounts = percentiles["audience"].keys()
    return {a: sum(w * percentiles[c][a] for c, w in weights.items()) for a in accounts}


def fit(percentiles, choices, pairs, index=None):
    index = np.arange(len(pairs)) if index is None else index
    chosen = [pairs[i] for i in index]
    best = max(weight_grid(), key=lambda w: pairwise_auc(combined(percentiles, w), choices[index], chosen))
    return best, pairwise_auc(combined(percentiles, best), choices[index], chosen)


def cross_validated(percentiles, choices, pairs, folds: int = 5, seed: int = 0) -> float:
    order = np.random.default_rng(seed).permutation(len(pairs))
    right = 0.0
    for held in np.array_split(order, folds):
        train = np.setdiff1d(order, held)
        weights, _ = fit(percentiles, choices, pairs, train)
        right += pairwise_auc(combined(percentiles, weights), choices[held], [pairs[i] for i in held]) * len(held)
    return right / len(pairs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS)
    parser.add_argument("--fit", action="store_true", help="Also search the component weights (see above).")
    args = parser.parse_args(argv)
    from stature.analytics import COMPONENT_WEIGHTS, top

    accounts, choices, pairs = read_pairs(args.pairs)
    with tempfile.TemporaryDirectory() as folder:
        ws = score_workspace(accounts, Path(folder))
        rows = top(ws, limit=0)
        shown = {r["account_id"]: r["score"] for r in rows}
        exact = {r["account_id"]: r["exact"] for r in rows}
        percentiles = component_percentiles(ws) if args.fit else None
        ws.close()
    stats = {a["account_id"]: a for a in accounts}
    print(f"{args.pairs.name}: {len(pairs):,} judged pairs, {len(accounts):,} distinct users")
    lines = [("stature score (1-100, as `stature top` shows it)", shown),
             ("stature score, unrounded", exact)]
    for name, column in (("follower count alone (log)", "followers_count"), ("listed count alone (log)", "listed_count")):
        lines.append((name, {k: float(np.log1p(v[column])) for k, v in stats.items()}))
    for name, values in lines:
        print(f"  {name:<49} AUC {pairwise_auc(values, choices, pairs):.3f}   "
              f"pairs ordered as people did {agreement(values, choices, pairs):.3f}")
    print(f"  weights in use: {COMPONENT_WEIGHTS}")
    if args.fit:
        best, in_sample = fit(percentiles, choices, pairs)
        print(f"  best grid weights {({k: round(v, 2) for k, v in best.items()})}: in-sample AUC {in_sample:.3f}")
        print(f"  5-fold cross-validated AUC of the weight search: "
              f"{cross_validated(percentiles, choices, pairs):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
