"""The benchmark runner: sizes as people write them, and tables written into their own block of BENCHMARKS.md."""
from __future__ import annotations

import argparse
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from benchmarks.run import markdown, parse_size, write  # noqa: E402

TABLE = {"name": "communities", "size": 1_000_000, "title": "Communities", "command": "python -m benchmarks.run",
         "header": ["method", "s"], "rows": [["stature", "1.0"]]}


def test_sizes_read_as_people_write_them():
    assert [parse_size(s) for s in ("100k", "1m", "10M", "2500", "1.5m")] == [100_000, 1_000_000, 10_000_000,
                                                                              2_500, 1_500_000]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size("big")


def test_a_table_replaces_its_own_block_and_leaves_the_rest(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\nProse someone wrote.\n")
    write(TABLE, markdown(TABLE), doc)
    write({**TABLE, "size": 100_000}, markdown(TABLE), doc)
    again = {**TABLE, "rows": [["stature", "0.5"]]}
    write(again, markdown(again), doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nProse someone wrote.\n")
    assert text.count("<!-- table communities 1000000 -->") == 1 and text.count("<!-- table communities 100000 -->") == 1
    assert "| stature | 0.5 |" in text and text.count("| stature | 1.0 |") == 1  # the 100k block kept its row
