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

Peak memory is the process's max RSS. With ``--shell FOLLOWS`` (or ``python -m benchmarks.run --size 10m
--only connect``: :func:`tables`) it instead times whole ``stature connect HANDLE --json`` calls from the
shell, each a fresh process, beside their peers (Python importing DuckDB and opening the same workspace;
Python alone) and the same calls in one process: the first builds and stores the network cache, the ones
after map it; and it breaks one call down stage by stage.

    nice .venv/bin/python benchmarks/connect.py --shell 10000000 --calls 9
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


STAGES_CODE = """
import json, sys, time
marks, last = [], time.perf_counter()
def mark(label):
    global last
    now = time.perf_counter(); marks.append([label, round((now - last) * 1000, 1)]); last = now
import stature.cli.main
mark("import the CLI (click, Stature's CLI modules)")
from stature.goals import connect, load_network
mark("import the connect path (numpy, stature.goals)")
from stature import Workspace
mark("import the workspace (DuckDB)")
ws = Workspace(sys.argv[1], read_only=True)
mark("open the workspace (read-only)")
net = load_network(ws)
mark("load_network: check the stamp, map the cached arrays")
from stature.goals.connect import resolve, suggest
from stature.goals.explain import Explainer
user = resolve(ws, net, sys.argv[2])
mark("resolve the handle")
nodes, scores, result = suggest(net, user)
mark("suggest: circle of trust, SALSA, ranking")
me, found = Explainer(ws, net, user).explain(nodes, scores)
mark("explain: names, topics, mutual connections, paths")
text = json.dumps({"account": me, "suggestions": found}, indent=2)
mark("JSON output")
ws.close()
mark("close the workspace")
print(json.dumps({"stages": marks, "heavy": sorted({"scipy", "pandas", "pyarrow", "networkx"} & set(sys.modules))}))
"""

PEER_CODE = "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True).execute('SELECT 1').fetchall()"


def _run(command: list[str], checkout: Path | None = None) -> tuple[float, float, str]:
    """One fresh process under ``nice`` with ``checkout`` (default: this one) first on the path: (wall s, its own
    peak resident MB, stdout)."""
    import os
    import subprocess

    from benchmarks.measure import ROOT

    env = {**os.environ, "PYTHONPATH": str(checkout or ROOT)}
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(["nice", "-n", "10", *command], stdout=subprocess.PIPE, stderr=err, env=env,
                                cwd=checkout or ROOT, text=True)  # `python -c` puts the folder it runs in first
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # nice execs the command: this is its own high-water mark
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed: {err.read().strip()[-500:]}")
    return wall, usage.ru_maxrss / 1024, out


