"""Collect the audience from the public Bluesky and Mastodon APIs into a raw log, then the workspace.

``collect(ws, "bluesky", ["name.bsky.social"], log="bluesky.jsonl")`` walks the API (see
:mod:`.bluesky` and :mod:`.mastodon`), appends every response to the log, and imports the
log (formats ``bluesky-api``/``mastodon-api``) into the workspace. Running it again with the
same log resumes: answers already in the log are not fetched again. Accounts on the
workspace's exclusion list are never fetched.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import StatureError
from .base import Limits, Summary
from .http import CollectError, Fetcher
from .rawlog import RawLog

NETWORKS = ("bluesky", "mastodon")


@dataclass
class CollectResult:
    summary: Summary
    log: Path
    ingest: object | None  # the IngestReport of importing the log


def collect(workspace, network: str, targets, *, log, service: str | None = None, limits: Limits | None = None,
            fresh: bool = False, progress: Callable[[int, int, str], None] | None = None,
            note: Callable[[str], None] | None = None, fetcher: dict | None = None) -> CollectResult:
    """Collect ``targets`` (Bluesky handles or DIDs; Mastodon ``@user@server`` or ``#tag@server``).

    ``fresh`` fetches again what the log already holds (the new answers are appended).
    ``fetcher`` passes options to :class:`~.http.Fetcher` (``client``, ``sleep``, ``backoff``, ...).
    If the collect fails part-way (a server that keeps failing), what was collected is
    imported before the error is raised; the same call later resumes.
    """
    if network not in NETWORKS:
        raise StatureError(f"Unknown network {network!r}: choose bluesky or mastodon.")
    if not targets:
        raise StatureError("Name at least one account to collect.")
    from ..rules.exclusions import EXCLUDED_ACCOUNTS
    excluded = set()  # ids and handles of the excluded accounts, and of the accounts linked to them
    for account_id, handle in workspace.sql(f"""SELECT x.account_id, a.handle FROM {EXCLUDED_ACCOUNTS} x
            LEFT JOIN accounts a ON a.network = x.network AND a.account_id = x.account_id
            WHERE x.network = ?""", [network]):
        excluded.update(x for x in (account_id, handle) if x)
    log = Path(log)
    with RawLog(log, network, reuse=not fresh) as raw:
        http = Fetcher(raw, **(fetcher or {}))
        try:
            if network == "bluesky":
                from .bluesky import PUBLIC_SERVICE, BlueskyCollector
                collector = BlueskyCollector(http, limits, service=service or PUBLIC_SERVICE, excluded=excluded,
                                             progress=progress, note=note)
            else:
                from .mastodon import MastodonCollector
                collector = MastodonCollector(http, limits, service=service, excluded=excluded,
                                              progress=progress, note=note)
            try:
                summary = collector.collect(targets)
            except CollectError:
                raw.close()
                _import(workspace, log, network)
                raise
        finally:
            http.close()
    return CollectResult(summary, log, _import(workspace, log, network))


def _import(workspace, log: Path, network: str):
    from ..ingest import ingest
    if not log.exists() or log.stat().st_size == 0:
        return None
    return ingest(workspace, [str(log)], format=f"{network}-api")


__all__ = ["CollectError", "CollectResult", "Limits", "Summary", "collect"]
