"""Collect from Mastodon's public API, on each account's own server (no login).

For ``@user@server``: ``/api/v1/accounts/lookup``; ``/accounts/:id/statuses`` paged by the
``Link`` header (``max_id``) within the period; for each status ``favourited_by``,
``reblogged_by`` and ``context`` (only where its counts say there is something);
``/accounts/:id/followers`` and ``following`` (unless the account hides them). Only
public and unlisted statuses are kept. For ``#tag@server``: the server's hashtag timeline.
At depth 1 the accounts that engaged get their newest statuses (their profiles, with
their counts, come with the reactions).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..errors import StatureError
from ..importers.mastodon_api import opted_out
from .base import Collector, in_period, parse_time, refused

PAGE = 40
ACCOUNTS_PAGE = 80
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


def parse_target(spec: str) -> tuple[str, str, str]:
    """``@user@server`` -> ("account", user, server); ``#tag@server`` -> ("tag", tag, server)."""
    kind = "tag" if spec.startswith("#") else "account"
    name, _, server = spec.lstrip("@#").rpartition("@")
    if not name or not server or "/" in server or " " in spec:
        raise StatureError(f"{spec!r} is not @user@server (or #tag@server): Mastodon accounts are named "
                           "with their server, e.g. @Gargron@mastodon.social.")
    return kind, name, server.lower()


