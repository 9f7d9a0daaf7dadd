"""Compute, store and read influence scores, with their history by ``as_of`` date."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..errors import StatureError
from ..read.scores import find_run, parse_as_of  # noqa: F401  (handed on)
from ..rules.decay import DEFAULT_WINDOW_DAYS
from ..rules.exclusions import node_visible
from .engine import Progress, compute, open_engine
from .relational import COMPONENT_WEIGHTS, COMPONENTS, Params

FEATURE_COLUMNS = ("followers_stat", "listed_stat", "mentions_stat", "reposts_stat", "followers_seen", "engagers",
                   "posts", "amplified_posts", "unamplified_posts", "amplifiers", "amplifications", "replied_posts",
                   "unreplied_posts", "repliers", "replies", "max_depth", "mentioners", "lists", "authority")


@dataclass(frozen=True)
class ScoreRun:
    run_id: int
    as_of: datetime
    window_days: float
    accounts: int
    scored: int
    edges: int
    authority_iterations: int
    coverage: dict | None = None  # accounts scored from statistics whose data lies before the window


def latest_activity(workspace) -> datetime | None:
    """The newest post or interaction time in the workspace."""
    return workspace.sql("""SELECT greatest((SELECT max(created_at) FROM posts),
                                            (SELECT max(time) FROM interactions))""")[0][0]


def score(workspace, *, as_of=None, window_days: float = DEFAULT_WINDOW_DAYS, half_life_days: float | None = None,
          engine="duckdb", progress: Progress | None = None) -> ScoreRun:
    """Score every account in ``workspace`` as of a date and store the run.

    ``as_of`` defaults to the newest post or interaction (so an old export is
    scored as of its own time, not today); the window is the ``window_days``
    before it. A run for the same date and window replaces the earlier one;
    other dates stay, as the history. ``engine`` is where the steps run:
    ``"duckdb"``, ``"spark"`` or a :class:`~stature.analytics.spark_session.Spark`
    (see :func:`.engine.open_engine`); both give the same scores.
    """
    if not window_days > 0:
        raise StatureError(f"The window must be a positive number of days, not {window_days}.")
    moment = parse_as_of(as_of) or latest_activity(workspace) or datetime.now(timezone.utc).replace(tzinfo=None)
    params = Params(moment, float(window_days), half_life_days)
    with open_engine(workspace, engine) as runner:
        info = compute(runner, params, progress)
        with workspace.transaction() as con:
            run = _store(con, params, info, runner.name)
    stored = {"run_id": run.run_id, "as_of": run.as_of, "window_days": run.window_days}
    return ScoreRun(**{**run.__dict__, "coverage": window_advice(workspace, stored)})


def _store(con, params: Params, info: dict, engine_name: str) -> ScoreRun:
    old = [r for (r,) in con.execute("SELECT run_id FROM score_runs WHERE as_of = ? AND window_days = ?",
                                     [params.as_of, params.window_days]).fetchall()]
    for table in ("scores", "score_components", "score_features", "score_supporters", "score_runs"):
        con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [old])
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM score_runs").fetchone()[0]
    weights = dict(COMPONENT_WEIGHTS)
    con.execute("INSERT INTO score_runs VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?)",
                [run_id, params.as_of, params.window_days, params.half_life, engine_name, info["accounts"],
                 info["edges"], info["authority_iterations"], json.dumps(weights)])
    con.execute(f"""INSERT INTO scores SELECT {run_id}, node_id, network, account_id, handle, score, exact,
                    low, high, data_level FROM final_scores""")
    con.execute(f"""INSERT INTO score_components SELECT {run_id}, node_id, component, value, percentile, weight,
                    contribution FROM contributions""")
    con.execute(f"""INSERT INTO score_features SELECT {run_id}, node_id, {', '.join(FEATURE_COLUMNS)}
                    FROM features WHERE node_id IN (SELECT node_id FROM final_scores)""")
    con.execute(f"""INSERT INTO score_supporters SELECT {run_id}, node_id, supporter, role, credit, events
                    FROM supporters""")
    scored = con.execute("SELECT count(*) FROM final_scores").fetchone()[0]
    return ScoreRun(run_id, params.as_of, params.window_days, info["accounts"], scored, info["edges"],
                    info["authority_iterations"])


NOTABLE_SHARE = 0.05
"""The run says what its window misses once this share of the scored accounts lies wholly before it."""


def _activity_sql(nodes_filter: str) -> str:
    """SQL: per node (of those ``nodes_filter`` keeps), its newest dated post or interaction and how many."""
    return f"""
        WITH n AS (SELECT coalesce(i.person_id, a.network || ':' || a.account_id) AS node_id, a.network, a.account_id
                   FROM accounts a LEFT JOIN identities i ON i.network = a.network AND i.account_id = a.account_id),
             keep AS (SELECT * FROM n WHERE {nodes_filter}),
             act AS (SELECT network, author_id AS account_id, created_at AS t FROM posts WHERE created_at IS NOT NULL
                     UNION ALL SELECT network, source_id, time FROM interactions WHERE time IS NOT NULL
                     UNION ALL SELECT network, target_id, time FROM interactions
                               WHERE time IS NOT NULL AND target_id IS NOT NULL)
        SELECT keep.node_id, max(act.t) AS newest, count(*) AS events
        FROM act JOIN keep ON keep.network = act.network AND keep.account_id = act.account_id
        GROUP BY keep.node_id"""


def window_advice(workspace, run: dict, node: str | None = None) -> dict | None:
    """What the window misses: accounts scored from statistics alone whose posts and interactions are older.

    For one ``node``: ``None`` unless its data all lies before the window, else how
    much, the newest, and the window that would take it in. For the whole run:
    ``None`` unless at least :data:`NOTABLE_SHARE` of the scored accounts are in that
    case, else how many, and the window that would take in 90% of them; ``line``
    says it in words, with what to do.
    """
    start = run["as_of"] - timedelta(days=run["window_days"])
    day = f"{run['as_of']:%Y-%m-%d}"
    if node is not None:
        rows = workspace.sql(_activity_sql("node_id = $node"), {"node": node})
        if not rows or rows[0][1] is None or rows[0][1] > start:
            return None
        _, newest, events = rows[0]
        days = math.ceil((run["as_of"] - newest).total_seconds() / 86400) + 1
        line = (f"None of its {events:,} dated posts and interactions falls in the {run['window_days']:g}-day window "
                f"ending {day} (the newest is from {newest:%Y-%m-%d}), so it is scored from account statistics alone; "
                f"`stature score --window {days}` or `--as-of {newest:%Y-%m-%d}` would use them.")
        return {"events": events, "newest": newest.isoformat(), "suggested_window": days, "line": line}
    candidates, scored = workspace.sql("""SELECT count_if(data_level IN ('statistics', 'none')), count(*)
                                          FROM scores WHERE run_id = ?""", [run["run_id"]])[0]
    if not candidates or candidates < NOTABLE_SHARE * scored:
        return None
    stats_only = f"""node_id IN (SELECT node_id FROM scores WHERE run_id = {int(run['run_id'])}
                                 AND data_level IN ('statistics', 'none'))"""
    rows = workspace.sql(f"""SELECT count(*), quantile_disc(date_diff('second', newest, $as_of), 0.9),
                                    (SELECT count(*) FROM scores WHERE run_id = $run)
                             FROM ({_activity_sql(stats_only)}) a WHERE newest <= $start""",
                         {"as_of": run["as_of"], "start": start, "run": int(run["run_id"])})
    missed, seconds, scored = rows[0]
    if not missed or missed < NOTABLE_SHARE * scored:
        return None
    days = math.ceil(seconds / 86400) + 1
    line = (f"{missed:,} of the {scored:,} accounts have posts or interactions, but none in the "
            f"{run['window_days']:g}-day window ending {day}: they are scored from account statistics alone. "
            f"`stature score --window {days}` takes in 90% of them (or choose --as-of nearer their data).")
    return {"accounts": missed, "scored": scored, "suggested_window": days, "line": line}


def visible_filter(alias: str = "s") -> str:
    """SQL: the scored node ``alias.node_id`` has no excluded account (also through a linked identity)."""
    return node_visible(f"{alias}.node_id")


def top(workspace, *, limit: int = 20, as_of=None, goal=None) -> list[dict]:
    """The highest scores of a stored run, best first; ``limit=0`` gives every scored account.

    Each row carries ``peers``: its percentile in this workspace, among accounts known
    for its main topic, and (with ``goal``, a goal file or Goal) within the goal's audience.
    """
    run = find_run(workspace, as_of)
    rows = workspace.sql(f"""
        SELECT s.node_id, s.network, s.account_id, s.handle, s.score, s.exact, s.low, s.high, s.data_level,
               rank() OVER (ORDER BY s.score DESC) AS position
        FROM scores s WHERE s.run_id = ? AND {visible_filter('s')}
        ORDER BY s.exact DESC, s.node_id {'LIMIT ' + str(int(limit)) if limit else ''}""", [run["run_id"]])
    nodes = [r[0] for r in rows]
    parts: dict = {}
    for node, component, value, percentile, contribution in workspace.sql("""
            SELECT node_id, component, value, percentile, contribution FROM score_components
            WHERE run_id = ? AND node_id IN (SELECT unnest(?::VARCHAR[]))""", [run["run_id"], nodes]):
        parts.setdefault(node, {})[component] = {"value": value, "points": round(100 * percentile, 1),
                                                 "percentile": percentile, "contribution": contribution}
    from .peers import peer_percentiles

    peers = peer_percentiles(workspace, run, nodes, goal=goal)
    out = []
    for node, network, account_id, handle, score_, exact, low, high, level, position in rows:
        out.append({"account_id": account_id, "handle": handle, "network": network, "node_id": node,
                    "score": score_, "exact": exact, "range": [low, high], "data": level, "rank": position,
                    "components": {c: parts.get(node, {}).get(c) for c in COMPONENTS},
                    "peers": peers[node], "as_of": run["as_of"].isoformat()})
    return out
