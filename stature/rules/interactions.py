"""Which interactions count, and how much: the one place these weights live.

An interaction ``source -> target`` says the source paid attention to the target.
Amplifying (a repost or a quote) says the most, a like the least; a ``block`` says the
opposite and never counts. The score, `connect`, communities, the dashboard's ego
network and the exports all weigh interactions with :data:`KIND_WEIGHTS`.

Topic expertise asks another question (does this reaction say the reactor recognises
the post's topic?) and weighs reactions with :data:`REACTION_WEIGHTS`: a reply, quote or
repost engages with the content itself, a like half as much.
"""
from __future__ import annotations

KIND_WEIGHTS: dict[str, float] = {
    "repost": 1.0,
    "quote": 1.0,
    "reply": 0.7,
    "mention": 0.5,
    "follow": 0.5,
    "like": 0.2,
}
"""Weight of one interaction of each kind; kinds not listed (``block``) never count."""

AMPLIFYING_KINDS = ("repost", "quote")

RECIPROCAL_DISCOUNT = 0.05
"""Amplification between two accounts that amplify each other counts this much (rings gain little)."""

REACTION_WEIGHTS: dict[str, float] = {"reply": 1.0, "quote": 1.0, "repost": 1.0, "like": 0.5}
"""How much one reaction to a post counts as recognition of its topic (topic expertise)."""
