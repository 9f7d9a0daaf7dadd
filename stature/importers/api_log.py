"""What the API-log importers share: recognising a collect log and reading its lines.

A log line is ``{"network", "url", "fetched_at", "status", "body"}`` (see
:mod:`stature.collect.rawlog`); only answers with status 200 hold records.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .base import Context, json_lines
from .sources import Entry


def looks_like_log(head: bytes, network: str) -> bool:
    start = head.lstrip()[:4096]
    return (start.startswith(b"{") and re.search(rb'"network"\s*:\s*"' + network.encode() + rb'"', start) is not None
            and b'"url"' in start and (b'"body"' in start or len(start) >= 4096))


def responses(entry: Entry, ctx: Context):
    """``(where, url parts, query, body)`` for each 200 answer in the log; malformed lines are rejected."""
    for where, item in json_lines(entry, ctx):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str) or "status" not in item:
            ctx.reject(where, "is not a logged response {network, url, fetched_at, status, body}.")
            continue
        if item["status"] != 200:
            continue
        parts = urlsplit(item["url"])
        yield where, parts, parse_qs(parts.query), item.get("body")

