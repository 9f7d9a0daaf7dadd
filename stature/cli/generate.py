"""``stature generate``: write a seeded, realistic population of accounts to import, test and benchmark with."""
from __future__ import annotations

import click

from .main import echo_json, main, progress


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--accounts", type=click.IntRange(min=1), default=1000, show_default=True, help="How many accounts.")
@click.option("--posts-per-account", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Posts (originals, replies, quotes) per account, on average.")
@click.option("--follows-per-account", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Follows per account, on average.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same files.")
@click.option("--start", default="2024-01-01", show_default=True, help="First day of the posts (UTC).")
@click.option("--days", type=click.IntRange(min=1), default=120, show_default=True, help="Days of posts.")
@click.option("--json", "as_json", is_flag=True, help="Print the files and counts as JSON.")
@click.pass_obj
def generate(options, out_dir, accounts, posts_per_account, follows_per_account, seed, start, days, as_json):
    """Write a generated population of accounts to OUT_DIR: tweets (Twitter API v1.1 JSON lines), follows and
    likes, accounts and lists (CSV), and the ground truth (each account's interests and popularity).

    Import it with `stature ingest OUT_DIR`.
    """
    from ..generate import generate as run_generate

    with progress(options, "Generating") as update:
        result = run_generate(out_dir, accounts=accounts, posts_per_account=posts_per_account,
                              follows_per_account=follows_per_account, seed=seed, start=start, days=days,
                              progress=update)
    if as_json:
        echo_json(result)
        return
    for path in result["paths"].values():
        click.echo(path)
    n = result["counts"]
    click.echo(f"Generated {n['accounts']:,} accounts, {n['posts']:,} posts ({n['replies']:,} replies, "
               f"{n['quotes']:,} quotes), {n['reposts']:,} reposts, {n['follows']:,} follows, {n['likes']:,} likes, "
               f"{n['mentions']:,} mentions, {n['list_memberships']:,} list memberships. "
               f"Import them with: stature ingest {out_dir}")
