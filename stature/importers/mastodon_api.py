"""Logs of Mastodon API responses (``stature collect mastodon``, or any client writing the same lines).

Each 200 answer is read by its path: accounts (lookup, by id, search, directory), account
statuses, hashtag and public timelines, a status and its context, who favourited and
reblogged a status, followers and following. Accounts are known by their ActivityPub
``uri`` and statuses by theirs, as in an account archive, so a post or boost met in both
is stored once. Reactions name their status by the server's local id: the log is read
twice, first to learn each ``(server, id)``'s status and account, then for records.

Only public and unlisted statuses are kept. An account that asks not to be indexed
(``noindex``, ``discoverable: false``, ``#nobot`` in its bio) is kept only as far as others'
interactions need: its URI and handle, its reactions, and its replies and quotes without
their text; its other statuses are not kept.
"""
from __future__ import annotations

import re

from ..model import Account, Interaction, Post
from .api_log import looks_like_log, responses
from .base import Context, Importer, count, text
from .mastodon import html_to_text, post_body
from .sources import Entry

NETWORK = "mastodon"
_PROFILE_URL = re.compile(r"^(https?://[^/?#]+)/@([^/@?#]+)/?$")
_ROUTES = [
    (re.compile(r"^/api/v1/accounts/lookup$"), "account"),
    (re.compile(r"^/api/v1/accounts/search$"), "accounts"),
    (re.compile(r"^/api/v1/directory$"), "accounts"),
    (re.compile(r"^/api/v1/accounts/([^/]+)/statuses$"), "statuses"),
    (re.compile(r"^/api/v1/accounts/([^/]+)/followers$"), "followers"),
    (re.compile(r"^/api/v1/accounts/([^/]+)/following$"), "following"),
    (re.compile(r"^/api/v1/accounts/([^/]+)$"), "account"),
    (re.compile(r"^/api/v1/timelines/(?:tag/[^/]+|public)$"), "timeline"),
    (re.compile(r"^/api/v1/statuses/([^/]+)/context$"), "context"),
    (re.compile(r"^/api/v1/statuses/([^/]+)/favourited_by$"), "favourited_by"),
    (re.compile(r"^/api/v1/statuses/([^/]+)/reblogged_by$"), "reblogged_by"),
    (re.compile(r"^/api/v1/statuses/([^/]+)$"), "status"),
]


def opted_out(account) -> str | None:
    """Why an account asks not to be indexed (``noindex``, ``discoverable: false``, ``#nobot``), or None."""
    if not isinstance(account, dict):
        return None
    if account.get("noindex") is True:
        return "asks not to be indexed (noindex)"
    if account.get("discoverable") is False:
        return "asks not to be discoverable (discoverable: false)"
    if "#nobot" in (html_to_text(account.get("note") or "") or "").lower():
        return "says #nobot in its bio"
    return None


def route(path: str) -> tuple[str | None, str | None]:
    for pattern, kind in _ROUTES:
        found = pattern.match(path.rstrip("/"))
        if found:
            return kind, (found.group(1) if found.groups() else None)
    return None, None


class MastodonApiLog(Importer):
    name = "mastodon-api"
    description = "Mastodon API responses logged as JSON lines {network, url, fetched_at, status, body}"

    def matches(self, entry: Entry, head: bytes) -> bool:
        return looks_like_log(head, NETWORK)

    def read(self, entry: Entry, ctx: Context):
        known = _Known()
        for where, parts, query, body in responses(entry, ctx):
            ctx.guard(where, known.learn, parts.netloc, route(parts.path)[0], body)
        last: dict[str, Account] = {}  # account URI -> the last record given of it
        # the second pass reads the same lines again: bad ones were reported above, bytes counted there
        for where, parts, query, body in responses(entry, Context(skip_bad=True)):
            kind, local_id = route(parts.path)
            if kind is None:
                continue
            known.last_read = None  # a response's records are kept or rejected together
            try:
                records = ctx.guard(where, _read, known, parts.netloc, kind, local_id, body)
            except _Unattributed as partial:  # the accounts are kept; the reactions cannot be
                records = partial.records
                ctx.reject(where, partial.reason)
            for record in records:
                if type(record) is Account:  # a status's author comes with each of its statuses:
                    if last.get(record.account_id) == record:  # the same as its last record adds nothing
                        continue
                    last[record.account_id] = record
                yield record


