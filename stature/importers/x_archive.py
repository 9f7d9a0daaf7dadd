"""X/Twitter account archives: the ``data/*.js`` files of "Download your data".

Each file is ``window.YTD.<name>.partN = [ ... ]``; the prefix is stripped and the
rest parsed as JSON, never evaluated. The archive's owner comes from ``account.js``
or, in archives without it, ``manifest.js``.

Retweets become ``repost`` interactions (owner -> retweeted author, keyed by the
retweet's own id, as the archive does not name the original), not posts, and a
retweet's mentions are the original author's, so they are not counted as the
owner's mentions: this archive gives 25 ``mention`` interactions, not 43.
Likes name the post but not its author, so their target is left empty.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ImportFormatError
from ..model import Account, Interaction, ListMembership, Post
from .base import Context, Importer, count, json_document, json_items, text
from .sources import Entry

NETWORK = "twitter"
_TWEETS = re.compile(r"^(tweets?|community-tweet)(-part\d+)?\.js$")
_KNOWN = re.compile(r"^(tweets?|community-tweet|follower|following|like|lists-member|profile|account"
                    r"|direct-messages(-group)?|manifest)(-part\d+)?\.js$")
_LIST_URL = re.compile(r"https?://(?:www\.)?(?:twitter|x)\.com/([^/]+)/lists/([^/?#]+)")


class XArchive(Importer):
    name = "x-archive"
    description = "X/Twitter archive files (tweets.js, follower.js, like.js, ...), a folder or a .zip"
    options = ("include_direct",)

    def matches(self, entry: Entry, head: bytes) -> bool:
        """A known archive file: one that says ``window.YTD...``, or any of that name beside the
        archive's manifest.js or account.js (an empty or damaged tweets.js is then an error, not
        a file nobody recognised)."""
        if not _KNOWN.match(entry.basename):
            return False
        return head.lstrip().startswith(b"window.") or (
            not entry.basename.startswith(("manifest", "account"))
            and (entry.sibling("manifest.js") is not None or entry.sibling("account.js") is not None))

    def native(self, path: str, network: str | None = None):
        """Big tweet files are read by DuckDB (see :mod:`.x_archive_native`); the owner as ``read`` finds it."""
        from .sources import entries
        from .x_archive_native import plan
        found = [e for e in entries(Path(path).parent) if e.path == Path(path).resolve()]
        if not found or not _TWEETS.match(found[0].basename):
            return None
        try:
            owner = _owner(found[0], Context())[0]
        except ImportFormatError:
            return None  # the Python reader says so, in its place
        return plan(path, owner)

    def read(self, entry: Entry, ctx: Context):
        base = entry.basename
        if base.startswith("manifest"):
            owner = _owner(entry, ctx)
            return [Account(NETWORK, owner[0], handle=owner[1], display_name=owner[2])]
        if base.startswith("direct-messages") and not ctx.include_direct:
            return []
        if base.startswith("account"):
            return _each(json_items(entry, ctx), ctx, _account)
        owner_id = _owner(entry, ctx)[0]
        items = json_items(entry, ctx)  # a big file is read an element at a time
        if _TWEETS.match(base):
            return _each(items, ctx, _tweet, owner_id)
        if base.startswith("follower"):
            return _each(items, ctx, lambda i: [Interaction(
                NETWORK, "follow", _id(i["follower"]["accountId"]), owner_id)])
        if base.startswith("following"):
            return _each(items, ctx, lambda i: [Interaction(
                NETWORK, "follow", owner_id, _id(i["following"]["accountId"]))])
        if base.startswith("like"):
            return _each(items, ctx, lambda i: [Interaction(
                NETWORK, "like", owner_id, None, post_id=_id(i["like"]["tweetId"]))])
        if base.startswith("lists-member"):
            return _each(items, ctx, _list_membership, owner_id)
        if base.startswith("profile"):
            return _each(items, ctx, lambda i: [Account(
                NETWORK, owner_id, bio=text(i["profile"]["description"].get("bio"), "bio"))])
        if base.startswith("direct-messages"):
            return _each(items, ctx, _direct_messages)
        return []


def _each(items, ctx, convert, *args):
    for number, item in enumerate(items, 1):
        yield from ctx.guard(f"record {number}", convert, item, *args)


def _id(value) -> str:
    value = text(value, "id")
    if not value:
        raise ValueError("an id is empty")
    return value


def _owner(entry: Entry, ctx: Context) -> tuple[str, str | None, str | None]:
    """(account id, handle, display name) of the archive's owner."""
    account = entry.sibling("account.js")
    if account is not None:
        items = json_document(account, Context())
        if isinstance(items, list) and items and isinstance(items[0], dict):
            a = items[0].get("account", {})
            if a.get("accountId"):
                return _id(a["accountId"]), a.get("username"), a.get("accountDisplayName")
    manifest = entry.sibling("manifest.js")
    if manifest is not None:
        config = json_document(manifest, Context())
        info = config.get("userInfo", {}) if isinstance(config, dict) else {}
        if info.get("accountId"):
            return _id(info["accountId"]), info.get("userName"), info.get("displayName")
    raise ImportFormatError(entry.key, None, "is part of an X archive, but the archive's account.js or "
                            "manifest.js, which say whose archive it is, is not beside it. Import the "
                            "archive's whole data folder or .zip.")


