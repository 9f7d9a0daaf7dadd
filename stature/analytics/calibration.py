"""The fixed scale every component is read on: from its value to 0-100 points, the same in every workspace.

A component's value is a count in log2 units (``log2(1 + followers)``, the
amplification of its posts, the standing of the accounts that engage it...).
``calibration.json`` (built by ``evaluation/calibrate.py`` from real accounts in
``../shared/datasets``) holds, per network and component, two numbers: the
*median* value among the reference accounts that have any, and a *ceiling* (four
times the largest reference value). Points rise linearly with the value up to the
median, which gets :data:`MEDIAN_POINTS`, then linearly in log2 units on to 100 at
the ceiling: logarithmic at the top, as Klout's curve was, so 22M followers stand
above 1M. A network without enough reference accounts of its own uses
``default_network``'s curve.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MEDIAN_POINTS = 40.0


@lru_cache(maxsize=1)
def calibration() -> dict:
    """The shipped calibration (see the module docstring)."""
    return json.loads(CALIBRATION_FILE.read_text())


def curve(component: str, network: str | None) -> tuple[float, float, str]:
    """``(median, ceiling, network whose reference set it)`` for ``component`` on ``network``."""
    cal = calibration()
    for name in (network, cal["default_network"]):
        entry = cal["networks"].get(name or "", {}).get(component)
        if entry:
            return float(entry["median"]), float(entry["ceiling"]), name
    raise KeyError(f"the calibration has no curve for {component}")


def points(component: str, value: float, network: str | None = None) -> float:
    """The 0-100 points of ``value`` on the component's calibrated scale."""
    median, ceiling, _ = curve(component, network)
    if value <= 0:
        return 0.0
    if value <= median:
        return MEDIAN_POINTS * value / median
    return min(100.0, MEDIAN_POINTS + (100.0 - MEDIAN_POINTS) * (value - median) / (ceiling - median))


def value_for_points(component: str, target: float, network: str | None = None) -> float:
    """The value that earns ``target`` points (the inverse of :func:`points`)."""
    median, ceiling, _ = curve(component, network)
    if target <= MEDIAN_POINTS:
        return median * target / MEDIAN_POINTS
    return median + (ceiling - median) * (target - MEDIAN_POINTS) / (100.0 - MEDIAN_POINTS)


def count_for_points(component: str, target: float, network: str | None = None) -> float:
    """For components whose value is ``log2(1 + count)``: the count that earns ``target`` points."""
    return 2.0 ** value_for_points(component, target, network) - 1.0


def _by_network(component: str, field: str, network_col: str) -> str:
    cal = calibration()
    default = repr(float(cal["networks"][cal["default_network"]][component][field]))
    cases = [f"WHEN '{name}' THEN {float(entry[component][field])!r}"
             for name, entry in sorted(cal["networks"].items())
             if name != cal["default_network"] and component in entry]
    if not cases:
        return f"CAST({default} AS DOUBLE)"
    return f"CAST(CASE {network_col} {' '.join(cases)} ELSE {default} END AS DOUBLE)"


def points_sql(component_col: str, value_col: str, network_col: str, components) -> str:
    """SQL for :func:`points`, over a column naming the component and one naming the network."""
    top = 100.0 - MEDIAN_POINTS
    cases = []
    for c in components:
        m, ceil = _by_network(c, "median", network_col), _by_network(c, "ceiling", network_col)
        cases.append(f"""WHEN '{c}' THEN (CASE WHEN {value_col} <= 0 THEN 0.0
                 WHEN {value_col} <= {m} THEN {MEDIAN_POINTS!r} * {value_col} / {m}
                 ELSE least(100.0, {MEDIAN_POINTS!r} + {top!r} * ({value_col} - {m}) / ({ceil} - {m})) END)""")
    return f"CAST(CASE {component_col} {' '.join(cases)} ELSE 0.0 END AS DOUBLE)"


def slope_sql(component_col: str, value_col: str, network_col: str, components) -> str:
    """SQL: points gained per log2 unit at ``value_col`` (to carry a value's uncertainty into points)."""
    top = 100.0 - MEDIAN_POINTS
    cases = []
    for c in components:
        m, ceil = _by_network(c, "median", network_col), _by_network(c, "ceiling", network_col)
        cases.append(f"""WHEN '{c}' THEN (CASE WHEN {value_col} < {m} THEN {MEDIAN_POINTS!r} / {m}
                 WHEN {value_col} < {ceil} THEN {top!r} / ({ceil} - {m}) ELSE 0.0 END)""")
    return f"CAST(CASE {component_col} {' '.join(cases)} ELSE 0.0 END AS DOUBLE)"


def describe(component: str, network: str | None = None) -> str:
    """One line: where the median reference account stands on this component, in its own counts."""
    median, ceiling, source = curve(component, network)
    return f"{source} reference median {2 ** median - 1:,.0f} -> {MEDIAN_POINTS:.0f} points; " \
           f"100 at {2 ** ceiling - 1:,.0f}"


def log2_1p(count: float) -> float:
    return math.log2(1.0 + max(count, 0.0))