class _Unattributed(Exception):
    """Reactions or follows whose status or account the log does not name; ``records`` are the accounts."""

    def __init__(self, records: list, reason: str):
        super().__init__(reason)
        self.records, self.reason = records, reason


class _Known:
    """What the whole log says about each server's local ids: statuses and accounts."""

    def __init__(self):
        self.statuses: dict[tuple[str, str], tuple[str, str]] = {}  # (host, id) -> (status uri, author uri)
        self.accounts: dict[tuple[str, str], str] = {}  # (host, id) -> account uri
        self.quiet: set[str] = set()  # account URIs that opted out
        self.last_learnt = self.last_read = None  # the account object seen last (statuses come by author)

    def learn(self, host: str, kind: str | None, body) -> list:
        if kind in ("account",):
            self.account(host, body)
        elif kind in ("accounts", "followers", "following", "favourited_by", "reblogged_by"):
            for account in body if isinstance(body, list) else []:
                self.account(host, account)
        elif kind in ("statuses", "timeline"):
            for status in body if isinstance(body, list) else []:
                self.status(host, status)
        elif kind == "status":
            self.status(host, body)
        elif kind == "context" and isinstance(body, dict):
            for status in (body.get("ancestors") or []) + (body.get("descendants") or []):
                self.status(host, status)
        return []

    def account(self, host: str, account) -> None:
        if account == self.last_learnt:  # learnt already
            return
        self.last_learnt = account
        if isinstance(account, dict) and isinstance(account.get("uri"), str) and account.get("id") is not None:
            self.accounts[(host, str(account["id"]))] = account["uri"]
            if opted_out(account):
                self.quiet.add(account["uri"])

    def status(self, host: str, status) -> None:
        if not isinstance(status, dict) or status.get("id") is None or not isinstance(status.get("uri"), str):
            return
        author = status.get("account") or {}
        self.account(host, author)
        self.statuses[(host, str(status["id"]))] = (status["uri"], author.get("uri"))
        if isinstance(status.get("reblog"), dict):
            self.status(host, status["reblog"])


def _read(known: _Known, host: str, kind: str, local_id: str | None, body) -> list:
    if kind == "account":
        return _account(known, body) if isinstance(body, dict) else []
    if kind == "accounts":
        return [r for a in body or [] for r in _account(known, a)]
    if kind in ("statuses", "timeline"):
        return [r for s in body or [] for r in _status(known, host, s, timeline=kind == "timeline")]
    if kind == "status":
        return _status(known, host, body)
    if kind == "context":
        return [r for s in (body.get("ancestors") or []) + (body.get("descendants") or [])
                for r in _status(known, host, s)]
    if kind in ("followers", "following"):
        subject = known.accounts.get((host, local_id))
        if subject is None:
            raise _Unattributed([r for a in body or [] for r in _account(known, a)],
                                f"lists the {kind} of account {local_id} on {host}, but the log holds no answer "
                                "naming that account (its lookup is missing): the accounts are kept, the follows "
                                "are not.")
        out = []
        for account in body or []:
            out.extend(_account(known, account))
            pair = (account["uri"], subject) if kind == "followers" else (subject, account["uri"])
            out.append(Interaction(NETWORK, "follow", *pair))
        return out
    if kind in ("favourited_by", "reblogged_by"):
        status = known.statuses.get((host, local_id))
        if status is None:
            raise _Unattributed([r for a in body or [] for r in _account(known, a)],
                                f"lists who {kind.split('_')[0]} status {local_id} on {host}, but the log holds no "
                                "answer with that status (collect its account's statuses): the accounts are kept, "
                                "the reactions are not.")
        uri, author = status
        what = "like" if kind == "favourited_by" else "repost"
        out = []
        for account in body or []:
            out.extend(_account(known, account))
            out.append(Interaction(NETWORK, what, account["uri"], author, post_id=uri))
        return out
    return []


def handle_of(account: dict) -> str | None:
    acct = text(account.get("acct"), "acct")
    if acct and "@" in acct:
        return acct
    uri = text(account.get("uri"), "uri") or ""
    host = uri.split("://", 1)[-1].split("/", 1)[0]
    username = text(account.get("username"), "username") or acct
    return f"{username}@{host}" if username and host else username


