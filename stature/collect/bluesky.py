"""Collect from Bluesky's public AppView (no login): profiles, posts, who reacted, followers, lists.

For each account: ``app.bsky.actor.getProfiles``; ``app.bsky.feed.getAuthorFeed`` paged by
``cursor`` within the period; for each of its posts ``getLikes``, ``getRepostedBy``,
``getQuotes`` and ``getPostThread`` (only where the post's counts say there is something to
get); ``app.bsky.graph.getFollowers`` and ``getFollows``; the lists and starter packs it
curates (``getLists``/``getList``, ``getActorStarterPacks``/``getStarterPack``). Which lists
an account is *on* needs a login on Bluesky, so it is not collected. At depth 1 the
accounts that engaged get their profile (25 a request) and their newest posts.
"""
from __future__ import annotations

from ..importers.bluesky_api import opted_out
from .base import Collector, in_period, parse_time, refused

PUBLIC_SERVICE = "https://public.api.bsky.app"
PAGE = 100


class BlueskyCollector(Collector):
    network = "bluesky"

    def __init__(self, fetcher, limits=None, *, service: str = PUBLIC_SERVICE, **kw):
        super().__init__(fetcher, limits, **kw)
        self.service = service.rstrip("/")
        self.host = self.service.split("://", 1)[-1]
        self.engaged: dict[str, dict] = {}  # did -> the profile view seen with the reaction
        self.done: set[str] = set()

    def xrpc(self, method: str, **params):
        return self.get(self.service, f"/xrpc/{method}", params)

    def collect(self, actors) -> object:
        actors = [a.strip().lstrip("@") for a in actors]
        self.plan(len(actors))
        for actor in actors:
            self.current = actor
            self._account(actor)
        return self.finish_accounts(sum(1 for did, view in self.engaged.items() if did not in self.done and opted_out(view)))

    # -- one account, in full --
    def _account(self, actor: str) -> None:
        if self.is_excluded(actor):
            self.note(f"{actor} is on the exclusion list: not collected.")
            return
        answer = self.xrpc("app.bsky.actor.getProfiles", actors=actor)
        profiles = answer.body.get("profiles") if answer.ok and isinstance(answer.body, dict) else None
        if not answer.ok and answer.status not in (400, 404):
            raise refused(answer, self.host)
        if not profiles:
            self.fail(actor, self._why_missing(actor))
            return
        profile = profiles[0]
        did, handle = profile.get("did"), profile.get("handle") or actor
        self.tick(1)
        if self.is_excluded(did, handle):
            self.note(f"{handle} is on the exclusion list: not collected.")
            return
        self.done.add(did)
        self.summary.accounts.append(handle)
        why = opted_out(profile)
        if why:
            self.note(f"{handle} {why}: only its profile was collected.")
            return

        posts = self._feed(actor, did, self.limits.max_posts)
        self.plan(sum(_wanted(p) for p in posts))
        for post in posts:
            self._reactions(post)
        for method, key in (("app.bsky.graph.getFollowers", "followers"), ("app.bsky.graph.getFollows", "follows")):
            self._paged(method, key, self.limits.max_followers, actor=actor)
        associated = profile.get("associated") or {}
        if associated.get("lists", 1):
            for lst in self._paged("app.bsky.graph.getLists", "lists", None, actor=actor):
                if isinstance(lst, dict) and lst.get("uri"):
                    self._paged("app.bsky.graph.getList", "items", self.limits.max_followers, list=lst["uri"])
        if associated.get("starterPacks", 1):
            for pack in self._paged("app.bsky.graph.getActorStarterPacks", "starterPacks", None, actor=actor):
                if isinstance(pack, dict) and pack.get("uri"):
                    self.xrpc("app.bsky.graph.getStarterPack", starterPack=pack["uri"])

    def _why_missing(self, actor: str) -> str:
        """Why a profile is missing, in the server's words (getProfile says what getProfiles does not)."""
        answer = self.xrpc("app.bsky.actor.getProfile", actor=actor)
        body = answer.body if isinstance(answer.body, dict) else {}
        error, message = body.get("error") or "", body.get("message") or ""
        if "Takedown" in error or "suspended" in message.lower():
            return "the account is suspended (taken down); nothing to collect."
        if "Deactivated" in error or "deactivated" in message.lower():
            return "the account is deactivated or deleted; nothing to collect."
        if answer.status in (401, 403):
            return str(refused(answer, self.host))
        return (f"no such account on {self.host} (the server says: {message or error or answer.status}). "
                "Check the handle (e.g. name.bsky.social).")

    def _feed(self, actor: str, did: str, limit: int | None, pages: int | None = None) -> list[dict]:
        """The account's own posts in the period, newest first; its reposts are logged with the feed."""
        own, cursor, page = [], None, 0
        if limit == 0:
            return own
        while True:
            size = PAGE if limit is None else max(1, min(PAGE, limit - len(own)))
            answer = self.xrpc("app.bsky.feed.getAuthorFeed", actor=actor, limit=size, cursor=cursor)
            if not answer.ok:
                if answer.status in (400, 404):
                    self.note(f"{actor}: the author feed is not available (HTTP {answer.status}).")
                    return own
                raise refused(answer, self.host)
            body = answer.body if isinstance(answer.body, dict) else {}
            items = body.get("feed") or []
            self.tick(len(items))
            older = False
            for item in items:
                post, reason = item.get("post") or {}, (item.get("reason") or {}).get("$type", "")
                if reason.endswith("reasonPin"):
                    continue
                created = parse_time((post.get("record") or {}).get("createdAt"))
                if reason.endswith("reasonRepost"):
                    created = parse_time((item.get("reason") or {}).get("indexedAt")) or created
                if self.limits.since and created and created < self.limits.since:
                    older = True
                    break
                if not reason and (post.get("author") or {}).get("did") == did and in_period(created, self.limits):
                    own.append(post)
                    if limit is not None and len(own) >= limit:
                        return own
            page += 1
            cursor = body.get("cursor")
            if older or not cursor or not items or (pages is not None and page >= pages):
                return own
            self.plan(1)

    def _reactions(self, post: dict) -> None:
        uri = post.get("uri")
        cap = self.limits.max_reactions
        if post.get("likeCount"):
            for like in self._paged("app.bsky.feed.getLikes", "likes", cap, uri=uri):
                self._engaged((like or {}).get("actor"))
        if post.get("repostCount"):
            for actor in self._paged("app.bsky.feed.getRepostedBy", "repostedBy", cap, uri=uri):
                self._engaged(actor)
        if post.get("quoteCount"):
            for quote in self._paged("app.bsky.feed.getQuotes", "posts", cap, uri=uri):
                self._engaged((quote or {}).get("author"))
        if post.get("replyCount"):
            answer = self.xrpc("app.bsky.feed.getPostThread", uri=uri)
            if answer.ok and isinstance(answer.body, dict):
                replies = list(_thread_replies(answer.body.get("thread")))
                self.tick(len(replies))
                for reply in replies:
                    self._engaged(reply.get("author"))
            elif answer.status not in (400, 404):
                raise refused(answer, self.host)

    def _paged(self, method: str, key: str, cap: int | None, **params) -> list:
        """Every item of a cursor-paged list, up to ``cap``; a post or list gone (400/404) gives none."""
        found, cursor = [], None
        if cap == 0:
            return found
        while True:
            size = PAGE if cap is None else max(1, min(PAGE, cap - len(found)))
            answer = self.xrpc(method, limit=size, cursor=cursor, **params)
            if not answer.ok:
                if answer.status in (400, 404):
                    return found
                raise refused(answer, self.host)
            body = answer.body if isinstance(answer.body, dict) else {}
            items = body.get(key) or []
            found.extend(items)
            self.tick(len(items))
            cursor = body.get("cursor")
            if not cursor or not items or (cap is not None and len(found) >= cap):
                return found[:cap] if cap is not None else found
            self.plan(1)

    def _engaged(self, profile) -> None:
        if isinstance(profile, dict) and isinstance(profile.get("did"), str):
            self.engaged.setdefault(profile["did"], profile)

    # -- depth 1: the accounts that engaged, lighter --
    def _depth(self) -> None:
        todo = []
        for did, view in self.engaged.items():
            if did in self.done:
                continue
            if self.is_excluded(did, view.get("handle")):
                continue
            if opted_out(view):
                continue
            todo.append(did)
        skipped = len(self.engaged) - len(todo) - len(self.done & set(self.engaged))
        if skipped:
            self.note(f"depth 1: {skipped} engaged account(s) excluded or asking not to be indexed were not "
                      "collected.")
        batches = [todo[i:i + 25] for i in range(0, len(todo), 25)]
        self.plan(len(batches) + len(todo))
        for batch in batches:
            self.current = f"depth 1 ({len(batch)} profiles)"
            answer = self.xrpc("app.bsky.actor.getProfiles", actors=batch)
            profiles = answer.body.get("profiles", []) if answer.ok and isinstance(answer.body, dict) else []
            self.tick(len(profiles))
            open_ = {p.get("did") for p in profiles if isinstance(p, dict) and not opted_out(p)}
            for did in batch:
                if did in open_:
                    self.current = f"depth 1 {did}"
                    self._feed(did, did, self.limits.depth_posts, pages=1)
                    self.done.add(did)
                else:
                    self.planned = max(0, self.planned - 1)


def _wanted(post: dict) -> int:
    return sum(1 for k in ("likeCount", "repostCount", "quoteCount", "replyCount") if post.get(k))


def _thread_replies(node):
    """The post views of every reply under a thread node (not found and blocked posts left out)."""
    todo = [node]
    while todo:
        node = todo.pop()
        if not isinstance(node, dict):
            continue
        for reply in node.get("replies") or []:
            if isinstance(reply, dict) and isinstance(reply.get("post"), dict):
                yield reply["post"]
                todo.append(reply)
