"""Topic taxonomies: the built-in one, a user's CSV, labelled examples and the Klout Topic Ontology.

A :class:`Taxonomy` is a set of :class:`Topic` records joined by parent links (a tree, or for Klout a
graph where a topic may have several parents), plus optional labelled example posts. Topics are known
by an ``id`` (a slug of the name, or Klout's slug) and a display ``name``; :meth:`Taxonomy.find`
accepts either, in any case.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import orjson

from ..errors import ImportFormatError, StatureError

_MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    parents: tuple[str, ...] = ()
    description: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def parent(self) -> str | None:
        return self.parents[0] if self.parents else None


@dataclass(slots=True)
class Taxonomy:
    """Topics by id, in file order, with labelled examples ``(text, [topic ids])``."""

    topics: dict[str, Topic]
    source: str = "built-in"
    examples: list[tuple[str, list[str]]] = field(default_factory=list)
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._names = {}
        for topic in self.topics.values():
            self._names.setdefault(topic.name.casefold(), topic.id)
        for topic in self.topics.values():
            self._names.setdefault(topic.id.casefold(), topic.id)
        self._children = {t: [] for t in self.topics}
        for topic in self.topics.values():
            for parent in topic.parents:
                self._children[parent].append(topic.id)

    def __len__(self) -> int:
        return len(self.topics)

    def __iter__(self):
        return iter(self.topics.values())

    def __getitem__(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def find(self, name: str) -> Topic | None:
        """The topic called ``name`` (its display name or id, any case), or None."""
        key = name.strip().casefold()
        topic_id = self._names.get(key) or self._names.get(slug(name))
        return self.topics.get(topic_id) if topic_id else None

    def children(self, topic_id: str) -> list[str]:
        return self._children.get(topic_id, [])

    def ancestors(self, topic_id: str) -> list[str]:
        """Every topic above ``topic_id``, nearest first."""
        seen, queue = [], list(self.topics[topic_id].parents)
        while queue:
            t = queue.pop(0)
            if t not in seen:
                seen.append(t)
                queue.extend(self.topics[t].parents)
        return seen

    def descendants(self, topic_id: str) -> list[str]:
        seen, stack = [], list(self.children(topic_id))
        while stack:
            t = stack.pop()
            if t not in seen:
                seen.append(t)
                stack.extend(self.children(t))
        return seen

    def roots(self) -> list[str]:
        return [t.id for t in self.topics.values() if not t.parents]

    def depth(self, topic_id: str) -> int:
        depth, topic = 0, self.topics[topic_id]
        while topic.parents:
            depth += 1
            topic = self.topics[topic.parents[0]]
        return depth

    def fingerprint(self) -> str:
        """A short hash of the topics and examples: posts classified under it are tagged with it."""
        h = hashlib.sha256()
        for t in self.topics.values():
            h.update(orjson.dumps([t.id, t.name, t.parents, t.description, t.keywords]))
        for text, topics in self.examples:
            h.update(orjson.dumps([text, topics]))
        return h.hexdigest()[:16]

    def with_examples(self, examples: list[tuple[str, list[str]]]) -> "Taxonomy":
        return Taxonomy(dict(self.topics), self.source, list(self.examples) + list(examples))


def slug(name: str) -> str:
    """``"Film, TV & Video"`` -> ``"film-tv-video"``; non-Latin names keep their letters."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " ")
    return re.sub(r"[^\w]+", "-", text).strip("-_") or "topic"


# ---------------------------------------------------------------- loaders


def builtin() -> Taxonomy:
    """The taxonomy shipped with Stature: a few hundred topics across work and life."""
    text = resources.files("stature.topics").joinpath("data/taxonomy.csv").read_text("utf-8")
    return _from_csv_text(text, "built-in taxonomy (stature/topics/data/taxonomy.csv)", "built-in")


