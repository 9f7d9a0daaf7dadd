"""Exports for the tools people already use: Gephi (GEXF), GraphML, CSV and Parquet.

The graph is the workspace's interaction graph: a node per account (every account, and
every account an interaction names), an edge ``source -> target`` per pair that
interacted, with its weight (the kinds' weights, :data:`~stature.graph.KIND_WEIGHTS`,
summed) and its count of each kind. Nodes carry the latest score and its components,
the topics the account is credibly known for, and its community. Accounts on the
exclusion list are left out, with their edges. CSV and Parquet write the canonical
tables plus ``nodes`` and ``edges`` tables of the same graph.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import pyarrow as pa

from .analytics import COMPONENTS
from .errors import StatureError
from .graph import KIND_WEIGHTS
from .report.html import clean
from .workspace.workspace import csv_cell

FORMATS = ("gexf", "graphml", "csv", "parquet")
Progress = Callable[[int, int, str], None]
EDGE_KINDS = tuple(KIND_WEIGHTS)

_NODES_SQL = """
WITH ids AS (
    SELECT network, account_id FROM accounts
    UNION SELECT network, source_id FROM interactions WHERE kind IN (SELECT unnest($kinds::VARCHAR[]))
    UNION SELECT network, target_id FROM interactions
          WHERE target_id IS NOT NULL AND kind IN (SELECT unnest($kinds::VARCHAR[]))),
visible AS (SELECT * FROM ids i WHERE NOT EXISTS (
    SELECT 1 FROM exclusions x WHERE x.network = i.network AND x.account_id = i.account_id)),
profile AS (SELECT network, account_id, any_value(handle) AS handle, any_value(display_name) AS display_name,
                   max(followers_count) AS followers FROM accounts GROUP BY 1, 2),
node AS (SELECT v.network, v.account_id,
                coalesce(p.person_id, v.network || ':' || v.account_id) AS node_id
         FROM visible v LEFT JOIN identities p ON p.network = v.network AND p.account_id = v.account_id),
topics AS (SELECT network, account_id, string_agg(name, '; ' ORDER BY confidence DESC, name) AS topics,
                  arg_max(name, confidence) AS top_topic
           FROM (SELECT a.network, a.account_id, t.name, a.confidence,
                        row_number() OVER (PARTITION BY a.network, a.account_id ORDER BY a.confidence DESC, t.name) AS r
                 FROM account_topics a JOIN topics t USING (topic_id) WHERE a.level IN ('strong', 'moderate'))
           WHERE r <= 5 GROUP BY 1, 2),
s AS (SELECT * FROM scores WHERE run_id = $run),
c AS (SELECT node_id, {pivot} FROM score_components WHERE run_id = $run GROUP BY node_id)
SELECT n.network || ':' || n.account_id AS id, coalesce(p.handle, p.display_name, n.account_id) AS label,
       n.network, n.account_id, p.handle, p.display_name, p.followers,
       s.score, s.low AS score_low, s.high AS score_high, {components}
       t.topics, t.top_topic, m.community
FROM node n
LEFT JOIN profile p USING (network, account_id)
LEFT JOIN s ON s.node_id = n.node_id
LEFT JOIN c ON c.node_id = n.node_id
LEFT JOIN topics t USING (network, account_id)
LEFT JOIN communities m USING (network, account_id)
ORDER BY id"""

_EDGES_SQL = """
WITH w AS (SELECT unnest($kinds::VARCHAR[]) AS kind, unnest($weights::DOUBLE[]) AS weight)
SELECT i.network || ':' || i.source_id AS source, i.network || ':' || i.target_id AS target,
       sum(w.weight) AS weight, count(*) AS interactions, {counts}, min(i.time) AS first, max(i.time) AS last
FROM interactions i JOIN w USING (kind)
WHERE i.target_id IS NOT NULL AND i.source_id <> i.target_id
  AND NOT EXISTS (SELECT 1 FROM exclusions x WHERE x.network = i.network
                  AND x.account_id IN (i.source_id, i.target_id))
GROUP BY 1, 2 ORDER BY 1, 2"""


def graph_tables(ws) -> tuple[pa.Table, pa.Table]:
    """The interaction graph as two Arrow tables: ``nodes`` (with their attributes) and ``edges``."""
    from .analytics import find_run
    try:
        run = find_run(ws)["run_id"]
    except StatureError:
        run = -1
    pivot = ", ".join(f"max(contribution) FILTER (WHERE component = '{c}') AS {c}" for c in COMPONENTS)
    components = "".join(f"c.{c}, " for c in COMPONENTS)
    nodes = ws.con.sql(_NODES_SQL.format(pivot=pivot, components=components),
                       params={"kinds": list(EDGE_KINDS), "run": run}).to_arrow_table()
    counts = ", ".join(f"count(*) FILTER (WHERE i.kind = '{k}') AS {k}" for k in EDGE_KINDS)
    edges = ws.con.sql(_EDGES_SQL.format(counts=counts),
                       params={"kinds": list(EDGE_KINDS), "weights": [KIND_WEIGHTS[k] for k in EDGE_KINDS]}
                       ).to_arrow_table()
    return nodes, edges


def to_networkx(nodes: pa.Table, edges: pa.Table):
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
