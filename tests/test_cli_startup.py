"""The CLI starts light: importing it, and asking any command for --help, loads none of the heavy libraries.

Each check runs in a fresh interpreter, so what this test process already imported does not count.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("pyarrow", "scipy", "networkx", "igraph", "leidenalg", "pyspark", "sqlglot", "torch", "sentence_transformers",
         "sklearn", "matplotlib", "duckdb", "numpy", "tqdm", "atproto")


def loaded_after(code: str) -> list[str]:
    """The heavy top-level packages loaded once ``code`` has run in a fresh interpreter."""
    probe = code + f"\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after("import stature.cli") == []


@pytest.mark.slow
def test_help_of_every_command_loads_no_heavy_library():
    code = """
import contextlib, io
from stature.cli import main
def commands(group, path):
    for name, command in group.commands.items():
        yield path + [name]
        if hasattr(command, "commands"):
            yield from commands(command, path + [name])
for args in [[]] + list(commands(main, [])):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args + ["--help"], standalone_mode=False)
        except SystemExit:
            pass
"""
    assert loaded_after(code) == []


@pytest.mark.slow
def test_status_needs_duckdb_alone(tmp_path):
    from stature import Workspace

    Workspace(tmp_path / "s.duckdb").close()
    code = f"""
import contextlib, io
from stature.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["--workspace", {str(tmp_path / "s.duckdb")!r}, "status"], standalone_mode=False)
"""
    assert loaded_after(code) == ["duckdb"]


@pytest.mark.slow
def test_connect_on_a_cached_network_needs_duckdb_and_numpy_alone(tmp_path):
    from stature import Workspace, ingest
    from stature.graph.network import load_network

    from conftest import dataset

    path = tmp_path / "c.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [dataset("congress-twitter/congress.edgelist")], network="twitter")
    with Workspace(path, read_only=True) as ws:
        load_network(ws)  # builds the network cache (with scipy and pyarrow), as the first connect does
    code = f"""
import contextlib, io
from stature.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["--quiet", "--workspace", {str(path)!r}, "connect", "twitter:0", "--json"], standalone_mode=False)
assert '"suggestions"' in out.getvalue()
"""
    assert loaded_after(code) == ["duckdb", "numpy"]  # no scipy, pyarrow or pandas once the network is cached
