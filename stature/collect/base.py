"""What both collectors share: the period and limits, exclusions, notes and progress."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from .http import Answer, CollectError, Fetcher

Progress = Callable[[int, int, str], None]


@dataclass
class Limits:
    """What to collect for each account."""

    since: datetime | None = None  # posts from this time on (UTC)
    until: datetime | None = None  # posts up to this time
    max_posts: int | None = 200  # posts per account, newest first
    max_followers: int | None = 5000  # followers, and follows, per account
    max_reactions: int | None = 1000  # likers, reposters and quoters per post
    depth: int = 0  # 1: the accounts that engaged, collected lighter (profile and newest posts)
    depth_posts: int = 30  # posts per engaged account at depth 1


@dataclass
class Summary:
    """What a collect did: accounts done, accounts refused, and what it has to say."""

    network: str
    accounts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "handle: why"
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    reused: int = 0
    retries: int = 0
    waited: float = 0.0
    records: int = 0


class Collector:
    """Walks an API for a list of accounts; every answer lands in the fetcher's log."""

    network = ""

    def __init__(self, fetcher: Fetcher, limits: Limits | None = None, *, excluded: set[str] = frozenset(),
                 progress: Progress | None = None, note: Callable[[str], None] | None = None):
        self.fetcher = fetcher
        self.limits = limits or Limits()
        self.excluded = {e.lower() for e in excluded}  # account ids and handles never fetched
        self._progress = progress or (lambda done, total, label: None)
        self._note = note
        self.summary = Summary(self.network)
        self.planned = 0  # requests known to be ahead
        self.current = ""

    def note(self, message: str) -> None:
        self.summary.notes.append(message)
        if self._note:
            self._note(message)

    def finish_accounts(self, quiet: int) -> Summary:
        """After the named accounts: say how many engaged accounts opted out, go a level deeper when asked,
        and hand back the result."""
        if quiet:
            self.note(f"{quiet} account(s) that engaged ask not to be indexed: kept only as far as their "
                      "interactions with you need (no profile, no text).")
        if self.limits.depth >= 1:
            self._depth()
        return self.finish()

    def fail(self, name: str, why: str) -> None:
        self.summary.failed.append(f"{name}: {why}")
        self.note(f"{name}: {why}")

    def is_excluded(self, *names) -> bool:
        return any(n and n.lower().lstrip("@") in self.excluded for n in names)

    def plan(self, n: int) -> None:
        self.planned += n
        self.tick(0)

    def tick(self, records: int, answered: bool = False) -> None:
        if answered:
            self.planned = max(0, self.planned - 1)
        self.summary.records += records
        s = self.fetcher.stats
        done = s.requests - s.retries + s.reused
        self._progress(done, done + self.planned, f"{self.summary.records:,} records {self.current}")

    def get(self, base: str, path: str = "", params: dict | None = None, *, url: str | None = None) -> Answer:
        answer = self.fetcher.get_url(url) if url else self.fetcher.get(base, path, params)
        self.tick(0, answered=True)
        return answer

    def finish(self) -> Summary:
        s, f = self.summary, self.fetcher.stats
        s.requests, s.reused, s.retries, s.waited = f.requests, f.reused, f.retries, f.waited
        return s


def refused(answer: Answer, host: str) -> CollectError:
    """The error for an answer that is neither data nor a known 'not found'."""
    message = _message(answer.body)
    if answer.status in (401, 403):
        return CollectError(f"{host} refused to answer without a login (HTTP {answer.status}{message}). "
                            "Some servers allow no public reads; there is nothing to collect there without one.")
    return CollectError(f"{host} answered HTTP {answer.status}{message} for {answer.url}.")


def _message(body) -> str:
    if isinstance(body, dict):
        text = body.get("message") or body.get("error_description") or body.get("error")
        if text:
            return f": {text}"
    return ""


def parse_time(value) -> datetime | None:
    """An API's ISO 8601 time as an aware UTC datetime; None if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def in_period(t: datetime | None, limits: Limits) -> bool:
    if t is None:
        return limits.since is None and limits.until is None
    return (limits.since is None or t >= limits.since) and (limits.until is None or t <= limits.until)
