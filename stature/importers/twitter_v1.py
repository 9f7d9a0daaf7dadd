"""Twitter API v1.1 JSON: tweets, users and the pages the API returns them in.

Read as one JSON document (a tweet, a user, an array of them, a ``{"users": [...],
"next_cursor": ...}`` followers/friends/list-members page, a ``{"statuses": [...]}``
search page, a ``statuses/lookup?map=true`` ``{"id": {...}}`` page) or as JSON lines
with one such value per line (what streaming and most collectors write). A file whose
first line is a whole JSON value is read as JSON lines, so big files stream; the
streaming API's notices (``delete``, ``limit``, ...) are skipped.

The PHEME / RumourEval thread layout, ``<thread>/source-tweet/<id>.json`` and
``<thread>/replies/<id>.json``, is one tweet per file; its ``structure.json``,
annotations and READMEs are not tweets and are left unrecognised. A flattened,
non-API layout with ``hashtags`` / ``urls`` / ``user_mentions`` at the top level
instead of under ``entities`` (RumourEval's ``data/trump``) is read too.

What a tweet gives:

- its author, from ``user``: an Account (``friends_count`` is ``following_count``,
  ``statuses_count`` is ``posts_count``, ``description`` is the bio), given again in the
  same file only when the profile or counts changed;
- a retweet (``retweeted_status``) is not a post: it is a ``repost`` Interaction
  retweeter -> original author, with the ORIGINAL tweet's id and the retweet's time;
  the embedded original is a Post by its own author, and the retweet's mentions
  (which are the original's) are not counted again;
- any other tweet is a Post; ``extended_tweet.full_text`` or ``full_text`` win over
  ``text`` (and the extended entities over the short ones). Replies
  (``in_reply_to_status_id``), quotes (``quoted_status_id_str``, the quoted author
  from an embedded ``quoted_status``) and mentions are the Post's fields, from which
  the writer derives the ``reply``, ``quote`` and ``mention`` interactions. An
  embedded quoted tweet is a Post too, so a thread's quote of an outside tweet adds
  that tweet (RumourEval's train/dev/test: 5,568 thread tweets + 4 quoted ones);
- mentioned and replied-to accounts: Accounts with id, handle and name (once per file);
- a user object's embedded latest ``status`` is a Post by that user.

Direct messages (``sender`` / ``recipient_id``) are private and not claimed.
"""
from __future__ import annotations

import re


from ..model import Account, Interaction, Post
from .base import (LARGEST, Context, Importer, count, first_line_is_json, identifier, json_document, json_lines,
                   number, optional_identifier, text)
from .sources import Entry

NETWORK = "twitter"
_MAX_EMBEDDED = 3  # retweet -> original -> quoted tweet is as deep as the API nests
_MAX_REMEMBERED = 2_000_000  # accounts remembered per file, so an unchanged one is given once
_TWITTER_TIME = re.compile(rb'"created_at"\s*:\s*"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d\d '
                           rb'\d\d:\d\d:\d\d [+-]\d{4} \d{4}"')
_THREAD_TWEET = re.compile(r"(?:^|/)(?:source-tweet|replies)/\d+\.json(?:\.gz)?$")
# direct messages (private), list pages and friendships hold users but are not about them
_NOT_MINE = (b'"sender"', b'"sender_id"', b'"recipient_id"', b'"message_create"', b'"lists"', b'"relationship"')
_TWEET_FIELDS = (b'"screen_name"', b'"retweet_count"', b'"favorite_count"', b'"in_reply_to_status_id"',
                 b'"friends_count"')
_STREAM_NOTICES = frozenset(("delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
                             "disconnect", "warning", "friends", "friends_str", "event", "control"))


