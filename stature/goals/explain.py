"""Why a suggestion: shared topics with evidence, goal fit, attention, mutual connections, introductions.

The graph work (mutual connections, introduction paths, what the interactions between two
accounts were) is numpy on the loaded :class:`~stature.goals.network.Network`; the
accounts' names and their topics come from the workspace in one query each, for all
suggestions at once.
"""
from __future__ import annotations

import numpy as np
import orjson

from ..read.accounts import at_rows, names as account_names
from ..read.topics import account_expertise
from ..rules.accounts import who as name_of
from .network import Network

PATHS = 3
PATH_TIES = 10   # how many of the user's strongest ties a two-step introduction may start from
_VERBS = {"follow": ("follow", "follows"), "mention": ("mentioned", "mentioned"), "reply": ("replied to", "replied to"),
          "repost": ("reposted", "reposted"), "quote": ("quoted", "quoted"), "like": ("liked", "liked")}


class Explainer:
    """Explains suggestions for the node(s) ``user``; ``prior`` is the goal's, or None."""

    def __init__(self, ws, net: Network, user: list[int], prior=None):
        self.ws, self.net, self.user, self.prior = ws, net, list(user), prior
        row = net.walk[self.user]
        ties = np.bincount(row.indices, weights=row.data, minlength=0) if row.nnz else np.zeros(0)
        idx = np.flatnonzero(ties)
        idx = idx[~np.isin(idx, self.user) & ~net.excluded[idx]]
        self.tie_nodes, self.tie_weights = idx, ties[idx]   # people the user already interacts with, either way
        self.tie_of = dict(zip(idx.tolist(), ties[idx].tolist()))

    def explain(self, nodes, scores) -> tuple[dict, list[dict]]:
        """``(the user's account, [one dict per suggestion, best first])``."""
        me = self.user[0]
        plans = [self._plan(int(i)) for i in nodes]
        hops = set()
        for i, plan in zip(nodes.tolist(), plans):
            hops |= {(me, i)} | {(me, j) for j in plan["mutual"][:3]} | {(j, i) for j in plan["mutual"][:3]}
            for path in plan["paths"]:
                chain = [me, *path, i]
                hops |= set(zip(chain, chain[1:]))
        everyone = set(self.user) | set(nodes.tolist()) | {j for pair in hops for j in pair}
        names = accounts(self.ws, self.net, everyone)
        said = relations(self.net, hops)
        topics = self._topics([me, *nodes.tolist()])

        def label(j):
            return "you" if j in self.user else name_of(names[j])

        out = []
        for rank, (i, score, plan) in enumerate(zip(nodes.tolist(), scores.tolist(), plans), 1):
            out.append({"rank": rank, **names[i], "score": round(score, 6),
                        **self._render(i, plan, names, said, topics.get(me, {}), topics.get(i, {}), label)})
        return names[me], out

    # -- graph ------------------------------------------------------------------------------------

    def _plan(self, i: int) -> dict:
        net = self.net
        row = net.walk[[i]]
        keep = ~net.excluded[row.indices]
        their_nodes, their_weights = row.indices[keep], row.data[keep]
        common, at_tie, at_theirs = np.intersect1d(self.tie_nodes, their_nodes, assume_unique=True,
                                                   return_indices=True)
        strength = self.tie_weights[at_tie] * their_weights[at_theirs]
        mutual = common[np.lexsort((common, -strength))].tolist()
        by_tie = sorted(mutual, key=lambda j: (-self.tie_of[j], j))
        paths = [[j] for j in by_tie[:PATHS]]
        if len(paths) < PATHS:  # two steps: user - a - b - suggestion, a tied to the user, b to the suggestion
            seen = {p[0] for p in paths}
            for a in self.tie_nodes[np.argsort(-self.tie_weights, kind="stable")][:PATH_TIES].tolist():
                if len(paths) >= PATHS:
                    break
                if a in seen or a == i:
                    continue
                arow = net.walk[[a]]
                shared, at_a, at_i = np.intersect1d(arow.indices, their_nodes, assume_unique=True, return_indices=True)
                ok = ~np.isin(shared, self.user) & (shared != a) & (shared != i)
                if ok.any():
                    best = np.argmax(np.minimum(arow.data[at_a], their_weights[at_i]) * ok)
                    paths.append([a, int(shared[best])])
                    seen.add(a)
        return {"mutual": mutual, "paths": paths}

    # -- words ------------------------------------------------------------------------------------

    def _render(self, i, plan, names, said, my_topics, their_topics, label) -> dict:
        me = self.user[0]
        mutual = plan["mutual"]
        paths = []
        for path in plan["paths"]:
            chain = [me, *path, i]
            paths.append({"through": [names[j] for j in path],
                          "steps": [describe(said, a, b, label) for a, b in zip(chain, chain[1:])]})
        towards = said.get((i, me), {})
        shared = [dict(t, shared=True) for name, t in their_topics.items() if name in my_topics]
        fit, credible = None, []
        if self.prior is not None:
            fit = round(float(self.prior.fit[i]), 4)
            best = self.prior.credibility.get(i)
            if best:
                credible = [dict(t, goal=True) for t in their_topics.values() if t["topic"] == best[1]]
        reasons = []
        if credible:
            reasons.append(f"{credible[0]['level']} on {credible[0]['topic']}, a goal topic ({evidence(credible[0])})")
        if self.prior is not None and i in self.prior.audience:
            reasons.append("in the goal's audience: " + "; ".join(self.prior.audience[i][:2]))
        others = [t for t in shared if not credible or t["topic"] != credible[0]["topic"]]
        for t in others[:2]:
            reasons.append(f"you are both known for {t['topic']} ({evidence(t)})")
        if towards:
            reasons.append(verbs(towards, "you"))
        if mutual:
            shown = ", ".join(name_of(names[j]) for j in mutual[:3])
            reasons.append(f"{len(mutual)} mutual connection{'s' if len(mutual) > 1 else ''}: {shown}")
        if not reasons:
            reasons.append("followed or engaged with by people in your circle of trust")
        return {"goal_fit": fit, "follows_you": "follow" in towards, "why": reasons, "topics": (credible + others)[:3],
                "mutual": {"count": len(mutual), "accounts": [names[j] for j in mutual[:3]]}, "paths": paths}

    def _topics(self, nodes) -> dict:
        """node -> {topic name: expertise summary}, strongest first."""
        keys = {self.net.key(i): i for i in nodes}
        out: dict = {}
        for network, account_id, name, level, confidence, posts, weeks, reactors, lists, raw in account_expertise(
                self.ws, keys):
            mine = out.setdefault(keys[(network, account_id)], {})
            if name in mine:
                continue
            top_post = ((orjson.loads(raw) if raw else {}).get("top_posts") or [None])[0]
            mine[name] = {"topic": name, "level": level, "confidence": round(confidence, 4), "posts": posts,
                          "weeks": weeks, "reactors": reactors, "lists": lists,
                          "top_post": {"post_id": top_post["post_id"], "text": top_post["text"]} if top_post else None}
        return out


