"""Benchmark data for every import format, written from one generated v1.1 JSON-lines file.

``stature generate`` writes Twitter API v1.1 JSON lines (and CSV follows, likes, account
statistics and lists); this module rewrites the same posts as the other formats Stature
reads, so each format is measured on the same community:

- ``posts.csv``: a CSV posts table (one row per post, the author's handle beside it, so
  ``@handle`` mentions resolve), the way a spreadsheet export looks;
- ``twitter-v2.jsonl``: Twitter API v2 response pages as twarc writes them, 100 tweets to a
  page with their authors, mentioned users and referenced tweets in ``includes``;
- ``x-archive/``: one account's X archive (``tweets.js`` as ``window.YTD.tweets.part0 = [...]``
  and ``account.js``), every post rewritten as the owner's; ``x-archive.json`` is the same
  array without the assignment, for DuckDB;
- ``mastodon/``: one account's Mastodon archive (``outbox.json`` with ``Create`` and
  ``Announce`` activities, ``actor.json``);
- ``mastodon-api.jsonl`` and ``bluesky-api.jsonl``: the raw API logs ``stature collect`` writes
  (``{network, url, fetched_at, status, body}`` a line), each line one answer of 40 statuses
  (``/api/v1/accounts/ID/statuses``) or 50 feed items (``app.bsky.feed.getAuthorFeed``), their
  authors, mentions, hashtags and links in the API's own shapes; a retweet is a boost or a repost.
"""
from __future__ import annotations

import csv
import html
import json
from pathlib import Path

import orjson

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                        "Nov", "Dec"), 1)}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def iso(twitter_time: str) -> str:
    """``Wed Feb 14 21:44:15 +0000 2024`` (always UTC here) as ``2024-02-14T21:44:15.000Z``."""
    _, mon, day, hms, _, year = twitter_time.split()
    return f"{year}-{_MONTHS[mon]:02d}-{day}T{hms}.000Z"


def tweets(path: Path, limit: int | None = None):
    """The generated v1.1 tweets, up to ``limit`` posts (retweets are not posts and not counted)."""
    posts = 0
    with open(path, "rb") as f:
        for line in f:
            t = orjson.loads(line)
            if "retweeted_status" not in t:
                posts += 1
                if limit is not None and posts > limit:
                    return
            yield t


def head_lines(path: Path, out: Path, limit: int) -> int:
    """The first lines of the v1.1 file holding ``limit`` posts; returns the posts written."""
    posts = 0
    with open(path, "rb") as f, open(out, "wb") as o:
        for line in f:
            if b'"retweeted_status"' not in line:
                posts += 1
                if posts > limit:
                    break
            o.write(line)
    return min(posts, limit)


def posts_csv(path: Path, out: Path, limit: int | None = None) -> None:
    columns = ["post_id", "account_id", "handle", "text", "created_at", "reply_to_post_id", "reply_to_account_id",
               "quote_of_post_id", "like_count", "repost_count", "reply_count", "quote_count", "lang"]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for t in tweets(path, limit):
            if "retweeted_status" in t:
                continue
            u = t["user"]
            w.writerow([t["id_str"], u["id_str"], u["screen_name"], t["text"], iso(t["created_at"]),
                        t.get("in_reply_to_status_id_str") or "", t.get("in_reply_to_user_id_str") or "",
                        t.get("quoted_status_id_str") or "", t["favorite_count"], t["retweet_count"],
                        t["reply_count"], t["quote_count"], t["lang"]])


def _v2_user(u: dict) -> dict:
    return {"id": u["id_str"], "name": u["name"], "username": u["screen_name"], "description": u["description"],
            "created_at": iso(u["created_at"]), "protected": False, "verified": False,
            "public_metrics": {"followers_count": u["followers_count"], "following_count": u["friends_count"],
                               "tweet_count": u["statuses_count"], "listed_count": u["listed_count"]}}


