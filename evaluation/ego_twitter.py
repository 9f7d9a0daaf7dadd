"""Link prediction on SNAP ego-Twitter: does `stature connect` suggest the follows people made?

    .venv/bin/python evaluation/ego_twitter.py [--data ../shared/datasets/ego-twitter/ego_twitter_dev.tgz]
                                              [--egos N] [--split reported|tuning|all] [--markdown]

For every ego network in the archive (``<ego>.edges``: ``a b`` = a follows b; the ego's own
follows of everyone are left out), 10% of the distinct follow edges are hidden, seeded by
the file name. The rest is written as an edge list ``<ego>.edges`` and imported with
``stature ingest`` into one workspace, each ego under its own network name ``ego-<ego>``, so
the networks never touch. Every source of a hidden edge is an account to recommend for:
the accounts go through :func:`stature.goals.connect_batch`, the function behind
``stature connect --accounts FILE --top 10 --json``, on the graph loaded once.

On the same split and the same loaded graph, beside it: common neighbours and Adamic-Adar
(neighbours either way, ties broken by in-degree) and plain personalized PageRank (from the
account, on the directed follow graph of its ego network, damping 0.85). Every method
suggests at most 10 accounts, never the account itself nor one it already follows, and
only accounts with a positive score. Per account: recall@10 (the share of its hidden follows
among the 10) and nDCG@10 (binary gains); reported as the mean over accounts, with a 95%
interval (1.96 standard errors).

Tuning: the Who-to-Follow parameters (damping 0.5, SALSA restart 0.9, reciprocity 0.5, the
square-root compression of authority, circle size 200) were chosen on the first 40 egos in
SHA-256 order of their file names (``--split tuning``); the table in EVALUATION.md reports the
other egos (``--split reported``, the default), which were not looked at while choosing.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "ego-twitter" / "ego_twitter_dev.tgz"
TUNING_EGOS = 40
HIDE = 0.10
K = 10


def read_egos(path: Path) -> dict[str, np.ndarray]:
    """``{file name: distinct (a, b) follow edges without self-loops}`` from the archive."""
    egos = {}
    with tarfile.open(path) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".edges"):
                data = tar.extractfile(member).read().split()
                edges = np.array(data, dtype=np.int64).reshape(-1, 2) if data else np.zeros((0, 2), np.int64)
                edges = np.unique(edges, axis=0)
                egos[Path(member.name).name] = edges[edges[:, 0] != edges[:, 1]]
    return egos


def order(names) -> list[str]:
    return sorted(names, key=lambda name: hashlib.sha256(name.encode()).hexdigest())


def split(name: str, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(kept, hidden): 10% of the edges hidden, seeded by the file name."""
    rng = np.random.default_rng(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))
    k = max(1, int(round(HIDE * len(edges))))
    shuffled = rng.permutation(len(edges))
    return edges[shuffled[k:]], edges[shuffled[:k]]


def metrics(ranked, relevant: set) -> tuple[float, float]:
    hits = [1.0 if r in relevant else 0.0 for r in ranked[:K]]
    dcg = sum(h / np.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1 / np.log2(i + 2) for i in range(min(K, len(relevant))))
    return sum(hits) / len(relevant), dcg / ideal


def top_k(scores: np.ndarray, excluded: np.ndarray, tiebreak: np.ndarray) -> list[int]:
    candidates = np.flatnonzero((scores > 0) & ~excluded)
    best = np.lexsort((candidates, -tiebreak[candidates], -scores[candidates]))[:K]
    return candidates[best].tolist()


