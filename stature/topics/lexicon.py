"""Keyword matching: a lexicon of terms -> topics, matched against a post's :class:`Features`.

A term is a word (``robot`` also matches ``robots``), a stem (``astronom*`` matches any word that
starts with it), a phrase (``machine learning``; a hashtag ``#machinelearning`` matches it too), a
Japanese/Chinese string (found inside runs of text) or a domain (``github.com``, subdomains included).

Evidence for a topic is the sum, over the distinct terms that matched, of the term's weight times the
weight of where it was seen (text, hashtag, mentioned name, link). Hashtags share one budget: past
:data:`HASHTAG_BUDGET` tags, each counts for less, so stuffing a post with tags gains nothing.
"""
from __future__ import annotations

import re
from collections import defaultdict

from .features import Features, is_cjk, normalize, tokens

SOURCE_WEIGHTS = {"text": 1.0, "hashtag": 1.0, "name": 0.8, "domain": 1.5}
HASHTAG_BUDGET = 3
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


class Lexicon:
    """Terms -> ``(topic, weight)``; :meth:`match` returns evidence per topic."""

    def __init__(self):
        self.exact: dict[str, list] = defaultdict(list)
        self.prefix: dict[str, list] = defaultdict(list)
        self.phrases: dict[str, list] = defaultdict(list)
        self.cjk: dict[str, list] = defaultdict(list)
        self.domains: dict[str, list] = defaultdict(list)
        self.compact: dict[str, list] = defaultdict(list)
        self._terms: dict[tuple, int] = {}
        self._prefix_lengths: list[int] = []
        self._cjk_lengths: list[int] = []

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, term: str, topic: str, weight: float = 1.0) -> None:
        """Add ``term`` for ``topic``. The same term for the same topic keeps the higher weight."""
        raw = normalize(term.strip())
        stem = raw.endswith("*")
        raw = raw.rstrip("*").strip()
        if not raw:
            return
        if _DOMAIN.match(raw) and "." in raw:
            self._put(self.domains, raw, ("d", raw), topic, weight)
        toks = tokens(raw)
        if not toks:
            return
        key = ("t", " ".join(toks), stem)
        if len(toks) == 1:
            tok = toks[0]
            if is_cjk(tok):
                self._put(self.cjk, tok, key, topic, weight if len(tok) > 1 else weight * 0.5)
            elif stem and len(tok) >= 3:
                self._put(self.prefix, tok, key, topic, weight)
            elif len(tok) >= 2 or tok.isdigit():
                self._put(self.exact, tok, key, topic, weight)
                self._put(self.compact, tok, key, topic, weight)
        else:
            self._put(self.phrases, toks[0], key, topic, weight, extra=(tuple(toks[1:]), stem))
            if not any(is_cjk(t) for t in toks):
                self._put(self.compact, "".join(toks), key, topic, weight)

    def _put(self, table, word, key, topic, weight, extra=None):
        term_id = self._terms.setdefault(key, len(self._terms))
        entries = table[word]
        for i, entry in enumerate(entries):
            if entry[1] == topic and entry[0] == term_id and entry[3] == extra:
                if weight > entry[2]:
                    entries[i] = (term_id, topic, weight, extra)
                return
        entries.append((term_id, topic, weight, extra))
        if table is self.prefix and len(word) not in self._prefix_lengths:
            self._prefix_lengths = sorted({*self._prefix_lengths, len(word)})
        if table is self.cjk and len(word) not in self._cjk_lengths:
            self._cjk_lengths = sorted({*self._cjk_lengths, len(word)})

    def reweight(self, factor) -> None:
        """Multiply every entry's weight by ``factor(term_id, topic)``."""
        for table in (self.exact, self.prefix, self.phrases, self.cjk, self.domains, self.compact):
            for word, entries in table.items():
                table[word] = [(t, topic, w * factor(t, topic), x) for t, topic, w, x in entries]

    def topics_per_term(self) -> dict[int, set]:
        found: dict[int, set] = defaultdict(set)
        for table in (self.exact, self.prefix, self.phrases, self.cjk, self.domains):
            for entries in table.values():
                for term_id, topic, _, _ in entries:
                    found[term_id].add(topic)
        return found

    # ------------------------------------------------------------ matching

    def match(self, feats: Features) -> dict[str, float]:
        """Evidence per topic for one post."""
        evidence: dict[str, float] = defaultdict(float)
        for (_, topic), value in self._hits(feats).items():
            evidence[topic] += value
        return evidence

    def terms(self, feats: Features) -> dict[str, int]:
        """How many distinct terms of each topic the post holds (``"data science"`` is one term)."""
        counts: dict[str, int] = defaultdict(int)
        for _, topic in self._hits(feats):
            counts[topic] += 1
        return counts

    def _hits(self, feats: Features) -> dict[tuple[int, str], float]:
        hits: dict[tuple[int, str], float] = {}

        def hit(entries, source_weight):
            for term_id, topic, weight, _ in entries:
                key = (term_id, topic)
                value = weight * source_weight
                if hits.get(key, 0.0) < value:
                    hits[key] = value

        self._match_tokens(feats.words, SOURCE_WEIGHTS["text"], hit)
        if feats.hashtags:
            tag_weight = SOURCE_WEIGHTS["hashtag"] * min(1.0, HASHTAG_BUDGET / len(feats.hashtags))
            for words, compact in zip(feats.hashtags, feats.compact_tags):
                self._match_tokens(words, tag_weight, hit)
                if compact in self.compact:
                    hit(self.compact[compact], tag_weight)
        for words in feats.names:
            self._match_tokens(words, SOURCE_WEIGHTS["name"], hit)
            joined = "".join(words)
            if joined in self.compact:
                hit(self.compact[joined], SOURCE_WEIGHTS["name"])
        for host in feats.domains:
            parts = host.split(".")
            for i in range(len(parts) - 1):
                entries = self.domains.get(".".join(parts[i:]))
                if entries:
                    hit(entries, SOURCE_WEIGHTS["domain"])
        return hits

    def _match_tokens(self, toks: list[str], source_weight: float, hit) -> None:
        exact, prefix, phrases = self.exact, self.prefix, self.phrases
        for i, tok in enumerate(toks):
            if is_cjk(tok):
                self._match_cjk(tok, source_weight, hit)
                continue
            entries = exact.get(tok)
            if entries:
                hit(entries, source_weight)
            for variant in _variants(tok):
                entries = exact.get(variant)
                if entries:
                    hit(entries, source_weight)
            for length in self._prefix_lengths:
                if length > len(tok):
                    break
                entries = prefix.get(tok[:length])
                if entries:
                    hit(entries, source_weight)
            candidates = phrases.get(tok)
            if candidates:
                for term_id, topic, weight, (rest, stem) in candidates:
                    if _phrase_at(toks, i + 1, rest, stem):
                        hit([(term_id, topic, weight, None)], source_weight)

    def _match_cjk(self, run: str, source_weight: float, hit) -> None:
        cjk, lengths = self.cjk, self._cjk_lengths
        n = len(run)
        for start in range(n):
            for length in lengths:
                if start + length > n:
                    break
                entries = cjk.get(run[start:start + length])
                if entries:
                    hit(entries, source_weight)


def _variants(tok: str) -> tuple[str, ...]:
    """English and Spanish plural forms back to the singular."""
    if len(tok) > 3 and tok.endswith("s"):
        if len(tok) > 4 and tok.endswith("es"):
            return (tok[:-1], tok[:-2])
        return (tok[:-1],)
    return ()


def _phrase_at(toks: list[str], start: int, rest: tuple[str, ...], stem: bool) -> bool:
    if start + len(rest) > len(toks):
        return False
    for j, want in enumerate(rest):
        got = toks[start + j]
        last = j == len(rest) - 1
        if got == want or (last and (got.startswith(want) if stem else want in _variants(got))):
            continue
        return False
    return True