class TwitterV1(Importer):
    name = "twitter-v1"
    options = ()  # direct messages are never claimed; the network is always twitter
    description = "Twitter API v1.1 JSON or JSON lines: tweets, users, search and follower pages"

    def matches(self, entry: Entry, head: bytes) -> bool:
        start = head.lstrip()[:1]
        if start not in (b"{", b"[") or any(marker in head for marker in _NOT_MINE):
            return False
        if _THREAD_TWEET.search(entry.name) or _TWITTER_TIME.search(head):
            return True
        if b'"id_str"' in head:
            return any(field in head for field in _TWEET_FIELDS)
        return b'"screen_name"' in head and (b'"followers_count"' in head or b'"statuses_count"' in head)

    def native(self, path: str, network: str | None = None):
        """Big JSON-lines files of tweets are read by DuckDB (see :mod:`.twitter_v1_native`)."""
        from .twitter_v1_native import plan
        return plan(path)

    def read(self, entry: Entry, ctx: Context):
        seen: dict[str, tuple | None] = {}  # account id -> profile given (None: a mention's id and handle)
        if first_line_is_json(entry):
            for where, value in json_lines(entry, ctx):
                yield from _value(value, where, ctx, seen)
        else:
            yield from _value(json_document(entry, ctx), None, ctx, seen)


def _value(value, where: str | None, ctx: Context, seen: dict):
    """The records of one JSON value: a tweet, a user, a page, or an array of them."""
    if type(value) is dict:
        if "user" in value:
            return ctx.guard(where or "the tweet", _tweet, value, seen)
        items = value.get("statuses")
        if items is None:
            items = value.get("users")
        if items is None and len(value) == 1 and type(value.get("id")) is dict:  # lookup with map=true
            items = [t for t in value["id"].values() if t is not None]
        if type(items) is list:
            return _items(items, where, ctx, seen)
        if "screen_name" in value:
            return ctx.guard(where or "the user", _user, value, seen)
        if len(value) == 1 and next(iter(value)) in _STREAM_NOTICES:
            return ()
        if "text" in value or "full_text" in value:
            ctx.reject(where or "the tweet", "is a tweet without its `user`, so its author is unknown.")
            return ()
    elif type(value) is list:
        return _items(value, where, ctx, seen)
    ctx.reject(where or "the document", f"is neither a tweet, a user nor a page of them ({_shape(value)}).")
    return ()


def _items(items: list, where: str | None, ctx: Context, seen: dict) -> list:
    records = []
    for number_, item in enumerate(items, 1):
        label = f"record {number_}" if where is None else f"{where}, record {number_}"
        if type(item) is list:
            ctx.reject(label, "is a list inside a list; a tweet, a user or a page of them belongs here.")
        else:
            records.extend(_value(item, label, ctx, seen))
    return records


def _shape(value) -> str:
    if type(value) is dict:
        keys = ", ".join(list(value)[:6])
        return f"an object with the fields {keys}" if keys else "an empty object"
    return f"a JSON {type(value).__name__}"


def _tweet(t: dict, seen: dict) -> list:
    records = []
    try:
        _add_tweet(records, t, t["user"], seen, 0)
    except Exception:
        _forget(records, seen)
        raise
    return records


def _user(u: dict, seen: dict) -> list:
    records = []
    try:
        status = u.get("status")
        if type(status) is dict:  # the user's latest tweet, without its own user object
            _add_tweet(records, status, u, seen, 0)
        else:
            _add_user(records, u, seen)
    except Exception:
        _forget(records, seen)
        raise
    return records


def _forget(records: list, seen: dict) -> None:
    """A rejected record gives nothing, so the accounts it gave must be given again later."""
    for record in records:
        if type(record) is Account:
            seen.pop(record.account_id, None)


def _add_user(out: list, u: dict, seen: dict) -> str:
    """Append ``u`` as an Account unless this file gave it with the same profile and counts already."""
    uid = _id(u)
    profile = (u.get("screen_name"), u.get("name"), u.get("description"), u.get("created_at"),
               u.get("followers_count"), u.get("friends_count"), u.get("listed_count"), u.get("statuses_count"))
    if seen.get(uid) != profile:
        account = _account(uid, *profile)
        if len(seen) >= _MAX_REMEMBERED:
            seen.clear()
        seen[uid] = profile
        out.append(account)
    return uid


