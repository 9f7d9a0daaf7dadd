"""The whole ``stature score`` at 100k and 1M accounts, beside DuckDB alone joining the same edges.

    nice .venv/bin/python benchmarks/score.py --accounts 100000,1000000 [--keep bench-data/score]

For each size a workspace of that many accounts (follower and list counts, creation dates),
two posts per account and ten interactions per account (40% follows, 25% likes, 20% reposts,
10% replies, 5% mentions, timed over 90 days; targets drawn with a heavy-tailed popularity) is
written straight into the canonical tables by a separate process. Then, each in a fresh
process whose peak resident memory is its own:

- ``stature score``: ``score(ws, as_of="2024-06-30")``, the library call behind the command:
  every relational step, authority, storing the run; the slowest steps are listed, and every
  step's time after the table.
- the peer, DuckDB alone: the join at the heart of the score, every interaction joined to its
  source and target accounts and grouped into weighted pairs, written to a table.

Prints a Markdown table (with the machine's load average as each run ended), every step's time,
and how time and memory grow from the first size to the last.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PER_ACCOUNT = 10


def write(path: str, accounts: int) -> dict:
    """A generated workspace at ``path``: ``accounts`` accounts, 2 posts and 10 interactions each."""
    import pyarrow as pa

    from stature import Workspace

    rng = np.random.default_rng(0)
    edges = accounts * PER_ACCOUNT
    popularity = rng.pareto(1.2, accounts) + 1
    cumulative = np.cumsum(popularity)
    cumulative /= cumulative[-1]
    src = rng.integers(0, accounts, edges)
    dst = np.searchsorted(cumulative, rng.random(edges))
    dst = np.where(dst == src, (dst + 1) % accounts, dst)
    kinds = np.array(["follow", "like", "repost", "reply", "mention"])[rng.choice(5, edges,
                                                                                  p=[0.4, 0.25, 0.2, 0.1, 0.05])]
    posts = accounts * 2
    t0 = time.perf_counter()
    with Workspace(path) as ws:
        con = ws.con
        con.execute(f"""INSERT INTO accounts (network, account_id, handle, created_at, followers_count, listed_count)
            SELECT 'twitter', 'a' || i, 'user' || i, TIMESTAMP '2020-01-01' + to_days(CAST(i % 1000 AS INTEGER)),
                   CAST(floor(10000 / (1 + i % 5000)) AS DOUBLE), CAST(i % 7 AS DOUBLE) FROM range({accounts}) t(i)""")
        con.execute(f"""INSERT INTO posts (network, post_id, author_id, created_at, visibility, like_count, repost_count)
            SELECT 'twitter', 'p' || i, 'a' || (hash(i) % {accounts}),
                   TIMESTAMP '2024-06-30' - to_seconds(CAST(hash(i * 7) % 7776000 AS BIGINT)), 'public', 0, 0
            FROM range({posts}) t(i)""")
        con.register("edges_in", pa.table({"src": src, "dst": dst, "kind": kinds}))
        con.execute(f"""INSERT INTO interactions (network, kind, source_id, target_id, post_id, time)
            SELECT 'twitter', kind, 'a' || src, 'a' || dst,
                   CASE WHEN kind IN ('like', 'repost', 'reply') THEN 'p' || (hash(src * 31 + dst) % {posts}) END,
                   CASE WHEN kind = 'follow' THEN NULL
                        ELSE TIMESTAMP '2024-06-30' - to_seconds(CAST(hash(src + dst) % 7776000 AS BIGINT)) END
            FROM edges_in""")
        con.unregister("edges_in")
        count = con.execute("SELECT count(*) FROM interactions").fetchone()[0]
    return {"accounts": accounts, "interactions": count, "posts": posts, "write_s": time.perf_counter() - t0}


def run_score(path: str) -> dict:
    from stature import Workspace
    from stature.analytics import score

    steps: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(done, total, label):
        now = time.perf_counter()
        if not label.startswith("authority, iteration"):
            steps.append((label, now - last[0]))
            last[0] = now

    with Workspace(path) as ws:
        t0 = time.perf_counter()
        last[0] = t0
        run = score(ws, as_of="2024-06-30", progress=progress)
        elapsed = time.perf_counter() - t0
    steps.append(("storing the run", t0 + elapsed - last[0]))  # and the window check after it
    slowest = sorted(steps, key=lambda s: -s[1])[:4]
    return {"what": "stature score", "seconds": elapsed, "scored": run.scored, "graph_edges": run.edges,
            "iterations": run.authority_iterations, "slowest": slowest, "steps": steps, "load": os.getloadavg()[0],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_peer(path: str) -> dict:
    """DuckDB alone: every interaction joined to its two accounts and grouped into weighted pairs."""
    import duckdb

    con = duckdb.connect(path)
    t0 = time.perf_counter()
    con.execute("""CREATE TEMP TABLE pairs AS
        SELECT s.account_id AS src, t.account_id AS dst, x.kind, count(*) AS n, sum(coalesce(x.weight, 1.0)) AS w
        FROM interactions x
        JOIN accounts s ON s.network = x.network AND s.account_id = x.source_id
        JOIN accounts t ON t.network = x.network AND t.account_id = x.target_id
        GROUP BY ALL""")
    pairs = con.execute("SELECT count(*) FROM pairs").fetchone()[0]
    elapsed = time.perf_counter() - t0
    interactions = con.execute("SELECT count(*) FROM interactions").fetchone()[0]
    con.close()
    return {"what": "DuckDB alone: join and group the edges", "seconds": elapsed, "pairs": pairs,
            "interactions": interactions, "load": os.getloadavg()[0],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", default="100000,1000000")
    parser.add_argument("--keep", type=Path, help="Folder to keep the generated workspaces in (reused).")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        what, path = args.one
        kind, _, size = what.partition(":")
        result = {"write": lambda: write(path, int(size)), "score": lambda: run_score(path),
                  "peer": lambda: run_peer(path)}[kind]()
        print(json.dumps(result))
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="stature-score-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in (int(s) for s in args.accounts.split(",")):
        source = folder / f"score-{size}.duckdb"
        made = child("--one", f"write:{size}", str(source)) if not source.exists() else None
        for kind in ("peer", "score"):
            copy = folder / f"score-{size}-{kind}.duckdb"
            shutil.copyfile(source, copy)  # each run on a fresh copy: nothing stored earlier
            result = child("--one", kind, str(copy))
            copy.unlink()
            rows.append({"accounts": size, **(made or {}), **result})
            if kind == "score":
                rows[-1]["interactions"] = rows[-2]["interactions"]
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print("| run | accounts | interactions | seconds | peak MB | notes |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        note = (f"{r['graph_edges']:,} graph edges, {r['iterations']} iterations; slowest steps: "
                + ", ".join(f"{name} {sec:.1f} s" for name, sec in r["slowest"])) if "slowest" in r \
            else f"{r['pairs']:,} pairs"
        note += f"; load average {r['load']:.1f} at the end"
        print(f"| {r['what']} | {r['accounts']:,} | {r.get('interactions', 0):,} | {r['seconds']:.1f} | "
              f"{r['peak_mb']:,.0f} | {note} |")
    for r in rows:
        if "steps" in r:
            print(f"\nstature score, {r['accounts']:,} accounts, step by step (seconds; steps under 0.1 s together):")
            small = sum(sec for _, sec in r["steps"] if sec < 0.1)
            print(", ".join(f"{name} {sec:.1f}" for name, sec in r["steps"] if sec >= 0.1)
                  + f", the other steps {small:.1f}")
    print()
    sizes = sorted({r["accounts"] for r in rows})
    if len(sizes) > 1:
        for what in ("stature score", "DuckDB alone: join and group the edges"):
            first = next(r for r in rows if r["accounts"] == sizes[0] and r["what"] == what)
            last = next(r for r in rows if r["accounts"] == sizes[-1] and r["what"] == what)
            print(f"{what}: {sizes[0]:,} -> {sizes[-1]:,} accounts ({sizes[-1] / sizes[0]:g}x): time "
                  f"x{last['seconds'] / first['seconds']:.1f}, peak memory x{last['peak_mb'] / first['peak_mb']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
