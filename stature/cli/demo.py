"""``stature demo``: the whole pipeline on a generated community."""
from __future__ import annotations

import click

from ..demo import run_demo
from .main import echo_json, main, plural, progress


@main.command()
@click.option("--accounts", type=click.IntRange(min=20), default=400, show_default=True,
              help="How many accounts the generated community has.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def demo(options, accounts, seed, as_json):
    """Generate a sample community into the workspace, import it, score it and show what it holds."""
    with options.open() as ws, progress(options, "Demo") as update:
        result = run_demo(ws, accounts=accounts, seed=seed, progress=update)
    if as_json:
        echo_json(result)
        return
    s = result["status"]
    click.echo(f"Workspace {s['workspace']} now holds {s['accounts']:,} accounts, {s['posts']:,} posts "
               f"({s['replies']:,} replies) and "
               + ", ".join(f"{n:,} {plural(k)}" for k, n in s["interactions"].items() if n)
               + f", {s['lists']:,} list memberships.")
    click.echo("\nMost influential accounts:")
    for r in result["top"]:
        parts = ", ".join(f"{c} {v['contribution']:.0f}" for c, v in r["components"].items() if v)
        click.echo(f"  {r['rank']:>2}. {r['handle'] or r['account_id']:<24} {r['score']:>3}  ({parts})")
    w = f"--workspace {s['workspace']} "
    click.echo(f"\nNext: `stature {w}top`, `stature {w}explain {result['top'][0]['handle']}`.")
