"""Why an account has the score it has: each component in words and numbers, what raised it, what held it back."""
from __future__ import annotations

import math

from ..errors import StatureError
from ..rules.identities import NODE_OF_ACCOUNT, node_id
from .calibration import MEDIAN_POINTS, curve
from .peers import peer_percentiles
from .relational import COMPONENTS
from .score import FEATURE_COLUMNS, find_run, visible_filter, window_advice

LEVELS = {
    "graph": "the full interaction graph (follows, reposts or likes as well as posts)",
    "posts": "posts and the replies and mentions in them, without follows or reposts",
    "statistics": "account statistics only (counts of followers, lists, mentions and reposts)",
    "none": "no data about this account beyond its name",
}


def explain(workspace, spec: str, *, as_of=None, goal=None) -> dict:
    """The stored score of the account ``spec`` ([network:]handle or id), taken apart.

    Beside the score, its percentiles among peers (:func:`.peers.peer_percentiles`):
    in this workspace, among accounts known for its main topic, and within
    ``goal``'s audience when a goal (a :class:`~stature.goals.Goal` or a goal file) is given.
    """
    run = find_run(workspace, as_of)
    network, account_id = workspace.find_account(spec)
    node = workspace.sql(NODE_OF_ACCOUNT, {"n": network, "a": account_id})[0][0]
    row = workspace.sql(f"""
        SELECT s.handle, s.network, s.account_id, s.score, s.exact, s.low, s.high, s.data_level,
               (SELECT count(*) FROM scores o WHERE o.run_id = s.run_id AND o.exact > s.exact) + 1,
               (SELECT count(*) FROM scores o WHERE o.run_id = s.run_id)
        FROM scores s WHERE s.run_id = ? AND s.node_id = ? AND {visible_filter('s')}""", [run["run_id"], node])
    if not row:
        raise StatureError(f"{spec!r} has no score as of {run['as_of']:%Y-%m-%d}: it is on the exclusion list "
                           "or was added after that run; run `stature score`.")
    handle, net, acc, score, exact, low, high, level, rank, population = row[0]
    features = dict(zip(FEATURE_COLUMNS, workspace.sql(
        f"SELECT {', '.join(FEATURE_COLUMNS)} FROM score_features WHERE run_id = ? AND node_id = ?",
        [run["run_id"], node])[0]))
    parts = {c: {"value": v, "percentile": p, "weight": w, "contribution": x} for c, v, p, w, x in workspace.sql(
        "SELECT component, value, percentile, weight, contribution FROM score_components "
        "WHERE run_id = ? AND node_id = ?", [run["run_id"], node])}
    shown = _shares(score - 1, [parts[c]["contribution"] for c in COMPONENTS])
    components = []
    for component, share in zip(COMPONENTS, shown):
        p = parts[component]
        median, _, reference = curve(component, net)
        components.append({"component": component, "value": p["value"], "points": round(100 * p["percentile"], 1),
                           "percentile": p["percentile"], "weight": p["weight"], "contribution": share,
                           "exact_contribution": p["contribution"], "reference": reference,
                           "measured": _measured(component, features, level, run["edges"]),
                           "most": math.ceil(99 * p["weight"] * 10 - 1e-9) / 10, "evidence": _evidence(component, features)})
    missing = [c["component"] for c in components if not c["measured"]]
    raised = sorted((c for c in components if c["measured"] and c["points"] >= MEDIAN_POINTS),
                    key=lambda c: -c["exact_contribution"])
    held = sorted((c for c in components if c["measured"] and c["points"] < MEDIAN_POINTS),
                  key=lambda c: -(c["most"] - c["exact_contribution"]))
    supporters = _supporters(workspace, run["run_id"], node)
    peers = peer_percentiles(workspace, run, [node], goal=goal)[node]
    advice = window_advice(workspace, run, node) if level in ("statistics", "none") else None
    history = [{"as_of": a.isoformat(), "window_days": w, "score": s} for a, w, s in workspace.sql(
        "SELECT r.as_of, r.window_days, s.score FROM scores s JOIN score_runs r USING (run_id) "
        "WHERE s.node_id = ? ORDER BY r.as_of, r.window_days", [node])]
    return {
        "account": {"node_id": node, "network": net, "account_id": acc, "handle": handle},
        "as_of": run["as_of"].isoformat(), "window_days": run["window_days"],
        "score": score, "exact": exact, "range": [low, high], "rank": rank, "population": population,
        "data": level, "data_description": LEVELS[level], "base": 1, "components": components,
        "raised": [c["component"] for c in raised], "held_back": [c["component"] for c in held],
        "not_measured": missing, "amplifiers": supporters["amplifier"], "repliers": supporters["replier"],
        "mentioners": supporters["mentioner"],
        "features": features, "history": history, "peers": peers, "window": advice,
        "range_basis": _range_basis(level),
        "lines": _lines(handle or acc, score, low, high, rank, population, level, raised, held, missing,
                        supporters, peers, advice, net),
    }


