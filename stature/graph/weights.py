"""How much each kind of interaction counts, and how fast it fades: the one place these live.

An interaction ``source -> target`` says the source paid attention to the target.
Amplifying (a repost or a quote) says the most, a like the least; a ``block``
says the opposite and never counts. Inside the scoring window each interaction
fades with its age: ``0.5 ** (age_days / half_life_days)``, so with the default
90-day window and 45-day half-life an interaction at the window's edge counts
a quarter. An interaction with no time (a follow in an X archive) is taken as
standing and counts in full.
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

DEFAULT_WINDOW_DAYS = 90


def default_half_life(window_days: float) -> float:
    """Half the window: an interaction at the window's edge counts a quarter."""
    return window_days / 2.0


def decay(age_days: float, half_life_days: float) -> float:
    """How much an interaction ``age_days`` old still counts (1 when new)."""
    return 0.5 ** (max(age_days, 0.0) / half_life_days)