def evaluate(egos: dict, workdir: Path, progress=True) -> dict:
    from stature import Workspace, ingest
    from stature.goals import connect_batch, load_network
    from stature.graph import adamic_adar, common_neighbours, pagerank, undirected

    hidden: dict[tuple[str, str], set] = {}
    files = workdir / "edges"
    files.mkdir()
    started = time.perf_counter()
    with Workspace(workdir / "ego.duckdb") as ws:
        for n, (name, edges) in enumerate(egos.items(), 1):
            kept, gone = split(name, edges)
            network = "ego-" + name.removesuffix(".edges")
            path = files / name
            path.write_text("".join(f"{a} {b}\n" for a, b in kept.tolist()))
            ingest(ws, [path], network=network)
            for a, b in gone.tolist():
                hidden.setdefault((network, str(a)), set()).add(str(b))
            if progress and n % 50 == 0:
                print(f"  imported {n}/{len(egos)} egos", file=sys.stderr)
        imported = time.perf_counter() - started
        net = load_network(ws)
        sources = sorted(hidden)
        started = time.perf_counter()
        ours = {(r["network"], r["account_id"]): [s["account_id"] for s in r["suggestions"]]
                for r in connect_batch(ws, [f"{n}:{a}" for n, a in sources], top=K, net=net) if "error" not in r}
        ours_seconds = time.perf_counter() - started

    adjacency = net.adjacency.scipy()
    neighbours = undirected(adjacency)
    indegree = np.diff(adjacency.tocsc().indptr).astype(np.float64)
    by_network: dict[str, np.ndarray] = {}
    for i, network in enumerate(net.networks.tolist()):
        by_network.setdefault(network, []).append(i)
    results = {m: [] for m in ("who-to-follow (stature connect)", "common neighbours", "Adamic-Adar",
                               "personalized PageRank")}
    local_cache: dict[str, tuple] = {}
    for network, account in sources:
        relevant = hidden[(network, account)]
        u = net.index(network, account)
        if u is None:  # every follow of this account was hidden: nothing to go on, for any method
            for m in results:
                results[m].append((0.0, 0.0))
            continue
        key = net.key
        excluded = np.zeros(net.nodes, dtype=bool)
        excluded[u] = True
        excluded[adjacency[[u]].indices] = True
        name = lambda ranked: [key(i)[1] for i in ranked]  # noqa: E731
        results["who-to-follow (stature connect)"].append(metrics(ours.get((network, account), []), relevant))
        results["common neighbours"].append(
            metrics(name(top_k(common_neighbours(neighbours, u), excluded, indegree)), relevant))
        results["Adamic-Adar"].append(metrics(name(top_k(adamic_adar(neighbours, u), excluded, indegree)), relevant))
        if network not in local_cache:
            nodes = np.asarray(by_network[network])
            local_cache.clear()
            local_cache[network] = (nodes, adjacency[nodes][:, nodes])
        nodes, local = local_cache[network]
        at = int(np.searchsorted(nodes, u))
        jump = np.zeros(len(nodes))
        jump[at] = 1.0
        ppr = np.zeros(net.nodes)
        ppr[nodes] = pagerank(local, damping=0.85, personalization=jump, max_iter=1000).scores
        results["personalized PageRank"].append(metrics(name(top_k(ppr, excluded, indegree)), relevant))
    return {"egos": len(egos), "accounts": len(sources), "hidden": sum(len(v) for v in hidden.values()),
            "edges": int(adjacency.nnz), "import_seconds": imported, "connect_seconds": ours_seconds,
            "results": {m: np.array(v) for m, v in results.items()}}


def report(summary: dict, markdown: bool) -> None:
    print(f"{summary['egos']} ego networks, {summary['edges']:,} follow edges kept, {summary['hidden']:,} hidden, "
          f"{summary['accounts']:,} accounts to recommend for; import {summary['import_seconds']:.0f} s, "
          f"connect --accounts {summary['connect_seconds']:.1f} s "
          f"({1000 * summary['connect_seconds'] / max(summary['accounts'], 1):.1f} ms an account)")
    rows = []
    for method, values in summary["results"].items():
        mean = values.mean(axis=0)
        half = 1.96 * values.std(axis=0, ddof=1) / np.sqrt(len(values))
        rows.append((method, mean, half))
    if markdown:
        print("\n| method | recall@10 | nDCG@10 |\n|---|---|---|")
        for method, mean, half in rows:
            print(f"| {method} | {mean[0]:.3f} ± {half[0]:.3f} | {mean[1]:.3f} ± {half[1]:.3f} |")
    else:
        for method, mean, half in rows:
            print(f"{method:<34} recall@10 {mean[0]:.3f} ± {half[0]:.3f}   nDCG@10 {mean[1]:.3f} ± {half[1]:.3f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("reported", "tuning", "all"), default="reported",
                        help=f"reported: all but the first {TUNING_EGOS} egos (default); tuning: those {TUNING_EGOS}")
    parser.add_argument("--egos", type=int, default=0, help="Use only the first N egos of the split (0: all).")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    egos = read_egos(args.data)
    names = order(egos)
    names = {"tuning": names[:TUNING_EGOS], "reported": names[TUNING_EGOS:], "all": names}[args.split]
    if args.egos:
        names = names[:args.egos]
    chosen = {name: egos[name] for name in names if len(egos[name]) >= 10}
    print(f"split {args.split}: {len(chosen)} egos with at least 10 follow edges (of {len(names)})", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        report(evaluate(chosen, Path(tmp)), args.markdown)


if __name__ == "__main__":
    main()
