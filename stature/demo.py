"""The demo: a generated population, imported and analysed, end to end, and its report."""
from __future__ import annotations

import tempfile
from datetime import timedelta
from typing import Callable

from .generate import generate
from .ingest import ingest

DEMO_WORKSPACE = "stature-demo.duckdb"   # the demo's own workspace, never a user's ./stature.duckdb
HISTORY_WEEKS = (12, 8, 4)   # earlier scores, weeks before the newest activity, for the report's history


def run_demo(workspace, *, accounts: int = 400, seed: int = 7, report=None,
             progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Generate a population of ``accounts``, import it into ``workspace`` and run the whole pipeline:
    scores (with a history), topics, communities and, when ``report`` names a file, the HTML report.

    Returns what the workspace holds (``status``), the generator's counts, the top accounts, and
    what each step found.
    """
    from .analytics import score, top
    from .analytics.communities import detect_communities
    from .analytics.score import latest_activity
    from .topics.store import classify_workspace

    steps = 7 if report else 6
    step = progress or (lambda done, total, label="": None)
    with tempfile.TemporaryDirectory(prefix="stature-demo-") as folder:
        step(0, steps, "generating")
        generated = generate(folder, accounts=accounts, seed=seed)
        step(1, steps, "importing")
        ingest(workspace, [folder])
    step(2, steps, "scoring the history")
    newest = latest_activity(workspace)
    for weeks in HISTORY_WEEKS:
        score(workspace, as_of=newest - timedelta(weeks=weeks))
    step(3, steps, "scoring")
    run = score(workspace)
    step(4, steps, "topics")
    topics = classify_workspace(workspace, model="keyword")
    step(5, steps, "communities")
    communities = detect_communities(workspace)
    result = {"generated": generated["counts"], "status": workspace.status(), "score_run": run.__dict__,
              "history": [f"{(newest - timedelta(weeks=w)):%Y-%m-%d}" for w in HISTORY_WEEKS],
              "topics": topics, "communities": communities, "top": top(workspace, limit=10), "report": None}
    if report:
        from .report import write_report
        step(6, steps, "report")
        result["report"] = write_report(workspace, report)
    step(steps, steps, "done")
    return result
