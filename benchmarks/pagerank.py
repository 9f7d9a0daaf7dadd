"""Authority (weighted PageRank) side by side with fast-pagerank, plain scipy and NetworkX.

    .venv/bin/python benchmarks/pagerank.py --nodes 1000000 --edges 10000000 --methods stature,scipy,fast-pagerank
    .venv/bin/python benchmarks/pagerank.py --nodes 100000 --edges 1000000 --methods stature,scipy,fast-pagerank,networkx
    .venv/bin/python benchmarks/pagerank.py --score-workspace --nodes 1000000 --edges 10000000

Needs the ``bench`` extra (``pip install -e '.[bench]'``) for fast-pagerank and NetworkX.
The graph (seeded: targets drawn with a heavy-tailed popularity, duplicate pairs merged) is
generated once and saved; each method then runs in its own process that reads the saved edge
arrays (:mod:`benchmarks.measure`), so its peak memory is its own (the edge arrays, about
24 bytes an edge, included), not the generator's. The scipy baseline is the power iteration
as a scipy user writes it: the transposed matrix built once, the vector scaled by
1/out-weight each iteration (no normalised copy of the matrix). Times: ``build`` turns the edge arrays into the method's
structure, ``rank`` runs PageRank (damping 0.85). Stature, scipy and fast-pagerank stop
at tolerance 1e-6 (L1 for Stature and scipy, L2 for fast-pagerank, as it is written);
NetworkX's own test is an L1 change below ``nodes * 1e-6``. The largest difference from
Stature's vector (L1) is printed, so every method is seen to compute the same thing.

``--score-workspace`` instead writes a workspace of that many accounts and interactions
(follows, likes, reposts and replies over 90 days, with posts) straight into the
canonical tables, and times the whole ``stature score`` on it.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np


from stature.generate.graph import popularity_graph as generate  # noqa: E402  (the one graph generator)


def saved(nodes: int, edges: int, folder: Path) -> Path:
    """The generated graph as .npy files in ``folder`` (written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "weight.npy").exists():
        for name, values in zip(("src", "dst", "weight"), generate(nodes, edges)):
            np.save(folder / f"{name}.npy", values)
    return folder


def run_one(method: str, nodes: int, edges: int, folder: Path) -> dict:
    import scipy.sparse as sp

    src, dst, weight = (np.load(folder / f"{name}.npy") for name in ("src", "dst", "weight"))
    if method == "stature":  # imports outside the timing, for every method
        from stature.graph import interaction_matrix, pagerank
    elif method == "fast-pagerank":
        from fast_pagerank import pagerank_power
    elif method == "networkx":
        import networkx as nx
    t0 = time.perf_counter()
    if method == "stature":
        matrix = interaction_matrix(nodes, src, dst, weight)
        t1 = time.perf_counter()
        result = pagerank(matrix.adjacency, tol=1e-6)
        scores, iterations = result.scores, result.iterations
    elif method == "scipy":  # the plain power iteration, in the few lines a scipy user writes
        pt = sp.csr_array((weight, (dst, src)), shape=(nodes, nodes))  # transposed: column j holds j's out-edges
        out = np.bincount(src, weights=weight, minlength=nodes)
        t1 = time.perf_counter()
        inverse = np.divide(1.0, out, out=np.zeros(nodes), where=out > 0)
        dangling = out == 0
        x = np.full(nodes, 1.0 / nodes)
        for iterations in range(1, 101):
            new = 0.85 * (pt @ (x * inverse)) + (0.85 * x[dangling].sum() + 0.15) / nodes
            error = np.abs(new - x).sum()
            x = new
            if error < 1e-6:
                break
        scores = x / x.sum()
    elif method == "fast-pagerank":
        a = sp.csr_matrix((weight, (src, dst)), shape=(nodes, nodes))
        t1 = time.perf_counter()
        scores, iterations = pagerank_power(a, p=0.85, tol=1e-6), None
    elif method == "networkx":
        graph = nx.DiGraph()
        graph.add_nodes_from(range(nodes))
        graph.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weight.tolist()))
        t1 = time.perf_counter()
        ranked = nx.pagerank(graph, alpha=0.85, tol=1e-6, weight="weight")
        scores, iterations = np.array([ranked[i] for i in range(nodes)]), None
    else:
        raise SystemExit(f"unknown method {method}")
    t2 = time.perf_counter()
    path = folder / f"scores-{method}.npy"
    np.save(path, scores)
    return {"method": method, "nodes": nodes, "edges": len(src), "build_s": t1 - t0, "rank_s": t2 - t1,
            "total_s": t2 - t0, "iterations": iterations,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "scores": str(path)}