def next_link(link: str | None, base: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if it stays on the server at ``base``."""
    found = _LINK_NEXT.search(link or "")
    if not found:
        return None
    url = found.group(1)
    return url if urlsplit(url).netloc == urlsplit(base).netloc else None


class MastodonCollector(Collector):
    network = "mastodon"

    def __init__(self, fetcher, limits=None, *, service: str | None = None, **kw):
        super().__init__(fetcher, limits, **kw)
        self.service = service.rstrip("/") if service else None  # every server at this address (tests, mirrors)
        self.engaged: dict[tuple[str, str], dict] = {}  # (base, local id) -> account
        self.done: set[str] = set()  # account URIs collected

    def base(self, server: str) -> str:
        return self.service or f"https://{server}"

    def collect(self, specs) -> object:
        targets = [parse_target(s) for s in specs]
        self.plan(len(targets))
        for kind, name, server in targets:
            self.current = f"{'#' if kind == 'tag' else '@'}{name}@{server}"
            if kind == "tag":
                self._hashtag(name, server)
            else:
                self._account(name, server)
        return self.finish_accounts(sum(1 for a in self.engaged.values() if a.get("uri") not in self.done and opted_out(a)))

    def _account(self, user: str, server: str) -> None:
        handle = f"{user}@{server}"
        if self.is_excluded(handle):
            self.note(f"@{handle} is on the exclusion list: not collected.")
            return
        base = self.base(server)
        answer = self.get(base, "/api/v1/accounts/lookup", {"acct": user})
        if answer.status in (404, 410) or (answer.ok and not isinstance(answer.body, dict)):
            gone = answer.status == 410
            self.fail(f"@{handle}", "the account is suspended or deleted; nothing to collect." if gone else
                      f"no such account on {server} (the server says: {_said(answer.body)}). "
                      "Check the name and the server.")
            return
        if not answer.ok:
            raise refused(answer, server)
        account = answer.body
        self.tick(1)
        if account.get("suspended"):
            self.fail(f"@{handle}", "the account is suspended; nothing to collect.")
            return
        if self.is_excluded(account.get("uri"), account.get("url")):
            self.note(f"@{handle} is on the exclusion list: not collected.")
            return
        self.done.add(account.get("uri"))
        self.summary.accounts.append(f"@{handle}")
        if account.get("moved"):
            self.note(f"@{handle} has moved to @{(account['moved'] or {}).get('acct')}; collected where it was.")
        why = opted_out(account)
        if why:
            self.note(f"@{handle} {why}: only its profile was collected.")
            return
        account_id = account["id"]
        statuses = self._statuses(base, account_id, self.limits.max_posts)
        self.plan(sum(bool(s.get(k)) for s in statuses for k in ("favourites_count", "reblogs_count",
                                                                   "replies_count")))
        cap = self.limits.max_reactions
        for status in statuses:
            sid = status["id"]
            if status.get("favourites_count"):
                self._accounts_of(base, f"/api/v1/statuses/{sid}/favourited_by", cap, engaged=True)
            if status.get("reblogs_count"):
                self._accounts_of(base, f"/api/v1/statuses/{sid}/reblogged_by", cap, engaged=True)
            if status.get("replies_count"):
                answer = self.get(base, f"/api/v1/statuses/{sid}/context")
                if answer.ok and isinstance(answer.body, dict):
                    replies = answer.body.get("descendants") or []
                    self.tick(len(replies) + len(answer.body.get("ancestors") or []))
                    for reply in replies:
                        self._engaged(base, (reply or {}).get("account"))
                elif answer.status not in (404, 410):
                    raise refused(answer, server)
        if account.get("hide_collections"):
            self.note(f"@{handle} hides its followers and follows: not collected.")
        else:
            for which in ("followers", "following"):
                self._accounts_of(base, f"/api/v1/accounts/{account_id}/{which}", self.limits.max_followers)

    def _statuses(self, base: str, account_id: str, limit: int | None, pages: int | None = None) -> list[dict]:
        params = {"limit": PAGE, "exclude_reblogs": "false"}
        return self._timeline(base, f"/api/v1/accounts/{account_id}/statuses", params, limit, pages, own=True)

    def _hashtag(self, tag: str, server: str) -> None:
        if self.is_excluded(f"#{tag}"):
            return
        params = {"local": "false", "only_media": "false", "limit": PAGE}
        found = self._timeline(self.base(server), f"/api/v1/timelines/tag/{tag}", params,
                               self.limits.max_posts, None, own=False)
        self.summary.accounts.append(f"#{tag}@{server}")
        if not found:
            self.note(f"#{tag}@{server}: no public posts in the period.")

    def _timeline(self, base, path, params, limit, pages, *, own: bool) -> list[dict]:
        """Statuses of a timeline paged by ``Link``, newest first, in the period; reblogs are not 'own'."""
        kept, url, page = [], None, 0
        if limit == 0:
            return kept
        if limit is not None:
            params = dict(params, limit=max(1, min(PAGE, limit)))
        while True:
            answer = self.get(base, path, params, url=url)
            if not answer.ok:
                if answer.status in (404, 410):
                    return kept
                raise refused(answer, base.split("://")[-1])
            items = answer.body if isinstance(answer.body, list) else []
            self.tick(len(items))
            older = False
            for status in items:
                created = parse_time(status.get("created_at"))
                if self.limits.since and created and created < self.limits.since:
                    older = True
                    break
                if status.get("visibility") not in ("public", "unlisted") or not in_period(created, self.limits):
                    continue
                if own and status.get("reblog"):
                    continue
                kept.append(status)
                if limit is not None and len(kept) >= limit:
                    return kept
            page += 1
            url = next_link(answer.link, base)
            if older or not url or not items or (pages is not None and page >= pages):
                return kept
            self.plan(1)

    def _accounts_of(self, base: str, path: str, cap: int | None, engaged: bool = False) -> list[dict]:
        found, url = [], None
        if cap == 0:
            return found
        while True:
            answer = self.get(base, path, {"limit": ACCOUNTS_PAGE if cap is None else max(1, min(ACCOUNTS_PAGE, cap))},
                              url=url)
            if not answer.ok:
                if answer.status in (404, 410):
                    return found
                raise refused(answer, base.split("://")[-1])
            items = answer.body if isinstance(answer.body, list) else []
            found.extend(items)
            self.tick(len(items))
            if engaged:
                for account in items:
                    self._engaged(base, account)
            url = next_link(answer.link, base)
            if not url or not items or (cap is not None and len(found) >= cap):
                return found
            self.plan(1)

    def _engaged(self, base: str, account) -> None:
        if isinstance(account, dict) and account.get("id") is not None:
            self.engaged.setdefault((base, str(account["id"])), account)

    def _depth(self) -> None:
        todo, skipped = [], 0
        for (base, local_id), account in self.engaged.items():
            if account.get("uri") in self.done:
                continue
            if self.is_excluded(account.get("uri"), account.get("acct"), account.get("url")) or opted_out(account):
                skipped += 1
                continue
            todo.append((base, local_id, account))
        if skipped:
            self.note(f"depth 1: {skipped} engaged account(s) excluded or asking not to be indexed were not "
                      "collected.")
        self.plan(len(todo))
        for base, local_id, account in todo:
            self.current = f"depth 1 @{account.get('acct')}"
            self._statuses(base, local_id, self.limits.depth_posts, pages=1)
            self.done.add(account.get("uri"))


def _said(body) -> str:
    if isinstance(body, dict):
        return str(body.get("error") or body)
    return str(body)[:200]
