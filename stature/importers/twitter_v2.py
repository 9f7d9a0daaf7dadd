"""Twitter API v2 JSON lines, as twarc writes them.

Each line is a response page ``{"data": [...], "includes": {"users": [...], "tweets":
[...]}, "meta": ..., "__twarc": ...}`` (a filtered stream's page holds one tweet as
``data``), or a single tweet as ``twarc2 flatten`` writes it, with its ``author``,
``referenced_tweets`` and mentioned users embedded. A file holding one pretty-printed
response is read too. Pages with no ``data`` (an empty result, an error) are skipped.

What is counted, and how:

- a tweet in ``data`` that ``referenced_tweets`` marks ``retweeted`` is not a post: it is
  a ``repost`` Interaction retweeter -> the retweeted tweet's author (from
  ``includes.tweets``, else the ``RT @name`` mention), with the RETWEETED tweet's id and
  the retweet's time; its mentions are the original's and are not counted again;
- any other tweet is a Post; ``quoted`` gives ``quote_of_post_id`` and, where the quoted
  tweet is included, ``quote_of_account_id``; ``replied_to`` gives ``reply_to_post_id``,
  with ``in_reply_to_user_id`` as ``reply_to_account_id``. The writer derives the
  ``quote``, ``reply`` and ``mention`` interactions from these fields. ``note_tweet``
  (a long tweet's full text) wins over ``text``; counts come from ``public_metrics``;
  ``entities`` give hashtags (``tag``), mentions (``id``, else the username looked up in
  ``includes.users``) and links (``expanded_url``);
- ``includes.tweets`` are real posts too (the tweets that ``data`` retweets, quotes or
  answers) and are stored as Posts with their own replies and quotes; ``includes.users``
  are Accounts (``public_metrics``: followers, following, listed and tweet counts).

So brexit.jsonl's one page, 100 tweets in ``data``, gives from those 100: 67 ``repost``
interactions (67 retweets), 11 ``quote`` interactions and 10 replies (33 posts). Its 59
included tweets (4 of them also in ``data``) add 55 posts, 7 of them replies, and 13
quotes of tweets outside the page, of which 2 quote a tweet whose author the page
names. In all: 88 posts, 17 replies, 13 ``quote`` interactions, and 185 accounts (the
177 included users and 8 mentioned accounts outside them).

User pages (``twarc2 users``, ``followers``, ``following``, list ``members``) give
Accounts; where twarc's ``__twarc.url`` says whose followers or following they are, or
which list they are members of, ``follow`` interactions or list memberships too, and a
``list_memberships`` page gives the lists its user belongs to. Pages of lists a user owns
(``owned_lists``) and tweet-count pages name no accounts' links and give nothing.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from ..model import Account, Interaction, ListMembership, Post
from .base import (Context, Importer, count, first_line_is_json, identifier, json_document, json_lines, number,
                   optional_identifier, text)
from .sources import Entry

NETWORK = "twitter"
_PAGE_MARKERS = (b'"__twarc"', b'"includes"', b'"author_id"', b'"public_metrics"', b'"edit_history_tweet_ids"',
                 b'"conversation_id"', b'"matching_rules"', b'"username"', b'"owner_id"')
_FLAT_MARKERS = (b'"__twarc"', b'"author"', b'"edit_history_tweet_ids"', b'"conversation_id"')
# ("users", "followers") in __twarc.url /2/users/ID/followers, ...
_RELATIONS = {("users", "followers"), ("users", "following"), ("lists", "members"), ("users", "list_memberships")}


class TwitterV2(Importer):
    name = "twitter-v2"
    description = "Twitter API v2 JSON lines as twarc writes them: tweet, user and list pages"

    def matches(self, entry: Entry, head: bytes) -> bool:
        if head.lstrip()[:1] != b"{" or b'"id_str"' in head:  # id_str is v1.1's
            return False
        if b'"data"' in head:
            return any(marker in head for marker in _PAGE_MARKERS)
        return b'"author_id"' in head and any(marker in head for marker in _FLAT_MARKERS)

    def native(self, path: str, network: str | None = None):
        """Big JSON-lines files of tweet pages are read by DuckDB (see :mod:`.twitter_v2_native`)."""
        from .twitter_v2_native import plan
        return plan(path)

    def read(self, entry: Entry, ctx: Context):
        seen: set[str] = set()  # accounts already given, so mentions give each one once
        if first_line_is_json(entry):
            for where, value in json_lines(entry, ctx):
                yield from _value(value, where, ctx, seen)
        else:
            yield from _value(json_document(entry, ctx), "the document", ctx, seen)


def _value(value, where: str, ctx: Context, seen: set) -> list:
    if type(value) is not dict:
        ctx.reject(where, f"should be a response page or a tweet, not a JSON {type(value).__name__}.")
        return []
    if "data" in value:
        return _page(value, where, ctx, seen)
    if "author_id" in value:
        return ctx.guard(where, _records, _flat_tweet, seen, value)
    if value.keys() <= {"meta", "errors", "__twarc", "title", "detail", "type"}:
        return []  # an empty page or an error the API returned
    ctx.reject(where, f"is neither a response page nor a tweet (its fields: {', '.join(list(value)[:6])}).")
    return []


def _page(page: dict, where: str, ctx: Context, seen: set) -> list:
    records = []
    data = page["data"]
    if type(data) is dict:  # a filtered stream's page: one tweet
        data = [data]
    if type(data) is not list:
        ctx.reject(where, "has a `data` field that is neither a list nor a tweet.")
        return records
    includes = page.get("includes") or {}
    if type(includes) is not dict:
        ctx.reject(where, "has an `includes` field that is not an object.")
        return records
    users = includes.get("users") or ()
    for number_, user in enumerate(users, 1):
        records.extend(ctx.guard(f"{where}, included user {number_}", _records, _add_user, seen, user))
    handles = {u["username"].lower(): u["id"] for u in users
               if type(u) is dict and type(u.get("username")) is str and u.get("id")}
    included = [t for t in includes.get("tweets") or () if type(t) is dict]
    refs = {t.get("id"): t for t in included}
    relation = _relation(page.get("__twarc"))
    in_data = set()
    for number_, item in enumerate(data, 1):
        label = f"{where}, item {number_}"
        if type(item) is not dict:
            ctx.reject(label, f"should be an object, not a JSON {type(item).__name__}.")
        elif "author_id" in item or "text" in item:
            records.extend(ctx.guard(label, _records, _tweet, seen, item, refs, handles))
            in_data.add(item.get("id"))
        elif "username" in item:
            records.extend(ctx.guard(label, _records, _member, seen, item, relation))
        elif "owner_id" in item or "member_count" in item:
            records.extend(ctx.guard(label, _list, item, relation))
        elif not ("tweet_count" in item and "start" in item):  # a tweet-count bucket names nobody
            ctx.reject(label, f"is neither a tweet, a user nor a list (its fields: {', '.join(list(item)[:6])}).")
    for number_, tweet in enumerate(included, 1):
        if tweet.get("id") not in in_data:
            records.extend(ctx.guard(f"{where}, included tweet {number_}", _records, _tweet, seen, tweet, refs,
                                     handles))
    return records


def _relation(twarc) -> tuple[str, str, str] | None:
    """("users", "followers", "12") from twarc's request URL .../2/users/12/followers, or None."""
    url = twarc.get("url") if type(twarc) is dict else None
    if type(url) is not str:
        return None
    parts = urlsplit(url).path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "2" and (parts[1], parts[3]) in _RELATIONS and parts[2]:
        return parts[1], parts[3], parts[2]
    return None