def load_csv(path) -> Taxonomy:
    """A user's taxonomy: CSV with a header holding ``topic`` and optionally ``parent``, ``description``
    and ``keywords`` (``;``-separated; ``stem*`` matches any word starting with ``stem``)."""
    return _from_csv_text(_read_text(path), str(path), Path(path).name)


def _from_csv_text(text: str, where: str, source: str) -> Taxonomy:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise ImportFormatError(where, None, "the file is empty; it needs a header row `topic,parent,description`.")
    if "topic" not in header:
        raise ImportFormatError(where, "line 1", f"the header {header} has no `topic` column; "
                                "write `topic,parent,description` as the first line.")
    col = {name: header.index(name) for name in ("topic", "parent", "description", "keywords") if name in header}
    rows = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ImportFormatError(where, f"line {line}", f"{len(row)} fields where the header has {len(header)}; "
                                    "quote fields that contain commas.")
        get = lambda name: row[col[name]].strip() if name in col and col[name] < len(row) else ""  # noqa: E731
        name = get("topic")
        if not name:
            raise ImportFormatError(where, f"line {line}", "the topic name is empty.")
        keywords = tuple(k.strip() for k in get("keywords").split(";") if k.strip())
        rows.append((line, name, get("parent"), get("description"), keywords))
    if not rows:
        raise ImportFormatError(where, None, "the file holds a header but no topics.")
    ids = {}
    for line, name, *_ in rows:
        topic_id = slug(name)
        if topic_id in ids:
            raise ImportFormatError(where, f"line {line}", f"the topic {name!r} is listed twice "
                                    f"(first on line {ids[topic_id][0]}).")
        ids[topic_id] = (line, name)
    by_name = {name.casefold(): slug(name) for _, name, *_ in rows}
    topics = {}
    for line, name, parent, description, keywords in rows:
        parents = ()
        if parent:
            parent_id = by_name.get(parent.casefold()) or (slug(parent) if slug(parent) in ids else None)
            if parent_id is None:
                raise ImportFormatError(where, f"line {line}", f"the parent {parent!r} of {name!r} is not a topic "
                                        "in this file; add it as a row of its own.")
            parents = (parent_id,)
        topics[slug(name)] = Topic(slug(name), name, parents, description, keywords)
    _check_acyclic(topics, where)
    return Taxonomy(topics, source)


def json_lines(lines: list[str], path):
    """``(line number, value)`` for each non-blank line of JSON-lines text read from ``path``;
    a line that is not JSON is an error naming it."""
    for line, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield line, orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ImportFormatError(path, f"line {line}", f"not valid JSON ({exc}).") from None


def load_examples(path, taxonomy: Taxonomy) -> Taxonomy:
    """``taxonomy`` plus labelled example posts from JSON lines ``{"text": ..., "topics": [...]}``."""
    examples = []
    for line, record in json_lines(_read_text(path).splitlines(), path):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ImportFormatError(path, f"line {line}", 'expected an object with a "text" string.')
        labels = record.get("topics")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ImportFormatError(path, f"line {line}", 'expected "topics" to be a list of topic names.')
        ids = []
        for label in labels:
            topic = taxonomy.find(label)
            if topic is None:
                raise ImportFormatError(path, f"line {line}", f"the topic {label!r} is not in the taxonomy "
                                        f"({taxonomy.source}).")
            ids.append(topic.id)
        examples.append((record["text"], ids))
    if not examples:
        raise ImportFormatError(path, None, "no labelled examples in the file.")
    return taxonomy.with_examples(examples)


