"""How fast an interaction fades, and the window: one rule for the score, `connect` and expertise.

An interaction ``age_days`` old counts ``0.5 ** (age_days / half_life)`` of a new one, and the
half-life is half the window: with the default 90-day window, 45 days, so an interaction at
the window's edge counts a quarter. An interaction with no time (a follow in an X archive)
is taken as standing and counts in full; one dated after the moment of measurement counts
as new. The score leaves out interactions older than its window; `connect`, communities and
topic expertise keep them, faded by the same rule.
"""
from __future__ import annotations

DEFAULT_WINDOW_DAYS = 90


def half_life(window_days: float = DEFAULT_WINDOW_DAYS) -> float:
    """Half the window: an interaction at the window's edge counts a quarter."""
    return window_days / 2.0


def decay(age_days: float | None, half_life_days: float) -> float:
    """How much an interaction ``age_days`` old still counts (1 when new or undated)."""
    if age_days is None:
        return 1.0
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def decay_sql(time: str, age_days: str, half_life_days: str) -> str:
    """:func:`decay` as SQL that DuckDB and Spark (through sqlglot) both run.

    ``time`` is the interaction's time column, ``age_days`` an expression of its age in days
    and ``half_life_days`` an expression of the half-life, all SQL text.
    """
    return (f"(CASE WHEN {time} IS NULL THEN 1.0 "
            f"ELSE power(0.5, greatest({age_days}, 0.0) / {half_life_days}) END)")