def _measured(component: str, f: dict, level: str, edges: int) -> bool:
    """Whether the data says anything about this component for this account (else it counts 0, unmeasured)."""
    if component == "audience":
        return f["followers_stat"] is not None or bool(f["engagers"])
    if component == "amplification":
        return bool(f["posts"] or f["amplifiers"]) or f["reposts_stat"] is not None
    if component == "conversation":
        return bool(f["posts"] or f["repliers"] or f["mentioners"]) or f["mentions_stat"] is not None
    if component == "authority":
        return bool(edges) and level in ("graph", "posts")
    return f["listed_stat"] is not None or bool(f["lists"])


def _range_basis(level: str) -> str:
    if level in ("graph", "posts"):
        return ("90% range from resampling its posts and the accounts that engage it (a Poisson bootstrap, "
                "worked out in closed form)")
    return "90% range taking each account statistic as uncertain by a factor of two (no activity to resample)"


def _shares(total: int, exact: list[float]) -> list[float]:
    """Contributions rounded to tenths that add up exactly to ``total`` (largest remainders)."""
    whole = sum(exact)
    if total <= 0 or whole <= 0:
        return [0.0] * len(exact)
    scaled = [x * total * 10 / whole for x in exact]
    tenths = [int(s) for s in scaled]
    for i in sorted(range(len(scaled)), key=lambda i: tenths[i] - scaled[i])[:total * 10 - sum(tenths)]:
        tenths[i] += 1
    return [t / 10 for t in tenths]


def _n(x) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() or x >= 100 else f"{x:,.2f}"


def _evidence(component: str, f: dict) -> str:
    if component == "audience":
        said = f"{_n(f['followers_stat'])} followers stated" if f["followers_stat"] is not None else None
        seen = f"{_n(f['followers_seen'])} followers and {_n(f['engagers'])} engaging accounts seen in the data"
        return "; ".join(x for x in (said, seen) if x)
    if component == "amplification":
        text = (f"{_n(f['amplifiers'])} accounts reposted or quoted it {_n(f['amplifications'])} times; "
                f"{_n(f['amplified_posts'])} of its {_n(f['posts'])} posts were amplified, "
                f"{_n(f['unamplified_posts'])} drew no amplification")
        if f["amplified_posts"] and not f["amplifiers"]:  # reposts the platform counted, by nobody named
            text += " (reposts the platform counted; the data does not name who made them)"
        if f["reposts_stat"] is not None:
            text += f"; reposts received stated as {_n(f['reposts_stat'])}"
        return text
    if component == "conversation":
        text = (f"{_n(f['repliers'])} accounts replied {_n(f['replies'])} times to {_n(f['replied_posts'])} posts "
                f"(deepest thread {_n(f['max_depth'])} replies), {_n(f['unreplied_posts'])} posts drew no reply; "
                f"{_n(f['mentioners'])} accounts mentioned it")
        if f["mentions_stat"] is not None:
            text += f"; mentions received stated as {_n(f['mentions_stat'])}"
        return text
    if component == "authority":
        return (f"standing {_n(f['authority'])} from the accounts that engage it (each counted by its own "
                "audience and standing, shared over whom it engages)")
    said = f"listed {_n(f['listed_stat'])} times (stated); " if f["listed_stat"] is not None else ""
    return f"{said}on {_n(f['lists'])} lists seen in the data"