def _account(item) -> list:
    a = item["account"]
    return [Account(NETWORK, _id(a["accountId"]), handle=text(a.get("username")),
                    display_name=text(a.get("accountDisplayName")), created_at=text(a.get("createdAt")))]


def _tweet(item, owner_id: str) -> list:
    t = item.get("tweet", item)
    tweet_id = _id(t.get("id_str") or t["id"])
    body = text(t.get("full_text") or t.get("text") or "", "full_text")
    entities = t.get("entities") or {}
    mentions = entities.get("user_mentions") or []
    records = [Account(NETWORK, _id(m.get("id_str") or m["id"]), handle=text(m.get("screen_name")),
                       display_name=text(m.get("name"))) for m in mentions]
    created = text(t.get("created_at"), "created_at")
    if body.startswith("RT @") or t.get("retweeted_status"):
        original = t.get("retweeted_status") or {}
        target = original.get("user", {}).get("id_str") or (
            _id(mentions[0].get("id_str") or mentions[0]["id"]) if mentions else None)
        if target is None:
            raise ValueError("a retweet names no retweeted account")
        records.append(Interaction(NETWORK, "repost", owner_id, target,
                                   post_id=original.get("id_str") or tweet_id, time=created))
        return records
    records.append(Post(
        NETWORK, tweet_id, owner_id, created_at=created, text=body, lang=text(t.get("lang")),
        reply_to_post_id=text(t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id")),
        reply_to_account_id=text(t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id")),
        quote_of_post_id=text(t.get("quoted_status_id_str")),
        like_count=count(t.get("favorite_count")), repost_count=count(t.get("retweet_count")),
        hashtags=[text(h["text"]) for h in entities.get("hashtags") or []],
        mentions=[_id(m.get("id_str") or m["id"]) for m in mentions],
        links=[text(u.get("expanded_url") or u.get("url")) for u in entities.get("urls") or []],
    ))
    if t.get("in_reply_to_user_id_str") and t.get("in_reply_to_screen_name"):
        records.append(Account(NETWORK, _id(t["in_reply_to_user_id_str"]),
                               handle=text(t["in_reply_to_screen_name"])))
    return records


def _list_membership(item, owner_id: str) -> list:
    url = text(item["userListInfo"]["url"], "url")
    found = _LIST_URL.match(url or "")
    if not found:
        raise ValueError(f"the list URL {url!r} is not a twitter.com list address")
    owner_handle, slug = found.groups()
    return [ListMembership(NETWORK, f"{owner_handle}/{slug}", owner_id,
                           list_name=None if slug.isdigit() else slug.replace("-", " "),
                           owner_handle=owner_handle)]


def _direct_messages(item) -> list:
    records = []
    for message in item["dmConversation"]["messages"]:
        m = message.get("messageCreate")
        if not m:
            continue
        records.append(Post(NETWORK, "dm:" + _id(m["id"]), _id(m["senderId"]), created_at=text(m.get("createdAt")),
                            text=text(m.get("text")), mentions=[_id(m["recipientId"])], visibility="direct"))
    return records


IMPORTER = XArchive()
