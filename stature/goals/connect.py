"""Whom to connect with: Who-to-Follow on the workspace's attention graph, pulled toward a goal.

:func:`connect` suggests accounts for one account and says why: the topics it shares with
them (with the evidence), its mutual connections, whether they already pay it attention,
and up to three introduction paths through people it already interacts with, strongest
ties first. :func:`connect_batch` scores many accounts on one loaded graph, without the
explanations (for evaluation and bulk use). Both call :func:`suggest`, the one place the
ranking happens.

With a goal, each account's *goal fit* is ``1 - (1 - credibility) * (1 - 0.5 * audience)``:
its best expertise confidence on the goal's topics, and whether it is in the goal's
audience. The fit pulls the circle of trust's SALSA walk and the final scores toward it
(:func:`~stature.graph.who_to_follow`); an account with no ties yet gets the accounts with
the best fit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np
import orjson

from ..errors import StatureError
from ..graph import who_to_follow
from .audience import audience, credibility, goal_topics
from .goalfile import Goal
from .network import Network, load_network

PULL = 8.0          # how strongly goal fit multiplies a score: up to 1 + PULL
AUDIENCE_FIT = 0.5  # goal fit of an audience member with no expertise on the goal's topics
PATHS = 3
Progress = Callable[[int, int, str], None]


@dataclass
class GoalPrior:
    fit: np.ndarray                # per node, in [0, 1]
    credibility: dict              # node -> (confidence, name of its best goal topic)
    audience: dict                 # node -> [reasons]
    goal: Goal


def goal_prior(ws, net: Network, goal: Goal) -> GoalPrior:
    """Each node's fit to ``goal``: credibility on its topics and membership of its audience."""
    topics = goal_topics(ws, goal)
    cred = np.zeros(net.nodes)
    cred_of, members = {}, {}
    for key, (confidence, topic_id) in credibility(ws, topics).items():
        i = net.index(*key)
        if i is not None:
            cred[i] = confidence
            cred_of[i] = (confidence, topics.names[topic_id])
    aud = np.zeros(net.nodes)
    for key, reasons in audience(ws, goal, topics).members.items():
        i = net.index(*key)
        if i is not None:
            aud[i] = 1.0
            members[i] = reasons
    fit = 1.0 - (1.0 - np.clip(cred, 0, 1)) * (1.0 - AUDIENCE_FIT * aud)
    return GoalPrior(fit, cred_of, members, goal)


def resolve(ws, net: Network, spec: str) -> list[int]:
    """The node(s) of the account ``spec`` (``[network:]handle-or-id``) and of the accounts linked to it."""
    spec = spec.strip()
    network, _, name = spec.rpartition(":") if ":" in spec and "://" not in spec else ("", "", spec)
    name = name.lstrip("@")
    if network:
        found = net.index(network, name)
        nodes = [found] if found is not None else []
    else:
        nodes = net.by_id(name)
    if not nodes:
        try:
            found = net.index(*ws.find_account(spec))
        except StatureError:
            found = None
        if found is None:
            raise StatureError(f"No account {spec!r} in {ws.path}.")
        nodes = [found]
    if len(nodes) > 1:
        options = ", ".join(":".join(net.key(i)) for i in nodes[:5])
        raise StatureError(f"{spec!r} matches several accounts ({options}); say which as NETWORK:ID.")
    linked = ws.sql("""SELECT b.network, b.account_id FROM identities a JOIN identities b USING (person_id)
                       WHERE a.network = ? AND a.account_id = ?""", list(net.key(nodes[0])))
    return sorted({nodes[0], *(i for key in linked if (i := net.index(*key)) is not None)})


