"""Logs of Bluesky API responses (``stature collect bluesky``, or any client writing the same lines).

Each 200 answer is read by its XRPC method: profiles, feeds, posts, threads, likes,
reposts, quotes, followers, follows, lists, starter packs, and ``listRecords``/``getRecord``
(read as the repository export reads records). Accounts are DIDs and posts ``at://`` URIs,
as in a repository export, so the same like or post met in both is stored once.

An account that asks not to be shown to logged-out users (the ``!no-unauthenticated``
label) or says ``#nobot`` in its bio is kept only as far as others' interactions need: its
DID and handle, its reactions, and its replies and quotes without their text; its other
posts are not kept.
"""
from __future__ import annotations

from ..model import Account, Interaction, ListMembership
from .api_log import looks_like_log, responses
from .base import Context, Importer, count, text
from .bluesky import POST, _post, _record, did_of
from .sources import Entry

NETWORK = "bluesky"
NO_UNAUTHENTICATED = "!no-unauthenticated"


def opted_out(profile) -> str | None:
    """Why an account asks not to be collected (a label or ``#nobot``), or None."""
    if not isinstance(profile, dict):
        return None
    for label in profile.get("labels") or []:
        if isinstance(label, dict) and label.get("val") == NO_UNAUTHENTICATED and not label.get("neg"):
            return "asks not to be shown to logged-out users (!no-unauthenticated)"
    if "#nobot" in (profile.get("description") or "").lower():
        return "says #nobot in its bio"
    return None


class BlueskyApiLog(Importer):
    name = "bluesky-api"
    description = "Bluesky API responses logged as JSON lines {network, url, fetched_at, status, body}"

    def matches(self, entry: Entry, head: bytes) -> bool:
        return looks_like_log(head, NETWORK)

    def read(self, entry: Entry, ctx: Context):
        reader = _Reader()
        for where, parts, query, body in responses(entry, ctx):
            method = parts.path.rstrip("/").rsplit("/", 1)[-1]
            handler = _METHODS.get(method)
            if handler is None or not isinstance(body, dict):
                continue
            for record in ctx.guard(where, handler, reader, body, query):
                yield record


class _Reader:
    """Turns response bodies into records, remembering who opted out."""

    def __init__(self):
        self.quiet: set[str] = set()  # DIDs of accounts that opted out

    def account(self, view, *, full: bool = False) -> list:
        if not isinstance(view, dict) or not isinstance(view.get("did"), str):
            return []
        did = view["did"]
        handle = text(view.get("handle"), "handle")
        if opted_out(view):
            self.quiet.add(did)
            return [Account(NETWORK, did, handle=handle)]
        return [Account(NETWORK, did, handle=handle, display_name=text(view.get("displayName"), "displayName") or None,
                        bio=text(view.get("description"), "description") or None,
                        created_at=text(view.get("createdAt"), "createdAt") if full else None,
                        followers_count=count(view.get("followersCount"), "followersCount"),
                        following_count=count(view.get("followsCount"), "followsCount"),
                        posts_count=count(view.get("postsCount"), "postsCount"))]

    def post(self, view) -> list:
        """A post view: its author and the post (replies and quotes kept without text for quiet authors)."""
        if not isinstance(view, dict) or not isinstance(view.get("uri"), str):
            return []
        uri = view["uri"]
        did = did_of(uri)
        record = view.get("record")
        if did is None or not isinstance(record, dict) or (record.get("$type") or POST) != POST:
            return []
        out = self.account(view.get("author"))
        key = uri[len(f"at://{did}/"):]
        post = _post(did, key, record)[0]
        if did in self.quiet:
            if post.reply_to_post_id is None and post.quote_of_post_id is None:
                return out
            post.text, post.hashtags, post.links = None, [], []
        post.like_count = count(view.get("likeCount"), "likeCount")
        post.repost_count = count(view.get("repostCount"), "repostCount")
        post.reply_count = count(view.get("replyCount"), "replyCount")
        post.quote_count = count(view.get("quoteCount"), "quoteCount")
        return out + [post]


def _profiles(r: _Reader, body, query):
    views = body.get("profiles") if "profiles" in body else [body]
    return [rec for v in views or [] for rec in r.account(v, full=True)]


def _actors(r: _Reader, body, query):
    views = body.get("actors") or body.get("suggestions") or []
    return [rec for v in views for rec in r.account(v)]


def _feed(r: _Reader, body, query):
    out = []
    for item in body.get("feed") or []:
        if not isinstance(item, dict):
            continue
        post = item.get("post") or {}
        out.extend(r.post(post))
        reply = item.get("reply") or {}
        for side in ("root", "parent"):
            out.extend(r.post(reply.get(side)))
        reason = item.get("reason") or {}
        if str(reason.get("$type", "")).endswith("reasonRepost") and isinstance(post.get("uri"), str):
            by = reason.get("by") or {}
            out.extend(r.account(by))
            if isinstance(by.get("did"), str):
                out.append(Interaction(NETWORK, "repost", by["did"], did_of(post["uri"]), post_id=post["uri"],
                                       time=text(reason.get("indexedAt"), "reason.indexedAt")))
    return out


