"""Import speed, format by format: ``stature ingest`` beside DuckDB merely reading the same file.

    nice .venv/bin/python benchmarks/ingest.py [--posts 1000000] [--archive-posts 200000] [--only csv] [--repeat 3]

One generated community (``stature generate``, 5 posts an account) is written as every
format Stature reads (``benchmarks/ingest_data.py``): Twitter API v1.1 and v2 JSON lines
and a CSV posts table with ``--posts`` posts; one account's X archive and Mastodon
archive, and the raw Mastodon and Bluesky API logs of ``stature collect``, with
``--archive-posts``; the real Higgs mention network (SNAP edge list) is the edge-list case. Each run is a fresh process on a fresh workspace; seconds are wall
clock for the whole run, memory the process's peak resident set. Per format:

- stature ingest: ``ingest(ws, [file])``, what ``stature ingest FILE`` runs (content hash,
  read, staging, merge into the canonical tables, commit);
- stature ingest, Python reader: the same with ``native=False`` (formats with a native reader);
- DuckDB read, Stature's columns (formats with a native reader): DuckDB reading the file with
  the columns the native reader declares into a temporary table under ingest's memory limit, as
  ingest reads it, nothing else: the parse that reader cannot go below;
- peer, DuckDB read: ``CREATE TABLE t AS SELECT * FROM read_csv / read_json(FILE)`` with
  DuckDB's own detection, as a DuckDB user would load the file, nothing else.

The ratio is stature's seconds over the peer's.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

HIGGS = ROOT.parent / "shared" / "datasets" / "higgs"

STATURE = """
from stature import Workspace, ingest
with Workspace(WS) as ws:
    ingest(ws, [FILE], native=NATIVE)
    posts, interactions = ws.con.execute(
        "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM interactions)").fetchone()
    print(posts or interactions)
