"""`stature connect` on a 10M-edge graph: one call once the graph is loaded, and one call from the shell.

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

Peak memory is the process's max RSS. With ``python -m benchmarks.run --size 10m --only connect``
(:func:`tables`) it instead times whole ``stature connect HANDLE --json`` calls from the shell, each a
fresh process: the first builds and stores the network cache, the ones after map it.
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

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def workspace(size: int, data_dir: Path | None = None) -> Path:
    """The benchmark workspace of ``size`` follows over ``size / 10`` accounts (written once, then kept)."""
    from benchmarks.measure import ROOT

    path = (data_dir or ROOT / "bench-data") / f"connect-{size}" / "bench.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        nodes = max(100, size // 10)
        src, dst = follow_graph(nodes, size)
        write_workspace(path, nodes, src, dst).close()
    return path


def shell_calls(size: int, *, calls: int = 5, data_dir: Path | None = None) -> dict:
    """One `stature connect HANDLE --json` from the shell, again and again, on a workspace of ``size`` follows.

    The first call finds no cache and builds the network (and stores it); every later call maps it.
    Each call is a fresh process, timed from start to exit (Python start, imports, DuckDB, all).
    """
    import json
    import subprocess

    from benchmarks.measure import ROOT, measured

    nodes = max(100, size // 10)
    path = workspace(size, data_dir)
    subprocess.run(["rm", "-rf", str(path) + ".network"], check=True)
    rng = np.random.default_rng(7)
    users = rng.choice(nodes, size=calls + 1, replace=False).tolist()
    stature = [str(Path(sys.executable).parent / "stature")]
    runs = []
    for user in users:
        run = measured(stature + ["--quiet", "--workspace", str(path), "connect", f"bench:{user}", "--json"])
        if not run["ok"] and run["stopped"] and run["stopped"].startswith("failed"):
            raise SystemExit(f"stature connect failed: {run['stopped']}")
        runs.append(run)
    code = (f"import json, time; from stature import Workspace; from stature.graph.network import load_network\n"
            f"ws = Workspace({str(path)!r}, read_only=True); t = time.perf_counter(); net = load_network(ws)\n"
            f"print(json.dumps({{'load_s': time.perf_counter() - t, 'edges': int(net.adjacency.nnz)}}))")
    cached = measured([sys.executable, "-c", code])
    return {"nodes": nodes, "size": size, "first": runs[0], "again": runs[1:], "cached_load": cached}


def tables(size: int, *, calls: int = 5) -> list[dict]:
    """`connect` from the shell: the first call (building the cache) and the calls after (the interface of
    :mod:`benchmarks.run`)."""
    found = shell_calls(size, calls=calls)
    again = sorted(r["wall_s"] for r in found["again"])
    rows = [["first call (no cache yet: reads the interactions, builds and stores the network)",
             f"{found['first']['wall_s']:.2f}", "-", f"{found['first']['peak_mb']:,.0f}"],
            [f"each later call ({len(again)} accounts; the network mapped from the cache)",
             f"{statistics.median(again):.2f}", f"{again[-1]:.2f}", f"{max(r['peak_mb'] for r in found['again']):,.0f}"],
            ["of which `load_network` from the cache, in-process", f"{found['cached_load']['result']['load_s']:.3f}", "-", "-"]]
    return [{"name": "connect-shell", "size": size,
             "title": f"One `stature connect HANDLE --json` from the shell: {found['nodes']:,} accounts, {size:,} follows",
             "command": f"python -m benchmarks.run --size {size} --only connect",
             "header": ["call", "median s", "max s", "peak MB"], "rows": rows}]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="Write the workspace here and keep it (default: a temporary one).")
    args = parser.parse_args(argv)

    from stature.goals import connect, connect_batch
    from stature.graph.network import load_network

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        src, dst = follow_graph(args.nodes, args.edges, args.seed)
        ws = write_workspace(args.keep or Path(tmp) / "bench.duckdb", args.nodes, src, dst)
        setup = time.perf_counter() - t
        print(f"graph: {args.nodes:,} accounts, {len(src):,} distinct follows; written in {setup:.1f} s",
              file=sys.stderr)
        t = time.perf_counter()
        net = load_network(ws, cache=False)
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