def _posts(r: _Reader, body, query):
    return [rec for v in body.get("posts") or [] for rec in r.post(v)]


def _thread(r: _Reader, body, query):
    out, todo = [], [body.get("thread")]
    while todo:
        node = todo.pop()
        if not isinstance(node, dict):
            continue
        out.extend(r.post(node.get("post")))
        todo.append(node.get("parent"))
        todo.extend(node.get("replies") or [])
    return out


def _likes(r: _Reader, body, query):
    uri = text(body["uri"], "uri")
    out = []
    for like in body.get("likes") or []:
        actor = like.get("actor") or {}
        out.extend(r.account(actor))
        out.append(Interaction(NETWORK, "like", actor["did"], did_of(uri), post_id=uri,
                               time=text(like.get("createdAt"), "createdAt")))
    return out


def _reposted_by(r: _Reader, body, query):
    uri = text(body["uri"], "uri")
    out = []
    for actor in body.get("repostedBy") or []:
        out.extend(r.account(actor))
        out.append(Interaction(NETWORK, "repost", actor["did"], did_of(uri), post_id=uri))
    return out


def _follow_list(key: str, outward: bool):
    def read(r: _Reader, body, query):
        subject = body["subject"]
        out = r.account(subject)
        for other in body.get(key) or []:
            out.extend(r.account(other))
            source, target = (subject["did"], other["did"]) if outward else (other["did"], subject["did"])
            out.append(Interaction(NETWORK, "follow", source, target))
        return out
    return read


def _list(r: _Reader, body, query):
    info = body["list"]
    creator = info.get("creator") or {}
    out = r.account(creator)
    for item in body.get("items") or []:
        subject = item.get("subject") or {}
        out.extend(r.account(subject))
        out.append(ListMembership(NETWORK, text(info["uri"], "list.uri"), subject["did"],
                                  list_name=text(info.get("name"), "list.name"), owner_id=creator.get("did"),
                                  owner_handle=creator.get("handle")))
    return out


def _lists(r: _Reader, body, query):
    views = body.get("lists") or body.get("starterPacks") or []
    return [rec for v in views if isinstance(v, dict) for rec in r.account(v.get("creator"))]


def _starter_pack(r: _Reader, body, query):
    pack = body["starterPack"]
    creator = pack.get("creator") or {}
    out = r.account(creator)
    backing = pack.get("list") or {}
    list_uri = backing.get("uri") or (pack.get("record") or {}).get("list")
    name = (pack.get("record") or {}).get("name") or backing.get("name")
    for item in pack.get("listItemsSample") or []:
        subject = item.get("subject") or {}
        out.extend(r.account(subject))
        if list_uri:
            out.append(ListMembership(NETWORK, text(list_uri, "list"), subject["did"], list_name=text(name, "name"),
                                      owner_id=creator.get("did"), owner_handle=creator.get("handle")))
    return out


def _records(r: _Reader, body, query):
    items = body.get("records") if "records" in body else [body]
    out = []
    for item in items or []:
        uri = text(item["uri"], "uri")
        did = did_of(uri)
        if did is None or did in r.quiet:
            continue
        out.extend(_record(did, uri[len(f"at://{did}/"):], item["value"], {}))
    return out


_METHODS = {
    "app.bsky.actor.getProfile": _profiles,
    "app.bsky.actor.getProfiles": _profiles,
    "app.bsky.actor.searchActors": _actors,
    "app.bsky.actor.searchActorsTypeahead": _actors,
    "app.bsky.graph.getSuggestedFollowsByActor": _actors,
    "app.bsky.feed.getAuthorFeed": _feed,
    "app.bsky.feed.getFeed": _feed,
    "app.bsky.feed.getTimeline": _feed,
    "app.bsky.feed.getPosts": _posts,
    "app.bsky.feed.getQuotes": _posts,
    "app.bsky.feed.searchPosts": _posts,
    "app.bsky.feed.getPostThread": _thread,
    "app.bsky.feed.getLikes": _likes,
    "app.bsky.feed.getRepostedBy": _reposted_by,
    "app.bsky.graph.getFollowers": _follow_list("followers", outward=False),
    "app.bsky.graph.getFollows": _follow_list("follows", outward=True),
    "app.bsky.graph.getList": _list,
    "app.bsky.graph.getLists": _lists,
    "app.bsky.graph.getActorStarterPacks": _lists,
    "app.bsky.graph.getStarterPacks": _lists,
    "app.bsky.graph.getStarterPack": _starter_pack,
    "com.atproto.repo.listRecords": _records,
    "com.atproto.repo.getRecord": _records,
}

IMPORTER = BlueskyApiLog()