def shell_calls(size: int, *, calls: int = 5, first: bool = True, data_dir: Path | None = None,
                checkout: Path | None = None) -> dict:
    """One `stature connect HANDLE --json` from the shell, again and again, on a workspace of ``size`` follows,
    each call (by ``network:id``, then by handle) followed by its peers (interleaved, so the machine's load
    falls on all alike).

    With ``first`` the cache is removed beforehand, so the first call builds the network and stores it;
    every later call maps it. Each call is a fresh process timed from start to exit. The peers: Python
    starting, importing DuckDB and opening the same workspace read-only; and Python starting alone.
    Then the same call in one process on the network already loaded, and where a call's time goes.
    ``checkout``: another checkout of Stature to time the same way (a before/after).
    """
    import json
    import subprocess

    nodes = max(100, size // 10)
    path = workspace(size, data_dir)
    if first:
        subprocess.run(["rm", "-rf", str(path) + ".network"], check=True)
    rng = np.random.default_rng(7)
    users = rng.choice(nodes, size=calls + 1, replace=False).tolist()
    stature = [str(Path(sys.executable).parent / "stature"), "--quiet", "--workspace", str(path), "connect"]
    found = {"nodes": nodes, "size": size, "first": None, "again": [], "handle": [], "peer": [], "bare": []}
    if first:
        wall, peak, _ = _run(stature + [f"bench:{users[0]}", "--json"], checkout)
        found["first"] = {"wall_s": wall, "peak_mb": peak}
    for user in users[1:]:
        wall, peak, out = _run(stature + [f"bench:{user}", "--json"], checkout)
        assert '"suggestions"' in out
        found["again"].append({"wall_s": wall, "peak_mb": peak})
        wall, peak, out = _run(stature + [f"user{user}", "--json"], checkout)  # the same account by its handle
        assert '"suggestions"' in out
        found["handle"].append({"wall_s": wall, "peak_mb": peak})
        found["peer"].append(_run([sys.executable, "-c", PEER_CODE, str(path)])[0])
        found["bare"].append(_run([sys.executable, "-c", "pass"])[0])
    code = ("import json, sys, time; from stature import Workspace; from stature.goals import connect, load_network\n"
            "ws = Workspace(sys.argv[1], read_only=True); t = time.perf_counter(); net = load_network(ws)\n"
            "load = time.perf_counter() - t; calls = []\n"
            "for user in sys.argv[2:]:\n"
            "    t = time.perf_counter(); connect(ws, user, net=net); calls.append(time.perf_counter() - t)\n"
            "print(json.dumps({'load_s': load, 'calls': calls}))")
    out = _run([sys.executable, "-c", code, str(path), *(f"bench:{u}" for u in users[1:])], checkout)[2]
    found["in_process"] = json.loads(out.strip().splitlines()[-1])
    runs = [json.loads(_run([sys.executable, "-c", STAGES_CODE, str(path), f"bench:{users[1]}"], checkout)[2].strip()
                       .splitlines()[-1]) for _ in range(3)]
    found["stages"] = min(runs, key=lambda r: sum(ms for _, ms in r["stages"]))
    return found


def tables(size: int, *, calls: int = 5, first: bool = True, checkout: Path | None = None) -> list[dict]:
    """`connect` from the shell beside its peers, and where one call's time goes (the interface of
    :mod:`benchmarks.run`)."""
    found = shell_calls(size, calls=calls, first=first, checkout=checkout)
    again = sorted(r["wall_s"] for r in found["again"])

    def times(values):
        values = sorted(values)
        return [f"{statistics.median(values):.2f}", f"{values[0]:.2f}", f"{values[-1]:.2f}"]

    rows = []
    if found["first"]:
        rows.append(["first call (no cache yet: reads the interactions, builds and stores the network)",
                     f"{found['first']['wall_s']:.2f}", "-", "-", f"{found['first']['peak_mb']:,.0f}"])
    rows += [[f"**each later call** ({len(again)} accounts; the network mapped from the cache)", *times(again),
              f"{max(r['peak_mb'] for r in found['again']):,.0f}"],
             [f"each later call by handle (`userN`, the same {len(again)} accounts)",
              *times(r["wall_s"] for r in found["handle"]), f"{max(r['peak_mb'] for r in found['handle']):,.0f}"],
             ["peer: `python -c 'import duckdb'` opening the same workspace read-only", *times(found["peer"]), "-"],
             ["peer: `python -c pass`", *times(found["bare"]), "-"],
             ["the same calls in one process, the network loaded (`connect(ws, handle, net=net)`)",
              *times(found["in_process"]["calls"]), "-"]]
    stages = found["stages"]
    stage_rows = [[label, f"{ms:,.1f}"] for label, ms in stages["stages"]]
    stage_rows.append(["**in the process, in all**", f"**{sum(ms for _, ms in stages['stages']):,.1f}**"])
    title = f"{found['nodes']:,} accounts, {size:,} follows"
    return [{"name": "connect-shell", "size": size,
             "title": f"One `stature connect HANDLE --json` from the shell beside its peers: {title}",
             "command": f"python benchmarks/connect.py --shell {size}" + (f" --checkout {checkout}" if checkout else ""),
             "header": ["call", "median s", "best s", "max s", "peak MB"], "rows": rows,
             "note": f"Each a fresh process under `nice`, the peers run after each call (interleaved); "
                     f"`load_network` from the cache took {found['in_process']['load_s'] * 1000:.0f} ms in-process."},
            {"name": "connect-stages", "size": size,
             "title": f"Where one `connect` from the shell spends its time: {title}",
             "command": f"python benchmarks/connect.py --shell {size}" + (f" --checkout {checkout}" if checkout else ""),
             "header": ["stage", "ms"], "rows": stage_rows,
             "note": "The fastest of 3 fresh processes (by the sum); heavy libraries loaded: "
                     + (", ".join(stages["heavy"]) or "none of scipy, pandas, pyarrow, networkx") + "."}]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="Write the workspace here and keep it (default: a temporary one).")
    parser.add_argument("--shell", type=int, metavar="FOLLOWS",
                        help="Instead: time whole `stature connect` calls from the shell on the kept workspace of "
                             "FOLLOWS follows (bench-data/connect-FOLLOWS, written once), beside their peers.")
    parser.add_argument("--calls", type=int, default=5, help="With --shell: how many calls after the first.")
    parser.add_argument("--cached", action="store_true", help="With --shell: keep the network cache (no first call).")
    parser.add_argument("--checkout", type=Path, help="With --shell: time another checkout of Stature (a before).")
    args = parser.parse_args(argv)
    if args.shell:
        from benchmarks.run import machine, markdown

        print(f"Machine: {machine()}\n")
        for table in tables(args.shell, calls=args.calls, first=not args.cached, checkout=args.checkout):
            print(markdown(table) + "\n")
        return

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
