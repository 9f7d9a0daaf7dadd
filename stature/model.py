"""The canonical, network-agnostic records every importer yields.

Times may be given as ``datetime`` objects, ISO 8601 strings, Twitter's
``Wed Feb 10 18:59:53 +0000 2021`` strings or epoch seconds: the writer
normalises them to UTC inside the database.

A repost is an :class:`Interaction` of kind ``repost``, never a :class:`Post`.
Replies, quotes and mentions are written as posts; the writer derives their
``reply``, ``quote`` and ``mention`` interactions from the post's fields, so
every importer gets them the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("follow", "mention", "reply", "repost", "quote", "like")
# Stored but never a sign of influence: a block (Bluesky exports carry them).
OTHER_KINDS = ("block",)
VISIBILITIES = ("public", "unlisted", "followers", "direct")


@dataclass(slots=True)
class Account:
    network: str
    account_id: str
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    created_at: object = None
    followers_count: float | None = None
    following_count: float | None = None
    listed_count: float | None = None
    posts_count: float | None = None
    mentions_received: float | None = None
    reposts_received: float | None = None
    mentions_sent: float | None = None
    reposts_sent: float | None = None


@dataclass(slots=True)
class Post:
    network: str
    post_id: str
    author_id: str
    created_at: object = None
    text: str | None = None
    lang: str | None = None
    reply_to_post_id: str | None = None
    reply_to_account_id: str | None = None
    quote_of_post_id: str | None = None
    quote_of_account_id: str | None = None
    like_count: int | None = None
    repost_count: int | None = None
    reply_count: int | None = None
    quote_count: int | None = None
    hashtags: list = field(default_factory=list)
    mentions: list = field(default_factory=list)  # account ids of the mentioned accounts
    links: list = field(default_factory=list)
    visibility: str = "public"


@dataclass(slots=True)
class Interaction:
    network: str
    kind: str
    source_id: str
    target_id: str | None = None  # None where the source does not say (an X archive's likes)
    post_id: str | None = None
    time: object = None
    weight: float | None = None


@dataclass(slots=True)
class ListMembership:
    network: str
    list_id: str
    member_id: str
    list_name: str | None = None
    owner_id: str | None = None
    owner_handle: str | None = None


RECORD_TYPES = (Account, Post, Interaction, ListMembership)
