"""Mastodon account archives: ``outbox.json`` (or ``.gz``), ``actor.json`` and ``likes.json``.

The archive is ActivityStreams JSON. ``Create`` activities are the owner's posts,
``Announce`` activities their boosts (``repost`` interactions, not posts), and
``likes.json`` lists the URLs of posts they liked. Accounts are known by their
actor URLs, posts by their object URLs.

A post's author is rarely named beside its URL, so it is derived where it can be:
from a parent post in the same outbox, from Mastodon's URL pattern
``https://host/users/NAME/statuses/ID`` (author ``https://host/users/NAME``), or
from the one mentioned (replies) or addressed (boosts) account on the post's host.

Post bodies are HTML; they are turned into plain text with the standard
library's parser, which only reads them. Direct messages are left out unless
asked for (``include_direct``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..errors import ImportFormatError
from ..model import Account, Interaction, Post
from .base import STREAM_ABOVE_BYTES, Context, Importer, json_document, json_member_items, text
from .sources import Entry

NETWORK = "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
_FILES = ("outbox.json", "actor.json", "likes.json")
_STATUS_URL = re.compile(r"^(https?://[^/?#]+/users/[^/?#]+)/statuses/[^/?#]+/?$")


class MastodonArchive(Importer):
    name = "mastodon"
    description = "Mastodon account archive (outbox.json[.gz], actor.json, likes.json), a folder or a .zip"
    options = ("include_direct",)

    def matches(self, entry: Entry, head: bytes) -> bool:
        """An archive file that says it is ActivityStreams, or an outbox or likes file beside the
        archive's actor.json (an empty or damaged one is then an error, not unrecognised)."""
        if entry.basename not in _FILES:
            return False
        if b"www.w3.org/ns/activitystreams" in head:
            return True
        actor = entry.sibling("actor.json")
        return entry.basename != "actor.json" and actor is not None and \
            b"www.w3.org/ns/activitystreams" in actor.head()

    def read(self, entry: Entry, ctx: Context):
        if entry.basename == "actor.json":
            document = json_document(entry, ctx)
            if not isinstance(document, dict):
                raise ImportFormatError(entry.key, None, "should hold one ActivityStreams JSON object.")
            return ctx.guard("the actor", _actor, document)
        if entry.size <= STREAM_ABOVE_BYTES and not entry.name.endswith(".gz"):
            items = list(json_member_items(entry, ctx, "orderedItems"))
            source = lambda: items  # noqa: E731
        else:  # a big outbox is read an item at a time, twice (authors first), never held whole
            source = lambda: json_member_items(entry, ctx, "orderedItems")  # noqa: E731
        if entry.basename == "likes.json":
            owner = _owner(entry)
            return _each(source(), ctx, _like, owner)
        return _outbox(source, ctx, _followers(entry))


def _each(items, ctx, convert, *args):
    for number, item in enumerate(items, 1):
        yield from ctx.guard(f"item {number}", convert, item, *args)


def _url(value, field: str) -> str:
    value = text(value, field)
    if not value:
        raise ValueError(f"{field} is empty")
    return value


def author_of(url: str | None) -> str | None:
    """The actor URL of a post URL in Mastodon's ``/users/NAME/statuses/ID`` pattern, else None."""
    found = _STATUS_URL.match(url or "")
    return found.group(1) if found else None


def _host(url: str | None) -> str:
    try:
        return urlsplit(url or "").hostname or ""
    except ValueError:
        return ""


def _owner(entry: Entry) -> str:
    """The archive owner's actor URL, from actor.json or, failing that, the outbox."""
    for name in ("actor.json", "outbox.json"):
        sibling = entry.sibling(name)
        if sibling is None:
            continue
        document = json_document(sibling, Context())
        if not isinstance(document, dict):
            continue
        if name == "actor.json" and isinstance(document.get("id"), str):
            return document["id"]
        for item in document.get("orderedItems") or []:
            if isinstance(item, dict) and isinstance(item.get("actor"), str):
                return item["actor"]
    raise ImportFormatError(entry.key, None, "is part of a Mastodon archive, but the archive's actor.json, "
                            "which says whose archive it is, is not beside it. Import the whole archive "
                            "folder or .zip.")


def _followers(entry: Entry) -> set[str]:
    """The owner's followers collection(s), to tell followers-only posts apart."""
    actor = entry.sibling("actor.json")
    if actor is None:
        return set()
    try:
        document = json_document(actor, Context())
    except ImportFormatError:
        return set()
    found = document.get("followers") if isinstance(document, dict) else None
    return {found} if isinstance(found, str) else set()


def _actor(document: dict) -> list:
    actor_id = _url(document["id"], "id")
    username = text(document.get("preferredUsername"), "preferredUsername")
    host = _host(actor_id)
    return [Account(NETWORK, actor_id, handle=f"{username}@{host}" if username and host else username,
                    display_name=text(document.get("name"), "name"),
                    bio=html_to_text(text(document.get("summary"), "summary")),
                    created_at=text(document.get("published"), "published"))]


