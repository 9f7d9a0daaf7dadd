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

from ..errors import StatureError
from ..graph import who_to_follow
from .audience import audience, credibility, goal_topics
from .explain import Explainer
from .goalfile import Goal
from ..graph.network import Network, load_network

PULL = 8.0          # how strongly goal fit multiplies a score: up to 1 + PULL
AUDIENCE_FIT = 0.5  # goal fit of an audience member with no expertise on the goal's topics
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
    if not nodes:  # a handle: the workspace says which account, or why none or several
        found = net.index(*ws.find_account(spec))
        if found is None:
            raise StatureError(f"No account {spec!r} in the loaded graph; load it again.")
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
    me, suggestions = Explainer(ws, net, user, prior).explain(nodes, scores)
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
