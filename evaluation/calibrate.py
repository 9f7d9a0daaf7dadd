"""Build the score's fixed calibration, ``stature/analytics/calibration.json``, from real accounts.

    .venv/bin/python evaluation/calibrate.py [--datasets ../shared/datasets] [--check]

Reference values per network and component (each a count in log2 units, as the score measures it):
- audience, ``log2(1 + followers)``: X/Twitter from RumourEval 2017's user objects, twitter-scientists and
  the PeerIndex users; Mastodon from the accounts in the recorded Mastodon API responses. The recorded
  Bluesky responses hold one profile with counts, too few: Bluesky uses the X/Twitter curve.
- recognition, ``log2(1 + listed)``: RumourEval's user objects and the PeerIndex users (X/Twitter only).
- amplification, conversation, authority: the values ``stature score`` itself computes for RumourEval's
  accounts, imported whole and scored over all of it (a 3,650-day window), so these are measured the
  way any workspace measures them (X/Twitter only).
For each: the median of the reference accounts that have any (a value above 0) gets 40 points, and the
ceiling, four times the largest reference value (two more log2 units), 100. ``--check`` rebuilds in
memory and fails if the shipped file differs. No people's judgements are used (PeerIndex's ``Choice``
column is not read), so the calibration is not tuned on what EVALUATION.md reports against.
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
TARGET = ROOT / "stature" / "analytics" / "calibration.json"
MIN_ACCOUNTS = 100  # a network needs this many reference accounts for a curve of its own
CEILING_MARGIN = 2.0  # log2 units above the largest reference value: four times it


def log2_1p(values) -> np.ndarray:
    return np.log2(1.0 + np.maximum(np.asarray(values, dtype=float), 0.0))


def rumoureval_users(datasets: Path) -> dict:
    """user id -> (followers, listed) from every tweet's user object (the latest seen)."""
    users: dict = {}
    with tarfile.open(datasets / "rumoureval2017" / "rumoureval2017.tgz") as archive:
        for member in archive.getmembers():
            if not (member.isfile() and member.name.endswith(".json")) or "/structure" in member.name:
                continue
            try:
                tweet = json.loads(archive.extractfile(member).read())
            except ValueError:
                continue
            user = tweet.get("user") if isinstance(tweet, dict) else None
            if isinstance(user, dict) and "followers_count" in user:
                users[user.get("id_str") or user["id"]] = (user["followers_count"], user.get("listed_count"))
    return users


def scientists(datasets: Path) -> list[float]:
    with zipfile.ZipFile(datasets / "twitter-scientists" / "twitter_scientists.json.zip") as archive:
        lines = archive.read("twitter_scientists.json").decode().splitlines()
    return [float(json.loads(line)[2]) for line in lines if line.strip()]


def peerindex(datasets: Path) -> list[tuple[float, float]]:
    """(followers, listed) per distinct PeerIndex user (a user is its feature vector)."""
    seen = {}
    with open(datasets / "peerindex" / "pairs_dev.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            for side in ("A", "B"):
                key = tuple(row[k] for k in row if k.startswith(side + "_"))
                seen[key] = (float(row[f"{side}_follower_count"]), float(row[f"{side}_listed_count"]))
    return list(seen.values())


def mastodon_followers(datasets: Path) -> list[float]:
    accounts: dict = {}

    def walk(node):
        if isinstance(node, dict):
            if "followers_count" in node and "acct" in node:
                accounts[node.get("url") or node["acct"]] = float(node["followers_count"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(glob.glob(str(datasets / "api-recordings" / "mastodon" / "*.json"))):
        walk(json.loads(Path(path).read_text())["response"]["body"])
    return list(accounts.values())


def engine_values(datasets: Path) -> tuple[dict, dict]:
    """Component values ``stature score`` computes for RumourEval's accounts, and the workspace summary."""
    from stature import Workspace, ingest
    from stature.analytics import score

    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(datasets / "rumoureval2017" / "rumoureval2017.tgz") as archive:
            archive.extractall(folder, filter="data")
        ws = Workspace(Path(folder) / "reference.duckdb")
        ingest(ws, [Path(folder) / "data"])
        score(ws, window_days=3650)
        out: dict = {}
        for component, value in ws.sql("""SELECT component, value FROM score_components
                                          WHERE run_id = (SELECT max(run_id) FROM score_runs)"""):
            out.setdefault(component, []).append(value)
        summary = {"accounts": ws.sql("SELECT count(*) FROM accounts")[0][0]}
        ws.close()
    return out, summary


def curve(values, sources: list[str]) -> dict:
    values = np.asarray(values, dtype=float)
    positive = values[values > 0]
    return {"median": round(float(np.median(positive)), 4),
            "ceiling": round(float(positive.max()) + CEILING_MARGIN, 4),
            "accounts": int(len(values)), "with_any": int(len(positive)), "sources": sources}


def build(datasets: Path) -> dict:
    users = rumoureval_users(datasets)
    pi = peerindex(datasets)
    followers = [f for f, _ in users.values()] + scientists(datasets) + [f for f, _ in pi]
    listed = [v for _, v in users.values() if v is not None] + [v for _, v in pi]
    masto = mastodon_followers(datasets)
    measured, _ = engine_values(datasets)
    twitter = {
        "audience": curve(log2_1p(followers), ["rumoureval2017 user objects", "twitter-scientists", "peerindex"]),
        "recognition": curve(log2_1p(listed), ["rumoureval2017 user objects", "peerindex"]),
    }
    for component in ("amplification", "conversation", "authority"):
        twitter[component] = curve(measured[component], ["rumoureval2017, scored by stature over 3,650 days"])
    networks = {"twitter": twitter}
    if len(masto) >= MIN_ACCOUNTS:
        networks["mastodon"] = {"audience": curve(log2_1p(masto), ["api-recordings/mastodon accounts"])}
    return {"default_network": "twitter", "median_points": 40, "min_accounts": MIN_ACCOUNTS,
            "built_by": "evaluation/calibrate.py", "networks": networks}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--check", action="store_true", help="Fail if the shipped calibration differs.")
    args = parser.parse_args(argv)
    built = build(args.datasets)
    text = json.dumps(built, indent=1, sort_keys=True) + "\n"
    if args.check:
        same = TARGET.read_text() == text
        print("calibration.json is up to date" if same else "calibration.json differs from a rebuild")
        return 0 if same else 1
    TARGET.write_text(text)
    for network, components in built["networks"].items():
        for component, c in components.items():
            print(f"{network:<9} {component:<14} median {c['median']:>7.3f} (count {2 ** c['median'] - 1:>10,.1f})  "
                  f"ceiling {c['ceiling']:>7.3f} (count {2 ** c['ceiling'] - 1:>14,.0f})  "
                  f"{c['with_any']:,} of {c['accounts']:,} reference accounts have any")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
