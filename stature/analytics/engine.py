"""Running the relational steps: on DuckDB here; the Spark engine runs the same :mod:`.relational` SQL.

An engine runs a step (``run``), returns query results as arrays (``arrays``),
stores arrays as a table (``put``), computes the ``authority(idx, authority,
standing)`` table (``authority``) and, once done, leaves every step's table on the
workspace's DuckDB connection (``publish``) for :mod:`.score` to store.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import StatureError
from ..graph import standing
from .relational import AUTHORITY, Params, Step, graph_steps, score_steps

Progress = Callable[[int, int, str], None]

ENGINES = ("duckdb", "spark")


SCORE_MEMORY = None
"""DuckDB's memory limit while scoring, if any (``$STATURE_SCORE_MEMORY``, e.g. ``4GB``, sets one): joins spill
past it, but the step tables must fit in it (DuckDB's own default is 80% of the machine's memory)."""


class DuckDBEngine:
    """Runs each step as a temporary table on the workspace's own DuckDB connection."""

    name = "duckdb"

    def __init__(self, con):
        import os

        self.con = con
        self._made: list[str] = []
        limit = os.environ.get("STATURE_SCORE_MEMORY", SCORE_MEMORY)
        try:
            if limit:
                con.execute(f"SET memory_limit = '{limit}'")
        except Exception as exc:  # a limit DuckDB cannot read is the user's error, said plainly
            raise StatureError(f"STATURE_SCORE_MEMORY={limit!r} is not a memory size DuckDB understands "
                               f"(write it as 4GB or 512MB): {exc}") from None
        con.execute("SET preserve_insertion_order = false")  # steps are tables; order never matters

    def run(self, step: Step) -> None:
        if step.joins_as_written:
            # DuckDB guesses the rows a filter keeps; through the window and kind filters on the interactions
            # it guesses 25 times too few and would hash the ten million interactions instead of the accounts
            self.con.execute("SET disabled_optimizers = 'join_order'")
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
        finally:
            if step.joins_as_written:
                self.con.execute("RESET disabled_optimizers")
        self._made.append(step.name)

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        table = self.con.sql(sql).to_arrow_table()
        return {name: table.column(name).to_numpy() for name in table.column_names}

    def put(self, name: str, columns: dict[str, np.ndarray]) -> None:
        self.con.register("_stature_put", pa.table(columns))
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _stature_put")
        self.con.unregister("_stature_put")
        self._made.append(name)

    def authority(self, progress=None) -> dict:
        """Standing in memory on scipy.sparse (:func:`authority_scores`)."""
        nodes = int(self.arrays("SELECT count(*) AS n FROM nodes")["n"][0])
        edges = self.arrays("SELECT src, dst, weight, full_weight FROM edges")  # any order: the matrix sorts
        seeds = np.zeros(nodes)
        given = self.arrays("SELECT idx, seed FROM seeds")
        seeds[given["idx"]] = given["seed"]
        authority, held, iterations = authority_scores(nodes, edges, seeds)
        self.put("authority", {"idx": np.arange(nodes, dtype=np.int64), "authority": authority, "standing": held})
        return {"accounts": nodes, "edges": len(edges["src"]), "authority_iterations": iterations}

    def release(self, name: str) -> None:
        """Drop a step table no later step reads (memory back for the next joins)."""
        self.con.execute(f"DROP TABLE IF EXISTS {name}")
        if name in self._made:
            self._made.remove(name)

    def publish(self) -> None:
        """Nothing to do: the step tables already live on the workspace's connection."""

    def cleanup(self) -> None:
        for name in reversed(self._made):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self._made.clear()
        self.con.execute("RESET memory_limit")  # the workspace's connection runs on DuckDB's defaults
        self.con.execute("RESET preserve_insertion_order")


KEPT = frozenset({"final_scores", "contributions", "features", "supporters", "nodes", "edges", "seeds",
                  "authority"})
