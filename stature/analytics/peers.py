"""Peers beside the score, never instead of it: where an account stands among accounts like it.

The score itself is absolute (the calibrated scale); these percentiles say where
it stands among the accounts of this workspace, among the accounts known for the
same topic (its most confident topic from ``stature classify``), and among a
goal's audience. Each is the share of those peers (the account itself left out)
whose exact score is lower, ties counting half.
"""
from __future__ import annotations

from ..rules.exclusions import node_visible


def _node_sql() -> str:
    return """SELECT coalesce(i.person_id, a.network || ':' || a.account_id) AS node_id, a.network, a.account_id
              FROM accounts a LEFT JOIN identities i ON i.network = a.network AND i.account_id = a.account_id"""


def _share(mine: float, others: list[float]) -> float:
    if not others:
        return 0.0
    below = sum(1 for x in others if x < mine) + 0.5 * sum(1 for x in others if x == mine)
    return below / len(others)


def _has_topics(workspace) -> bool:
    return bool(workspace.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account_topics'")
                [0][0]) and bool(workspace.sql("SELECT count(*) FROM account_topics")[0][0])


def peer_percentiles(workspace, run: dict, nodes: list[str], *, goal=None) -> dict[str, dict]:
    """node -> ``{"workspace": {...}, "topic": {...} or None, "goal": {...} or None}`` for a stored run.

    Each entry holds ``percentile`` (0-1) and ``peers`` (how many accounts it is
    compared with); ``topic`` also names the topic. ``goal`` is a goal file path or
    a loaded :class:`~stature.goals.Goal`.
    """
    run_id = run["run_id"]
    rows = workspace.sql(f"""SELECT s.node_id, s.exact FROM scores s WHERE s.run_id = ? AND {node_visible('s.node_id')}""",
                         [run_id])
    exact = dict(rows)
    ordered = sorted(exact.values())
    out: dict[str, dict] = {}
    import bisect
    for node in nodes:
        mine = exact.get(node)
        if mine is None:
            out[node] = {"workspace": None, "topic": None, "goal": None}
            continue
        below = bisect.bisect_left(ordered, mine)
        ties = bisect.bisect_right(ordered, mine) - below - 1  # the account itself left out
        others = len(ordered) - 1
        out[node] = {"workspace": {"percentile": (below + 0.5 * ties) / others if others else 0.0, "peers": others},
                     "topic": None, "goal": None}
    if _has_topics(workspace):
        _topic_peers(workspace, exact, nodes, out)
    if goal is not None:
        _goal_peers(workspace, exact, nodes, goal, out)
    return out


def _topic_peers(workspace, exact: dict, nodes: list[str], out: dict) -> None:
    main = workspace.sql(f"""
        WITH n AS ({_node_sql()})
        SELECT node_id, topic_id, name FROM (
            SELECT n.node_id, t.topic_id, coalesce(k.name, t.topic_id) AS name,
                   row_number() OVER (PARTITION BY n.node_id ORDER BY t.confidence DESC, t.topic_id) AS r
            FROM account_topics t JOIN n ON n.network = t.network AND n.account_id = t.account_id
            LEFT JOIN topics k ON k.topic_id = t.topic_id
            WHERE n.node_id IN (SELECT unnest(?::VARCHAR[]))) ranked
        WHERE r = 1""", [list(nodes)])
    if not main:
        return
    members: dict[str, set] = {}
    for topic_id, node in workspace.sql(f"""
            WITH n AS ({_node_sql()})
            SELECT DISTINCT t.topic_id, n.node_id FROM account_topics t
            JOIN n ON n.network = t.network AND n.account_id = t.account_id
            WHERE t.topic_id IN (SELECT unnest(?::VARCHAR[]))""", [[t for _, t, _ in main]]):
        members.setdefault(topic_id, set()).add(node)
    for node, topic_id, name in main:
        if node not in exact:
            continue
        others = [exact[m] for m in members.get(topic_id, ()) if m != node and m in exact]
        out[node]["topic"] = {"topic_id": topic_id, "name": name, "percentile": _share(exact[node], others),
                              "peers": len(others)}


def _goal_peers(workspace, exact: dict, nodes: list[str], goal, out: dict) -> None:
    from ..goals.audience import audience
    from ..goals.goalfile import load_goal

    if not hasattr(goal, "audience"):
        goal = load_goal(goal)
    members = audience(workspace, goal).members
    lookup = {}
    for node, network, account_id in workspace.sql(_node_sql()):
        if (network, account_id) in members:
            lookup[node] = True
    audience_nodes = [m for m in lookup if m in exact]
    for node in nodes:
        if node not in exact:
            continue
        others = [exact[m] for m in audience_nodes if m != node]
        out[node]["goal"] = {"name": getattr(goal, "name", None), "percentile": _share(exact[node], others),
                             "peers": len(others), "member": node in lookup}
