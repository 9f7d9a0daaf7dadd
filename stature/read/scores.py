"""Stored scores: the latest per account, and one account's history."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timezone

from ..errors import StatureError
from ..rules.exclusions import node_visible


def parse_as_of(value) -> datetime | None:
    """A date or time (text, ``date`` or ``datetime``) as a naive UTC datetime; the end of the day for a date."""
    if value is None or isinstance(value, datetime) and value.tzinfo is None:
        return value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59))
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(23, 59, 59))
        return parse_as_of(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise StatureError(f"{value!r} is not a date: write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.") from None


def _has_scores(workspace) -> bool:
    return bool(workspace.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = 'score_runs'")[0][0])


def find_run(workspace, as_of=None) -> dict:
    """The stored run for ``as_of`` (the latest run on or before that moment), else the newest run."""
    if not _has_scores(workspace) or not workspace.sql("SELECT count(*) FROM score_runs")[0][0]:
        raise StatureError("This workspace holds no scores yet; run `stature score` first.")
    moment = parse_as_of(as_of)
    if moment is None:
        row = workspace.sql("SELECT run_id FROM score_runs ORDER BY computed_at DESC, run_id DESC LIMIT 1")
    else:
        row = workspace.sql("SELECT run_id FROM score_runs WHERE as_of <= ? ORDER BY as_of DESC, run_id DESC LIMIT 1",
                            [moment])
        if not row:
            raise StatureError(f"No score was computed as of {moment:%Y-%m-%d} or before; "
                               f"run `stature score --as-of {moment:%Y-%m-%d}`.")
    keys = ("run_id", "as_of", "window_days", "half_life_days", "computed_at", "engine", "accounts", "edges",
            "authority_iterations", "weights")
    run = dict(zip(keys, workspace.sql("SELECT * FROM score_runs WHERE run_id = ?", [row[0][0]])[0]))
    run["weights"] = json.loads(run["weights"]) if run["weights"] else {}
    return run


def best_scored(ws) -> list[dict]:
    """The latest run's highest-scored shown account, as ``[{network, account_id}]`` (empty when none)."""
    try:
        run = find_run(ws)
    except StatureError:
        return []
    rows = ws.sql(f"""SELECT network, account_id FROM scores s WHERE run_id = ? AND account_id IS NOT NULL
                      AND {node_visible('s.node_id')} ORDER BY exact DESC, node_id LIMIT 1""", [run["run_id"]])
    return [{"network": n, "account_id": a} for n, a in rows]


def latest_scores(ws) -> dict:
    """``(network, account_id) -> score`` of the shown accounts, from the latest score run (empty when
    nothing was scored)."""
    try:
        run = find_run(ws)
    except StatureError:
        return {}
    return {(n, a): s for n, a, s in ws.sql(
        f"""SELECT network, account_id, score FROM scores
            WHERE run_id = ? AND account_id IS NOT NULL AND {node_visible('node_id')}""", [run["run_id"]])}


def score_history(ws, node_id: str) -> list[dict]:
    """The node's stored scores over time (runs with the latest run's window), each with its components."""
    run = find_run(ws)
    rows = ws.sql("""SELECT r.as_of, s.score, s.low, s.high, c.component, c.contribution, c.percentile
                     FROM scores s JOIN score_runs r USING (run_id)
                     JOIN score_components c ON c.run_id = s.run_id AND c.node_id = s.node_id
                     WHERE s.node_id = ? AND r.window_days = ? ORDER BY r.as_of, c.component""",
                  [node_id, run["window_days"]])
    points: dict = {}
    for as_of, score_, low, high, component, contribution, percentile in rows:
        point = points.setdefault(as_of, {"as_of": as_of.isoformat(), "score": score_, "range": [low, high],
                                          "components": {}, "points": {}})
        point["components"][component] = contribution
        point["points"][component] = round(100 * percentile, 1)  # the stored column holds points / 100
    return list(points.values())
