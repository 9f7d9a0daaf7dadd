"""Polite HTTP for the collectors: rate limits kept, failures retried, every answer logged.

- Rate limits are read from each response: ``RateLimit-Remaining``/``RateLimit-Reset``
  (epoch seconds, Bluesky) or ``X-RateLimit-Remaining``/``X-RateLimit-Reset`` (an ISO 8601
  time, Mastodon); when the remaining budget reaches the reserve, the fetcher waits for the
  reset.
- 429 (honouring ``Retry-After``, seconds or an HTTP date), 5xx, timeouts and dropped
  connections are tried again after an exponential backoff with full jitter.
- Every response is appended to the :class:`~.rawlog.RawLog`; an answer already there is
  served from it, so an interrupted run resumes without fetching it again.

``sleep``, ``clock`` and ``jitter`` are injectable, so tests wait for nothing.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlencode, urlsplit

import orjson

from ..errors import StatureError
from .rawlog import Logged, RawLog

RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "stature-collect/0.1 (+https://github.com/stature; reads public data only)"


class CollectError(StatureError):
    """A server that cannot be reached, keeps failing, or refuses."""


@dataclass
class Answer:
    url: str
    status: int
    body: object
    link: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Stats:
    requests: int = 0  # sent over the network, retries included
    reused: int = 0  # answered from the log
    retries: int = 0
    waited: float = 0.0  # seconds spent waiting for rate limits and backoff


class Fetcher:
    """GETs JSON with retries and rate limits; ``client`` is an ``httpx2.Client`` (made if None)."""

    def __init__(self, log: RawLog, *, client=None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, jitter: Callable[[], float] = random.random,
                 attempts: int = 6, backoff: float = 1.0, max_backoff: float = 60.0, timeout: float = 30.0,
                 reserve: int = 1, max_wait: float = 900.0):
        import httpx2  # here, not at start-up
        self._httpx = httpx2
        self.log = log
        self.client = client or httpx2.Client(timeout=timeout, follow_redirects=True,
                                              headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._own_client = client is None
        self.sleep, self.clock, self.jitter = sleep, clock, jitter
        self.attempts, self.backoff, self.max_backoff = attempts, backoff, max_backoff
        self.reserve, self.max_wait = reserve, max_wait
        self.stats = Stats()

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def get(self, base: str, path: str = "", params: dict | None = None) -> Answer:
        """GET ``base + path`` with ``params`` (None values left out); an :class:`Answer`, whatever its status."""
        query = urlencode([(k, v) for k, v in (params or {}).items() if v is not None], doseq=True)
        url = base.rstrip("/") + path if path else base
        if query:
            url += ("&" if "?" in url else "?") + query
        return self.get_url(url)

    def get_url(self, url: str) -> Answer:
        logged: Logged | None = self.log.get(url)
        if logged is not None:
            self.stats.reused += 1
            return Answer(url, logged.status, logged.body, logged.link, cached=True)
        host = urlsplit(url).netloc
        last = "no answer"
        for attempt in range(self.attempts):
            self.stats.requests += 1
            try:
                response = self.client.get(url)
            except self._httpx.ConnectError as exc:
                last = f"cannot connect ({exc})"
                if attempt >= 2:  # three refused or unresolvable connections: the network or host is down
                    raise CollectError(f"Cannot reach {host} ({exc}). Is the network up, and is the address "
                                       "right?") from None
            except self._httpx.TimeoutException:
                last = "timed out"
            except self._httpx.TransportError as exc:  # dropped connection, protocol error
                last = f"connection dropped ({type(exc).__name__}: {exc})"
            else:
                body = _body(response)
                link = response.headers.get("link")
                self.log.append(url, response.status_code, body, link)
                if response.status_code not in RETRY_STATUSES:
                    self._keep_to_limit(response.headers)
                    return Answer(url, response.status_code, body, link)
                last = f"HTTP {response.status_code}"
                wait = _retry_after(response.headers, self.clock()) if response.status_code == 429 else None
                if wait is None and response.status_code == 429:
                    wait = _reset_in(response.headers, self.clock())
                if wait is not None:
                    self._wait(min(wait, self.max_wait))
                    self.stats.retries += 1
                    continue
            if attempt + 1 < self.attempts:
                self.stats.retries += 1
                self._wait(self.jitter() * min(self.max_backoff, self.backoff * 2 ** attempt))
        raise CollectError(f"{host} did not answer {url} after {self.attempts} tries (last: {last}). "
                           "Run the same command again later: what was collected is kept and not fetched again.")

    def _keep_to_limit(self, headers) -> None:
        remaining = _int(headers.get("ratelimit-remaining") or headers.get("x-ratelimit-remaining"))
        if remaining is not None and remaining <= self.reserve:
            wait = _reset_in(headers, self.clock())
            if wait:
                self._wait(min(wait, self.max_wait))

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.stats.waited += seconds
            self.sleep(seconds)


def _body(response):
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:10_000] or None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after(headers, now: float) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def _reset_in(headers, now: float) -> float | None:
    """Seconds until the rate-limit window resets: epoch seconds (Bluesky) or ISO 8601 (Mastodon)."""
    value = headers.get("ratelimit-reset") or headers.get("x-ratelimit-reset")
    if value is None:
        return None
    try:
        at = float(value)
    except ValueError:
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    if at < 1e9:  # a delay in seconds, as some servers send
        return max(0.0, at)
    return max(0.0, at - now)
