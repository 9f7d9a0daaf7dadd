"""Goal and connection commands: goal check, connect."""
from __future__ import annotations

import json

import click

from ..rules.accounts import who as _who
from .main import echo_json, main, progress

_BARS = " ▁▂▃▄▅▆▇█"


@main.group()
def goal():
    """Goals: what a presence is for (a TOML file; see docs/goals.md) and how it is doing."""


@goal.command("check")
@click.argument("goal_file", metavar="GOAL", type=click.Path(dir_okay=False))
@click.option("--account", metavar="HANDLE", help="The account to check (default: the goal's `account`, else "
                                                  "the workspace's one author).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@click.pass_obj
def check(options, goal_file, account, as_json):
    """Is the account serving GOAL? Progress by week, topic fit, audience share, the posts that moved it most
    and least, and what to do next."""
    from ..goals import check_goal, load_goal

    spec = load_goal(goal_file)
    with options.open(read_only=True) as ws, progress(options, "Checking the goal", unit="step") as update:
        result = check_goal(ws, spec, account=account, progress=update)
    if as_json:
        echo_json(result)
        return
    for line in render_check(result):
        click.echo(line)


@main.command()
@click.argument("handle", required=False)
@click.option("--goal", "goal_file", metavar="GOAL", type=click.Path(dir_okay=False),
              help="Pull suggestions toward this goal's topics and audience.")
@click.option("--top", type=click.IntRange(min=1, max=1000), default=10, show_default=True,
              help="How many suggestions.")
@click.option("--accounts", "accounts_file", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help="Suggest for every account in FILE (one [network:]id or handle a line; - for stdin) "
                   "instead of HANDLE: one JSON line per account.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with --accounts: JSON lines).")
@click.pass_obj
def connect(options, handle, goal_file, top, accounts_file, as_json):
    """Whom HANDLE should connect with, and who can introduce them (after Twitter's Who-to-Follow)."""
    from ..goals import connect as find_connections, connect_batch, load_goal, load_network

    if bool(handle) == bool(accounts_file):
        raise click.UsageError("Give either HANDLE or --accounts FILE.")
    spec = load_goal(goal_file) if goal_file else None
    with options.open(read_only=True) as ws:
        with progress(options, "Loading the graph", unit="step") as update:
            net = load_network(ws, progress=update)
        if accounts_file:
            specs = accounts_file.read().splitlines()
            with progress(options, "Suggesting", unit="account") as update:
                for row in connect_batch(ws, specs, goal=spec, top=top, net=net, progress=update):
                    if as_json:
                        click.echo(json.dumps(row, ensure_ascii=False))
                    elif "error" in row:
                        click.echo(f"{row['account_id']}\terror: {row['error']}")
                    else:
                        shown = ", ".join(f"{s['account_id']} ({s['score']:.3f})" for s in row["suggestions"])
                        click.echo(f"{row['network']}:{row['account_id']}\t{shown or '-'}")
            return
        result = find_connections(ws, handle, goal=spec, top=top, net=net)
    if as_json:
        echo_json(result)
        return
    for line in render_connect(result):
        click.echo(line)


# ---------------------------------------------------------------- rendering


def _short(text: str, width: int = 100) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_connect(result: dict) -> list[str]:
    me = _who(result["account"])
    goal = f" toward the goal {result['goal']!r}" if result["goal"] else ""
    if not result["suggestions"]:
        return [f"No suggestions for {me}{goal}: the workspace holds nobody in reach that it is not already "
                "connected with."]
    lines = [f"Whom {me} could connect with{goal} (circle of trust: {result['circle_of_trust']} accounts):"]
    for s in result["suggestions"]:
        name = _who(s) + (f" ({s['display_name']})" if s.get("display_name") else "")
        fit = f", goal fit {s['goal_fit']:.2f}" if s.get("goal_fit") is not None else ""
        lines.append(f"{s['rank']:>3}. {name}  score {s['score']:.3f}{fit}")
        for reason in s["why"]:
            lines.append(f"       - {reason}")
        for path in s["paths"]:
            via = " → ".join(_who(a) for a in path["through"])
            lines.append(f"       introduction via {via}: {'; then '.join(path['steps'])}")
    return lines


def render_check(r: dict) -> list[str]:
    g, o, fit = r["goal"], r["outcomes"], r["topic_fit"]
    lines = [f"Goal: {g['name']}  ({g['file']})"]
    if g["purpose"]:
        lines.append(f"  {g['purpose']}")
    w = r["window"]
    lines.append(f"Account {_who(r['account'])} ({r['account']['network']}), {w['start'][:10]} to {w['end'][:10]} "
                 f"({w['weeks']} weeks)")
    a = r["audience"]
    by = ", ".join(f"{n} by {k.replace('_', ' ')}" for k, n in a["by"].items() if n)
    lines.append(f"Audience: {a['members']} accounts in the workspace" + (f" ({by})" if by else ""))
    lines.append("")
    t = o["totals"]
    trend = o["trend"]
    lines.append(f"Progress: goal value {o['value']:g} over the window, {trend['direction']}"
                 + (f" ({trend['earlier']:.2f} a week in the earlier half, {trend['later']:.2f} in the later)"
                    if trend["earlier"] is not None else "") + ".")
    lines.append("  " + " · ".join(f"{k.replace('_', ' ')} {'unknown' if v is None else v}" for k, v in t.items()))
    values = [wk["value"] for wk in r["progress"]]
    top = max(values, default=0) or 1
    lines.append("  weekly value: " + "".join(_BARS[min(8, round(8 * v / top))] for v in values))
    busy = [wk for wk in r["progress"] if wk["posts"] or wk["value"]]
    if busy:
        lines.append(f"  {'week':<9} {'posts':>5} {'on goal':>7} {'value':>6}")
        for wk in busy[-12:]:
            lines.append(f"  {wk['week']:<9} {wk['posts']:>5} {wk['on_topic_posts']:>7} {wk['value']:>6g}")
        if len(busy) > 12:
            lines.append(f"  ({len(busy) - 12} earlier active weeks in --json)")
    lines.append("")
    if fit["posts"]:
        topics = ", ".join(f"{x['topic']} {x['posts']}" for x in fit["by_topic"])
        lines.append(f"Topic fit: {fit['on_topic']} of {fit['posts']} posts ({100 * fit['share']:.0f}%) are on the "
                     f"goal's topics" + (f" ({topics})" if topics else "") + ".")
        if fit["off_topic"]:
            lines.append("  The others are mostly about " + ", ".join(f"{x['topic']} ({x['posts']})"
                                                                       for x in fit["off_topic"]) + ".")
    share = r["audience_share"]
    if share["share"] is None:
        lines.append("Reactions from the audience: unknown; the data names nobody who reacted in the window.")
    else:
        lines.append(f"Reactions from the audience: {share['from_audience']} of {share['reactions']} "
                     f"({100 * share['share']:.0f}%).")
    for title, key in (("Posts that moved the goal most:", "most"), ("Posts that moved it least:", "least")):
        if r["posts"][key]:
            lines.append(title)
            for p in r["posts"][key]:
                reach = f", reached {p['reached_count']} in the audience" if p["reached_count"] else ""
                topic = "on goal topics" if p["on_goal_topics"] else "off the goal's topics"
                lines.append(f"  {p['created_at'][:10]}  value {p['value']:g}, {p['reactions']} reactions, "
                             f"{topic}{reach}: {_short(p['text'])}")
    lines.append("")
    s = r["suggestions"]
    lines.append("Suggestions:")
    for x in s["topics"]:
        lines.append(f"  Post more on {x['topic']}: {x['why']}.")
    for p in s["people"]:
        lines.append(f"  Talk with {_who({'handle': p['handle'], 'network': r['account']['network'], 'account_id': p['account_id']})}"
                     f" ({p['source']}): {p['why']}.")
    times = s["times"]
    if times["hours"]:
        hours = ", ".join(f"{h['hour']:02d}:00" for h in times["hours"])
        days = ", ".join(d["day"] for d in times["days"])
        lines.append(f"  Post around {hours} UTC, best on {days}: {times['basis']}.")
    if r["notes"]:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  - {n}" for n in r["notes"])
    return lines