def _account(known: _Known, account) -> list:
    if not isinstance(account, dict):
        raise TypeError("an account should be an object")
    if account == known.last_read:  # as the record given just before (a page of one author's statuses)
        return []
    known.last_read = None  # until this one is read whole
    uri = text(account["uri"], "uri")
    if uri in known.quiet:
        record = Account(NETWORK, uri, handle=handle_of(account))
    else:
        record = Account(NETWORK, uri, handle=handle_of(account), display_name=text(account.get("display_name"),
                                                                                "display_name") or None,
                    bio=html_to_text(text(account.get("note"), "note")) or None,
                    created_at=text(account.get("created_at"), "created_at"),
                    followers_count=count(account.get("followers_count"), "followers_count"),
                    following_count=count(account.get("following_count"), "following_count"),
                    posts_count=count(account.get("statuses_count"), "statuses_count"))
    known.last_read = account
    return [record]


def _mentioned(known: _Known, host: str, mention: dict) -> str | None:
    found = known.accounts.get((host, str(mention.get("id"))))
    if found:
        return found
    profile = _PROFILE_URL.match(text(mention.get("url"), "mention.url") or "")
    return f"{profile.group(1)}/users/{profile.group(2)}" if profile else None  # Mastodon's actor URL pattern


def _status(known: _Known, host: str, status, *, timeline: bool = False) -> list:
    if not isinstance(status, dict):
        raise TypeError("a status should be an object")
    account = status["account"]
    author = text(account["uri"], "account.uri")
    reblog = status.get("reblog")
    if isinstance(reblog, dict):  # a boost: a repost, and the boosted status itself
        inner = _status(known, host, reblog)
        return _account(known, account) + inner + [
            Interaction(NETWORK, "repost", author, text(reblog["account"]["uri"], "reblog.account.uri"),
                        post_id=text(reblog["uri"], "reblog.uri"), time=text(status.get("created_at"), "created_at"))]
    visibility = status.get("visibility") or "public"
    if visibility not in ("public", "unlisted"):
        return []
    records = _account(known, account)
    parent = author_of_parent = None
    if status.get("in_reply_to_id") is not None:
        found = known.statuses.get((host, str(status["in_reply_to_id"])))
        parent = found[0] if found else None
        author_of_parent = (found[1] if found else None) or known.accounts.get(
            (host, str(status.get("in_reply_to_account_id"))))
    quoted = quoted_author = None
    quote = status.get("quote")
    if isinstance(quote, dict):
        inner = quote.get("quoted_status") if "quoted_status" in quote else quote
        if isinstance(inner, dict) and isinstance(inner.get("uri"), str):
            quoted, quoted_author = inner["uri"], (inner.get("account") or {}).get("uri")
            records.extend(_status(known, host, inner))
    quiet = author in known.quiet
    if quiet and parent is None and author_of_parent is None and quoted is None:
        return records  # not an interaction with anyone: not kept
    if quiet and timeline:
        return records
    mentions = []
    for mention in status.get("mentions") or []:
        if isinstance(mention, dict):
            found = _mentioned(known, host, mention)
            if found:
                mentions.append(found)
    content, links = post_body(text(status.get("content"), "content"), text(status.get("spoiler_text"), "spoiler_text"))
    hashtags = [text(t.get("name"), "tag.name") for t in status.get("tags") or [] if isinstance(t, dict)]
    records.append(Post(
        NETWORK, text(status["uri"], "uri"), author, created_at=text(status.get("created_at"), "created_at"),
        text=None if quiet else content,
        lang=text(status.get("language"), "language"),
        reply_to_post_id=parent, reply_to_account_id=author_of_parent,
        quote_of_post_id=quoted, quote_of_account_id=quoted_author,
        like_count=count(status.get("favourites_count"), "favourites_count"),
        repost_count=count(status.get("reblogs_count"), "reblogs_count"),
        reply_count=count(status.get("replies_count"), "replies_count"),
        hashtags=[] if quiet else [h for h in hashtags if h], mentions=list(dict.fromkeys(mentions)),
        links=[] if quiet else list(dict.fromkeys(links)), visibility=visibility))
    return records


IMPORTER = MastodonApiLog()