def _records(convert, seen: set, *args) -> list:
    """``convert(out, seen, *args)``'s records; if it fails, the accounts it gave are forgotten too."""
    out = []
    try:
        convert(out, seen, *args)
    except Exception:
        for record in out:
            if type(record) is Account:
                seen.discard(record.account_id)
        raise
    return out


def _tweet(out: list, seen: set, t: dict, refs: dict, handles: dict) -> None:
    post_id = identifier(t["id"])
    author = identifier(t["author_id"])
    created = text(t.get("created_at"), "created_at")
    retweeted = quoted = replied = None
    for ref in t.get("referenced_tweets") or ():
        kind = ref["type"]
        if kind == "retweeted":
            retweeted = identifier(ref["id"])
        elif kind == "quoted":
            quoted = identifier(ref["id"])
        elif kind == "replied_to":
            replied = identifier(ref["id"])
    if retweeted:
        original = refs.get(retweeted)
        target = optional_identifier(original.get("author_id")) if original else None
        if target is None:  # "RT @name: ...": the first mention is the retweeted author
            mentions = (t.get("entities") or {}).get("mentions") or ()
            target = _mention_id(mentions[0], handles) if mentions else None
        out.append(Interaction(NETWORK, "repost", author, target, post_id=retweeted, time=created))
        return

    note = t.get("note_tweet")
    if note:
        body = note.get("text")
        entities = note.get("entities") or t.get("entities") or {}
    else:
        body = t.get("text")
        entities = t.get("entities") or {}
    mentions = []
    for m in entities.get("mentions") or ():
        mid = _mention_id(m, handles)
        if mid is None:
            continue  # a username with no id anywhere in the page: no account to point at
        mentions.append(mid)
        if mid not in seen:
            out.append(_account(m, mid))
            seen.add(mid)
    quoted_tweet = refs.get(quoted) if quoted else None
    metrics = t.get("public_metrics") or {}
    out.append(Post(
        NETWORK, post_id, author, created_at=created, text=text(body, "text"), lang=text(t.get("lang"), "lang"),
        reply_to_post_id=replied, reply_to_account_id=optional_identifier(t.get("in_reply_to_user_id")),
        quote_of_post_id=quoted,
        quote_of_account_id=optional_identifier(quoted_tweet.get("author_id")) if quoted_tweet else None,
        like_count=count(metrics.get("like_count")), repost_count=count(metrics.get("retweet_count")),
        reply_count=count(metrics.get("reply_count")), quote_count=count(metrics.get("quote_count")),
        hashtags=[text(h["tag"], "tag") for h in entities.get("hashtags") or ()],
        mentions=mentions,
        links=[text(u.get("expanded_url") or u.get("url"), "url") for u in entities.get("urls") or ()],
    ))