# ---------------------------------------------------------------- workspace look-ups


def accounts(ws, net: Network, nodes) -> dict:
    """node -> {network, account_id, handle, display_name}.

    Read by the row the network noted for each node's account (a key is checked, so a row that moved
    is looked up again by key); by key for the rest."""
    nodes = sorted(nodes)
    keys = [net.key(i) for i in nodes]
    found = {}
    if net.account_rows is not None:
        rows = net.account_rows[nodes] if nodes else []
        at = at_rows(ws, [r for r in rows if r >= 0])
        for key, row in zip(keys, rows):
            hit = at.get(int(row))
            if hit is not None and hit[:2] == key:
                found[key] = hit[2:]
    missing = [k for k in keys if k not in found]
    if missing:
        found.update(account_names(ws, missing))
    return {i: {"network": k[0], "account_id": k[1], "handle": found.get(k, (None, None))[0],
                "display_name": found.get(k, (None, None))[1]} for i, k in zip(nodes, keys)}


def relations(net: Network, pairs) -> dict:
    """``(i, j) -> {kind: count}`` for each pair, both ways: what the interactions between them were."""
    out: dict = {}
    for x, y in pairs:
        for a, b in ((x, y), (y, x)):
            if (a, b) not in out:
                out[(a, b)] = net.kind_counts(a, b)
    return out


def describe(said: dict, a: int, b: int, label) -> str:
    """``you follow @b; @b replied to you 3 times``: the main kinds each way between ``a`` and ``b``."""
    parts = []
    for x, y in ((a, b), (b, a)):
        text = verbs(said.get((x, y), {}), label(y), label(x) == "you")
        if text:
            parts.append(f"{label(x)} {text}")
    return "; ".join(parts) or f"{label(a)} and {label(b)} are tied"


def verbs(kinds: dict, whom: str, you: bool = False) -> str:
    """``follows @b and replied to @b 3 times``: at most two kinds, a follow first, then the most frequent."""
    ranked = sorted(kinds.items(), key=lambda kv: (kv[0] != "follow", -kv[1], kv[0]))[:2]
    return " and ".join(_VERBS[k][0 if you else 1] + f" {whom}" + (f" {n} times" if n > 1 and k != "follow" else "")
                        for k, n in ranked)


def evidence(t: dict) -> str:
    parts = []
    if t["posts"]:
        parts.append(f"{t['posts']} post{'s' if t['posts'] != 1 else ''} over {t['weeks']} "
                     f"week{'s' if t['weeks'] != 1 else ''}")
    if t["reactors"]:
        parts.append(f"reactions from {t['reactors']} accounts")
    if t["lists"]:
        parts.append(f"on {t['lists']} list{'s' if t['lists'] != 1 else ''}")
    return ", ".join(parts) or f"confidence {t['confidence']:.2f}"
