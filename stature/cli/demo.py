"""``stature demo``: the whole pipeline on a generated population, in its own workspace, and its report."""
from __future__ import annotations

import os

import click

from .main import echo_json, main, plural, progress


@main.command()
@click.option("--accounts", type=click.IntRange(min=20), default=400, show_default=True,
              help="How many accounts the generated population has.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False), default="stature-report.html",
              show_default=True, help="Where to write the report.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def demo(options, accounts, seed, output, as_json):
    """Generate a sample population into its own workspace, run the whole pipeline (scores with a history,
    topics, communities) and write the report.

    The demo's workspace is ./stature-demo.duckdb, made afresh each run, unless --workspace or
    STATURE_WORKSPACE names another; your own workspace (./stature.duckdb) is never touched."""
    from ..demo import DEMO_WORKSPACE, run_demo

    named = click.get_current_context().find_root().params.get("workspace") or os.environ.get("STATURE_WORKSPACE")
    if not named:
        options = type(options)(DEMO_WORKSPACE, options.engine, options.quiet, options.spark_master)
        for stale in (DEMO_WORKSPACE, DEMO_WORKSPACE + ".wal"):
            if os.path.exists(stale):
                os.remove(stale)
    with options.open() as ws, progress(options, "Demo") as update:
        result = run_demo(ws, accounts=accounts, seed=seed, report=output, progress=update)
    if as_json:
        echo_json(result)
        return
    s = result["status"]
    click.echo(f"Demo workspace: {s['workspace']}" + ("" if named else " (your own workspace is untouched)"))
    click.echo(f"Workspace {s['workspace']} now holds {s['accounts']:,} accounts, {s['posts']:,} posts "
               f"({s['replies']:,} replies) and "
               + ", ".join(f"{n:,} {plural(k)}" for k, n in s["interactions"].items() if n)
               + f", {s['lists']:,} list memberships.")
    t, c = result["topics"], result["communities"]
    click.echo(f"Scored as of {', '.join(result['history'])} and {result['score_run']['as_of']:%Y-%m-%d}; "
               f"{t['accounts']:,} accounts are known for {t['account_topics']:,} topics; "
               f"{c['communities']:,} communities (modularity {c['modularity']:.2f}).")
    click.echo("\nMost influential accounts:")
    for r in result["top"]:
        parts = ", ".join(f"{c} {v['contribution']:.0f}" for c, v in r["components"].items() if v)
        click.echo(f"  {r['rank']:>2}. {r['handle'] or r['account_id']:<24} {r['score']:>3}  ({parts})")
    click.echo(f"\nReport: {result['report']['path']}  (open it in a browser; it works offline)")
    w = f"--workspace {s['workspace']} "
    click.echo(f"Next: `stature {w}serve`, `stature {w}explain {result['top'][0]['handle']}`.")