def _flat_tweet(out: list, seen: set, t: dict) -> None:
    """One tweet as ``twarc2 flatten`` writes it, its author and referenced tweets embedded."""
    for key in ("author", "in_reply_to_user"):
        user = t.get(key)
        if type(user) is dict and user.get("id"):
            _add_user(out, seen, user)
    refs = {}
    for ref in t.get("referenced_tweets") or ():
        if type(ref) is dict and "author_id" in ref:  # the referenced tweet itself, embedded
            refs[ref.get("id")] = ref
            if type(ref.get("author")) is dict:
                _add_user(out, seen, ref["author"])
            _tweet(out, seen, ref, {}, {})
    _tweet(out, seen, t, refs, {})


def _add_user(out: list, seen: set, u: dict) -> str:
    uid = identifier(u["id"])
    out.append(_account(u, uid))
    seen.add(uid)
    return uid


def _member(out: list, seen: set, u: dict, relation) -> None:
    """A user in a users page; followers, following and list members are linked to whom the page is about."""
    uid = _add_user(out, seen, u)
    if relation is not None:
        what, rel, ident = relation
        if rel == "followers":
            out.append(Interaction(NETWORK, "follow", uid, ident))
        elif rel == "following":
            out.append(Interaction(NETWORK, "follow", ident, uid))
        elif rel == "members":
            out.append(ListMembership(NETWORK, ident, uid))


def _list(item: dict, relation) -> list:
    """A list object; it names members only on a user's ``list_memberships`` page."""
    if relation is None or relation[1] != "list_memberships":
        return []
    return [ListMembership(NETWORK, identifier(item["id"]), relation[2], list_name=text(item.get("name"), "name"),
                           owner_id=optional_identifier(item.get("owner_id")))]


def _account(u: dict, uid: str) -> Account:
    metrics = u.get("public_metrics") or {}
    return Account(
        NETWORK, uid, handle=text(u.get("username"), "username"), display_name=text(u.get("name"), "name"),
        bio=text(u.get("description"), "description"), created_at=text(u.get("created_at"), "created_at"),
        followers_count=number(metrics.get("followers_count")), following_count=number(metrics.get("following_count")),
        listed_count=number(metrics.get("listed_count")), posts_count=number(metrics.get("tweet_count")),
    )


def _mention_id(m: dict, handles: dict) -> str | None:
    mid = m.get("id")
    if mid is None and type(m.get("username")) is str:
        mid = handles.get(m["username"].lower())
    return optional_identifier(mid)



IMPORTER = TwitterV2()
