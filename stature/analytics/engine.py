"""Running the relational steps: on DuckDB here; the Spark engine runs the same :mod:`.relational` SQL."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from ..graph import interaction_matrix, pagerank
from .relational import Params, Step, graph_steps, score_steps

Progress = Callable[[int, int, str], None]


class DuckDBEngine:
    """Runs each step as a temporary table on the workspace's own DuckDB connection."""

    name = "duckdb"

    def __init__(self, con):
        self.con = con
        self._made: list[str] = []

    def run(self, step: Step) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
        self._made.append(step.name)

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        table = self.con.sql(sql).to_arrow_table()
        return {name: table.column(name).to_numpy() for name in table.column_names}

    def put(self, name: str, columns: dict[str, np.ndarray]) -> None:
        self.con.register("_stature_put", pa.table(columns))
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _stature_put")
        self.con.unregister("_stature_put")
        self._made.append(name)

    def cleanup(self) -> None:
        for name in reversed(self._made):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self._made.clear()


def compute(engine, params: Params, progress: Progress | None = None) -> dict:
    """Run every step on ``engine``: the graph steps, PageRank, then the score steps.

    Leaves the step tables (``scores``, ``contributions``, ``features``, ``supporters``...)
    for the caller to store; returns what it learnt about the run.
    """
    first, second = graph_steps(params), score_steps(params)
    total = len(first) + 1 + len(second)
    done = 0

    def advance(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    for step in first:
        engine.run(step)
        advance(step.name)
    nodes = int(engine.arrays("SELECT count(*) AS n FROM nodes")["n"][0])
    edges = engine.arrays("SELECT src, dst, weight, full_weight FROM edges ORDER BY src, dst")
    seeds = engine.arrays("SELECT idx, seed FROM seeds ORDER BY idx")
    authority, iterations = authority_scores(nodes, edges, seeds["seed"])
    engine.put("authority", {"idx": np.arange(nodes, dtype=np.int64), "authority": authority})
    advance("authority")
    for step in second:
        engine.run(step)
        advance(step.name)
    return {"accounts": nodes, "edges": len(edges["src"]), "authority_iterations": iterations}


def authority_scores(nodes: int, edges: dict, seeds: np.ndarray) -> tuple[np.ndarray, int]:
    """Weighted PageRank, jumping in proportion to ``seeds``; scaled so the average node has 1."""
    if nodes == 0:
        return np.zeros(0), 0
    matrix = interaction_matrix(nodes, edges["src"], edges["dst"], edges["weight"], edges["full_weight"])
    seeds = np.asarray(seeds, dtype=np.float64)
    result = pagerank(matrix.adjacency, out_weight=matrix.out_weight,
                      personalization=seeds if seeds.sum() > 0 else None, max_iter=200)
    return result.scores * nodes, result.iterations
