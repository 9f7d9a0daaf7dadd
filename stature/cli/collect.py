"""``stature collect bluesky|mastodon``: the audience from the public APIs, into a log and the workspace."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from ..errors import StatureError
from .main import main, progress


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 time.",
                                 param_hint=name) from None
    if name == "--until" and len(value) == 10:  # a date alone: up to the end of that day
        t = t.replace(hour=23, minute=59, second=59, microsecond=999999)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _options(command):
    for option in reversed([
        click.option("--since", metavar="DATE", help="Posts from this date on (YYYY-MM-DD or ISO 8601, UTC)."),
        click.option("--until", metavar="DATE", help="Posts up to this date (a date alone: to the end of that day)."),
        click.option("--max-posts", type=click.IntRange(min=0), default=200, show_default=True,
                     help="Posts per account, newest first."),
        click.option("--max-followers", type=click.IntRange(min=0), default=5000, show_default=True,
                     help="Followers, and follows, per account."),
        click.option("--max-reactions", type=click.IntRange(min=0), default=1000, show_default=True,
                     help="Likers, reposters and quoters per post."),
        click.option("--depth", type=click.IntRange(0, 1), default=0, show_default=True,
                     help="1: also the accounts that engaged, lighter (profile and newest posts)."),
        click.option("--service", metavar="URL", help="The server to ask instead of the default."),
        click.option("--log", "log", metavar="PATH", type=click.Path(dir_okay=False),
                     help="The raw log (default: beside the workspace, WORKSPACE.NETWORK.jsonl). The same "
                          "log resumes an interrupted collect."),
        click.option("--fresh", is_flag=True, help="Fetch again what the log already holds."),
    ]):
        command = option(command)
    return command


@main.group()
def collect():
    """Collect the audience (who liked, reposted, quoted, replied and follows) from a public API.

    Every response is appended to a raw log, one JSON line each, and the workspace is filled by
    importing the log (`stature ingest LOG` rebuilds it with no network). Accounts on the exclusion
    list are never fetched; accounts that ask not to be indexed are kept only as far as your own
    interactions with them need.
    """


@collect.command()
@click.argument("handles", nargs=-1, required=True)
@_options
@click.pass_obj
def bluesky(options, handles, **kw):
    """Collect Bluesky accounts (HANDLE or DID) from the public AppView (--service for another)."""
    _run(options, "bluesky", handles, **kw)


@collect.command()
@click.argument("accounts", nargs=-1, required=True)
@_options
@click.pass_obj
def mastodon(options, accounts, **kw):
    """Collect Mastodon accounts (@user@server) from each account's server; #tag@server collects a hashtag."""
    _run(options, "mastodon", accounts, **kw)


def _run(options, network, targets, *, since, until, max_posts, max_followers, max_reactions, depth, service,
         log, fresh):
    from ..collect import Limits, collect as run_collect
    limits = Limits(since=_when(since, "--since"), until=_when(until, "--until"), max_posts=max_posts,
                    max_followers=max_followers, max_reactions=max_reactions, depth=depth)
    workspace = Path(options.workspace)
    log = Path(log) if log else workspace.with_name(f"{workspace.stem}.{network}.jsonl")
    with options.open() as ws:
        try:
            with progress(options, f"Collecting {network}", unit="req") as update:
                result = run_collect(ws, network, list(targets), log=log, service=service, limits=limits,
                                     fresh=fresh, progress=update)
        except KeyboardInterrupt:
            click.echo(f"Interrupted: the responses so far are kept in {log}; run the same command again to "
                       "resume without fetching them again.", err=True)
            sys.exit(130)
    s = result.summary
    for line in s.notes:
        click.echo(f"note: {line}", err=True)
    added = result.ingest.added if result.ingest else {}
    click.echo(f"Collected {len(s.accounts)} of {len(targets)} target(s) from {network}: {s.requests:,} requests "
               f"({s.retries:,} retried), {s.reused:,} answers reused from the log, {s.waited:.0f} s waited for "
               "rate limits and retries.")
    click.echo(f"Imported {log}: added {added.get('accounts', 0):,} accounts, {added.get('posts', 0):,} posts, "
               f"{added.get('interactions', 0):,} interactions, {added.get('lists', 0):,} list memberships.")
    if s.failed:
        raise StatureError("Not collected: " + "; ".join(s.failed))
