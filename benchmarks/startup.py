"""CLI start-up: `stature --help` and `stature status` beside Python and DuckDB merely starting.

    .venv/bin/python benchmarks/startup.py --runs 15
    .venv/bin/python benchmarks/startup.py --before ../main    # also another checkout, for a before/after

Each command runs ``--runs`` times as a fresh process (the installed ``stature`` script, with this
checkout first on ``PYTHONPATH``); the table gives the median and the fastest wall time. ``status``
reads an empty workspace made beforehand. The peers are what no CLI on this stack can beat: the
interpreter starting, and the interpreter importing DuckDB. The aim is under 0.3 s for both commands.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import ROOT

AIM_S = 0.3


def _stature() -> list[str]:
    script = Path(sys.executable).parent / "stature"
    return [str(script)] if script.exists() else [sys.executable, "-m", "stature"]


def timed(command: list[str], runs: int, env: dict) -> tuple[float, float]:
    """Median and fastest wall time of ``runs`` fresh runs of ``command``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def measure(runs: int = 15, checkout: Path = ROOT) -> dict:
    """``{label: (median s, fastest s)}`` for the commands and the peers."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "empty.duckdb"
        subprocess.run([sys.executable, "-c", f"from stature import Workspace; Workspace({str(workspace)!r}).close()"],
                       env=env, check=True)
        commands = {
            "`stature --help`": _stature() + ["--help"],
            "`stature status` (empty workspace)": _stature() + ["--workspace", str(workspace), "status"],
            "peer: `python -c 'import duckdb'`": [sys.executable, "-c", "import duckdb"],
            "peer: `python -c pass`": [sys.executable, "-c", "pass"],
        }
        return {label: timed(command, runs, env) for label, command in commands.items()}


def tables(size: int = 0, *, runs: int = 15, before: Path | None = None) -> list[dict]:
    """The start-up table (size does not apply); the interface of :mod:`benchmarks.run`."""
    now = measure(runs)
    then = measure(runs, before) if before else None
    header = ["command", "median s", "fastest s", "within 0.3 s"] + (["before: median s"] if then else [])
    rows = []
    for label, (median, fastest) in now.items():
        row = [label, f"{median:.3f}", f"{fastest:.3f}", "-" if label.startswith("peer") else
               ("yes" if median < AIM_S else "**no**")]
        if then:
            row.append(f"{then[label][0]:.3f}")
        rows.append(row)
    return [{"name": "startup", "size": 0, "title": f"CLI start-up, {runs} fresh processes each",
             "command": f"python benchmarks/startup.py --runs {runs}" + (f" --before {before}" if before else ""),
             "header": header, "rows": rows}]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="Another checkout to time beside this one.")
    args = parser.parse_args(argv)
    from benchmarks.run import markdown

    for table in tables(runs=args.runs, before=args.before):
        print(markdown(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