def load_klout(folder) -> Taxonomy:
    """The Klout Topic Ontology (klout_topic_ontology_*.csv, *_edge_*.csv, *_display_*.csv in ``folder``).

    Display names in other languages become keywords; Klout's ``*-super`` categories become roots.
    """
    folder = Path(folder)
    def one(pattern):
        found = sorted(folder.glob(pattern))
        if not found:
            raise StatureError(f"{folder} holds no {pattern} file; point at the klout_topic_ontology folder.")
        return found[-1]
    onto, edges, display = (one("klout_topic_ontology_*.csv"), one("klout_topic_edge_*.csv"),
                            one("klout_topic_display_*.csv"))
    names, slugs = {}, {}
    for _, row in _csv_rows(onto, ("topicId", "topicSlug", "topicDisplayName")):
        names[row["topicId"]] = row["topicDisplayName"].strip() or row["topicSlug"]
        slugs[row["topicId"]] = row["topicSlug"].strip()
    edge_rows = [row for _, row in _csv_rows(edges, ("parentTopicId", "parrentTopicSlug", "childTopicId",
                                                     "childTopicSlug"))]
    for row in edge_rows:  # the "*-super" categories appear only in the edge file
        for tid, tslug in ((row["parentTopicId"], row["parrentTopicSlug"]), (row["childTopicId"], row["childTopicSlug"])):
            if tid not in names and tslug != "_ROOT_":
                names[tid] = tslug.removesuffix("-super").replace("-", " ").title().replace(" And ", " & ")
                slugs[tid] = tslug
    parents: dict[str, list[str]] = {tid: [] for tid in names}
    for row in edge_rows:
        parent, child = row["parentTopicId"], row["childTopicId"]
        if parent in names and child in names and parent != child:
            parents[child].append(slugs[parent])
    other_names: dict[str, list[str]] = {}
    for line, row in _csv_rows(display, ("topicId", "language", "topicDisplayName")):
        if row["topicId"] in names and row["topicDisplayName"].strip():
            other_names.setdefault(row["topicId"], []).append(row["topicDisplayName"].strip())
    topics = {}
    for tid, name in names.items():
        kws = tuple(dict.fromkeys(n for n in other_names.get(tid, []) if n.casefold() != name.casefold()))
        topics[slugs[tid]] = Topic(slugs[tid], name, tuple(dict.fromkeys(parents[tid])), "", kws)
    _check_acyclic(topics, str(edges))
    return Taxonomy(topics, f"Klout Topic Ontology ({onto.name})")


def load(taxonomy_path=None, examples_path=None) -> Taxonomy:
    """The taxonomy a command asked for: the built-in one, a CSV, or a Klout ontology folder."""
    if taxonomy_path is None:
        taxonomy = builtin()
    else:
        path = Path(taxonomy_path)
        if path.is_dir() or path.name.startswith("klout_topic_"):
            taxonomy = load_klout(path if path.is_dir() else path.parent)
        else:
            taxonomy = load_csv(path)
    if examples_path is not None:
        taxonomy = load_examples(examples_path, taxonomy)
    return taxonomy


# ---------------------------------------------------------------- helpers


def _read_text(path) -> str:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > _MAX_FILE_BYTES:
            raise StatureError(f"{path} is {size:,} bytes; a taxonomy or examples file may hold at most "
                               f"{_MAX_FILE_BYTES:,}.")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StatureError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise StatureError(f"{path} is a folder; give a file.") from None
    except UnicodeDecodeError as exc:
        raise ImportFormatError(path, f"byte {exc.start}", "not UTF-8 text.") from None


def _csv_rows(path, required):
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFormatError(path, "line 1", f"the header lacks the column(s) {', '.join(missing)}.")
    for line, row in enumerate(reader, start=2):
        yield line, {k: (v or "") for k, v in row.items() if k is not None}


def _check_acyclic(topics: dict[str, Topic], where: str) -> None:
    state: dict[str, int] = {}
    for start in topics:
        if state.get(start):
            continue
        stack = [(start, iter(topics[start].parents))]
        state[start] = 1
        while stack:
            node, parents = stack[-1]
            nxt = next(parents, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                raise ImportFormatError(where, None, f"the topics loop: {topics[nxt].name!r} is its own "
                                        f"ancestor (through {topics[node].name!r}).")
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(topics[nxt].parents)))
