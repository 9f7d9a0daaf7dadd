"""Whitespace-separated edge lists, SNAP style: ``a b`` or ``a b weight`` per line.

Lines starting with ``#`` (or ``%``, as KONECT writes them) are comments. networkx's
``write_edgelist`` form ``a b {'weight': 0.0037}`` is read too; the attribute dict is
never evaluated, only its ``weight`` number is taken (other attributes are ignored).

Each edge becomes ``Interaction(network, kind, a, b, weight=w)``; the network is the
one given with ``--network``, else ``edgelist``. The kind is chosen, first match wins:

1. a ``# kind: X`` comment line (X one of the interaction kinds), for the edges after it;
2. ``ctx.kind``, where the caller's :class:`~stature.importers.base.Context` carries one;
3. the file name: ``.edges`` files (SNAP ego networks, ``a b`` = a follows b) are
   ``follow``, and a name containing a kind word is that kind (``higgs-reply_network``
   gives ``reply``, ``retweet`` gives ``repost``);
4. otherwise ``mention``: an edge list without a kind is taken as "a addressed b",
   the most common meaning of weighted Twitter edge lists (Higgs, Congress).

A SNAP ego network's ``.edges`` file leaves its ego out, saying that the ego follows
every node in it; where the ego's ``<ego>.egofeat`` file lies beside it, those follows
are added too (ego -> each node, once).

A file is claimed only when every complete line of its head is a comment or an edge:
two ids of letters, digits, ``_``, ``-``, ``.`` or ``:``, then optionally a number or the
attribute dict; with ids that are not all digits (``alice bob``), the name must also say
it is an edge list (``.edgelist``, ``.edges``, ``.el`` or ``edge`` in it), so that a
two-column table such as ``handle<TAB>party`` is not taken for one.
"""
from __future__ import annotations

import math
import re

from ..errors import ImportFormatError
from ..model import KINDS, OTHER_KINDS, Interaction
from .base import Context, Importer
from .sources import Entry

NETWORK = "edgelist"
DEFAULT_KIND = "mention"
MAX_LINE = 1 << 20
ALL_KINDS = frozenset(KINDS + OTHER_KINDS)
_NAME_KINDS = (("retweet", "repost"), ("repost", "repost"), ("reply", "reply"), ("mention", "mention"),
               ("quote", "quote"), ("follow", "follow"), ("friend", "follow"), ("like", "like"))
_EXTENSIONS = (".edgelist", ".edges", ".el")

_ID = r"[A-Za-z0-9_.:\-]+"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_DICT = r"\{[^{}]*\}"
_EDGE = re.compile(rf"^\s*({_ID})\s+({_ID})(?:\s+(?:{_NUMBER}|{_DICT}))?\s*$")
_WEIGHT = re.compile(rf"""['"]weight['"]\s*:\s*({_NUMBER})""")
_KIND_COMMENT = re.compile(r"^#\s*kind\s*[:=]\s*(\w+)", re.IGNORECASE)


def kind_from_name(basename: str) -> str:
    """The kind of the edges in a file of this name, when nothing else says."""
    lower = basename.lower()
    if lower.endswith(".edges"):
        return "follow"
    for word, kind in _NAME_KINDS:
        if word in lower:
            return kind
    return DEFAULT_KIND


