"""Bluesky repository exports: a ``.car`` file of the account's whole record tree.

The CAR file's root is the signed commit ``{did, data, ...}``; ``data`` is the
root of a Merkle search tree whose nodes ``{l, e: [{p, k, v, t}]}`` map keys
``collection/rkey`` (each key stored as the first ``p`` bytes of the previous
key in its node plus ``k``) to record blocks. The tree is walked iteratively,
each node once, so a hostile file with a cycle fails instead of looping.

Records become canonical ones by collection: posts (replies, quotes of posts,
facets' mentions, tags and links), likes, reposts, follows, blocks, list items
(named when the repo holds the list) and the profile. Accounts are DIDs, posts
their ``at://`` URIs.
"""
from __future__ import annotations

from ..errors import ImportFormatError
from ..model import Account, Interaction, ListMembership, Post
from .base import Context, Importer, text
from .car import CID, MAX_CAR_BYTES, CarError, CarFile, looks_like_car
from .sources import Entry

NETWORK = "bluesky"
POST, LIST = "app.bsky.feed.post", "app.bsky.graph.list"
MAX_KEY_BYTES = 1024


class BlueskyRepo(Importer):
    name = "bluesky"
    description = "Bluesky repository export (repo.car: CAR v1 with DAG-CBOR blocks)"
    options = ()

    def matches(self, entry: Entry, head: bytes) -> bool:
        return entry.basename.lower().endswith(".car") or looks_like_car(head)

    def read(self, entry: Entry, ctx: Context):
        data = entry.read(MAX_CAR_BYTES)
        ctx.progress(len(data))
        try:
            car = CarFile(data)
            did, records = walk_repo(car)
        except CarError as exc:
            raise ImportFormatError(entry.key, None, f"is not a readable Bluesky repository: {exc}") from None

        def decoded(key, cid):
            try:
                return car.get(cid)
            except CarError as exc:
                if car.decoded > car.max_decoded:  # the whole file is refused, even with --skip-bad
                    raise ImportFormatError(entry.key, None, f"is not a readable Bluesky repository: {exc}") \
                        from None
                raise ImportFormatError(entry.key, key, str(exc)) from None

        list_names = {}
        for key, cid in records:
            if key.startswith(LIST + "/"):
                found = ctx.guard(f"record {key}", lambda: [decoded(key, cid)])
                if found and isinstance(found[0], dict) and isinstance(found[0].get("name"), str):
                    list_names[f"at://{did}/{key}"] = found[0]["name"]

        yield Account(NETWORK, did)
        for key, cid in records:
            if not key.startswith(LIST + "/"):  # lists were read above and are kept only as names
                yield from ctx.guard(f"record {key}", lambda: _record(did, key, decoded(key, cid), list_names))


def walk_repo(car: CarFile) -> tuple[str, list[tuple[str, CID]]]:
    """(the repo's DID, [(``collection/rkey``, record CID), ...]) from the commit at the CAR's root."""
    commit = car.get(car.roots[0])
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) \
            or not isinstance(commit.get("data"), CID):
        raise CarError("its root block is not a repository commit {did, data, ...}.")
    did = commit["did"]
    if not did.startswith("did:"):
        raise CarError(f"the commit's did {did!r} is not a DID.")
    records, seen, todo = [], set(), [commit["data"]]
    while todo:
        cid = todo.pop()
        if cid in seen:
            raise CarError(f"the tree node {cid} is reached twice (the tree has a cycle or shared branch).")
        seen.add(cid)
        node = car.get(cid)
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            raise CarError(f"the tree node {cid} is not a node {{l, e}}.")
        if node.get("l") is not None:
            todo.append(_link(node["l"], cid))
        key = b""
        for entry in node["e"]:
            if not isinstance(entry, dict):
                raise CarError(f"the tree node {cid} has an entry that is not a map.")
            prefix, suffix = entry.get("p"), entry.get("k")
            if not isinstance(prefix, int) or isinstance(prefix, bool) or not 0 <= prefix <= len(key) \
                    or not isinstance(suffix, bytes):
                raise CarError(f"the tree node {cid} has an entry whose key (p, k) is not valid.")
            key = key[:prefix] + suffix
            if len(key) > MAX_KEY_BYTES:
                raise CarError(f"the tree node {cid} has a key longer than {MAX_KEY_BYTES} bytes.")
            try:
                name = key.decode("utf-8")
            except UnicodeDecodeError:
                raise CarError(f"the tree node {cid} has a key that is not UTF-8 text.") from None
            records.append((name, _link(entry.get("v"), cid)))
            if entry.get("t") is not None:
                todo.append(_link(entry["t"], cid))
    return did, records