def _v2_tweet(t: dict) -> dict:
    e = t["entities"]
    out = {"id": t["id_str"], "text": t["text"], "author_id": t["user"]["id_str"], "created_at": iso(t["created_at"]),
           "lang": t["lang"], "conversation_id": t["id_str"], "edit_history_tweet_ids": [t["id_str"]],
           "reply_settings": "everyone", "possibly_sensitive": False,
           "public_metrics": {"retweet_count": t["retweet_count"], "reply_count": t["reply_count"],
                              "like_count": t["favorite_count"], "quote_count": t["quote_count"]}}
    entities = {}
    if e["hashtags"]:
        entities["hashtags"] = [{"start": h["indices"][0], "end": h["indices"][1], "tag": h["text"]}
                                for h in e["hashtags"]]
    if e["user_mentions"]:
        entities["mentions"] = [{"start": m["indices"][0], "end": m["indices"][1], "username": m["screen_name"],
                                 "id": m["id_str"]} for m in e["user_mentions"]]
    if e["urls"]:
        entities["urls"] = [{"start": u["indices"][0], "end": u["indices"][1], "url": u["url"],
                             "expanded_url": u["expanded_url"], "display_url": u["display_url"]} for u in e["urls"]]
    if entities:
        out["entities"] = entities
    refs = []
    if t.get("retweeted_status"):
        refs.append({"type": "retweeted", "id": t["retweeted_status"]["id_str"]})
    if t.get("quoted_status_id_str"):
        refs.append({"type": "quoted", "id": t["quoted_status_id_str"]})
    if t.get("in_reply_to_status_id_str"):
        refs.append({"type": "replied_to", "id": t["in_reply_to_status_id_str"]})
        out["in_reply_to_user_id"] = t["in_reply_to_user_id_str"]
    if refs:
        out["referenced_tweets"] = refs
    return out


def twitter_v2(path: Path, out: Path, limit: int | None = None, page: int = 100) -> None:
    """twarc-style pages: ``data`` tweets (retweets as references), ``includes`` users and tweets."""
    def flush(batch, f):
        users, included = {}, {}
        data = []
        for t in batch:
            data.append(_v2_tweet(t))
            users[t["user"]["id_str"]] = _v2_user(t["user"])
            for m in t["entities"]["user_mentions"]:
                users.setdefault(m["id_str"], {"id": m["id_str"], "name": m["name"], "username": m["screen_name"]})
            for key in ("retweeted_status", "quoted_status"):
                inner = t.get(key)
                if inner:
                    included[inner["id_str"]] = _v2_tweet(inner)
                    users[inner["user"]["id_str"]] = _v2_user(inner["user"])
        f.write(orjson.dumps({"data": data, "includes": {"users": list(users.values()),
                                                         "tweets": list(included.values())},
                              "meta": {"result_count": len(data)},
                              "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?query=stature",
                                          "version": "2.14.0", "retrieved_at": "2024-05-01T00:00:00+00:00"}}))
        f.write(b"\n")

    _paged(path, out, limit, page, flush)


OWNER = {"id": "999", "handle": "archiveowner"}


