"""A tiny HTML builder that escapes everything it is not told is markup.

Names, bios and post texts are hostile input: every string passed to :func:`el` as a
child or an attribute value is escaped; only :class:`Markup` (built by this module and
:mod:`.svg`) goes in as it is. Characters XML forbids (control characters) are dropped.
"""
from __future__ import annotations

import html
import re

from ..rules.accounts import who  # noqa: F401  (handed on to the report's sections)
from ..text import clean

_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_:-]*$")
VOID = {"br", "hr", "img", "input", "meta", "link", "col", "source", "wbr"}


class Markup(str):
    """A string already safe to put in a page."""

    def __add__(self, other):
        return Markup(str(self) + str(escape(other)))


def escape(value) -> Markup:
    """``value`` escaped for a text node or a quoted attribute, unless it is :class:`Markup` already."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(html.escape(clean(value), quote=True))


def join(parts) -> Markup:
    return Markup("".join(escape(p) for p in parts if p is not None))


def el(tag: str, *children, **attrs) -> Markup:
    """``<tag attrs>children</tag>``; ``class_`` gives ``class``, ``data_x`` gives ``data-x``; None and False
    attributes are left out, True gives a bare attribute."""
    if not _NAME.match(tag):
        raise ValueError(f"bad tag {tag!r}")
    parts = [tag]
    for key, value in attrs.items():
        name = key.rstrip("_").replace("_", "-")
        if not _NAME.match(name):
            raise ValueError(f"bad attribute {name!r}")
        if value is None or value is False:
            continue
        parts.append(name if value is True else f'{name}="{escape(value)}"')
    opening = "<" + " ".join(parts) + ">"
    if tag in VOID:
        return Markup(opening)
    body = join(_flatten(children))
    return Markup(f"{opening}{body}</{tag}>")


def _flatten(children):
    for child in children:
        if isinstance(child, (list, tuple)):
            yield from _flatten(child)
        elif child is not None and child is not False:
            yield child if isinstance(child, Markup) else str(child)


def number(x, digits: int = 0) -> str:
    """A count or measure as people read it: ``14,331,339``, ``0.66``; an em dash when unknown."""
    if x is None:
        return "—"
    if isinstance(x, float) and not x.is_integer() or digits:
        return f"{x:,.{digits or 2}f}"
    return f"{int(x):,}"


def short(text, width: int = 180) -> str:
    """A post's text on one line, cut to ``width``; the entities Twitter's API writes (``&amp;``) read as text."""
    text = " ".join(clean(html.unescape(text or "")).split())
    return text if len(text) <= width else text[: width - 1] + "…"
