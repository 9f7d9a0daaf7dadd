"""The Spark engine: the relational steps of :mod:`.relational`, transpiled to Spark SQL, over Parquet.

The workspace's canonical tables go to Parquet in a work folder (DuckDB's
``COPY ... TO``); each step is transpiled once by sqlglot, run by Spark, written
out as Parquet and read back as the view later steps use, so no plan grows
beyond one step. Authority is the standing of :func:`stature.graph.standing` as
joins and group-bys in a loop, each iteration written out, the same iterations
as the DuckDB engine's scipy run (same start, update, ``out_weight`` division,
extrapolations, relative stopping rule and scaling). At the end every step's
output is a temporary view on the workspace's DuckDB connection, so storing a
run is the same code for both engines.

With a cluster, the work folder (``work_dir`` or ``$STATURE_SPARK_WORK_DIR``)
must be a path the driver, the executors and this process all see.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..graph.pagerank import ConvergenceError, extrapolation_rate
from .relational import AUTHORITY, Step
from .spark_session import Spark, SparkError

WORK_DIR_ENV = "STATURE_SPARK_WORK_DIR"
CANONICAL = ("accounts", "identities", "exclusions", "posts", "interactions", "list_memberships")
BROADCAST_NODES = 5_000_000
"""Up to this many nodes, each PageRank iteration broadcasts the rank vector instead of shuffling the edges."""


def transpile(sql: str) -> str:
    """One relational step in Spark SQL (sqlglot; anything it cannot express is an error, not a guess)."""
    import sqlglot
    from sqlglot.errors import ErrorLevel

    (out,) = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
    return out


def _double(value: float) -> str:
    """A Spark SQL double literal that reads back as exactly ``value``."""
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


class SparkEngine:
    """Runs the steps on a started :class:`Spark`, reading and writing Parquet under ``work_dir``."""

    name = "spark"

    def __init__(self, workspace, spark: Spark, work_dir: str | os.PathLike):
        self.workspace = workspace
        self.spark = spark
        self.session = spark.session
        self.work = Path(work_dir)
        self._views: list[str] = []  # Spark views this run made
        self._published: list[str] = []  # DuckDB views over them
        self._observed: dict = {}

    # --- the engine interface used by engine.compute ---

    def export(self) -> None:
        """The canonical tables as Parquet, read by Spark under their own names."""
        folder = self.work / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        for table in CANONICAL:
            target = folder / f"{table}.parquet"
            self.workspace.con.execute(f"COPY {table} TO '{_sql_path(target)}' (FORMAT parquet)")
            self._view(table, target)

    def run(self, step: Step) -> None:
        self._write(step.name, self.session.sql(transpile(step.sql)))

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        table = self.session.sql(transpile(sql)).toArrow()
        return {name: table.column(name).to_numpy() for name in table.column_names}

    def put(self, name: str, columns: dict[str, np.ndarray]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = self.work / "steps" / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        pq.write_table(pa.table(columns), target / "part-0.parquet")
        self._view(name, target)

    def authority(self, progress=None) -> dict:
        """Standing on ``edges`` from ``seeds``, as :func:`.engine.authority_scores` computes it."""
        damping, tol, max_iter = AUTHORITY["damping"], AUTHORITY["tol"], AUTHORITY["max_iter"]
        one = self._scalars("SELECT (SELECT count(*) FROM seeds) AS nodes, (SELECT count(*) FROM edges) AS edges")
        nodes, edges = int(one["nodes"]), int(one["edges"])
        info = {"accounts": nodes, "edges": edges, "authority_iterations": 0}
        if nodes == 0:
            self._write("authority", self.session.sql(
                "SELECT CAST(0 AS BIGINT) AS idx, 0.0D AS authority, 0.0D AS standing LIMIT 0"))
            return info
        # each node's own share, (1 - d) * seed, and 1/out_weight (pagerank.py's standing); dl is the last
        # step's change, what an extrapolation adds a multiple of
        state = self._write("standing_0", self.session.sql(f"""
            SELECT n.idx, {_double(1.0 - damping)} * n.seed AS base,
                   CASE WHEN o.out_weight > 0 THEN 1.0D / o.out_weight ELSE 0.0D END AS inv,
                   {_double(1.0 - damping)} * n.seed AS x, 0.0D AS dl
            FROM seeds n
            LEFT JOIN (SELECT src, greatest(sum(full_weight), sum(weight)) AS out_weight
                       FROM edges GROUP BY src) o ON o.src = n.idx"""))
        hint = "/*+ BROADCAST(r) */" if nodes <= BROADCAST_NODES else ""
        error = float("inf")
        jump = 0.0  # what the next step adds of the last change before it passes standing on
        last = rate = None  # as in pagerank.standing: whether the last change counts, the last rate estimate
        for iteration in range(1, max_iter + 1):
            previous = state
            at = f"(r.x + {_double(jump)} * r.dl)" if jump else "r.x"
            here = f"(s.x + {_double(jump)} * s.dl)" if jump else "s.x"
            state = self._write(f"standing_{iteration}", self.session.sql(f"""
                SELECT idx, base, inv, x, x - y AS dl, abs(x - y) / (1.0D + x) AS diff,
                       (x - y) * last AS cross, last * last AS square FROM (
                    SELECT s.idx, s.base, s.inv, {here} AS y, s.dl AS last,
                           {_double(damping)} * coalesce(p.passed, 0.0D) + s.base AS x
                    FROM {previous} s
                    LEFT JOIN (SELECT {hint} e.dst, sum(e.weight * ({at} * r.inv)) AS passed
                               FROM edges e JOIN {previous} r ON r.idx = e.src GROUP BY e.dst) p
                           ON p.dst = s.idx)"""), observe={"diff": "max", "cross": "sum", "square": "sum"})
            self._drop(previous)
            error = float(self._observed["diff"])
            if progress:
                progress(iteration, error)
            if error < tol:
                scale = 1.0 / (damping * (1.0 - damping))
                self._write("authority", self.session.sql(
                    f"SELECT idx, (x - base) * {_double(scale)} AS authority, "
                    f"x / {_double(1.0 - damping)} AS standing FROM {state}"))
                self._drop(state)
                info["authority_iterations"] = iteration
                return info
            estimate = extrapolation_rate(float(self._observed["cross"] or 0.0), float(self._observed["square"] or 0.0),
                                          rate, damping) if last else None
            jump = 0.0
            if isinstance(estimate, tuple):
                jump, last, rate = estimate[0] / (1.0 - estimate[0]), None, None
            else:
                last, rate = True, estimate
        raise ConvergenceError(f"Standing did not converge in {max_iter} iterations "
                               f"(last relative change {error:.2e}, tolerance {tol:.0e}); raise max_iter.")

    def publish(self) -> None:
        """Every table this run made, as a temporary view on the workspace's DuckDB connection."""
        con = self.workspace.con
        for name in self._views:
            if name in CANONICAL:
                continue
            path = self.work / "steps" / name
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS "
                        f"SELECT * FROM read_parquet('{_sql_path(path)}/*.parquet')")
            self._published.append(name)

    def cleanup(self) -> None:
        for name in reversed(self._published):
            self.workspace.con.execute(f"DROP VIEW IF EXISTS {name}")
        self._published.clear()
        if self.spark.started:
            for name in self._views:
                self.session.catalog.dropTempView(name)
        self._views.clear()

    # --- helpers ---

    def _write(self, name: str, frame, observe: dict[str, str] | None = None) -> str:
        """Write ``frame`` to Parquet and read it back as the view ``name`` (its plan ends here).

        ``observe`` maps columns to an aggregate (``"sum"``, ``"max"``), taken while
        writing; the results land in :attr:`_observed`.
        """
        target = self.work / "steps" / name
        if observe:
            from pyspark.sql import Observation
            from pyspark.sql import functions as F

            seen = Observation(name)
            frame = frame.observe(seen, *(getattr(F, how)(c).alias(c) for c, how in observe.items()))
        frame.write.mode("overwrite").parquet(str(target))
        if observe:
            self._observed = seen.get
        self._view(name, target, frame.schema)
        return name

    def _view(self, name: str, path: Path, schema=None) -> None:
        reader = self.session.read if schema is None else self.session.read.schema(schema)
        reader.parquet(str(path)).createOrReplaceTempView(name)
        if name not in self._views:
            self._views.append(name)

    def _drop(self, name: str) -> None:
        self.session.catalog.dropTempView(name)
        self._views.remove(name)
        shutil.rmtree(self.work / "steps" / name, ignore_errors=True)

    def _scalars(self, sql: str) -> dict:
        row = self.session.sql(sql).collect()[0]
        return row.asDict()


@contextmanager
def spark_engine(workspace, spark: Spark | None = None, work_dir: str | os.PathLike | None = None):
    """A :class:`SparkEngine` on ``workspace``, with the canonical tables exported.

    ``spark`` is used as it is when started (and left running); otherwise it (or
    ``Spark()``) is started here and stopped at the end. The work folder (default
    ``$STATURE_SPARK_WORK_DIR``, else a temporary folder) is removed at the end.
    """
    spark = spark or Spark()
    owned = not spark.started
    base = work_dir or os.environ.get(WORK_DIR_ENV)
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="stature-run-", dir=base))
    engine = None
    try:
        if owned:
            spark.start()
        engine = SparkEngine(workspace, spark, work)
        try:
            engine.export()
        except Exception as exc:
            if isinstance(exc, SparkError):
                raise
            raise SparkError(f"Spark could not read the tables exported to {work}: {str(exc).splitlines()[0]}"
                             + ("" if spark.local else f" With {spark.master}, {WORK_DIR_ENV} must be a folder "
                                                       "every Spark node sees.")) from None
        yield engine
    finally:
        try:
            if engine is not None:
                engine.cleanup()
        finally:
            if owned:
                spark.stop()
            shutil.rmtree(work, ignore_errors=True)