class EdgeList(Importer):
    name = "edgelist"
    options = ("network",)
    description = "edge lists, SNAP style: `a b` or `a b weight` per line (.edgelist, .edges, .txt)"

    def matches(self, entry: Entry, head: bytes) -> bool:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            return False
        lines = text.split("\n")
        if len(head) >= 4096:
            lines = lines[:-1]  # the last line may be cut short
        edges = 0
        all_digits = True
        for line in lines:
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "%")):
                continue
            found = _EDGE.match(line)
            if not found:
                return False
            edges += 1
            all_digits = all_digits and found.group(1).isdigit() and found.group(2).isdigit()
        if edges == 0:
            return False
        name = entry.basename.lower()
        return all_digits or name.endswith(_EXTENSIONS) or "edge" in name

    def read(self, entry: Entry, ctx: Context):
        network = ctx.network or NETWORK
        kind = getattr(ctx, "kind", None) or kind_from_name(entry.basename)
        if kind not in ALL_KINDS:
            raise ImportFormatError(entry.key, None, f"was to be read as {kind!r} edges, which is not "
                                    f"one of {', '.join(sorted(ALL_KINDS))}.")
        ego = _ego(entry)
        followed: set[str] = set()
        reject = ctx.reject
        with entry.open() as stream:
            for number, raw in enumerate(_physical_lines(stream, ctx), 1):
                if raw is None:
                    reject(f"line {number}", f"is longer than {MAX_LINE >> 10} KiB.")
                    continue
                parts = raw.split()
                if not parts:
                    continue
                first = parts[0]
                if first[:1] in (b"#", b"%"):
                    found = _KIND_COMMENT.match(raw.decode("utf-8", "replace").strip())
                    if found:
                        kind = found.group(1).lower()
                        if kind not in ALL_KINDS:
                            raise ImportFormatError(entry.key, f"line {number}", f"names the kind {kind!r}, "
                                                    f"which is not one of {', '.join(sorted(ALL_KINDS))}.")
                    continue
                n = len(parts)
                weight = None
                if n >= 3 and parts[2][:1] == b"{":
                    weight = _dict_weight(raw)
                    if weight is False:
                        reject(f"line {number}", "has an attribute dict that is not `{...}` with a numeric "
                               "weight.")
                        continue
                elif n == 3:
                    try:
                        weight = float(parts[2])
                        if not math.isfinite(weight):
                            raise ValueError
                    except ValueError:
                        reject(f"line {number}", f"has {parts[2][:40].decode('utf-8', 'replace')!r} where the "
                               "weight, a number, belongs.")
                        continue
                elif n != 2:
                    reject(f"line {number}",
                           f"has {n} field{'s' if n > 1 else ''}; an edge is `source target [weight]`.")
                    continue
                try:
                    source, target = first.decode("utf-8"), parts[1].decode("utf-8")
                except UnicodeDecodeError:
                    reject(f"line {number}", "is not UTF-8 text.")
                    continue
                yield Interaction(network, kind, source, target, weight=weight)
                if ego is not None:
                    for node in (source, target):
                        if node not in followed:
                            followed.add(node)
                            yield Interaction(network, "follow", ego, node)


def _physical_lines(stream, ctx: Context):
    """Raw lines in bytes; None for a line over MAX_LINE (its rest skipped). Progress in batches."""
    pending = 0
    progress = ctx.progress
    while True:
        raw = stream.readline(MAX_LINE)
        if not raw:
            break
        pending += len(raw)
        if pending >= 1 << 20:
            progress(pending)
            pending = 0
        if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE)
                pending += len(raw)
            yield None
            continue
        yield raw
    progress(pending)


def _dict_weight(raw: bytes):
    """The weight in a networkx ``{...}`` attribute dict: a float, None when absent, False when malformed."""
    line = raw.decode("utf-8", "replace").strip()
    start = line.find("{")
    if not line.endswith("}") or line.count("{") != 1 or line.count("}") != 1:
        return False
    found = _WEIGHT.search(line[start:])
    if found is None:
        return None if "weight" not in line[start:] else False
    return float(found.group(1))


def _ego(entry: Entry) -> str | None:
    """The ego of a SNAP ego network ``<ego>.edges`` file with ``<ego>.egofeat`` beside it."""
    base = entry.basename
    if not base.endswith(".edges"):
        return None
    stem = base[:-len(".edges")]
    return stem if stem and entry.sibling(stem + ".egofeat") is not None else None


IMPORTER = EdgeList()