def suggest(net: Network, user: list[int], *, prior: GoalPrior | None = None, top: int = 10):
    """The ranked suggestions for the node(s) ``user``: ``(nodes, scores, recommendations or None)``."""
    fit = prior.fit if prior is not None else None
    result = who_to_follow(net.adjacency, user, walk=net.walk, prior=fit, pull=PULL if fit is not None else 0.0,
                           top=top, exclude=net.excluded)
    nodes, scores = result.nodes, result.scores
    if len(nodes) < top and fit is not None:  # few ties yet: the accounts that fit the goal best
        taken = set(nodes.tolist()) | set(user) | set(net.adjacency[user].indices.tolist())
        order = np.lexsort((-np.asarray(net.adjacency.sum(axis=0)).ravel(), -fit))
        extra = [i for i in order[: top * 4 + len(taken)] if fit[i] > 0 and i not in taken and not net.excluded[i]]
        extra = extra[: top - len(nodes)]
        if extra:
            floor = float(scores.min()) if len(scores) else 1.0
            nodes = np.concatenate([nodes, extra]).astype(np.int64)
            scores = np.concatenate([scores, floor * 0.5 * fit[extra] / max(fit[extra].max(), 1e-12)])
    return nodes, scores, result


def connect(ws, spec: str, *, goal: Goal | None = None, top: int = 10, net: Network | None = None,
            progress: Progress | None = None) -> dict:
    """Suggestions for the account ``spec``, best first, each with why and introduction paths."""
    net = net or load_network(ws, progress=progress)
    user = resolve(ws, net, spec)
    prior = goal_prior(ws, net, goal) if goal is not None else None
    nodes, scores, result = suggest(net, user, prior=prior, top=top)
    accounts = _accounts(ws, net, set(nodes.tolist()) | set(user))
    explainer = _Explainer(ws, net, user, prior, accounts)
    suggestions = []
    for rank, (i, score) in enumerate(zip(nodes.tolist(), scores.tolist()), 1):
        suggestions.append({"rank": rank, **accounts[i], "score": round(score, 6), **explainer.why(i)})
    me = accounts[user[0]]
    return {"account": me, "goal": goal.name if goal else None, "circle_of_trust": len(result.circle.nodes),
            "suggestions": suggestions}


def connect_batch(ws, specs: Iterable[str], *, goal: Goal | None = None, top: int = 10, net: Network | None = None,
                  progress: Progress | None = None) -> Iterator[dict]:
    """``{"account_id", "network", "suggestions": [{"account_id", "network", "score"}]}`` per account spec.

    A spec that names no account gives ``{"account_id": spec, "error": ...}`` and the batch goes on.
    """
    specs = [s.strip() for s in specs if s.strip() and not s.lstrip().startswith("#")]
    net = net or load_network(ws)
    prior = goal_prior(ws, net, goal) if goal is not None else None
    for done, spec in enumerate(specs, 1):
        try:
            user = resolve(ws, net, spec)
        except StatureError as exc:
            yield {"account_id": spec, "error": str(exc), "suggestions": []}
            continue
        nodes, scores, _ = suggest(net, user, prior=prior, top=top)
        network, account_id = net.key(user[0])
        yield {"account_id": account_id, "network": network,
               "suggestions": [{"account_id": net.key(i)[1], "network": net.key(i)[0], "score": round(float(s), 6)}
                               for i, s in zip(nodes.tolist(), scores.tolist())]}
        if progress:
            progress(done, len(specs), spec)


# ---------------------------------------------------------------- explanations


def _accounts(ws, net: Network, nodes) -> dict:
    """node -> {network, account_id, handle, display_name}."""
    nodes = sorted(nodes)
    keys = [net.key(i) for i in nodes]
    found = {}
    if keys:
        for network, account_id, handle, name in ws.sql(
                """SELECT network, account_id, any_value(handle), any_value(display_name) FROM accounts
                   WHERE network || chr(0) || account_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL""",
                [[f"{n}\x00{a}" for n, a in keys]]):
            found[(network, account_id)] = (handle, name)
    return {i: {"network": k[0], "account_id": k[1], "handle": found.get(k, (None, None))[0],
                "display_name": found.get(k, (None, None))[1]} for i, k in zip(nodes, keys)}


def name_of(account: dict) -> str:
    return f"@{account['handle']}" if account.get("handle") else f"{account['network']}:{account['account_id']}"