def _supporters(workspace, run_id: int, node: str) -> dict:
    out = {"amplifier": [], "replier": [], "mentioner": []}
    for role, supporter, handle, network, account_id, credit, events in workspace.sql(f"""
            SELECT p.role, p.supporter, d.handle, d.network, d.account_id, p.credit, p.events
            FROM score_supporters p
            LEFT JOIN (SELECT {node_id('i.person_id', 'a.network', 'a.account_id')} AS node_id,
                              min(a.handle) AS handle, min(a.network) AS network, min(a.account_id) AS account_id
                       FROM accounts a LEFT JOIN identities i ON i.network = a.network AND i.account_id = a.account_id
                       GROUP BY 1) d ON d.node_id = p.supporter
            WHERE p.run_id = ? AND p.node_id = ? AND {visible_filter('p').replace('p.node_id', 'p.supporter')}
            ORDER BY p.role, p.credit DESC, p.supporter""", [run_id, node]):
        out[role].append({"node_id": supporter, "handle": handle, "network": network, "account_id": account_id,
                          "credit": credit, "events": events})
    return out


def _pct(share: float) -> str:
    """A share as a whole percentage, rounded down (99.9% is not "100%")."""
    return f"{math.floor(share * 100 + 1e-9)}%"


def _peer_line(peers: dict) -> str:
    parts = []
    here = peers.get("workspace")
    if here:
        parts.append(f"ahead of {_pct(here['percentile'])} of the {here['peers']:,} other accounts in this workspace")
    topic = peers.get("topic")
    if topic and topic["peers"]:
        parts.append(f"of {_pct(topic['percentile'])} of the {topic['peers']:,} others known for {topic['name']}")
    elif topic:
        parts.append(f"the only account known for {topic['name']} here")
    goal = peers.get("goal")
    if goal:
        parts.append(f"of {_pct(goal['percentile'])} of the {goal['peers']:,} in the goal's audience")
    return "Peers: " + "; ".join(parts) + "." if parts else ""


def _lines(name, score, low, high, rank, population, level, raised, held, missing, supporters, peers, advice,
           network) -> list[str]:
    lines = [f"{name} scores {score} of 100 on the calibrated scale (90% range {low}-{high}), rank {rank} of "
             f"{population} here, from {LEVELS[level]}."]
    peer = _peer_line(peers)
    if peer:
        lines.append(peer)
    for title, group in (("Raised it (at or above the reference median)", raised),
                         ("Held it back (below the reference median)", held)):
        if group:
            lines.append(f"{title}:")
        for c in group:
            lines.append(f"  {c['component']:<13} +{c['contribution']:>4.1f} of {c['most']:.1f}  "
                         f"({c['points']:.0f} points; {MEDIAN_POINTS:.0f} is the {c['reference']} reference median): "
                         f"{c['evidence']}")
    if missing:
        lines.append(f"Not measured for this account (no data, counts 0): {', '.join(missing)}.")
    if advice:
        lines.append(advice["line"])
    for role, title in (("amplifier", "Biggest amplifiers"), ("replier", "Most engaged repliers"),
                        ("mentioner", "Mentioned most by")):
        if supporters[role]:
            names = ", ".join(f"{s['handle'] or s['account_id']} ({s['events']}x)" for s in supporters[role])
            lines.append(f"{title}: {names}.")
    return lines
