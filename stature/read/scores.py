"""Stored scores: the latest per account, and one account's history."""
from __future__ import annotations

from ..errors import StatureError
from ..rules.exclusions import node_visible


def latest_scores(ws) -> dict:
    """``(network, account_id) -> score`` of the shown accounts, from the latest score run (empty when
    nothing was scored)."""
    from ..analytics.score import find_run
    try:
        run = find_run(ws)
    except StatureError:
        return {}
    return {(n, a): s for n, a, s in ws.sql(
        f"""SELECT network, account_id, score FROM scores
            WHERE run_id = ? AND account_id IS NOT NULL AND {node_visible('node_id')}""", [run["run_id"]])}


def score_history(ws, node_id: str) -> list[dict]:
    """The node's stored scores over time (runs with the latest run's window), each with its components."""
    from ..analytics.score import find_run
    run = find_run(ws)
    rows = ws.sql("""SELECT r.as_of, s.score, s.low, s.high, c.component, c.contribution, c.percentile
                     FROM scores s JOIN score_runs r USING (run_id)
                     JOIN score_components c ON c.run_id = s.run_id AND c.node_id = s.node_id
                     WHERE s.node_id = ? AND r.window_days = ? ORDER BY r.as_of, c.component""",
                  [node_id, run["window_days"]])
    points: dict = {}
    for as_of, score_, low, high, component, contribution, percentile in rows:
        point = points.setdefault(as_of, {"as_of": as_of.isoformat(), "score": score_, "range": [low, high],
                                          "components": {}, "percentiles": {}})
        point["components"][component] = contribution
        point["percentiles"][component] = percentile
    return list(points.values())
