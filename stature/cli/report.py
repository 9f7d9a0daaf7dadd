"""Surfaces: report (one HTML file), serve (the dashboard), communities."""
from __future__ import annotations

import click

from ..rules.accounts import who as _who
from .main import echo_json, main, progress


@main.command()
@click.option("--account", metavar="HANDLE", help="The account to report on (default: the goal's account, the only "
                                                  "author, else the top-ranked account).")
@click.option("--goal", "goal_file", metavar="GOAL", type=click.Path(dir_okay=False),
              help="Add this goal's progress and pull the suggested connections toward it.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False), default="report.html",
              show_default=True, help="Where to write the report.")
@click.option("--include-private", is_flag=True,
              help="Also show followers-only posts and direct messages (left out by default).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@click.pass_obj
def report(options, account, goal_file, output, include_private, as_json):
    """Write one self-contained HTML report (opens offline): the score over time and its breakdown, topics with
    evidence, who amplifies the account and whom it amplifies, goal progress, connections, and the community."""
    from ..goals import load_goal
    from ..report import write_report

    goal = load_goal(goal_file) if goal_file else None
    with options.open(read_only=True) as ws, progress(options, "Writing the report", unit="step") as update:
        info = write_report(ws, output, account=account, goal=goal, progress=update, include_private=include_private)
    if as_json:
        echo_json(info)
        return
    about = f" on {_who(info['account'])}" if info["account"] else ""
    click.echo(f"Wrote the report{about} to {info['path']} ({info['bytes'] / 1024:,.0f} KB; "
               f"sections: {', '.join(info['sections'])}).")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but a loopback address requires the token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--token", metavar="TOKEN", envvar="STATURE_TOKEN",
              help="The token to require (default off loopback: a new one, printed).")
@click.option("--goal", "goal_file", metavar="GOAL", type=click.Path(dir_okay=False),
              help="Show this goal's progress on account pages.")
@click.option("--include-private", is_flag=True,
              help="Also show followers-only posts and direct messages (loopback only; left out by default).")
@click.pass_obj
def serve(options, host, port, token, goal_file, include_private):
    """Serve a read-only dashboard over the workspace, with a search and a JSON API (/openapi.json)."""
    from ..goals import load_goal
    from ..web import make_server

    goal = load_goal(goal_file) if goal_file else None
    server, app = make_server(options.workspace, host=host, port=port, token=token, goal=goal,
                              include_private=include_private)
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"Serving {options.workspace} at http://{shown}:{bound_port}/ (read-only; Ctrl-C stops).")
    if app.token:
        click.echo(f"Token: {app.token}  (send `Authorization: Bearer TOKEN`, or open "
                   f"http://{shown}:{bound_port}/?token={app.token} once)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@main.command()
@click.option("--resolution", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Above 1: more, smaller communities; below 1: fewer, larger.")
@click.option("--method", type=click.Choice(["louvain", "leiden"]), default="louvain", show_default=True,
              help="Louvain (igraph's multilevel) or Leiden (communities guaranteed connected).")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same communities.")
@click.option("--json", "as_json", is_flag=True, help="Print the largest communities as JSON.")
@click.pass_obj
def communities(options, resolution, method, seed, as_json):
    """Find the communities of the interaction graph (Louvain or Leiden) and store them for the report and the exports."""
    from ..analytics.communities import communities as community_summary, detect_communities

    with options.open() as ws:
        with progress(options, "Finding communities", unit="step") as update:
            found = detect_communities(ws, method=method, resolution=resolution, seed=seed, progress=update)
        summary = community_summary(ws, limit=10)
    if as_json:
        echo_json({**found, "largest": summary["communities"]})
        return
    click.echo(f"Found {found['communities']:,} communities among {found['accounts']:,} connected accounts "
               f"(modularity {found['modularity']:.2f}).")
    for c in summary["communities"]:
        names = ", ".join(_who(m) for m in c["members"][:4])
        topics = ", ".join(t["topic"] for t in c["topics"])
        click.echo(f"  {c['community']:>3}. {c['size']:>6,} accounts  {names}" + (f"  ({topics})" if topics else ""))
