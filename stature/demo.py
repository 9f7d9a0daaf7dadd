"""The demo: a generated community, imported and analysed, end to end."""
from __future__ import annotations

import tempfile
from typing import Callable

from .generate import generate
from .ingest import ingest


def run_demo(workspace, *, accounts: int = 400, seed: int = 7,
             progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Generate a community of ``accounts``, import it into ``workspace`` and score it.

    Returns what the workspace holds (``status``), the generator's counts and the top accounts.
    """
    from .analytics import score, top

    report = progress or (lambda done, total, label="": None)
    with tempfile.TemporaryDirectory(prefix="stature-demo-") as folder:
        report(0, 3, "generating")
        generated = generate(folder, accounts=accounts, seed=seed)
        report(1, 3, "importing")
        ingest(workspace, [folder])
    report(2, 3, "scoring")
    run = score(workspace)
    report(3, 3, "done")
    return {"generated": generated["counts"], "status": workspace.status(), "score_run": run.__dict__,
            "top": top(workspace, limit=10)}