def x_archive(path: Path, out_dir: Path, limit: int | None = None) -> None:
    """One owner's archive: every generated post and retweet rewritten as the owner's, counts as text."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(
        [{"account": {"accountId": OWNER["id"], "username": OWNER["handle"], "accountDisplayName": "Archive Owner",
                      "createdAt": "2014-01-01T00:00:00.000Z"}}], indent=2))
    with open(out_dir / "tweets.js", "wb") as f, open(out_dir.parent / "x-archive.json", "wb") as raw:
        f.write(b"window.YTD.tweets.part0 = [")
        raw.write(b"[")
        first = True
        for t in tweets(path, limit):
            e = t["entities"]
            item = {"tweet": {
                "retweeted": False, "source": t["source"], "favorite_count": str(t["favorite_count"]),
                "retweet_count": str(t["retweet_count"]), "id_str": t["id_str"], "id": t["id_str"],
                "created_at": t["created_at"], "favorited": False, "truncated": False, "lang": t["lang"],
                "display_text_range": ["0", str(len(t["text"]))],
                "entities": {"hashtags": [{"text": h["text"], "indices": [str(i) for i in h["indices"]]}
                                          for h in e["hashtags"]], "symbols": [],
                             "user_mentions": [{"name": m["name"], "screen_name": m["screen_name"],
                                                "indices": [str(i) for i in m["indices"]], "id_str": m["id_str"],
                                                "id": m["id_str"]} for m in e["user_mentions"]],
                             "urls": [{"url": u["url"], "expanded_url": u["expanded_url"],
                                       "display_url": u["display_url"], "indices": [str(i) for i in u["indices"]]}
                                      for u in e["urls"]]}}}
            tw = item["tweet"]
            original = t.get("retweeted_status")
            if original:
                mention = {"name": original["user"]["name"], "screen_name": original["user"]["screen_name"],
                           "indices": ["3", str(3 + len(original["user"]["screen_name"]))],
                           "id_str": original["user"]["id_str"], "id": original["user"]["id_str"]}
                tw["full_text"] = f"RT @{original['user']['screen_name']}: {original['text']}"
                tw["entities"]["user_mentions"] = [mention]
            else:
                tw["full_text"] = t["text"]
            if t.get("in_reply_to_status_id_str"):
                tw.update(in_reply_to_status_id_str=t["in_reply_to_status_id_str"],
                          in_reply_to_status_id=t["in_reply_to_status_id_str"],
                          in_reply_to_user_id_str=t["in_reply_to_user_id_str"],
                          in_reply_to_user_id=t["in_reply_to_user_id_str"],
                          in_reply_to_screen_name=t["in_reply_to_screen_name"])
            blob = orjson.dumps(item)
            if not first:
                f.write(b",\n")
                raw.write(b",\n")
            f.write(blob)
            raw.write(blob)
            first = False
        f.write(b"]\n")
        raw.write(b"]\n")


def mastodon(path: Path, out_dir: Path, limit: int | None = None) -> None:
    """One owner's Mastodon archive: posts as ``Create`` of HTML notes, retweets as ``Announce``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    host = "https://social.example"
    owner = f"{host}/users/{OWNER['handle']}"
    (out_dir / "actor.json").write_text(json.dumps({
        "@context": ["https://www.w3.org/ns/activitystreams"], "id": owner, "type": "Person",
        "preferredUsername": OWNER["handle"], "name": "Archive Owner", "summary": "<p>Owner</p>",
        "followers": owner + "/followers", "published": "2014-01-01T00:00:00Z"}))

    def status(t):
        return f"{owner}/statuses/{t['id_str']}"

    with open(out_dir / "outbox.json", "wb") as f:
        f.write(b'{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", '
                b'"type": "OrderedCollection", "orderedItems": [')
        first = True
        for t in tweets(path, limit):
            published = iso(t["created_at"]).replace(".000", "")
            original = t.get("retweeted_status")
            if original:
                author = f"{host}/users/{original['user']['screen_name']}"
                item = {"id": status(t) + "/activity", "type": "Announce", "actor": owner, "published": published,
                        "to": [PUBLIC], "cc": [author, owner + "/followers"],
                        "object": f"{author}/statuses/{original['id_str']}"}
            else:
                tags, words = [], []
                mentions = {m["screen_name"]: m for m in t["entities"]["user_mentions"]}
                for word in t["text"].split(" "):
                    if word.startswith("@") and word[1:] in mentions:
                        href = f"{host}/users/{word[1:]}"
                        tags.append({"type": "Mention", "href": href, "name": word})
                        words.append(f'<span class="h-card"><a href="{host}/@{word[1:]}" class="u-url mention">'
                                     f'@<span>{word[1:]}</span></a></span>')
                    elif word.startswith("#") and len(word) > 1:
                        href = f"{host}/tags/{word[1:].lower()}"
                        tags.append({"type": "Hashtag", "href": href, "name": word})
                        words.append(f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{word[1:]}</span></a>')
                    elif word.startswith("https://"):
                        words.append(f'<a href="{word}" rel="nofollow noopener" target="_blank">{word}</a>')
                    else:
                        words.append(word.replace("&", "&amp;").replace("<", "&lt;"))
                note = {"id": status(t), "type": "Note", "summary": None, "published": published,
                        "url": f"{host}/@{OWNER['handle']}/{t['id_str']}", "attributedTo": owner,
                        "to": [PUBLIC], "cc": [owner + "/followers"], "sensitive": False,
                        "inReplyTo": (f"{host}/users/{t['in_reply_to_screen_name']}/statuses/"
                                      f"{t['in_reply_to_status_id_str']}") if t.get("in_reply_to_status_id_str") else None,
                        "content": "<p>" + " ".join(words) + "</p>", "contentMap": {t["lang"]: "<p>...</p>"},
                        "attachment": [], "tag": tags}
                item = {"id": status(t) + "/activity", "type": "Create", "actor": owner, "published": published,
                        "to": [PUBLIC], "cc": [owner + "/followers"], "object": note}
            if not first:
                f.write(b",\n")
            f.write(orjson.dumps(item))
            first = False
        f.write(b"]}\n")


MASTODON_HOST = "https://social.example"


def _mastodon_account(u: dict) -> dict:
    return {"id": u["id_str"], "username": u["screen_name"], "acct": u["screen_name"],
            "display_name": u["name"], "locked": False, "bot": False, "discoverable": True,
            "created_at": iso(u["created_at"]).replace(".000", ""),
            "note": f"<p>{html.escape(u.get('description') or '')}</p>",
            "url": f"{MASTODON_HOST}/@{u['screen_name']}", "uri": f"{MASTODON_HOST}/users/{u['screen_name']}",
            "followers_count": u["followers_count"], "following_count": u["friends_count"],
            "statuses_count": u["statuses_count"], "emojis": [], "fields": []}


def _mastodon_status(t: dict) -> dict:
    u = t["user"]
    mentions = {m["screen_name"]: m for m in t["entities"]["user_mentions"]}
    words, tags = [], []
    for word in t["text"].split(" "):
        if word.startswith("@") and word[1:] in mentions:
            words.append(f'<span class="h-card"><a href="{MASTODON_HOST}/@{word[1:]}" class="u-url mention">'
                         f'@<span>{word[1:]}</span></a></span>')
        elif word.startswith("#") and len(word) > 1:
            tags.append({"name": word[1:].lower(), "url": f"{MASTODON_HOST}/tags/{word[1:].lower()}"})
            words.append(f'<a href="{MASTODON_HOST}/tags/{word[1:].lower()}" class="mention hashtag" rel="tag">'
                         f'#<span>{word[1:]}</span></a>')
        elif word.startswith("https://"):
            words.append(f'<a href="{word}" rel="nofollow noopener" target="_blank">{word}</a>')
        else:
            words.append(html.escape(word, quote=False))
    return {"id": t["id_str"], "created_at": iso(t["created_at"]),
            "in_reply_to_id": t.get("in_reply_to_status_id_str"), "in_reply_to_account_id": t.get("in_reply_to_user_id_str"),
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": t["lang"],
            "uri": f"{MASTODON_HOST}/users/{u['screen_name']}/statuses/{t['id_str']}",
            "url": f"{MASTODON_HOST}/@{u['screen_name']}/{t['id_str']}",
            "replies_count": t["reply_count"], "reblogs_count": t["retweet_count"],
            "favourites_count": t["favorite_count"], "content": "<p>" + " ".join(words) + "</p>",
            "reblog": None, "account": _mastodon_account(u), "media_attachments": [],
            "mentions": [{"id": m["id_str"], "username": m["screen_name"], "acct": m["screen_name"],
                          "url": f"{MASTODON_HOST}/@{m['screen_name']}"} for m in mentions.values()],
            "tags": tags, "emojis": [], "card": None, "poll": None}


def mastodon_api(path: Path, out: Path, limit: int | None = None, page: int = 40) -> None:
    """``stature collect mastodon``'s raw log: account-statuses answers of ``page`` statuses a line."""
    def flush(batch, f):
        body = []
        for t in batch:
            status, original = _mastodon_status(t), t.get("retweeted_status")
            if original:
                status.update(content="", tags=[], mentions=[], reblog=_mastodon_status(original),
                              uri=status["uri"] + "/activity")
            body.append(status)
        url = f"{MASTODON_HOST}/api/v1/accounts/{batch[0]['user']['id_str']}/statuses?limit={page}"
        f.write(orjson.dumps({"network": "mastodon", "url": url, "fetched_at": "2024-05-01T00:00:00Z",
                              "status": 200, "body": body}))
        f.write(b"\n")

    _paged(path, out, limit, page, flush)


def _paged(path: Path, out: Path, limit: int | None, page: int, flush) -> None:
    with open(out, "wb") as f:
        batch = []
        for t in tweets(path, limit):
            batch.append(t)
            if len(batch) == page:
                flush(batch, f)
                batch = []
        if batch:
            flush(batch, f)


def _did(user_id: str) -> str:
    return f"did:plc:{int(user_id):024d}"


def _bluesky_author(u: dict) -> dict:
    return {"did": _did(u["id_str"]), "handle": f"{u['screen_name'].lower()}.bsky.social",
            "displayName": u["name"], "labels": [], "createdAt": iso(u["created_at"])}


def _bluesky_post(t: dict) -> dict:
    u, e, body = t["user"], t["entities"], t["text"]
    facets = []

    def at(i):  # a character index as the byte index facets use
        return len(body[:i].encode("utf-8"))

    for m in e["user_mentions"]:
        facets.append({"index": {"byteStart": at(m["indices"][0]), "byteEnd": at(m["indices"][1])},
                       "features": [{"$type": "app.bsky.richtext.facet#mention", "did": _did(m["id_str"])}]})
    for h in e["hashtags"]:
        facets.append({"index": {"byteStart": at(h["indices"][0]), "byteEnd": at(h["indices"][1])},
                       "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": h["text"]}]})
    for link in e["urls"]:
        facets.append({"index": {"byteStart": at(link["indices"][0]), "byteEnd": at(link["indices"][1])},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link["expanded_url"]}]})
    record = {"$type": "app.bsky.feed.post", "createdAt": iso(t["created_at"]), "langs": [t["lang"]], "text": body}
    if facets:
        record["facets"] = facets
    if t.get("in_reply_to_status_id_str"):
        parent = {"uri": f"at://{_did(t['in_reply_to_user_id_str'])}/app.bsky.feed.post/{t['in_reply_to_status_id_str']}",
                  "cid": "bafyreib" + t["in_reply_to_status_id_str"]}
        record["reply"] = {"root": parent, "parent": parent}
    return {"uri": f"at://{_did(u['id_str'])}/app.bsky.feed.post/{t['id_str']}", "cid": "bafyreia" + t["id_str"],
            "author": _bluesky_author(u), "record": record, "indexedAt": iso(t["created_at"]), "labels": [],
            "likeCount": t["favorite_count"], "repostCount": t["retweet_count"], "replyCount": t["reply_count"],
            "quoteCount": t["quote_count"]}


