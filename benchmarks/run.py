"""Every benchmark at one size, one command: prints the tables of BENCHMARKS.md and can write them there.

    .venv/bin/python -m benchmarks.run --size 100k                 # every benchmark, tables on stdout
    .venv/bin/python -m benchmarks.run --size 1m --only communities,startup --write
    .venv/bin/python -m benchmarks.run --list

``--size`` is the number of interactions (edges, follows): 100k, 1m, 10m or any integer. With
``--write`` each table replaces its block in BENCHMARKS.md, between ``<!-- table NAME SIZE -->``
and ``<!-- end table -->`` (a new table is added under "Tables written by benchmarks/run.py").

The interface a benchmark module offers (the one thing this runner knows of it)::

    def tables(size: int) -> list[dict]

Each dict is one table: ``name`` (short, unique within the module), ``size``, ``title``,
``command`` (the command that re-makes it), ``header`` (column names), ``rows`` (lists of cells,
already formatted) and optionally ``note`` (a sentence under it). A module measures each method
in its own process (:mod:`benchmarks.measure` does it: wall time, peak memory of the process and
its children, a timeout and a memory limit), with ``nice``, and keeps any one process under 6 GB.
Modules that do not offer ``tables`` yet are run as their own script with the arguments in
:data:`SCRIPTS`, and their printed output is shown as it is.
"""
from __future__ import annotations

import argparse
import importlib
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import ROOT

MODULES = ("communities", "startup", "connect", "pagerank", "engines", "classify", "ingest", "dashboard")
SCRIPTS = {  # modules without ``tables(size)``: the arguments of their own script at a size
    "engines": lambda size: ["--interactions", str(size)],
    "classify": lambda size: ["--posts", str(max(1000, size // 50))],
    "dashboard": lambda size: ["--accounts", str(min(5000, max(400, size // 50)))],
}
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
_WRITTEN = "## Tables written by benchmarks/run.py"


def parse_size(text: str) -> int:
    """``100k`` -> 100000, ``1m`` -> 1000000, ``2500`` -> 2500."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: write e.g. 100k, 1m or 250000")
    return int(float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()])


def markdown(table: dict) -> str:
    """One table as BENCHMARKS.md shows it: its title, the command, the table, the note."""
    lines = [f"**{table['title']}**", "", f"    {table['command']}", "",
             "| " + " | ".join(table["header"]) + " |", "|" + "---|" * len(table["header"])]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in table["rows"]]
    if table.get("note"):
        lines += ["", table["note"]]
    return "\n".join(lines)


def machine() -> str:
    """The machine and how busy it was: said beside every figure."""
    import os

    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} at the start"
            + (" (a busy, shared machine: times are a ceiling)" if load > 1.5 else ""))


def run_module(name: str, size: int) -> list[dict]:
    module = importlib.import_module(f"benchmarks.{name}")
    if hasattr(module, "tables"):
        return module.tables(size)
    args = SCRIPTS[name](size)
    out = subprocess.run(["nice", "-n", "10", sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args],
                         capture_output=True, text=True, cwd=ROOT)
    text = out.stdout.strip() if out.returncode == 0 else f"failed (exit {out.returncode}): {out.stderr.strip()[-300:]}"
    return [{"name": name, "size": size, "title": f"{name} at {size:,}", "raw": text,
             "command": f"python benchmarks/{name}.py {' '.join(args)}"}]


def render(table: dict) -> str:
    if "raw" in table:
        return f"**{table['title']}**\n\n    {table['command']}\n\n{table['raw']}"
    return markdown(table)


def write(table: dict, text: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the table's block in BENCHMARKS.md (or add it at the end)."""
    doc = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- table {table['name']} {table['size']} -->", "<!-- end table -->"
    block = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: block, doc)
    else:
        if _WRITTEN not in doc:
            doc = doc.rstrip("\n") + f"\n\n{_WRITTEN}\n"
        doc = doc.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(doc)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("100k"), help="Interactions: 100k, 1m, 10m, ...")
    parser.add_argument("--only", help=f"Comma-separated benchmarks (default: all of {', '.join(MODULES)}).")
    parser.add_argument("--write", action="store_true", help="Write the tables into BENCHMARKS.md.")
    parser.add_argument("--list", action="store_true", help="List the benchmarks and stop.")
    args = parser.parse_args(argv)
    if args.list:
        for name in MODULES:
            doc = (importlib.import_module(f"benchmarks.{name}").__doc__ or "").strip().splitlines()
            print(f"{name:<12} {doc[0] if doc else ''}")
        return 0
    names = args.only.split(",") if args.only else list(MODULES)
    unknown = sorted(set(names) - set(MODULES))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; --list shows them")
    print(f"Machine: {machine()}\n")
    for name in names:
        started, where = time.perf_counter(), machine()
        for table in run_module(name, args.size):
            table.setdefault("note", "")
            table["note"] = (table["note"] + " " if table["note"] else "") + f"Measured on {where}."
            text = render(table)
            print(text + "\n", flush=True)
            if args.write:
                write(table, text)
        print(f"({name}: {time.perf_counter() - started:.0f} s)\n", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
