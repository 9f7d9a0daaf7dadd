"""Import speed: a generated Twitter API v1.1 JSON-lines file of 1M+ posts, side by side with peers.

    .venv/bin/python benchmarks/ingest.py [--accounts 210000] [--data bench-data/ingest-210000]

Each run is a fresh process on a fresh workspace; time is wall clock, memory the
process's peak resident set. Runs:
- stature ingest: the default, DuckDB's native JSON reader for a big file;
- stature ingest, Python reader: the same import with ``native=False``;
- peer, DuckDB raw documents: loading each line as a JSON value into one table, no
  canonical model, no de-duplication (a ceiling for any importer built on DuckDB);
- peer, orjson loop: parsing every line in Python and nothing else.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUNS = {
    "stature ingest (native reader)": """
from stature import Workspace, ingest
with Workspace(WS) as ws:
    ingest(ws, [FILE])
    print(ws.status()["posts"])
""",
    "stature ingest (Python reader)": """
from stature import Workspace, ingest
with Workspace(WS) as ws:
    ingest(ws, [FILE], native=False)
    print(ws.status()["posts"])
""",
    "peer: DuckDB, raw JSON documents table": """
import duckdb
con = duckdb.connect(WS)
con.execute(f"CREATE TABLE raw AS SELECT json FROM read_ndjson_objects('{FILE}', maximum_object_size=67108864)")
print(con.execute("SELECT count(*) FROM raw WHERE NOT json_exists(json, '$.retweeted_status')").fetchone()[0])
""",
    "peer: orjson parse loop": """
import orjson
n = 0
with open(FILE, 'rb') as f:
    for line in f:
        n += 'retweeted_status' not in orjson.loads(line)
print(n)
""",
}


def run(code: str, file: Path) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        prelude = f"WS = {str(Path(tmp) / 'bench.duckdb')!r}\nFILE = {str(file)!r}\n"
        epilogue = "\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", prelude + code + epilogue], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if out.returncode:
        raise SystemExit(f"run failed:\n{out.stderr}")
    *_, posts, peak_kb = out.stdout.split()
    return elapsed, int(peak_kb) / 1024, posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=210_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--only", help="run only the runs whose name contains this")
    args = parser.parse_args()
    data = args.data or ROOT / "bench-data" / f"ingest-{args.accounts}"
    tweets = data / "tweets.jsonl"
    if not tweets.exists():
        from stature.generate import generate
        print(f"generating {args.accounts:,} accounts into {data} ...", file=sys.stderr)
        counts = generate(data, accounts=args.accounts, seed=1)["counts"]
        (data / "counts.json").write_text(json.dumps(counts))
    lines = sum(1 for _ in open(tweets, "rb"))
    size = tweets.stat().st_size
    print(f"file: {tweets} ({size / 2**30:.2f} GiB, {lines:,} lines)")
    print(f"{'run':<42} {'posts':>10} {'seconds':>8} {'posts/s':>9} {'peak MB':>8}")
    for name, code in RUNS.items():
        if args.only and args.only not in name:
            continue
        elapsed, peak, out = run(code, tweets.resolve())
        posts = int(out)
        print(f"{name:<42} {posts:>10,} {elapsed:>8.1f} {posts / elapsed:>9,.0f} {peak:>8,.0f}", flush=True)


if __name__ == "__main__":
    main()
