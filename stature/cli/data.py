"""Commands that bring data in and out: ingest, status, export, link."""
from __future__ import annotations

import click

from .main import echo_json, main, plural, progress


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", metavar="NAME", help="Read the files as this format instead of guessing.")
@click.option("--skip-bad", is_flag=True, help="List bad records and import the rest.")
@click.option("--include-direct", is_flag=True, help="Also import direct messages (left out by default).")
@click.option("--network", metavar="NAME", help="Network name for formats that do not say (CSV, edge lists).")
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@click.pass_obj
def ingest(options, paths, fmt, skip_bad, include_direct, network, as_json):
    """Import exports and dumps: X archives, Twitter API JSON, Mastodon and Bluesky exports, CSV.

    Each PATH is a file, a folder, a .zip or a .tar.gz; the format of each file is recognised
    from its name and content. One ingest is all or nothing; importing the same data again changes nothing.
    """
    from ..ingest import ingest as run_ingest

    with options.open() as ws:
        with progress(options, "Importing", unit="B") as update:
            report = run_ingest(ws, paths, format=fmt, skip_bad=skip_bad, include_direct=include_direct,
                                network=network, progress=update)
        if as_json:
            echo_json(report.to_dict())
            return
        imported = [f for f in report.files if f.status == "imported"]
        if len(imported) <= 20:
            for f in imported:
                added = ", ".join(f"{v:,} {k}" for k, v in f.added.items() if v)
                click.echo(f"imported  {f.format:<12} {f.path}  ({added or 'nothing new'})")
        else:
            formats = sorted({f.format for f in imported})
            click.echo(f"imported  {len(imported):,} files ({', '.join(formats)})")
        for f in report.files:
            if f.status == "failed":
                click.echo(f"failed    {f.format:<12} {f.error}")
            for line in f.skipped:
                click.echo(f"  skipped record: {line}", err=True)
        summary = {k: report.count(k) for k in ("imported", "unchanged", "unrecognised", "failed")}
        added = report.added
        click.echo(
            f"{summary['imported']} file(s) imported, {summary['unchanged']} unchanged, "
            f"{summary['unrecognised']} not recognised, {summary['failed']} failed; "
            f"added {added.get('accounts', 0):,} accounts, {added.get('posts', 0):,} posts, "
            f"{added.get('interactions', 0):,} interactions, {added.get('lists', 0):,} list memberships.")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def status(options, as_json):
    """What the workspace holds."""
    with options.open(read_only=True) as ws:
        info = ws.status()
    if as_json:
        echo_json(info)
        return
    click.echo(f"Workspace {info['workspace']}")
    click.echo(f"  accounts       {info['accounts']:>12,}")
    click.echo(f"  posts          {info['posts']:>12,}  ({info['replies']:,} replies)")
    for kind, n in info["interactions"].items():
        click.echo(f"  {plural(kind):<14} {n:>12,}")
    click.echo(f"  list members   {info['lists']:>12,}")
    click.echo(f"  linked people  {info['identities']:>12,}")
    for network, counts in info["networks"].items():
        click.echo(f"  [{network}] " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "gexf", "graphml"]), default="parquet",
              show_default=True)
@click.option("--include-private", is_flag=True,
              help="Also write followers-only posts and direct messages (left out by default).")
@click.argument("out", type=click.Path())
@click.pass_obj
def export(options, fmt, include_private, out):
    """Write the workspace to OUT: the canonical tables plus the graph's nodes and edges as Parquet or CSV files
    in the folder OUT, or the interaction graph as one GEXF (Gephi) or GraphML file, with scores, topics and
    communities as node attributes."""
    from ..exports import export as run_export
    with options.open(read_only=True) as ws, progress(options, "Exporting", unit="step") as update:
        written = run_export(ws, out, fmt, progress=update, include_private=include_private)
    for path in written:
        click.echo(str(path))


@main.command()
@click.argument("accounts", nargs=-1, required=True)
@click.pass_obj
def link(options, accounts):
    """Record that ACCOUNTS (NETWORK:HANDLE or NETWORK:ID) on different networks are one person."""
    with options.open() as ws:
        person = ws.link(list(accounts))
    click.echo(f"Linked {len(accounts)} accounts as one person ({person}).")
