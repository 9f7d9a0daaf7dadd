"""The whole ``stature score`` on both engines, DuckDB and Spark, as the data grows.

    .venv/bin/python benchmarks/engines.py --interactions 100000,1000000,10000000

For each size, ``stature generate`` writes a community of about that many
interactions (about 30 per account with its defaults: follows, likes, reposts,
replies, quotes, mentions) under ``--data`` (kept, so a rerun skips it), and
``stature ingest`` imports it into a workspace. Each engine then scores its own
copy of that workspace in a fresh process (``score(ws, engine=...)``, the
library call behind ``stature --engine E score``), while this script samples the
resident memory of that process and all its children (the Spark JVM included)
every 0.1 s. Spark runs ``local[*]``; its JVM start is timed apart from the
score. Afterwards every account's score is compared between the two copies.

The slope of log(seconds) against log(interactions), a least-squares line
through the sizes, says how time grows: 1 is linear. With matplotlib installed
the log-log plot is written to ``docs/engines-scaling.png``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_ACCOUNT = 30.0  # interactions per generated account, with the generator's defaults


def worker(engine: str, path: str) -> dict:
    """Score the workspace at ``path`` on ``engine``; times by phase."""
    from stature import Workspace
    from stature.analytics import score
    from stature.analytics.spark_session import Spark

    marks: dict[str, float] = {}

    def progress(done, total, label):  # "seeds" ends the graph steps, "authority" the PageRank
        marks.setdefault(label, time.perf_counter())

    started = 0.0
    spark = None
    if engine == "spark":
        t = time.perf_counter()
        spark = Spark().start()
        started = time.perf_counter() - t
    try:
        with Workspace(path) as ws:
            t0 = time.perf_counter()
            run = score(ws, engine=spark or engine, progress=progress)
            t1 = time.perf_counter()
    finally:
        if spark:
            spark.stop()
    return {"engine": engine, "start_s": started, "score_s": t1 - t0,
            "relational_before_s": marks["seeds"] - t0, "authority_s": marks["authority"] - marks["seeds"],
            "relational_after_s": t1 - marks["authority"],
            "iterations": run.authority_iterations, "accounts": run.accounts, "scored": run.scored,
            "edges": run.edges}


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            rss[int(entry)] = int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def measure(engine: str, path: Path) -> dict:
    """Run the worker in its own process; its result with wall time and the peak memory of its process tree."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--worker", engine, str(path)], stdout=subprocess.PIPE,
                            text=True, cwd=path.parent)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    out = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"{engine} on {path} failed (exit {proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall_s=time.perf_counter() - t, peak_mb=peak / 2**20)
    return result


def prepare(target: int, data: Path) -> tuple[Path, int]:
    """A workspace of about ``target`` generated interactions (made once, then reused)."""
    accounts = max(100, round(target / PER_ACCOUNT))
    folder, workspace = data / f"g{accounts}", data / f"g{accounts}.duckdb"
    if not (folder / "ground_truth.json").exists():
        subprocess.run([sys.executable, "-m", "stature", "-q", "generate", str(folder), "--accounts", str(accounts)],
                       check=True, stdout=subprocess.DEVNULL)
    if not workspace.exists():
        subprocess.run([sys.executable, "-m", "stature", "-q", "--workspace", str(workspace), "ingest", str(folder)],
                       check=True, stdout=subprocess.DEVNULL)
    import duckdb
    with duckdb.connect(str(workspace), read_only=True) as con:
        return workspace, con.execute("SELECT count(*) FROM interactions").fetchone()[0]


def compare(duck: Path, spark: Path) -> dict:
    """How far the two runs are apart: scores that differ, and the largest authority difference."""
    import duckdb
    with duckdb.connect(str(duck), read_only=True) as con:
        con.execute(f"ATTACH '{spark}' AS other (READ_ONLY)")
        differ, scored = con.execute("""
            SELECT count(*) FILTER (WHERE a.score <> b.score OR a.low <> b.low OR a.high <> b.high), count(*)
            FROM scores a JOIN other.scores b USING (node_id)""").fetchone()
        authority = con.execute("""
            SELECT max(abs(a.value - b.value)) FROM score_components a
            JOIN other.score_components b USING (node_id, component) WHERE component = 'authority'""").fetchone()[0]
    return {"scores_compared": scored, "scores_differ": differ, "max_authority_diff": authority}


def slope(xs, ys) -> float:
    import numpy as np
    return float(np.polyfit(np.log10(xs), np.log10(ys), 1)[0])


def plot(rows: list[dict], target: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for engine, style in (("duckdb", "o-"), ("spark", "s-")):
        points = [(r["interactions"], r[engine]["score_s"]) for r in rows if engine in r]
        if points:
            xs, ys = zip(*points)
            label = f"{engine} (slope {slope(xs, ys):.2f})" if len(xs) > 1 else engine
            ax.loglog(xs, ys, style, label=label)
    ax.set_xlabel("interactions")
    ax.set_ylabel("stature score, seconds")
    ax.set_title("The whole score on 2 cores: DuckDB and Spark local[*]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=110)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", default="100000,1000000,10000000",
                        help="Sizes, as comma-separated interaction counts.")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--data", default=str(ROOT / "bench-data" / "engines"))
    parser.add_argument("--plot", default=str(ROOT / "docs" / "engines-scaling.png"))
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "WORKSPACE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in (int(x) for x in args.interactions.split(",")):
        workspace, interactions = prepare(target, data)
        row = {"interactions": interactions, "workspace": str(workspace)}
        copies = {}
        for engine in args.engines.split(","):
            copies[engine] = data / f"run-{engine}.duckdb"
            shutil.copyfile(workspace, copies[engine])
            row[engine] = measure(engine, copies[engine])
            print(json.dumps({"interactions": interactions, **row[engine]}), flush=True)
        if {"duckdb", "spark"} <= set(copies):
            row["parity"] = compare(copies["duckdb"], copies["spark"])
            print(json.dumps(row["parity"]), flush=True)
        for copy in copies.values():
            copy.unlink()
        rows.append(row)
    print("\n| engine | interactions | accounts | score s | of which authority s | iterations | JVM start s "
          "| peak MB |\n|---|---|---|---|---|---|---|---|")
    for row in rows:
        for engine in args.engines.split(","):
            r = row[engine]
            print(f"| {engine} | {row['interactions']:,} | {r['accounts']:,} | {r['score_s']:.1f} | "
                  f"{r['authority_s']:.1f} | {r['iterations']} | {r['start_s']:.1f} | {r['peak_mb']:,.0f} |")
    for engine in args.engines.split(","):
        xs = [row["interactions"] for row in rows]
        if len(xs) > 1:
            print(f"{engine}: time grows as interactions^{slope(xs, [row[engine]['score_s'] for row in rows]):.2f}")
    if len(rows) > 1 and plot(rows, Path(args.plot)):
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