def score_workspace(nodes: int, edges: int) -> dict:
    from stature import Workspace
    from stature.analytics import score

    folder = Path(tempfile.mkdtemp())
    ws = Workspace(folder / "bench.duckdb")
    src, dst, _ = generate(nodes, edges)
    posts = nodes * 2
    con = ws.con
    t0 = time.perf_counter()
    con.execute(f"""INSERT INTO accounts (network, account_id, handle, created_at, followers_count, listed_count)
        SELECT 'bench', 'a' || i, 'user' || i, TIMESTAMP '2020-01-01' + to_days(CAST(i % 1000 AS INTEGER)),
               CAST(floor(10000 / (1 + i % 5000)) AS DOUBLE), CAST(i % 7 AS DOUBLE) FROM range({nodes}) t(i)""")
    con.execute(f"""INSERT INTO posts (network, post_id, author_id, created_at, visibility, like_count, repost_count)
        SELECT 'bench', 'p' || i, 'a' || (hash(i) % {nodes}),
               TIMESTAMP '2024-06-30' - to_seconds(CAST(hash(i * 7) % 7776000 AS BIGINT)), 'public', 0, 0
        FROM range({posts}) t(i)""")
    import pyarrow as pa
    kinds = np.array(["follow", "like", "repost", "reply", "mention"])[np.random.default_rng(1).choice(
        5, len(src), p=[0.4, 0.25, 0.2, 0.1, 0.05])]
    table = pa.table({"src": src, "dst": dst, "kind": kinds})
    con.register("edges_in", table)
    con.execute(f"""INSERT INTO interactions (network, kind, source_id, target_id, post_id, time)
        SELECT 'bench', kind, 'a' || src, 'a' || dst,
               CASE WHEN kind IN ('like', 'repost', 'reply') THEN 'p' || (hash(src * 31 + dst) % {posts}) END,
               CASE WHEN kind = 'follow' THEN NULL
                    ELSE TIMESTAMP '2024-06-30' - to_seconds(CAST(hash(src + dst) % 7776000 AS BIGINT)) END
        FROM edges_in""")
    con.unregister("edges_in")
    written = time.perf_counter() - t0
    t1 = time.perf_counter()
    run = score(ws, as_of="2024-06-30")
    elapsed = time.perf_counter() - t1
    ws.close()
    return {"method": "stature score (whole)", "nodes": nodes, "edges": len(src), "posts": posts,
            "write_s": written, "score_s": elapsed, "scored": run.scored, "graph_edges": run.edges,
            "iterations": run.authority_iterations,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--methods", default="stature,scipy,fast-pagerank")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=900, help="Seconds before a method is stopped.")
    parser.add_argument("--score-workspace", action="store_true")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.nodes, args.edges, args.folder)))
        return 0
    if args.score_workspace:
        print(json.dumps(score_workspace(args.nodes, args.edges)))
        return 0
    from benchmarks.run import markdown

    for table in tables(args.edges, nodes=args.nodes, methods=args.methods.split(","), timeout_s=args.timeout):
        print(markdown(table))
    return 0


def tables(size: int, *, nodes: int | None = None, methods=("stature", "scipy", "fast-pagerank", "networkx"),
           timeout_s: float = 900) -> list[dict]:
    """PageRank at ``size`` interactions over ``size / 10`` accounts (the interface of :mod:`benchmarks.run`)."""
    from benchmarks.measure import ROOT, measured

    nodes = nodes or max(100, size // 10)
    folder = saved(nodes, size, ROOT / "bench-data" / f"pagerank-{nodes}-{size}")
    results = []
    for method in methods:
        run = measured([sys.executable, __file__, "--one", method, "--nodes", str(nodes), "--edges", str(size),
                        "--folder", str(folder)], timeout_s=timeout_s)
        results.append({"method": method, **run})
    reference = next((np.load(r["result"]["scores"]) for r in results if r["ok"]), None)
    rows = []
    for r in results:
        x = r["result"]
        if not r["ok"]:
            rows.append([r["method"], "-", "-", r["stopped"], "-", f"{r['peak_mb']:,.0f} when stopped", "-"])
            continue
        diff = float(np.abs(np.load(x["scores"]) - reference).sum())
        rows.append([f"**{r['method']}**" if r["method"] == "stature" else r["method"], f"{x['build_s']:.2f}",
                     f"{x['rank_s']:.2f}", f"{x['total_s']:.2f}", x["iterations"] or "-", f"{r['peak_mb']:,.0f}",
                     f"{diff:.1e}"])
    edges = results[0]["result"].get("edges", size) if results else size
    return [{"name": "pagerank", "size": size,
             "title": f"Authority (weighted PageRank): {nodes:,} accounts, {edges:,} distinct edges",
             "command": f"python -m benchmarks.run --size {size} --only pagerank",
             "header": ["method", "build s", "rank s", "total s", "iterations", "peak MB", f"L1 vs {methods[0]}"],
             "rows": rows}]


if __name__ == "__main__":
    sys.exit(main())
