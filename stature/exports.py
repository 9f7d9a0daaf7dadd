"""Exports for the tools people already use: Gephi (GEXF), GraphML, CSV and Parquet.

The graph is the workspace's interaction graph: a node per account (every account, and
every account an interaction names), an edge ``source -> target`` per pair that
interacted, with its weight (the kinds' weights, :data:`~stature.rules.interactions.KIND_WEIGHTS`,
summed) and its count of each kind. Nodes carry the latest score and its components,
the topics the account is credibly known for, and its community. Accounts on the
exclusion list, and the accounts linked to them, are left out with their edges
(:mod:`stature.rules.exclusions`). CSV and Parquet write the canonical tables plus ``nodes``
and ``edges`` tables of the same graph (:func:`stature.read.graph_tables`).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .errors import StatureError
from .read.graph import EDGE_KINDS, graph_tables
from .text import clean
from .workspace.workspace import csv_cell

FORMATS = ("gexf", "graphml", "csv", "parquet")
Progress = Callable[[int, int, str], None]
__all__ = ["EDGE_KINDS", "FORMATS", "export", "graph_tables", "to_networkx"]


def to_networkx(nodes, edges):
    """A ``networkx.DiGraph`` of the tables; unknown attributes are left out, text is made XML-safe."""
    import networkx as nx

    graph = nx.DiGraph()
    names = [n for n in nodes.column_names if n != "id"]
    for row in nodes.to_pylist():
        graph.add_node(row["id"], **{k: _value(row[k]) for k in names if row[k] is not None})
    edge_names = [n for n in edges.column_names if n not in ("source", "target")]
    for row in edges.to_pylist():
        graph.add_edge(row["source"], row["target"], **{k: _value(row[k]) for k in edge_names if row[k] is not None})
    return graph


def _value(v):
    if isinstance(v, str):
        return clean(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def export(ws, out, fmt: str, *, progress: Progress | None = None, include_private: bool = False) -> list[Path]:
    """Write the workspace to ``out`` as ``fmt``; returns the files written.

    ``gexf`` and ``graphml`` write one file (``out``, or ``out/stature.FMT`` when ``out`` is a folder);
    ``csv`` and ``parquet`` write the canonical tables and ``nodes``/``edges`` into the folder ``out``;
    posts that are not public only with ``include_private``; CSV text cells never start a formula.
    """
    if fmt not in FORMATS:
        raise StatureError(f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    step = progress or (lambda done, total, label="": None)
    step(0, 3, "graph")
    nodes, edges = graph_tables(ws)
    step(1, 3, fmt)
    if fmt in ("csv", "parquet"):
        import pyarrow as pa

        written = ws.export(out, fmt, include_private=include_private)
        folder = Path(out)
        for name, table in (("nodes", nodes), ("edges", edges)):
            target = folder / f"{name}.{fmt}"
            ws.con.register("_stature_export", table)
            try:
                options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
                path = str(target).replace("'", "''")
                cells = ", ".join(csv_cell(f'"{f.name}"') if fmt == "csv" and pa.types.is_string(f.type)
                                  else f'"{f.name}"' for f in table.schema)
                ws.con.execute(f"COPY (SELECT {cells} FROM _stature_export) TO '{path}' ({options})")
            finally:
                ws.con.unregister("_stature_export")
            written.append(target)
        step(3, 3, "done")
        return written
    import networkx as nx

    target = Path(out)
    if target.is_dir():
        target = target / f"stature.{fmt}"
    target.parent.mkdir(parents=True, exist_ok=True)
    graph = to_networkx(nodes, edges)
    step(2, 3, "writing")
    fd, tmp = tempfile.mkstemp(prefix=".stature-export-", suffix=f".{fmt}", dir=target.parent)
    os.close(fd)
    try:
        if fmt == "gexf":
            nx.write_gexf(graph, tmp, version="1.2draft")
        else:
            nx.write_graphml(graph, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    step(3, 3, "done")
    return [target]