def _link(value, node: CID) -> CID:
    if not isinstance(value, CID):
        raise CarError(f"the tree node {node} has a link that is not a CID.")
    return value


def did_of(uri) -> str | None:
    """The DID in an ``at://DID/collection/rkey`` URI; None for a handle or anything else."""
    uri = text(uri, "uri")
    if not uri or not uri.startswith("at://did:"):
        return None
    return uri[5:].split("/", 1)[0]


def _collection_of(uri: str | None) -> str | None:
    parts = (uri or "").split("/")
    return parts[3] if len(parts) > 4 and parts[0] == "at:" else None


def _record(did: str, key: str, record, list_names: dict) -> list:
    collection, _, rkey = key.partition("/")
    if not collection or not rkey:
        raise ValueError(f"the key {key!r} is not `collection/rkey`")
    if not isinstance(record, dict):
        raise TypeError(f"the record is a {type(record).__name__}, not a map")
    kind = record.get("$type") or collection
    created = text(record.get("createdAt"), "createdAt")
    if kind == POST:
        return _post(did, key, record)
    if kind in ("app.bsky.feed.like", "app.bsky.feed.repost"):
        uri = text(record["subject"]["uri"], "subject.uri")
        return [Interaction(NETWORK, "like" if kind.endswith("like") else "repost", did, did_of(uri),
                            post_id=uri, time=created)]
    if kind in ("app.bsky.graph.follow", "app.bsky.graph.block"):
        subject = _did(record["subject"], "subject")
        return [Interaction(NETWORK, "follow" if kind.endswith("follow") else "block", did, subject, time=created)]
    if kind == "app.bsky.graph.listitem":
        list_uri = text(record["list"], "list")
        return [ListMembership(NETWORK, list_uri, _did(record["subject"], "subject"),
                               list_name=list_names.get(list_uri), owner_id=did_of(list_uri))]
    if kind == "app.bsky.actor.profile":
        return [Account(NETWORK, did, display_name=text(record.get("displayName"), "displayName") or None,
                        bio=text(record.get("description"), "description") or None, created_at=created)]
    return []  # lists, feed generators, preferences, ...: nothing the model keeps


def _did(value, field: str) -> str:
    value = text(value, field)
    if not value or not value.startswith("did:"):
        raise ValueError(f"{field} {value!r} is not a DID")
    return value


def _post(did: str, key: str, record: dict) -> list:
    parent = text(((record.get("reply") or {}).get("parent") or {}).get("uri"), "reply.parent.uri")
    embed = record.get("embed") or {}
    quoted = None
    if embed.get("$type") == "app.bsky.embed.record":
        quoted = (embed.get("record") or {}).get("uri")
    elif embed.get("$type") == "app.bsky.embed.recordWithMedia":
        quoted = ((embed.get("record") or {}).get("record") or {}).get("uri")
    quoted = text(quoted, "embed.record.uri")
    if _collection_of(quoted) != POST:  # a feed, list or starter pack is embedded, not a post quoted
        quoted = None

    mentions, hashtags, links = [], [], []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            kind = feature.get("$type")
            if kind == "app.bsky.richtext.facet#mention":
                mentions.append(_did(feature["did"], "facet did"))
            elif kind == "app.bsky.richtext.facet#tag":
                hashtags.append(text(feature["tag"], "facet tag"))
            elif kind == "app.bsky.richtext.facet#link":
                links.append(text(feature["uri"], "facet uri"))
    for tag in record.get("tags") or []:  # tags given beside the text
        hashtags.append(text(tag, "tags"))
    external = (embed.get("external") or {}) if embed.get("$type") == "app.bsky.embed.external" else {}
    if external.get("uri"):
        links.append(text(external["uri"], "embed.external.uri"))
    langs = record.get("langs") or []

    return [Post(NETWORK, f"at://{did}/{key}", did, created_at=text(record.get("createdAt"), "createdAt"),
                 text=text(record.get("text"), "text"), lang=text(langs[0], "langs") if langs else None,
                 reply_to_post_id=parent, reply_to_account_id=did_of(parent),
                 quote_of_post_id=quoted, quote_of_account_id=did_of(quoted),
                 hashtags=list(dict.fromkeys(hashtags)), mentions=list(dict.fromkeys(mentions)),
                 links=list(dict.fromkeys(links)))]


IMPORTER = BlueskyRepo()
