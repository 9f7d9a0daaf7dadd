"""`stature connect` on a 10M-edge graph: how long one call takes once the graph is loaded.

    .venv/bin/python benchmarks/connect.py --nodes 1000000 --edges 10000000 --queries 30

A synthetic follow graph is written straight into a fresh workspace's canonical tables
(``accounts`` and ``interactions``, network ``bench``) by :func:`stature.generate.graph.follow_graph`:
``nodes`` accounts in cohorts of about 1,000, each following a lognormal number of others, 80% of
them inside its own cohort and 20% anywhere, both in proportion to a heavy-tailed (Pareto 1.2) popularity;
drawn with a margin, duplicate pairs merged, then exactly ``edges`` distinct follows kept. Then, timed apart:

- ``load``: :func:`stature.goals.load_network`, once (reading the interactions, building the
  attention and walk matrices);
- ``connect``: :func:`stature.goals.connect` with ``top=10`` for ``queries`` accounts drawn at
  random among those that follow someone, plus the five accounts with the most followers
  (the worst case for the walk), each with its explanations (mutual connections,
  introduction paths, the interactions behind them, names): the whole of what
  ``stature connect HANDLE --json`` computes after loading;
- ``batch``: :func:`stature.goals.connect_batch` for the same accounts (scores only).

Peak memory is the process's max RSS.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stature.generate.graph import follow_graph  # noqa: E402  (the one graph generator)


def write_workspace(path: Path, nodes: int, src: np.ndarray, dst: np.ndarray):
    from stature import Workspace

    ws = Workspace(path)
    ids = pc.cast(pa.array(np.arange(nodes)), pa.string())
    ws.con.register("_bench_accounts", pa.table({"account_id": ids}))
    ws.con.execute("""INSERT INTO accounts (network, account_id, handle)
                      SELECT 'bench', account_id, 'user' || account_id FROM _bench_accounts""")
    ws.con.unregister("_bench_accounts")
    table = pa.table({"source_id": pc.cast(pa.array(src), pa.string()), "target_id": pc.cast(pa.array(dst), pa.string())})
    ws.con.register("_bench_edges", table)
    ws.con.execute("""INSERT INTO interactions (network, kind, source_id, target_id)
                      SELECT 'bench', 'follow', source_id, target_id FROM _bench_edges""")
    ws.con.unregister("_bench_edges")
    return ws


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="Write the workspace here and keep it (default: a temporary one).")
    args = parser.parse_args(argv)

    from stature.goals import connect, connect_batch, load_network

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        src, dst = follow_graph(args.nodes, args.edges, args.seed)
        ws = write_workspace(args.keep or Path(tmp) / "bench.duckdb", args.nodes, src, dst)
        setup = time.perf_counter() - t
        print(f"graph: {args.nodes:,} accounts, {len(src):,} distinct follows; written in {setup:.1f} s",
              file=sys.stderr)
        t = time.perf_counter()
        net = load_network(ws)
        load = time.perf_counter() - t
        rng = np.random.default_rng(args.seed + 1)
        following = np.unique(src)
        followers = np.bincount(dst, minlength=args.nodes)
        users = rng.choice(following, size=min(args.queries, len(following)), replace=False).tolist()
        hubs = np.argsort(-followers)[:5].tolist()
        connect(ws, f"bench:{users[0]}", top=10, net=net)  # warm the caches once, outside the timing
        timings = {"random": [], "hubs": []}
        shown = {}
        for group, accounts in (("random", users), ("hubs", hubs)):
            for user in accounts:
                t = time.perf_counter()
                result = connect(ws, f"bench:{user}", top=10, net=net)
                timings[group].append(time.perf_counter() - t)
                shown.setdefault(group, result)
        t = time.perf_counter()
        rows = list(connect_batch(ws, [f"bench:{u}" for u in users + hubs], top=10, net=net))
        batch = (time.perf_counter() - t) / len(rows)
        ws.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load_network: {load:.1f} s ({net.adjacency.nnz:,} edges, {net.nodes:,} nodes)")
    print("| accounts | calls | median s | p90 s | max s | suggestions |")
    print("|---|---|---|---|---|---|")
    for group, values in timings.items():
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(f"| {group} | {len(values)} | {statistics.median(values):.3f} | {p90:.3f} | {values[-1]:.3f} | "
              f"{len(shown[group]['suggestions'])} |")
    print(f"batch (scores only): {batch * 1000:.1f} ms an account; peak memory {peak:,.0f} MB")
    example = shown["random"]["suggestions"][:1]
    if example:
        print(f"e.g. {example[0]['handle']}: {'; '.join(example[0]['why'])}")


if __name__ == "__main__":
    main()
