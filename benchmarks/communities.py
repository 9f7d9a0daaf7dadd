"""Communities: Stature (igraph from the sparse matrix) beside igraph and NetworkX as their users write them.

    .venv/bin/python benchmarks/communities.py --edges 1000000
    .venv/bin/python -m benchmarks.run --size 1m --only communities

The graph is :func:`benchmarks.connect.follow_graph` (seeded: communities of about 1,000 accounts,
80% of follows inside, heavy-tailed popularity) at ``edges`` follows over ``edges / 10`` accounts,
with weights uniform in 0.2-2, made undirected once (``triu(A + A.T)``: a pair's weights summed) and
saved, so every method reads the same edge list and optimises the same graph. Each method runs in
its own process (:mod:`benchmarks.measure`): ``build`` turns the edge arrays into its structure
(Stature: a CSR matrix, the form the graph layer holds), ``detect`` finds the communities, peak
memory is that process's (the edge arrays included, about 20 bytes an edge), sampled every 0.05 s.
Modularity is computed the same way for every method (:func:`stature.graph.communities.modularity`),
outside the timing. A method over ``--limit-mb`` (6 GB) is stopped and says so; so is NetworkX past
``--timeout`` (600 s; the others get 30 minutes).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import ROOT, measured

METHODS = ("stature", "stature-leiden", "igraph", "networkx")
LABELS = {"stature": "**stature** (`stature communities`: Louvain, igraph from the CSR matrix)",
          "stature-leiden": "stature `--method leiden`",
          "igraph": "igraph 1.0 `community_multilevel`, as its users write it",
          "networkx": "NetworkX 3.6 `louvain_communities`"}

_CHILD = r"""
import json, random, resource, sys, time
import numpy as np
data, method = sys.argv[1], sys.argv[2]
u, v, w, n = np.load(data + "/u.npy"), np.load(data + "/v.npy"), np.load(data + "/w.npy"), int(open(data + "/n").read())
from stature.graph.communities import modularity
import scipy.sparse as sp
if method.startswith("stature"):
    from stature.graph.communities import detect
    from stature.graph.communities import _igraph
    _igraph()  # imported outside the timing, as for every method
    t0 = time.perf_counter()
    a = sp.csr_array((w, (u, v)), shape=(n, n))
    t1 = time.perf_counter()
    found = detect(a, method="leiden" if method == "stature-leiden" else "louvain", seed=0, symmetric=True)
    labels = found.labels
elif method == "igraph":
    import igraph as ig
    random.seed(0)
    t0 = time.perf_counter()
    g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist())), edge_attrs={"weight": w.tolist()})
    t1 = time.perf_counter()
    labels = np.array(g.community_multilevel(weights="weight").membership)
elif method == "networkx":
    import networkx as nx
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()))
    t1 = time.perf_counter()
    found = nx.community.louvain_communities(g, weight="weight", seed=0)
    labels = np.full(n, -1)
    for number, members in enumerate(found):
        labels[list(members)] = number
