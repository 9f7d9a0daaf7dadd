"""The ``stature`` group, its global options, and how errors and progress are shown."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click

from ..errors import StatureError


class StatureGroup(click.Group):
    """Prints ``Error: ...`` and exits 1 for errors of the input or the environment (Stature's own,
    a closed output, a damaged workspace, a full disk), never a traceback; exit 2 is for bugs."""

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
        except BrokenPipeError:
            # the reader went away (`stature top | head`): nothing more can be written there
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            click.echo("Error: the output was closed before everything was written (broken pipe).", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            if os.environ.get("STATURE_DEBUG"):
                raise
            message = _environment_error(exc, ctx)
            if message:
                click.echo(f"Error: {message}", err=True)
                sys.exit(1)
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
        """The workspace, opened (DuckDB is imported here, not when the CLI starts); says so while it waits."""
        from ..workspace import Workspace

        def waiting():
            click.echo(f"Waiting for the workspace {os.path.basename(self.workspace)}: another process is "
                       "using it...", err=True)
        return Workspace(self.workspace, read_only=read_only, waiting=waiting)

    def scoring_engine(self):
        """What ``--engine`` names, as the library's ``engine`` argument (a :class:`Spark` for spark)."""
        if self.engine == "spark":
            from ..analytics.spark_session import Spark
            return Spark(self.spark_master)
        return self.engine


def _environment_error(exc: Exception, ctx) -> str | None:
    """The ``Error:`` sentence for a failure of the environment rather than of Stature, else None."""
    import errno

    import duckdb

    from ..workspace.workspace import damaged, is_damage

    if is_damage(exc) and getattr(ctx, "obj", None) is not None:
        return str(damaged(ctx.obj.workspace, exc))
    if isinstance(exc, duckdb.OutOfMemoryException) or isinstance(exc, MemoryError):
        return "there is not enough memory for this command."
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full."
    if isinstance(exc, (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError)):
        return f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)
    return None


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