"""
# what "posts" counts for the peer: the rows a DuckDB user gets, per format
PEERS = {
    "twitter-v1": "SELECT * FROM read_json('{f}', format = 'newline_delimited', maximum_object_size = 67108864)",
    "twitter-v2": "SELECT * FROM read_json('{f}', format = 'newline_delimited', maximum_object_size = 67108864)",
    "csv": "SELECT * FROM read_csv('{f}')",
    "x-archive": "SELECT * FROM read_json('{f}', format = 'array', maximum_object_size = 67108864)",
    "mastodon": "SELECT unnest(orderedItems) AS item FROM read_json('{f}', maximum_object_size = 4294967295)",
    "mastodon-api": "SELECT * FROM read_json('{f}', format = 'newline_delimited', maximum_object_size = 67108864)",
    "bluesky-api": "SELECT * FROM read_json('{f}', format = 'newline_delimited', maximum_object_size = 67108864)",
    "edgelist": "SELECT * FROM read_csv('{f}', delim = ' ', header = false)",
}
PEER = """
import duckdb
con = duckdb.connect(WS)
con.execute("CREATE TABLE t AS " + QUERY)
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"""
# the floor of a native reader: DuckDB reading the file with the columns Stature declares, nothing else, as
# ingest reads it (into a temporary table, under the memory limit ingest sets)
FLOOR = """
import duckdb
from stature.importers import by_name, entries
from stature.ingest import memory_limit
con = duckdb.connect(WS)
importer = by_name(FORMAT)
con.execute(f"SET memory_limit = '{memory_limit([(entries(FILE)[0], importer)])}'")
plan = importer.native(FILE)  # (kept: an X archive's plan removes its copy when dropped)
con.execute("CREATE TEMP TABLE t AS " + plan.lines)
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
"""
NATIVE_FORMATS = {"twitter-v1", "twitter-v2", "csv"}
ARCHIVES = {"x-archive", "mastodon"}


def run(code: str, repeat: int = 1, **values) -> tuple[float, float, int]:
    """(seconds, peak MB, the count it prints) of ``code`` in a fresh process: the fastest of ``repeat`` runs."""
    return min((_run(code, **values) for _ in range(repeat)), key=lambda r: r[0])


def _run(code: str, **values) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        prelude = f"WS = {str(Path(tmp) / 'bench.duckdb')!r}\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items())
        # the peak resident set of this process alone (ru_maxrss would carry over the parent's)
        epilogue = ("\nprint(next(line.split()[1] for line in open('/proc/self/status') "
                    "if line.startswith('VmHWM')))\n")
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", prelude + code + epilogue], capture_output=True, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        elapsed = time.perf_counter() - start
    if out.returncode:
        raise SystemExit(f"run failed:\n{out.stderr}")
    *_, count, peak_kb = out.stdout.split()
    return elapsed, int(peak_kb) / 1024, int(count)


def files(posts: int, archive_posts: int, data: Path) -> dict[str, Path]:
    from ingest_data import make_all

    source = data / "generated" / "tweets.jsonl"
    if not source.exists():
        from stature.generate import generate
        print(f"generating {posts // 5:,} accounts into {source.parent} ...", file=sys.stderr, flush=True)
        made = generate(source.parent, accounts=max(posts // 5, 10), seed=1)
        (source.parent / "counts.json").write_text(json.dumps(made["counts"]))
    print("writing every format ...", file=sys.stderr, flush=True)
    found = make_all(source, data, posts, archive_posts)
    peer_files = dict(found, **{"x-archive": data / "x-archive.json"})
    mention = HIGGS / "higgs-mention_network.edgelist.gz"
    if mention.exists():
        found["edgelist"] = peer_files["edgelist"] = mention
    return {name: (path, peer_files[name]) for name, path in found.items()}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts in the JSON-lines and CSV files")
    parser.add_argument("--archive-posts", type=int, default=200_000,
                        help="posts in the X and Mastodon archives and in the API logs")
    parser.add_argument("--data", type=Path, help="where the files are written (default bench-data/ingest-POSTS)")
    parser.add_argument("--only", help="only the formats whose name contains this")
    parser.add_argument("--no-python", action="store_true", help="skip the Python-reader runs")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each method; the fastest is shown")
    args = parser.parse_args(argv)
    data = args.data or ROOT / "bench-data" / f"ingest-{args.posts}-{args.archive_posts}"
    rows = []
    print(f"{'format':<11} {'run':<32} {'posts':>10} {'MB':>6} {'seconds':>8} {'posts/s':>9} {'peak MB':>8} "
          f"{'x DuckDB':>8}", flush=True)
    for name, (path, peer_path) in files(args.posts, args.archive_posts, data).items():
        if args.only and args.only not in name:
            continue
        size = peer_path.stat().st_size / 2**20
        target = path.parent if name in ARCHIVES else path  # an archive is imported as its folder
        runs = [("stature ingest", run(STATURE, args.repeat, FILE=str(target), NATIVE=True))]
        if name in NATIVE_FORMATS and not args.no_python:
            runs.append(("stature ingest, Python reader", run(STATURE, args.repeat, FILE=str(target), NATIVE=False)))
        if name in NATIVE_FORMATS | {"x-archive"}:
            floor = run(FLOOR, args.repeat, FORMAT=name, FILE=str(path))
            runs.append(("DuckDB read, Stature's columns", (floor[0], floor[1], runs[0][1][2])))
        peer = run(PEER, args.repeat, QUERY=PEERS[name].format(f=str(peer_path).replace("'", "''")))
        # the peer's rows are lines, pages or items: its rate is counted in the posts the file holds
        runs.append(("peer: DuckDB read_csv/read_json", (peer[0], peer[1], runs[0][1][2])))
        for label, (seconds, peak, count) in runs:
            row = {"format": name, "run": label, "count": count, "file_mb": round(size), "seconds": round(seconds, 2),
                   "per_s": round(count / seconds), "peak_mb": round(peak), "ratio": round(seconds / peer[0], 2)}
            rows.append(row)
            print(f"{name:<11} {label:<32} {count:>10,} {size:>6,.0f} {seconds:>8.1f} {count / seconds:>9,.0f} "
                  f"{peak:>8,.0f} {seconds / peer[0]:>8.2f}", flush=True)
    return rows


HEADER = ["format", "run", "posts", "file MB", "seconds", "posts/s", "peak MB", "x DuckDB"]


def arguments(size: int) -> list[str]:
    """This script's options for ``size``: ``size`` posts in the JSON-lines and CSV files, a fifth of it
    (at least 1,000, at most 200,000) in the archives and API logs."""
    return ["--posts", str(size), "--archive-posts", str(max(min(size // 5, 200_000), 1000))]


def tables(size: int) -> list[dict]:
    """The table for ``benchmarks/run.py``: ``size`` posts in the JSON-lines and CSV files, a fifth of it
    in the archives."""
    args = arguments(size)
    rows = main(args)
    return [{"name": "ingest", "size": size, "title": f"Import, per format, beside DuckDB's own read ({size:,} posts)",
             "command": "nice .venv/bin/python benchmarks/ingest.py " + " ".join(args), "header": HEADER,
             "rows": [[r["format"], r["run"], f"{r['count']:,}", f"{r['file_mb']:,}", f"{r['seconds']:.1f}",
                       f"{r['per_s']:,}", f"{r['peak_mb']:,}", f"{r['ratio']:.2f}"] for r in rows]}]


if __name__ == "__main__":
    main()
