"""Logs of Mastodon API responses (``stature collect mastodon``, or any client writing the same lines).

Each 200 answer is read by its path: accounts (lookup, by id, search, directory), account
statuses, hashtag and public timelines, a status and its context, who favourited and
reblogged a status, followers and following. Accounts are known by their ActivityPub
``uri`` and statuses by theirs, as in an account archive, so a post or boost met in both
is stored once. Reactions and replies name statuses, and mentions accounts, by the server's
local id: the log is read once, and what a later line may tell is resolved at the end (see
:class:`_Reader`).

Only public and unlisted statuses are kept. An account that asks not to be indexed
(``noindex``, ``discoverable: false``, ``#nobot`` in its bio) is kept only as far as others'
interactions need: its URI and handle, its reactions, and its replies and quotes without
their text; its other statuses are not kept.
"""
from __future__ import annotations

import re

from ..model import Account, Interaction, Post
from .api_log import looks_like_log, responses
from .base import Context, Importer, ReadAgain, count, text
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
        reader = _Reader(complete=ctx.again)
        if ctx.again:  # read again from the start: everything the log says is learnt first, quietly
            for where, parts, query, body in responses(entry, Context(skip_bad=True)):
                reader.learn(parts.netloc, route(parts.path)[0], body)
        last: dict[str, Account] = {}  # account URI -> the last record given of it
        for where, parts, query, body in responses(entry, ctx):
            kind, local_id = route(parts.path)
            if not reader.complete:
                reader.learn(parts.netloc, kind, body)  # a response's own statuses first, then its records
                if reader.must_read_again():
                    raise ReadAgain
            if kind is None:
                continue
            try:
                records = ctx.guard(where, reader.read, where, parts.netloc, kind, local_id, body)
            except _Unattributed as partial:  # the accounts are kept; the reactions cannot be
                records = partial.records
                ctx.reject(where, partial.reason)
            for record in records:
                if type(record) is Account:  # a status's author comes with each of its statuses:
                    if last.get(record.account_id) == record:  # the same as its last record adds nothing
                        continue
                    last[record.account_id] = record
                yield record
        yield from reader.resolved(ctx)


class _Unattributed(Exception):
    """Reactions or follows whose status or account the log does not name; ``records`` are the accounts."""

    def __init__(self, records: list, reason: str):
        super().__init__(reason)
        self.records, self.reason = records, reason


MAX_DEFERRED = 250_000  # records held back for what a later line may tell; past it the log is read in two passes


