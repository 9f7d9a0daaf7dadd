"""Big v1.1 JSON-lines files are read by DuckDB: the same records as the Python reader."""
import json

import duckdb
import pytest

import sys

import stature.ingest  # noqa: F401  (the module, shadowed by the function of the same name)
from stature import Workspace, ingest
from stature.generate import generate


def _tables(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    out = {t: sorted(con.execute(f"SELECT * EXCLUDE (import_id) FROM {t}").fetchall(), key=repr)
           for t in ("accounts", "posts", "interactions")}
    con.close()
    return out


@pytest.fixture
def always_native(monkeypatch):
    monkeypatch.setattr(sys.modules["stature.ingest"], "NATIVE_MIN_BYTES", 0)


def test_native_and_python_readers_agree(tmp_path, always_native):
    made = generate(tmp_path / "gen", accounts=300, seed=3)
    tweets = made["paths"]["tweets"]
    for name, native in (("native", True), ("python", False)):
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            ingest(ws, [tweets], native=native)
    native, python = _tables(tmp_path / "native.duckdb"), _tables(tmp_path / "python.duckdb")
    assert native["posts"] and native["interactions"]
    for table in native:
        assert native[table] == python[table], table


def test_native_reader_gives_way_on_a_malformed_line(tmp_path, always_native):
    from stature import ImportFormatError

    made = generate(tmp_path / "gen", accounts=60, seed=1)
    lines = open(made["paths"]["tweets"]).read().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:5] + ['{"id_str": "1", "user": '] + lines[5:]) + "\n")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ImportFormatError, match="line 6"):
            ingest(ws, [bad])
        assert ws.status()["posts"] == 0
        report = ingest(ws, [bad], skip_bad=True)
        assert any("line 6" in s for f in report.files for s in f.skipped)
        assert ws.status()["posts"] > 0


def test_native_reader_gives_way_to_lines_it_does_not_know(tmp_path, always_native):
    made = generate(tmp_path / "gen", accounts=60, seed=1)
    lines = open(made["paths"]["tweets"]).read().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines + [json.dumps({"delete": {"status": {"id_str": "5"}}})]) + "\n")
    with Workspace(tmp_path / "a.duckdb") as a, Workspace(tmp_path / "b.duckdb") as b:
        ingest(a, [mixed])
        ingest(b, [made["paths"]["tweets"]], native=False)
        assert a.status()["posts"] == b.status()["posts"]
