"""A goal's topics and audience, found in a workspace.

Topic names resolve against the taxonomy the workspace was last classified with
(``stature classify``); a target topic includes the topics under it. The audience is
every account the goal names, every member of a list it names, every account whose bio
holds one of its keywords, whose bio, name or handle names one of its organisations and,
with ``topic_experts``, every account at least moderately credible on its topics. Each
member keeps the reasons it is in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import StatureError
from ..read import accounts
from ..read.topics import confidence_on, known_for, taxonomy
from .goalfile import Goal


@dataclass(frozen=True)
class GoalTopics:
    targets: dict            # topic id -> name, as the goal names them
    covered: dict            # topic id -> the target it falls under (targets and their descendants)
    names: dict = field(default_factory=dict)   # topic id -> name, for every topic of the taxonomy

    def name(self, topic_id: str) -> str:
        return self.targets.get(topic_id) or self.targets[self.covered[topic_id]]


@dataclass
class AudienceMatch:
    members: dict = field(default_factory=dict)    # (network, account_id) -> [reasons]
    unmatched: list = field(default_factory=list)  # what the goal names that matched nobody
    counts: dict = field(default_factory=dict)     # how many accounts each part of the goal brought in

    def __contains__(self, key) -> bool:
        return key in self.members


def goal_topics(ws, goal: Goal) -> GoalTopics:
    """Resolve the goal's topic names; a clear error naming the file and key for an unknown one."""
    if not goal.topics:
        return GoalTopics({}, {}, {})
    rows = taxonomy(ws)
    if not rows:
        raise StatureError(f"{ws.path} holds no topics yet; run `stature classify` before checking the goal "
                           f"{goal.path}.")
    by_key = {}
    for topic_id, name, _ in rows:
        by_key.setdefault(name.casefold(), topic_id)
        by_key.setdefault(topic_id.casefold(), topic_id)
    names = {t: n for t, n, _ in rows}
    children: dict[str, list[str]] = {}
    for topic_id, _, parents in rows:
        for parent in parents or ():
            children.setdefault(parent, []).append(topic_id)
    targets, covered = {}, {}
    for wanted in goal.topics:
        topic_id = by_key.get(wanted.casefold())
        if topic_id is None:
            near = [n for n in names.values() if wanted.casefold() in n.casefold() or n.casefold() in wanted.casefold()]
            near = near or [n for n in names.values() if set(wanted.casefold().split()) & set(n.casefold().split())]
            hint = f" Did you mean: {', '.join(sorted(near)[:5])}?" if near else ""
            raise goal.error("topics", f"{wanted!r} is not a topic of the taxonomy {ws.path} was classified with."
                                       f"{hint} `stature experts` and docs/goals.md list topic names.")
        targets[topic_id] = names[topic_id]
        stack = [topic_id]
        while stack:
            t = stack.pop()
            if t not in covered:
                covered[t] = topic_id
                stack.extend(children.get(t, ()))
    for t in targets:  # a target named itself wins over being under another target
        covered[t] = t
    return GoalTopics(targets, covered, names)


def audience(ws, goal: Goal, topics: GoalTopics | None = None, *, without=None) -> AudienceMatch:
    """The accounts in the goal's audience, each with why; ``without`` (network, account_id) is left out."""
    match = AudienceMatch()
    spec = goal.audience

    parts: dict[str, set] = {}

    def add(rows, reason, part):
        found = 0
        for network, account_id in rows:
            if (network, account_id) == without:
                continue
            match.members.setdefault((network, account_id), []).append(reason)
            parts.setdefault(part, set()).add((network, account_id))
            found += 1
        return found

    for name in spec.accounts:
        network, _, bare = name.rpartition(":") if ":" in name else ("", "", name)
        bare = bare.lstrip("@")
        rows = accounts.named(ws, bare, network)
        if not add(rows, f"named in the goal ({name})", "accounts"):
            match.unmatched.append(f"account {name}")
    for name in spec.lists:
        rows = accounts.list_members(ws, name)
        for network, member, list_name in rows:
            add([(network, member)], f"on the list {list_name!r}", "lists")
        if not rows:
            match.unmatched.append(f"list {name}")
    for word in spec.bio_keywords:
        rows = accounts.bio_matches(ws, _word_pattern(word))
        if not add(rows, f"bio mentions {word!r}", "bio_keywords"):
            match.unmatched.append(f"bio keyword {word}")
    for org in spec.organisations:
        rows = accounts.organisation_matches(ws, _word_pattern(org), re.sub(r"\W+", "", org))
        if not add(rows, f"names {org!r}", "organisations"):
            match.unmatched.append(f"organisation {org}")
    if spec.topic_experts and topics and topics.covered:
        for network, account_id, topic_id, level in known_for(ws, topics.covered):
            add([(network, account_id)], f"{level}ly credible on {topics.names[topic_id]}", "topic_experts")
    match.counts = {part: len(members) for part, members in parts.items()}
    return match


def credibility(ws, topics: GoalTopics) -> dict:
    """``(network, account_id) -> (confidence, topic id)``: each account's best expertise on the goal's topics."""
    if not topics.covered:
        return {}
    out = {}
    for network, account_id, topic_id, confidence in confidence_on(ws, topics.covered):
        out.setdefault((network, account_id), (confidence, topic_id))
    return out


def _word_pattern(text: str) -> str:
    """A case-insensitive RE2 pattern for ``text`` as whole words (``librarian`` matches ``Librarians``)."""
    words = [re.escape(w) for w in text.split()]
    return r"(?i)(^|\W)" + r"\s+".join(words) + r"(s|es)?(\W|$)"