class _Reader:
    """Records of a log in one pass. Reactions and replies name statuses, and mentions accounts, by the
    server's local id: what the lines read so far do not tell is held back (``_later``) and resolved
    at the end, against the whole log, as if everything had been learnt first. Where that would take
    too much memory, or an account asks not to be indexed after its profile was read in full, the log is
    read again in two passes (``complete``: everything learnt before the first record)."""

    def __init__(self, complete: bool = False):
        self.complete = complete
        self.statuses: dict[tuple[str, str], tuple[str, str]] = {}  # (host, id) -> (status uri, author uri)
        self.accounts: dict[tuple[str, str], str] = {}  # (host, id) -> account uri
        self.quiet: set[str] = set()  # account URIs that opted out
        self.read_in_full: set[str] = set()  # account URIs given with their profile (not quiet then)
        self.quiet_too_late = False
        self.last_learnt = self.last_read = None  # the account seen last (a page of statuses comes by one author)
        self._later: list = []  # (post, host, its reply and mentions by local id), (where, kind, host, id, accounts)
        self._now: list = []  # what the response being read holds back (dropped if it is rejected)

    # what the log says of each local id, learnt a response at a time before its records are read
    def learn(self, host: str, kind: str | None, body) -> None:
        if kind in ("account",):
            self.learn_account(host, body)
        elif kind in ("accounts", "followers", "following", "favourited_by", "reblogged_by"):
            for account in body if isinstance(body, list) else []:
                self.learn_account(host, account)
        elif kind in ("statuses", "timeline"):
            for status in body if isinstance(body, list) else []:
                self.learn_status(host, status)
        elif kind == "status":
            self.learn_status(host, body)
        elif kind == "context" and isinstance(body, dict):
            for part in (body.get("ancestors"), body.get("descendants")):
                for status in part if isinstance(part, list) else []:
                    self.learn_status(host, status)

    def learn_account(self, host: str, account) -> None:
        if (host, account) == self.last_learnt:  # learnt already
            return
        self.last_learnt = (host, account)
        if isinstance(account, dict) and isinstance(account.get("uri"), str) and account.get("id") is not None:
            self.accounts[(host, str(account["id"]))] = account["uri"]
            if account["uri"] not in self.quiet and opted_out(account):
                self.quiet.add(account["uri"])
                self.quiet_too_late |= account["uri"] in self.read_in_full

    def learn_status(self, host: str, status) -> None:
        if not isinstance(status, dict) or status.get("id") is None or not isinstance(status.get("uri"), str):
            return
        author = status.get("account")
        self.learn_account(host, author)
        author_uri = author.get("uri") if isinstance(author, dict) else None
        self.statuses[(host, str(status["id"]))] = (status["uri"], author_uri)
        if isinstance(status.get("reblog"), dict):
            self.learn_status(host, status["reblog"])

    def must_read_again(self) -> bool:
        return not self.complete and (self.quiet_too_late or len(self._later) > MAX_DEFERRED)

    # records
    def read(self, where: str, host: str, kind: str, local_id: str | None, body) -> list:
        self.last_read = None  # a response's records are kept or rejected together
        self._now = []
        records = self._records(where, host, kind, local_id, body)
        self._later.extend(self._now)
        return records

    def _records(self, where: str, host: str, kind: str, local_id: str | None, body) -> list:
        if kind == "account":
            return self.account(body) if isinstance(body, dict) else []
        if kind == "accounts":
            return [r for a in body or [] for r in self.account(a)]
        if kind in ("statuses", "timeline"):
            return [r for s in body or [] for r in self.status(host, s, timeline=kind == "timeline")]
        if kind == "status":
            return self.status(host, body)
        if kind == "context":
            return [r for s in (body.get("ancestors") or []) + (body.get("descendants") or [])
                    for r in self.status(host, s)]
        if kind in ("followers", "following", "favourited_by", "reblogged_by"):
            accounts = [r for a in body or [] for r in self.account(a)]
            uris = [a["uri"] for a in body or []]
            interactions = self._reactions(kind, host, local_id, uris)
            if interactions is None and not self.complete:  # a later line may name it
                self._now.append((where, kind, host, local_id, uris))
            elif interactions is None:
                raise _Unattributed(accounts, _unattributed(kind, host, local_id))
            return accounts + (interactions or [])
        return []

    def _reactions(self, kind: str, host: str, local_id: str | None, uris: list) -> list | None:
        """Follows of an account, or likes and boosts of a status, given by local id; None if not known."""
        if kind in ("followers", "following"):
            subject = self.accounts.get((host, local_id))
            if subject is None:
                return None
            return [Interaction(NETWORK, "follow", *((uri, subject) if kind == "followers" else (subject, uri)))
                    for uri in uris]
        status = self.statuses.get((host, local_id))
        if status is None:
            return None
        uri, author = status
        what = "like" if kind == "favourited_by" else "repost"
        return [Interaction(NETWORK, what, account, author, post_id=uri) for account in uris]

    def account(self, account) -> list:
        if not isinstance(account, dict):
            raise TypeError("an account should be an object")
        if account == self.last_read:  # as the record given just before (a page of one author's statuses)
            return []
        self.last_read = None  # until this one is read whole
        uri = text(account["uri"], "uri")
        if uri in self.quiet:
            record = Account(NETWORK, uri, handle=handle_of(account))
        else:
            record = Account(NETWORK, uri, handle=handle_of(account),
                             display_name=text(account.get("display_name"), "display_name") or None,
                             bio=html_to_text(text(account.get("note"), "note")) or None,
                             created_at=text(account.get("created_at"), "created_at"),
                             followers_count=count(account.get("followers_count"), "followers_count"),
                             following_count=count(account.get("following_count"), "following_count"),
                             posts_count=count(account.get("statuses_count"), "statuses_count"))
            self.read_in_full.add(uri)
        self.last_read = account
        return [record]

    def status(self, host: str, status, *, timeline: bool = False) -> list:
        if not isinstance(status, dict):
            raise TypeError("a status should be an object")
        account = status["account"]
        author = text(account["uri"], "account.uri")
        reblog = status.get("reblog")
        if isinstance(reblog, dict):  # a boost: a repost, and the boosted status itself
            inner = self.status(host, reblog)
            return self.account(account) + inner + [
                Interaction(NETWORK, "repost", author, text(reblog["account"]["uri"], "reblog.account.uri"),
                            post_id=text(reblog["uri"], "reblog.uri"),
                            time=text(status.get("created_at"), "created_at"))]
        visibility = status.get("visibility") or "public"
        if visibility not in ("public", "unlisted"):
            return []
        records = self.account(account)
        quoted = quoted_author = None
        quote = status.get("quote")
        if isinstance(quote, dict):
            inner = quote.get("quoted_status") if "quoted_status" in quote else quote
            if isinstance(inner, dict) and isinstance(inner.get("uri"), str):
                quoted, quoted_author = inner["uri"], (inner.get("account") or {}).get("uri")
                records.extend(self.status(host, inner))
        quiet = author in self.quiet
        reply_to = status.get("in_reply_to_id")
        if quiet and (timeline or (reply_to is None and quoted is None)):
            return records  # not an interaction with anyone (or met on a timeline): not kept
        content, links = post_body(text(status.get("content"), "content"),
                                   text(status.get("spoiler_text"), "spoiler_text"))
        hashtags = [text(t.get("name"), "tag.name") for t in status.get("tags") or [] if isinstance(t, dict)]
        mentions = [(m.get("id"), text(m.get("url"), "mention.url")) for m in status.get("mentions") or []
                    if isinstance(m, dict)]
        post = Post(
            NETWORK, text(status["uri"], "uri"), author, created_at=text(status.get("created_at"), "created_at"),
            text=None if quiet else content,
            lang=text(status.get("language"), "language"),
            quote_of_post_id=quoted, quote_of_account_id=quoted_author,
            like_count=count(status.get("favourites_count"), "favourites_count"),
            repost_count=count(status.get("reblogs_count"), "reblogs_count"),
            reply_count=count(status.get("replies_count"), "replies_count"),
            hashtags=[] if quiet else [h for h in hashtags if h],
            links=[] if quiet else list(dict.fromkeys(links)), visibility=visibility)
        refs = (reply_to, status.get("in_reply_to_account_id"), mentions)
        kept = self._resolve(post, host, *refs)
        if kept is None:  # a later line may say whose reply or mention it is
            self._now.append((post, host, refs))
        elif kept:
            records.append(post)
        return records

    def _resolve(self, post: Post, host: str, reply_to, reply_to_account, mentions) -> bool | None:
        """Fill in ``post``'s reply and mentions from their local ids; whether it is kept, or None where the
        lines read so far do not tell (never once ``complete``)."""
        parent = author_of_parent = None
        known = True
        if reply_to is not None:
            found = self.statuses.get((host, str(reply_to)))
            parent = found[0] if found else None
            author_of_parent = (found[1] if found else None) or self.accounts.get((host, str(reply_to_account)))
            known = found is not None and author_of_parent is not None
        targets = []
        for local_id, url in mentions:
            found = self.accounts.get((host, str(local_id)))
            if found is None:
                known = False
                profile = _PROFILE_URL.match(url or "")
                found = f"{profile.group(1)}/users/{profile.group(2)}" if profile else None  # Mastodon's actor URLs
            if found:
                targets.append(found)
        if not known and not self.complete:
            return None
        if (post.author_id in self.quiet and parent is None and author_of_parent is None
                and post.quote_of_post_id is None):
            return False  # a quiet account's reply to no one the log knows: not kept
        post.reply_to_post_id, post.reply_to_account_id = parent, author_of_parent
        post.mentions = list(dict.fromkeys(targets))
        return True

    def resolved(self, ctx: Context):
        """What was held back, resolved against everything the log holds."""
        self.complete = True
        for item in self._later:
            if isinstance(item[0], Post):
                if self._resolve(item[0], item[1], *item[2]):
                    yield item[0]
                continue
            where, kind, host, local_id, uris = item
            interactions = self._reactions(kind, host, local_id, uris)
            if interactions is None:
                ctx.reject(where, _unattributed(kind, host, local_id))
            else:
                yield from interactions


def _unattributed(kind: str, host: str, local_id: str | None) -> str:
    if kind in ("followers", "following"):
        return (f"lists the {kind} of account {local_id} on {host}, but the log holds no answer naming that account "
                "(its lookup is missing): the accounts are kept, the follows are not.")
    return (f"lists who {kind.split('_')[0]} status {local_id} on {host}, but the log holds no answer with that "
            "status (collect its account's statuses): the accounts are kept, the reactions are not.")


def handle_of(account: dict) -> str | None:
    acct = text(account.get("acct"), "acct")
    if acct and "@" in acct:
        return acct
    uri = text(account.get("uri"), "uri") or ""
    host = uri.split("://", 1)[-1].split("/", 1)[0]
    username = text(account.get("username"), "username") or acct
    return f"{username}@{host}" if username and host else username


IMPORTER = MastodonApiLog()
