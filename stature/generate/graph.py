"""Seeded edge arrays at benchmark scale (millions of edges in seconds), for graphs that need no files.

Both draw the same heavy-tailed (Pareto 1.2) popularity first. :func:`follow_graph` places the
accounts in cohorts of about :data:`COHORT` and draws 80% of each account's follows inside its
cohort; :func:`popularity_graph` draws sources uniformly and weighs each edge. For a population
with posts, lists and texts in importable files, use :func:`stature.generate.generate`.
"""
from __future__ import annotations

import numpy as np

COHORT = 1000
INSIDE = 0.8


def _popularity(rng, nodes: int) -> np.ndarray:
    return rng.pareto(1.2, nodes) + 1.0


def follow_graph(nodes: int, edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Exactly ``edges`` distinct ``(source, target)`` follows (fewer if the draw holds fewer), sorted:
    each account follows a lognormal number of others, 80% inside its cohort and 20% anywhere, both in
    proportion to popularity."""
    rng = np.random.default_rng(seed)
    popularity = _popularity(rng, nodes)
    cohort = rng.integers(0, max(1, nodes // COHORT), nodes)
    order = np.argsort(cohort, kind="stable")
    starts = np.searchsorted(cohort[order], np.arange(cohort.max() + 2))
    per_node = rng.lognormal(0.0, 1.0, nodes)
    per_node = np.maximum(1, np.round(per_node * 1.25 * edges / per_node.sum())).astype(np.int64)
    src = np.repeat(np.arange(nodes), per_node)
    dst = np.empty(len(src), dtype=np.int64)
    inside = rng.random(len(src)) < INSIDE
    everyone = np.cumsum(popularity)
    dst[~inside] = np.searchsorted(everyone, rng.random((~inside).sum()) * everyone[-1])
    sorted_pop = np.cumsum(popularity[order])  # within a cohort: its slice of the sorted cumulative
    c = cohort[src[inside]]
    lo = np.where(starts[c] > 0, sorted_pop[starts[c] - 1], 0.0)
    hi = sorted_pop[starts[c + 1] - 1]
    dst[inside] = order[np.minimum(np.searchsorted(sorted_pop, lo + rng.random(inside.sum()) * (hi - lo)),
                                   len(order) - 1)]
    keep = src != dst
    pairs = np.unique(src[keep] * nodes + dst[keep])
    if len(pairs) > edges:  # drawn with a margin for duplicates; keep exactly ``edges``
        pairs = np.sort(rng.choice(pairs, size=edges, replace=False))
    return pairs // nodes, pairs % nodes


def popularity_graph(nodes: int, edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """About ``edges`` distinct ``(source, target)`` pairs sorted by source, with weights in [0.2, 2):
    sources uniform, targets in proportion to popularity."""
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(_popularity(rng, nodes))
    cumulative /= cumulative[-1]
    src = rng.integers(0, nodes, edges)
    dst = np.searchsorted(cumulative, rng.random(edges))
    keep = src != dst
    pairs = np.unique(src[keep].astype(np.int64) * nodes + dst[keep])
    src, dst = pairs // nodes, pairs % nodes
    weight = rng.uniform(0.2, 2.0, len(pairs))
    return src, dst, weight