"""Step tables used after the steps (to store a run, or by authority): never released early."""


def last_uses(steps: list[Step]) -> dict[int, list[str]]:
    """Step position -> the earlier step tables no later step reads (each may be released after it)."""
    import re

    last: dict[str, int] = {}
    for position, step in enumerate(steps):
        for earlier in steps[:position]:
            if re.search(rf"\b(?:FROM|JOIN)\s+{earlier.name}\b", step.sql, re.IGNORECASE):
                last[earlier.name] = position
    out: dict[int, list[str]] = {}
    for name, position in last.items():
        if name not in KEPT:
            out.setdefault(position, []).append(name)
    return out


def compute(engine, params: Params, progress: Progress | None = None) -> dict:
    """Run every step on ``engine``: the graph steps, PageRank, then the score steps.

    Leaves the step tables (``scores``, ``contributions``, ``features``, ``supporters``...)
    for the caller to store; returns what it learnt about the run. An engine with a
    ``release(name)`` drops each intermediate table once no later step reads it.
    """
    first, second = graph_steps(params), score_steps(params)
    releasing = last_uses(first + second) if hasattr(engine, "release") else {}
    total = len(first) + 1 + len(second)
    done = 0

    def advance(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    def release(position: int) -> None:
        for name in releasing.get(position, ()):
            engine.release(name)

    for position, step in enumerate(first):
        engine.run(step)
        release(position)
        advance(step.name)

    def iterating(iteration: int, error: float) -> None:
        if progress:
            progress(done, total, f"authority, iteration {iteration} (change {error:.1e})")

    info = engine.authority(iterating)
    advance("authority")
    for position, step in enumerate(second, start=len(first)):
        engine.run(step)
        release(position)
        advance(step.name)
    engine.publish()
    return info


def authority_scores(nodes: int, edges: dict, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``(authority, standing, iterations)``: the standing each node receives from the nodes that engage it.

    :func:`stature.graph.standing` with ``seeds`` (each node's own audience, in
    log2 units), both divided by ``1 - damping`` so that one engaging account
    that engages nobody else gives exactly its own seed: authority is in "engaging
    accounts, each counted by its own audience", absolute, whatever else the
    workspace holds. ``standing`` is what each node holds, its own seed included.
    """
    if nodes == 0:
        return np.zeros(0), np.zeros(0), 0
    from ..graph.matrix import interaction_matrix  # (scipy: imported by the commands that score)

    # a discount (reciprocal amplification) is not passed on: each row is divided by its undiscounted sum
    matrix = interaction_matrix(nodes, edges["src"], edges["dst"], edges["weight"], edges["full_weight"],
                                by_column=True)
    damping = AUTHORITY["damping"]
    result = standing(matrix.adjacency, seeds, out_weight=matrix.out_weight, **AUTHORITY)
    scale = 1.0 / (damping * (1.0 - damping))
    return result.received * scale, result.standing / (1.0 - damping), result.iterations


@contextmanager
def open_engine(workspace, engine="duckdb"):
    """The engine to score ``workspace`` with, cleaned up on exit.

    ``engine`` is ``"duckdb"``, ``"spark"`` (``$STATURE_SPARK_MASTER`` or
    ``local[*]``, started and stopped here) or a :class:`~.spark_session.Spark`
    (used as it is when started, so many runs can share one session).
    """
    if engine == "duckdb":
        runner = DuckDBEngine(workspace.con)
        try:
            yield runner
        finally:
            runner.cleanup()
        return
    from .spark_session import Spark  # no pyspark import: that happens when Spark starts
    if engine == "spark":
        engine = Spark()
    if not isinstance(engine, Spark):
        raise StatureError(f"Unknown engine {engine!r}: choose {' or '.join(ENGINES)}.")
    from .spark_engine import spark_engine
    with spark_engine(workspace, engine) as runner:
        yield runner