def _add_tweet(out: list, t: dict, user: dict, seen: dict, depth: int) -> str:
    """Append the records of tweet ``t`` by ``user`` to ``out``; return the author's id."""
    author = _add_user(out, user, seen)
    created = t.get("created_at")
    if created is not None and type(created) is not str:
        raise TypeError(f"created_at should be text, not {type(created).__name__}")

    original = t.get("retweeted_status")
    if original:
        _check_depth(depth)
        original_user = original.get("user")
        if original_user:
            target = _add_tweet(out, original, original_user, seen, depth + 1)
        else:  # only the original's id is given; its author is the first mention, "RT @name:"
            mentions = _entities(t).get("user_mentions")
            target = _id(mentions[0]) if mentions else None
        out.append(Interaction(NETWORK, "repost", author, target, post_id=_id(original), time=created))
        return author

    extended = t.get("extended_tweet")
    if extended:
        body = extended.get("full_text")
        entities = extended.get("entities") or _entities(t)
    else:
        body = t.get("full_text") or t.get("text")
        entities = _entities(t)
    if body is not None and type(body) is not str:
        raise TypeError(f"text should be text, not {type(body).__name__}")

    mentions = []
    for m in entities.get("user_mentions") or ():
        mid = _id(m)
        mentions.append(mid)
        if mid not in seen:
            out.append(Account(NETWORK, mid, handle=_text(m.get("screen_name")), display_name=_text(m.get("name"))))
            seen[mid] = None
    hashtags = [_text(h["text"]) if type(h) is dict else _text(h) for h in entities.get("hashtags") or ()]
    links = [_text(u.get("expanded_url") or u.get("url")) for u in entities.get("urls") or ()]

    reply_to_user = t.get("in_reply_to_user_id_str") or optional_identifier(t.get("in_reply_to_user_id"))
    if reply_to_user and reply_to_user not in seen:
        out.append(Account(NETWORK, reply_to_user, handle=_text(t.get("in_reply_to_screen_name"))))
        seen[reply_to_user] = None

    quote_of = t.get("quoted_status_id_str") or optional_identifier(t.get("quoted_status_id"))
    quote_author = None
    quoted = t.get("quoted_status")
    if quoted and type(quoted) is dict and quoted.get("user"):
        _check_depth(depth)
        quote_author = _add_tweet(out, quoted, quoted["user"], seen, depth + 1)
        quote_of = quote_of or _id(quoted)

    out.append(Post(
        NETWORK, _id(t), author, created_at=created, text=body, lang=_text(t.get("lang")),
        reply_to_post_id=t.get("in_reply_to_status_id_str") or optional_identifier(t.get("in_reply_to_status_id")),
        reply_to_account_id=reply_to_user, quote_of_post_id=quote_of, quote_of_account_id=quote_author,
        like_count=_count(t.get("favorite_count")), repost_count=_count(t.get("retweet_count")),
        reply_count=_count(t.get("reply_count")), quote_count=_count(t.get("quote_count")),
        hashtags=hashtags, mentions=mentions, links=links,
    ))
    return author


def _entities(t: dict) -> dict:
    """The API's ``entities``; in the flattened layout the tweet itself holds them."""
    entities = t.get("entities")
    return t if entities is None else entities


def _check_depth(depth: int) -> None:
    if depth >= _MAX_EMBEDDED:
        raise ValueError(f"tweets are embedded in each other more than {_MAX_EMBEDDED} deep")


def _account(uid: str, handle, name, bio, created, followers, following, listed, posts) -> Account:
    return Account(
        NETWORK, uid, handle=_text(handle), display_name=_text(name), bio=_text(bio), created_at=_text(created),
        followers_count=_number(followers), following_count=_number(following), listed_count=_number(listed),
        posts_count=_number(posts),
    )


def _id(obj: dict) -> str:
    """An object's id: ``id_str``, else ``id``."""
    value = obj.get("id_str")
    return identifier(obj["id"] if value is None else value)


def _text(value) -> str | None:
    return value if value is None or type(value) is str else text(value)


def _number(value):
    return value if value is None or (type(value) is int and -LARGEST <= value <= LARGEST) else number(value)


def _count(value):
    return value if value is None or (type(value) is int and -LARGEST <= value <= LARGEST) else count(value)


IMPORTER = TwitterV1()