class _Explainer:
    """Why one suggestion: shared topics, mutual connections, attention, goal fit, introduction paths."""

    def __init__(self, ws, net: Network, user: list[int], prior: GoalPrior | None, accounts: dict):
        self.ws, self.net, self.user, self.prior, self.accounts = ws, net, user, prior, accounts
        row = net.walk[user]
        ties: dict[int, float] = {}
        for j, w in zip(row.indices.tolist(), row.data.tolist()):
            if j not in user and not net.excluded[j]:
                ties[j] = ties.get(j, 0.0) + w
        self.ties = ties  # people the user already interacts with (either way), by strength
        self.topics = self._topics([net.key(i) for i in user])

    def why(self, i: int) -> dict:
        net, me = self.net, self.user[0]
        row = net.walk[[i]]
        theirs = {j: w for j, w in zip(row.indices.tolist(), row.data.tolist()) if not net.excluded[j]}
        mutual = sorted((j for j in theirs if j in self.ties), key=lambda j: (-self.ties[j] * theirs[j], j))
        paths = self._paths(i, theirs, mutual)
        hops = [(me, i)] + [(me, j) for j in mutual[:3]] + [(j, i) for j in mutual[:3]]
        for p in paths:
            chain = [me, *p["through"], i]
            hops += list(zip(chain, chain[1:]))
        said = _relations(self.ws, net, hops)
        names = {**self.accounts, **_accounts(self.ws, net, {j for pair in hops for j in pair} - set(self.accounts))}

        def label(j):
            return "you" if j in self.user else name_of(names[j])
        for p in paths:
            chain = [me, *p["through"], i]
            p["steps"] = [_describe(said, a, b, label) for a, b in zip(chain, chain[1:])]
            p["through"] = [names[j] for j in p["through"]]
        towards = said.get((i, me), {})
        their_topics = self._topics([net.key(i)])
        shared = [dict(t, shared=True) for key, t in their_topics.items() if key in self.topics]
        fit, credible = None, []
        if self.prior is not None:
            fit = round(float(self.prior.fit[i]), 4)
            goal_topic = self.prior.credibility.get(i)
            if goal_topic:
                credible = [dict(t, goal=True) for t in their_topics.values() if t["topic"] == goal_topic[1]]
        topics = credible + [t for t in shared if not credible or t["topic"] != credible[0]["topic"]]
        reasons = []
        if credible:
            t = credible[0]
            reasons.append(f"{t['level']} on {t['topic']}, a goal topic ({_evidence(t)})")
        if self.prior is not None and i in self.prior.audience:
            reasons.append("in the goal's audience: " + "; ".join(self.prior.audience[i][:2]))
        for t in shared[:2]:
            if not credible or t["topic"] != credible[0]["topic"]:
                reasons.append(f"you are both known for {t['topic']} ({_evidence(t)})")
        if towards:
            reasons.append(_verbs(towards, "you"))
        if mutual:
            shown = ", ".join(name_of(names[j]) for j in mutual[:3])
            reasons.append(f"{len(mutual)} mutual connection{'s' if len(mutual) > 1 else ''}: {shown}")
        if not reasons:
            reasons.append("followed or engaged with by people in your circle of trust")
        return {"goal_fit": fit, "follows_you": "follow" in towards, "why": reasons, "topics": topics[:3],
                "mutual": {"count": len(mutual), "accounts": [names[j] for j in mutual[:3]]}, "paths": paths}

    def _paths(self, i: int, theirs: dict, mutual: list) -> list[dict]:
        """Up to :data:`PATHS` introduction paths, through people the user already interacts with."""
        paths = [{"through": [j], "strength": round(min(self.ties[j], theirs[j]), 4)} for j in mutual]
        paths.sort(key=lambda p: (-self.ties[p["through"][0]], -p["strength"], p["through"]))
        paths = paths[:PATHS]
        if len(paths) < PATHS:  # two steps: user - a - b - suggestion
            longer = []
            for a in sorted(self.ties, key=lambda j: -self.ties[j])[:25]:
                row = self.net.walk[[a]]
                for b, w in zip(row.indices.tolist(), row.data.tolist()):
                    if b in theirs and b != i and b not in self.user and not self.net.excluded[b] and b != a:
                        longer.append({"through": [a, b], "strength": round(min(self.ties[a], w, theirs[b]), 4)})
            longer.sort(key=lambda p: (-self.ties[p["through"][0]], -p["strength"], p["through"]))
            seen = set()
            for p in longer:
                if p["through"][0] not in seen and len(paths) < PATHS:
                    seen.add(p["through"][0])
                    paths.append(p)
        return paths

    def _topics(self, keys) -> dict:
        if not keys:
            return {}
        rows = self.ws.sql("""SELECT t.name, a.level, a.confidence, a.posts, a.weeks, a.reactors, a.lists, a.evidence
                              FROM account_topics a JOIN topics t USING (topic_id)
                              WHERE a.network || chr(0) || a.account_id IN (SELECT unnest(?::VARCHAR[]))
                              ORDER BY a.confidence DESC""", [[f"{n}\x00{a}" for n, a in keys]])
        out = {}
        for name, level, confidence, posts, weeks, reactors, lists, evidence in rows:
            if name in out:
                continue
            ev = orjson.loads(evidence) if evidence else {}
            top_post = (ev.get("top_posts") or [None])[0]
            out[name] = {"topic": name, "level": level, "confidence": round(confidence, 4), "posts": posts,
                         "weeks": weeks, "reactors": reactors, "lists": lists,
                         "top_post": {"post_id": top_post["post_id"], "text": top_post["text"]} if top_post else None}
        return out