def bluesky_api(path: Path, out: Path, limit: int | None = None, page: int = 50) -> None:
    """``stature collect bluesky``'s raw log: getAuthorFeed answers of ``page`` feed items a line."""
    def flush(batch, f):
        feed = []
        for t in batch:
            original = t.get("retweeted_status")
            if original:
                feed.append({"post": _bluesky_post(original), "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost", "by": _bluesky_author(t["user"]),
                    "indexedAt": iso(t["created_at"])}})
            else:
                feed.append({"post": _bluesky_post(t)})
        actor = f"{batch[0]['user']['screen_name'].lower()}.bsky.social"
        url = f"https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor={actor}&limit={page}"
        f.write(orjson.dumps({"network": "bluesky", "url": url, "fetched_at": "2024-05-01T00:00:00Z",
                              "status": 200, "body": {"feed": feed, "cursor": batch[-1]["id_str"]}}))
        f.write(b"\n")

    _paged(path, out, limit, page, flush)


def make_all(source: Path, out: Path, posts: int, archive_posts: int) -> dict[str, Path]:
    """Every format's file from the generated ``source``: ``posts`` posts, ``archive_posts`` for the
    one-account archives; written once, then reused (delete a partial file left by an interrupted run)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"twitter-v1": out / "tweets.jsonl", "csv": out / "posts.csv", "twitter-v2": out / "twitter-v2.jsonl",
             "x-archive": out / "x-archive" / "tweets.js", "mastodon": out / "mastodon" / "outbox.json",
             "mastodon-api": out / "mastodon-api.jsonl", "bluesky-api": out / "bluesky-api.jsonl"}
    makers = {"twitter-v1": lambda p: head_lines(source, p, posts), "csv": lambda p: posts_csv(source, p, posts),
              "twitter-v2": lambda p: twitter_v2(source, p, posts),
              "x-archive": lambda p: x_archive(source, p.parent, archive_posts),
              "mastodon": lambda p: mastodon(source, p.parent, archive_posts),
              "mastodon-api": lambda p: mastodon_api(source, p, archive_posts),
              "bluesky-api": lambda p: bluesky_api(source, p, archive_posts)}
    for name, path in files.items():
        if not path.exists():
            makers[name](path)
    return files


