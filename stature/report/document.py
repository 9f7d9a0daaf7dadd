"""``stature report``: the account view and the community view in one HTML file that opens offline."""
from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .. import views
from .html import el, who
from .sections import NO_LINKS, account_sections, overview_sections, page

Progress = Callable[[int, int, str], None]
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_report(ws, *, account: str | None = None, goal=None, progress: Progress | None = None,
                  include_private: bool = False) -> tuple[str, dict]:
    """The report as HTML text, and what it holds (``account``, ``sections``, ``notes``).

    ``account`` ([network:]handle or id) defaults to the goal's account, the only author, else the
    top-ranked account; ``goal`` (a :class:`~stature.goals.Goal`) adds its progress and pulls the
    suggested connections toward it. Private posts (followers-only, direct) are shown only with
    ``include_private`` (:mod:`stature.rules.visibility`).
    """
    step = progress or (lambda done, total, label="": None)
    step(0, 3, "account")
    spec = account or views.default_account(ws, goal)
    sections, title, shown = [], "Stature report", None
    if spec:
        view = views.account_view(ws, spec, goal=goal, include_private=include_private)
        shown = view["account"]
        title = f"Stature report: {who(shown)}"
        sections += account_sections(view, NO_LINKS)
    step(1, 3, "community")
    overview = views.overview(ws)
    sections += overview_sections(overview, NO_LINKS)
    step(2, 3, "page")
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    nav = [el("a", label, href=f"#{anchor}") for anchor, label in (
        ("profile", "Account"), ("breakdown", "Score"), ("topics", "Topics"), ("network", "Network"),
        ("connections", "Connections"), ("goal", "Goal"), ("top", "Top accounts"), ("experts", "Experts"),
        ("communities", "Communities")) if f'id="{anchor}"' in "".join(sections)]
    header = el("header", el("strong", "Stature"), nav, el("span", f"{ws.path.name} · made {made}", class_="made"),
                class_="top")
    html = page(title, sections, header=header, csp=CSP)
    step(3, 3, "done")
    ids = [a for a in ("profile", "history", "breakdown", "topics", "network", "connections", "goal", "community",
                       "top", "experts", "communities") if f'id="{a}"' in html]
    return html, {"account": shown, "sections": ids, "notes": overview["notes"]}


def write_report(ws, path, *, account: str | None = None, goal=None, progress: Progress | None = None,
                 include_private: bool = False) -> dict:
    """Write the report to ``path`` (replacing it whole); returns what it holds and where it is."""
    html, info = render_report(ws, account=account, goal=goal, progress=progress, include_private=include_private)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".stature-report-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"path": str(target.resolve()), "bytes": len(html.encode()), **info}
