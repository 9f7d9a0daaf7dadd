"""The ``stature`` group, its global options, and how errors and progress are shown."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click

from ..errors import StatureError


class StatureGroup(click.Group):
    """Prints ``Error: ...`` and exits 1 for Stature's errors, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except StatureError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing of the unfinished command was kept.", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            if os.environ.get("STATURE_DEBUG"):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}). This is a bug in Stature; "
                       "set STATURE_DEBUG=1 to see where it happened.", err=True)
            sys.exit(2)


@click.group(cls=StatureGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", metavar="PATH", default=None,
              help="The workspace file (default: $STATURE_WORKSPACE or ./stature.duckdb).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="Where the relational steps run.")
@click.option("--spark-master", metavar="URL", envvar="STATURE_SPARK_MASTER", default=None,
              help="With --engine spark: local[*] (the default), local[N], spark://HOST:PORT, yarn, k8s://... or "
                   "sc://HOST:PORT for Spark Connect (default: $STATURE_SPARK_MASTER).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.version_option(package_name="stature")
@click.pass_context
def main(ctx, workspace, engine, spark_master, quiet):
    """Stature: influence that explains itself, from the data you own."""
    ctx.obj = Options(workspace, engine, quiet, spark_master)


class Options:
    def __init__(self, workspace, engine, quiet, spark_master=None):
        self._workspace = workspace
        self.engine = engine
        self.quiet = quiet
        self.spark_master = spark_master

    @property
    def workspace(self):
        """The workspace path: --workspace, else the default (resolved when a command needs it, so that
        `stature COMMAND --help` loads no DuckDB)."""
        if self._workspace is None:
            from ..workspace import default_path
            self._workspace = default_path()
        return self._workspace

    def open(self, read_only: bool = False):
        """The workspace, opened (DuckDB is imported here, not when the CLI starts)."""
        from ..workspace import Workspace

        return Workspace(self.workspace, read_only=read_only)

    def scoring_engine(self):
        """What ``--engine`` names, as the library's ``engine`` argument (a :class:`Spark` for spark)."""
        if self.engine == "spark":
            from ..analytics.spark_session import Spark
            return Spark(self.spark_master)
        return self.engine


@contextmanager
def progress(options: Options, desc: str, unit: str = ""):
    """A ``progress(done, total, label)`` callback drawing a bar on stderr.

    The bar is off (the callback does nothing) with --quiet or when stderr is not a terminal.
    """
    if options.quiet or not sys.stderr.isatty():
        yield lambda done, total, label="": None
        return
    from tqdm import tqdm
    bar = tqdm(total=0, unit=unit, unit_scale=True, desc=desc, file=sys.stderr, leave=False)

    def update(done, total, label=""):
        bar.total = total
        bar.n = done
        bar.set_postfix_str(str(label)[-40:], refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def plural(kind: str) -> str:
    """``reply`` -> ``replies``: interaction kinds as counted things."""
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def echo_json(value) -> None:
    click.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))
