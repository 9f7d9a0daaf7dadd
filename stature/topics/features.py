"""What a post offers a classifier: its words, hashtags (camelCase split), mentioned names and link domains.

Text is normalised the same way for posts and keywords: NFKC, case-folded, accents stripped from
Latin and Greek letters (so ``política`` matches ``politica`` and ``Πολιτική`` matches ``πολιτικη``),
Greek final sigma folded. Runs of Japanese or Chinese characters are kept whole: they have no spaces,
so keywords are found inside them as substrings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_URL = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+", re.I)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,30})")
_HASHTAG = re.compile(r"(?<![\w&#])[#＃]([^\W_][\w]*)")
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\u3005\u30fc"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_a-zA-Z]+")


@dataclass(slots=True)
class Features:
    """A post's evidence, normalised: ``words`` from its text, ``hashtags`` as word lists, compact
    hashtag strings, ``names`` of mentioned accounts, ``domains`` of its links, and ``text``: the post
    as written, without links and @mentions (for sentence embeddings and character n-grams)."""

    words: list[str] = field(default_factory=list)
    hashtags: list[list[str]] = field(default_factory=list)
    compact_tags: list[str] = field(default_factory=list)
    names: list[list[str]] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    text: str = ""


_MARKS = re.compile("(?<=[\u0000-\u024f\u0370-\u03ff\u1f00-\u1fff])[\u0300-\u036f]+")


def _strip_marks(text: str) -> str:
    """Remove accents from Latin and Greek letters only: Japanese voiced marks must stay."""
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", text)))


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _strip_marks(text).replace("ς", "σ")
    return text


def tokens(text: str) -> list[str]:
    """Normalised tokens: words, and whole runs of Japanese/Chinese characters."""
    return _TOKEN.findall(normalize(text))


def is_cjk(token: str) -> bool:
    return bool(_IS_CJK.match(token))


def split_camel(tag: str) -> list[str]:
    """``MachineLearning`` -> ``["machine", "learning"]``; ``COVID19`` -> ``["covid", "19"]``."""
    parts = _CAMEL.findall(tag)
    return [p for p in (normalize(x) for x in parts) if p] or [normalize(tag)]


def domain(url: str) -> str | None:
    """The host of ``url`` without ``www.``/``m.``, or None when it has none."""
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.casefold().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def extract(text: str | None, *, hashtags=(), mention_names=(), links=()) -> Features:
    """Features of one post. ``hashtags``/``links`` add to those found in the text; ``mention_names`` are
    the handles or display names of mentioned accounts (``@handles`` in the text count too)."""
    text = text or ""
    feats = Features()
    urls = _URL.findall(text)
    body = _URL.sub(" ", text)
    tags = list(dict.fromkeys([*_HASHTAG.findall(body), *(h.lstrip("#＃") for h in hashtags if h)]))
    names = list(dict.fromkeys([*_MENTION.findall(body), *(n for n in mention_names if n)]))
    feats.text = " ".join(_MENTION.sub(" ", body).split())
    body = _MENTION.sub(" ", _HASHTAG.sub(" ", body))
    feats.words = tokens(body)
    for tag in tags:
        words = split_camel(tag) if not is_cjk(tag) else tokens(tag)
        feats.hashtags.append(words)
        feats.compact_tags.append(normalize(tag))
    for name in names:
        name = name.lstrip("@")
        words = tokens(name) if " " in name else [w for part in name.split("_") if part for w in split_camel(part)]
        if words:
            feats.names.append(words)
    for url in [*urls, *links]:
        host = domain(url) if url else None
        if host and host not in feats.domains:
            feats.domains.append(host)
    return feats