t2 = time.perf_counter()
degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
labels = np.where(degree > 0, labels, -1)
q = modularity(sp.csr_array((w, (u, v)), shape=(n, n)), labels)
print(json.dumps({"build_s": t1 - t0, "detect_s": t2 - t1, "communities": int(len(np.unique(labels[labels >= 0]))),
                  "modularity": q, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def graph(edges: int, data_dir: Path) -> Path:
    """Write (once) the undirected, weighted planted-community graph of ``edges`` follows; its folder."""
    folder = data_dir / f"communities-{edges}"
    if (folder / "n").exists():
        return folder
    import numpy as np
    import scipy.sparse as sp

    from benchmarks.connect import follow_graph

    nodes = max(100, edges // 10)
    src, dst = follow_graph(nodes, edges)
    weight = np.random.default_rng(1).uniform(0.2, 2.0, len(src))
    a = sp.csr_array((weight, (src, dst)), shape=(nodes, nodes))
    sym = sp.triu(a + a.T, k=1, format="coo")
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "u.npy", sym.row.astype(np.int32))
    np.save(folder / "v.npy", sym.col.astype(np.int32))
    np.save(folder / "w.npy", sym.data)
    (folder / "n").write_text(str(nodes))
    return folder


def measure(edges: int, methods=METHODS, *, data_dir: Path = ROOT / "bench-data", timeout_s: float = 600,
            limit_mb: float = 6000) -> list[dict]:
    folder = graph(edges, data_dir)
    rows = []
    for method in methods:
        limit_s = timeout_s if method == "networkx" else max(timeout_s, 1800)  # only the slow peer is cut short
        run = measured([sys.executable, "-c", _CHILD, str(folder), method], timeout_s=limit_s, limit_mb=limit_mb)
        rows.append({"method": method, **run})
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def tables(size: int, *, data_dir: Path = ROOT / "bench-data", timeout_s: float = 600, limit_mb: float = 6000,
           methods=METHODS) -> list[dict]:
    """The communities table at ``size`` edges (the interface of :mod:`benchmarks.run`)."""
    import numpy as np

    rows = measure(size, methods, data_dir=data_dir, timeout_s=timeout_s, limit_mb=limit_mb)
    folder = graph(size, data_dir)
    nodes, undirected = int((folder / "n").read_text()), len(np.load(folder / "w.npy", mmap_mode="r"))
    body = []
    for r in rows:
        x = r["result"]
        if r["ok"]:
            body.append([LABELS[r["method"]], f"{x['build_s']:.2f}", f"{x['detect_s']:.2f}",
                         f"{x['build_s'] + x['detect_s']:.2f}", f"{r['peak_mb']:,.0f}", f"{x['communities']:,}",
                         f"{x['modularity']:.4f}"])
        else:
            body.append([LABELS[r["method"]], "-", "-", r["stopped"], f"{r['peak_mb']:,.0f} when stopped", "-", "-"])
    return [{"name": "communities", "size": size,
             "title": f"Communities: {size:,} follows, {nodes:,} accounts, {undirected:,} undirected weighted edges",
             "command": f"python -m benchmarks.run --size {size} --only communities",
             "header": ["method", "build s", "detect s", "total s", "peak MB", "communities", "modularity"],
             "rows": body}, whole_command(size, limit_mb=limit_mb)]


def whole_command(size: int, *, limit_mb: float = 6000) -> dict:
    """`stature communities --json` from the shell on the workspace of :func:`benchmarks.connect.workspace`:
    first with no network cache (reading the interactions), then with it."""
    import shutil

    from benchmarks.connect import workspace

    shared = workspace(size)
    path = shared.with_name("communities.duckdb")  # a copy of its own: this command writes, others read theirs
    if not path.exists():
        shutil.copyfile(shared, path)
    shutil.rmtree(str(path) + ".network", ignore_errors=True)
    command = [str(Path(sys.executable).parent / "stature"), "--quiet", "--workspace", str(path), "communities", "--json"]
    rows = []
    for label in ("no network cache yet (reads the interactions, builds and stores the network)",
                  "network cached (by the call before)"):
        run = measured(command, timeout_s=1800, limit_mb=limit_mb)
        x = run["result"]
        rows.append([label, f"{run['wall_s']:.1f}" if run["ok"] else run["stopped"], f"{run['peak_mb']:,.0f}",
                     f"{x.get('communities', 0):,}", f"{x.get('modularity', 0):.4f}", f"{x.get('accounts', 0):,}"])
    return {"name": "communities-command", "size": size,
            "title": f"The whole `stature communities --json` on a workspace of {size:,} follows "
                     f"({max(100, size // 10):,} accounts)",
            "command": f"python -m benchmarks.run --size {size} --only communities",
            "header": ["call", "wall s", "peak MB", "communities", "modularity", "accounts stored"], "rows": rows}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--timeout", type=float, default=600, help="Seconds before NetworkX is stopped.")
    parser.add_argument("--limit-mb", type=float, default=6000, help="Memory at which a method is stopped.")
    parser.add_argument("--data", type=Path, default=ROOT / "bench-data")
    args = parser.parse_args(argv)
    from benchmarks.run import markdown

    for table in tables(args.edges, data_dir=args.data, timeout_s=args.timeout, limit_mb=args.limit_mb,
                        methods=args.methods.split(",")):
        print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
