"""Commands for the influence score: score, top, explain, exclude, unexclude."""
from __future__ import annotations

import click

from ..rules.decay import DEFAULT_WINDOW_DAYS
from .main import echo_json, main, progress


@main.command()
@click.option("--as-of", metavar="DATE", help="Score as of this date (default: the newest post or interaction).")
@click.option("--window", "window", type=click.FloatRange(min=1), default=DEFAULT_WINDOW_DAYS, show_default=True,
              metavar="DAYS", help="How many days before --as-of count, fading with age.")
@click.pass_obj
def score(options, as_of, window):
    """Compute every account's influence score and store it (with its history by --as-of date)."""
    from ..analytics import score as compute_score

    with options.open() as ws, progress(options, "Scoring", unit="step") as update:
        run = compute_score(ws, as_of=as_of, window_days=window, engine=options.scoring_engine(), progress=update)
    click.echo(f"Scored {run.scored:,} of {run.accounts:,} accounts as of {run.as_of:%Y-%m-%d %H:%M} "
               f"({run.window_days:g}-day window, {run.edges:,} graph edges, authority converged in "
               f"{run.authority_iterations} iterations). See `stature top`.")
    if run.coverage:
        click.echo("Note: " + run.coverage["line"])


@main.command()
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many accounts; 0 for every account.")
@click.option("--as-of", metavar="DATE", help="Show the stored score as of this date (default: the latest run).")
@click.option("--goal", "goal", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also show each account's percentile within this goal's audience.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_obj
def top(options, limit, as_of, goal, as_json):
    """The most influential accounts: score (calibrated 1-100), range, percentile here, each component's share."""
    from ..analytics import top as top_accounts

    with options.open(read_only=True) as ws:
        rows = top_accounts(ws, limit=limit, as_of=as_of, goal=goal)
    if as_json:
        echo_json(rows)
        return
    header = f"{'rank':>4}  {'score':>5}  {'range':>7}  {'here':>4}  {'account':<28} " + " ".join(
        f"{c[:6]:>6}" for c in ("audience", "amplification", "conversation", "authority", "recognition"))
    click.echo(header)
    for r in rows:
        name = f"{r['handle'] or r['account_id']} ({r['network']})"
        parts = " ".join(f"{r['components'][c]['contribution']:>6.1f}" if r["components"][c] else f"{'-':>6}"
                         for c in ("audience", "amplification", "conversation", "authority", "recognition"))
        here = r["peers"]["workspace"]
        pct = f"{int(here['percentile'] * 100 + 1e-9):>3}%" if here else f"{'-':>4}"
        click.echo(f"{r['rank']:>4}  {r['score']:>5}  {r['range'][0]:>3}-{r['range'][1]:<3}  {pct}  {name[:28]:<28} "
                   f"{parts}")


@main.command()
@click.argument("account")
@click.option("--as-of", metavar="DATE", help="Explain the stored score as of this date (default: the latest run).")
@click.option("--goal", "goal", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also show its percentile within this goal's audience.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def explain(options, account, as_of, goal, as_json):
    """Why ACCOUNT ([NETWORK:]HANDLE or ID) has its score: what raised it, what held it back, its peers."""
    from ..analytics import explain as explain_account

    with options.open(read_only=True) as ws:
        report = explain_account(ws, account, as_of=as_of, goal=goal)
    if as_json:
        echo_json(report)
        return
    for line in report["lines"]:
        click.echo(line)
    if len(report["history"]) > 1:
        click.echo("History: " + ", ".join(f"{h['as_of'][:10]} {h['score']}" for h in report["history"]) + ".")


@main.command()
@click.argument("account")
@click.pass_obj
def exclude(options, account):
    """Never score, rank or show ACCOUNT (its interactions still count for others)."""
    from ..analytics import exclude as exclude_account

    with options.open() as ws:
        network, account_id = exclude_account(ws, account)
    click.echo(f"Excluded {network}:{account_id}; its stored scores were removed.")


@main.command()
@click.argument("account")
@click.pass_obj
def unexclude(options, account):
    """Take ACCOUNT off the exclusion list; the next `stature score` scores it again."""
    from ..analytics import include as include_account

    with options.open() as ws:
        network, account_id = include_account(ws, account)
    click.echo(f"{network}:{account_id} is no longer excluded; run `stature score` to score it.")