_VERBS = {"follow": ("follow", "follows"), "mention": ("mentioned", "mentioned"), "reply": ("replied to", "replied to"),
          "repost": ("reposted", "reposted"), "quote": ("quoted", "quoted"), "like": ("liked", "liked")}


def _relations(ws, net: Network, pairs) -> dict:
    """``(i, j) -> {kind: count}`` for each pair, both ways: what the interactions between them were."""
    keys = {f"{net.key(a)[0]}\x1f{net.key(a)[1]}\x1f{net.key(b)[1]}": (a, b)
            for x, y in pairs for a, b in ((x, y), (y, x)) if net.key(a)[0] == net.key(b)[0]}
    out: dict = {}
    if keys:
        for network, source, target, kind, n in ws.sql(
                """SELECT network, source_id, target_id, kind, count(*) FROM interactions
                   WHERE network || chr(31) || source_id || chr(31) || target_id IN (SELECT unnest(?::VARCHAR[]))
                   AND kind IN ('follow', 'mention', 'reply', 'repost', 'quote', 'like') GROUP BY ALL""",
                [list(keys)]):
            out.setdefault(keys[f"{network}\x1f{source}\x1f{target}"], {})[kind] = n
    return out


def _describe(said: dict, a: int, b: int, label) -> str:
    """``you follow @b; @b replied to you 3 times``: the main kinds each way between ``a`` and ``b``."""
    parts = []
    for x, y in ((a, b), (b, a)):
        verbs = _verbs(said.get((x, y), {}), label(y), label(x) == "you")
        if verbs:
            parts.append(f"{label(x)} {verbs}")
    return "; ".join(parts) or f"{label(a)} and {label(b)} are tied"


def _verbs(kinds: dict, whom: str, you: bool = False) -> str:
    """``follows @b and replied to @b 3 times``: at most two kinds, a follow first, then the most frequent."""
    ranked = sorted(kinds.items(), key=lambda kv: (kv[0] != "follow", -kv[1], kv[0]))[:2]
    return " and ".join(_VERBS[k][0 if you else 1] + f" {whom}" + (f" {n} times" if n > 1 and k != "follow" else "")
                        for k, n in ranked)


def _evidence(t: dict) -> str:
    parts = []
    if t["posts"]:
        parts.append(f"{t['posts']} posts over {t['weeks']} weeks")
    if t["reactors"]:
        parts.append(f"reactions from {t['reactors']} accounts")
    if t["lists"]:
        parts.append(f"on {t['lists']} lists")
    return ", ".join(parts) or f"confidence {t['confidence']:.2f}"