def _like(item, owner: str) -> list:
    url = _url(item.get("id") if isinstance(item, dict) else item, "the liked post")
    return [Interaction(NETWORK, "like", owner, author_of(url), post_id=url)]


def _outbox(items, ctx: Context, followers: set[str]):
    """The records of an outbox; ``items()`` gives its items, each time from the start."""
    # every post's author, so a reply to a post in this outbox knows whom it answers
    authors = {}
    for item in items():
        obj = item.get("object") if isinstance(item, dict) and item.get("type") == "Create" else None
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            author = obj.get("attributedTo") or item.get("actor")
            if isinstance(author, str):
                authors[obj["id"]] = author
    for number, item in enumerate(items(), 1):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "Create":
            yield from ctx.guard(f"item {number}", _create, item, ctx, followers, authors)
        elif kind == "Announce":
            yield from ctx.guard(f"item {number}", _announce, item)
        elif kind is None:
            ctx.reject(f"item {number}", "is not an ActivityStreams activity (it has no `type`).")


def _addressed(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    raise TypeError(f"an address list should be a list, not {type(value).__name__}")


def visibility(to: list[str], cc: list[str], followers: set[str]) -> str:
    """Mastodon's visibility, read from whom an activity is addressed to."""
    if PUBLIC in to or "as:Public" in to or "Public" in to:
        return "public"
    if PUBLIC in cc or "as:Public" in cc or "Public" in cc:
        return "unlisted"
    if any(a in followers for a in to + cc):
        return "followers"
    return "direct"


def _create(item: dict, ctx: Context, followers: set[str], authors: dict) -> list:
    obj = item["object"]
    post_id = _url(obj["id"], "object.id")
    author = _url(obj.get("attributedTo") or item["actor"], "actor")
    to = _addressed(item.get("to", obj.get("to")))
    cc = _addressed(item.get("cc", obj.get("cc")))
    seen = visibility(to, cc, followers | {author + "/followers"})
    if seen == "direct" and not ctx.include_direct:
        return []

    tags = obj.get("tag") or []
    if not isinstance(tags, list):
        raise TypeError("tag should be a list")
    records, mentions, hashtags, skip_hrefs = [], [], [], set()
    for tag in tags:
        if not isinstance(tag, dict):
            continue
        href = text(tag.get("href"), "tag.href")
        name = text(tag.get("name"), "tag.name") or ""
        if tag.get("type") == "Mention" and href:
            handle = name.lstrip("@")
            if handle and "@" not in handle and _host(href):
                handle = f"{handle}@{_host(href)}"
            records.append(Account(NETWORK, href, handle=handle or None))
            mentions.append(href)
            skip_hrefs.add(href)
        elif tag.get("type") == "Hashtag":
            if name.lstrip("#"):
                hashtags.append(name.lstrip("#"))
            if href:
                skip_hrefs.add(href)

    content, body_links = post_body(text(obj.get("content"), "content"), text(obj.get("summary"), "summary"))
    links = []
    for href in body_links:
        if href not in skip_hrefs and href not in links:
            links.append(href)

    parent = text(obj.get("inReplyTo"), "inReplyTo")
    parent_author = None
    if parent:
        parent_author = authors.get(parent) or author_of(parent)
        if parent_author is None:  # another server's URL: the one mentioned account on the parent's host
            same_host = {m for m in mentions if _host(m) == _host(parent)}
            parent_author = same_host.pop() if len(same_host) == 1 else None

    content_map = obj.get("contentMap")
    lang = next(iter(content_map)) if isinstance(content_map, dict) and len(content_map) == 1 else None
    records.append(Post(
        NETWORK, post_id, author, created_at=text(obj.get("published") or item.get("published"), "published"),
        text=content, lang=lang,
        reply_to_post_id=parent, reply_to_account_id=parent_author,
        hashtags=hashtags, mentions=list(dict.fromkeys(mentions)), links=links, visibility=seen))
    return records


def _announce(item: dict) -> list:
    obj = item["object"]
    if isinstance(obj, dict):  # some servers embed the boosted post
        url, target = _url(obj["id"], "object.id"), text(obj.get("attributedTo"), "attributedTo")
    else:
        url, target = _url(obj, "object"), None
    owner = _url(item["actor"], "actor")
    target = target or author_of(url)
    if target is None:  # the boosted author is addressed beside the owner's followers
        addressed = [a for a in _addressed(item.get("to")) + _addressed(item.get("cc"))
                     if a != PUBLIC and not a.endswith("/followers")]
        target = addressed[0] if len(addressed) == 1 else None
    return [Interaction(NETWORK, "repost", owner, target, post_id=url,
                        time=text(item.get("published"), "published"))]


class _HtmlText(HTMLParser):
    """Plain text and link targets of a post's HTML; the HTML is only read, never run."""

    _BREAKS = {"br", "p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    _HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        elif tag == "a":
            a = {k: v or "" for k, v in attrs}
            classes = a.get("class", "").split()
            href = a.get("href", "")
            if ("mention" not in classes and "hashtag" not in classes and "tag" not in a.get("rel", "").split()
                    and href.startswith(("http://", "https://"))):
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BREAKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        return _text_of("".join(self.parts))


# The markup Mastodon writes (p, br, a and span tags, quoted attributes, character references) read with a few
# whole-string substitutions, giving exactly what _HtmlText gives; anything else (comments, script or style,
# a `<` that opens no tag, unquoted or unusual attributes) is left to _HtmlText. Tests compare the two on
# every post and bio of the real archives and API recordings, and on markup chosen to tell them apart.
# Once every `<` is known to open a tag (_CLEAN), each tag's span is the same whichever pattern finds it (a tag
# holds no `<` after its first), so the substitutions give what reading a tag at a time gives.
_WS = r"[ \t\n\r\f]"
_ATTRS = rf"(?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:{_WS}*={_WS}*(?:\"[^\"<>]*\"|'[^'<>]*'))?)*"
_ATTR = re.compile(rf"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_WS}*={_WS}*(?:\"([^\"]*)\"|'([^']*)'))?")
_BREAKS = _HtmlText._BREAKS
_RAW = _HtmlText._HIDDEN | {"textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
_END = "(?![a-zA-Z0-9])"  # the whole tag name
_BLOCKS = "|".join(sorted(_BREAKS - {"br"}))

_CLEAN = re.compile(rf"[^<]*+(?:(?></?[a-zA-Z][a-zA-Z0-9]*{_ATTRS}{_WS}*/?>)[^<]*+)*+")
_UNREAD = re.compile(rf"</?(?:{'|'.join(sorted(_RAW))}){_END}|</[a-zA-Z][a-zA-Z0-9]*(?:{_WS}+[a-zA-Z_:]|[^>]*/>)",
                     re.IGNORECASE)  # raw-text tags (script, style...), closing tags with attributes or a slash
_EMPTY_BLOCK = re.compile(rf"<(?:{_BLOCKS}){_END}{_ATTRS}{_WS}*/>", re.IGNORECASE)  # <p/>: a start and an end
_BREAK = re.compile(rf"<(?:br|{_BLOCKS}){_END}{_ATTRS}{_WS}*/?>|</(?:{_BLOCKS}){_END}{_WS}*>", re.IGNORECASE)
_TAG = re.compile(rf"</?[a-zA-Z][a-zA-Z0-9]*{_ATTRS}{_WS}*/?>")
_A = re.compile(rf"<a({_ATTRS}){_WS}*/?>", re.IGNORECASE)
_GONE = "\f"  # marks where a tag was while references are replaced: it ends every reference and is dropped after


def _read_simple(html: str) -> tuple[str, list[str]] | None:
    """The text and links of simple markup, as _HtmlText finds them; None where it is not simple."""
    if _GONE in html or _CLEAN.fullmatch(html) is None or _UNREAD.search(html):
        return None
    links = []
    for attrs in _A.findall(html) if "<a" in html or "<A" in html else ():
        a = {}
        for k, double, single in _ATTR.findall(attrs):
            value = double or single
            a[k.lower()] = unescape(value) if "&" in value else value
        classes = a.get("class", "").split()
        href = a.get("href", "")
        if ("mention" not in classes and "hashtag" not in classes and "tag" not in a.get("rel", "").split()
                and href.startswith(("http://", "https://"))):
            links.append(href)
    marked = _TAG.sub(_GONE, _BREAK.sub("\n", _EMPTY_BLOCK.sub("\n\n", html) if "/>" in html else html))
    if "&" in marked:  # each piece of text between tags is unescaped on its own, as the parser does
        unescaped = unescape(marked)
        if unescaped.count(_GONE) != marked.count(_GONE):  # a reference gave a form feed (&#12;)
            return None
        marked = unescaped
    return _text_of(marked.replace(_GONE, "")), links


def _text_of(text: str) -> str:
    """Each line's runs of white space as one space; at most one empty line in a row; no blank ends."""
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    return (re.sub(r"\n{3,}", "\n\n", text) if "\n\n\n" in text else text).strip()


def _parsed(html: str) -> tuple[str, list[str]]:
    text, links = _read_html(html)
    return text, list(links)


@lru_cache(maxsize=1 << 14)  # an account's bio comes with each of its statuses in an API log
def _read_html(html: str) -> tuple[str, tuple[str, ...]]:
    simple = _read_simple(html)
    if simple is not None:
        return simple[0], tuple(simple[1])
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text(), tuple(parser.links)


def post_body(html: str | None, warning: str | None) -> tuple[str, list[str]]:
    """A status's text (its content warning first, where it has one) and the links in its HTML."""
    content, links = _parsed(html or "")
    return (f"{warning}\n\n{content}" if warning else content), links


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment (paragraphs and line breaks kept, markup dropped)."""
    if html is None:
        return None
    return _parsed(html)[0]


IMPORTER = MastodonArchive()
