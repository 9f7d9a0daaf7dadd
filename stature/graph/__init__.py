"""The interaction graph as scipy.sparse matrices, and pure algorithms on them.

Names are imported on first use, so reading a rule constant loads no scipy. The interaction weights and
the decay are rules (:mod:`stature.rules`), handed on here for callers of the graph.
"""
from ..lazy import lazy_names
from ..rules.decay import DEFAULT_WINDOW_DAYS, decay
from ..rules.interactions import AMPLIFYING_KINDS, KIND_WEIGHTS, RECIPROCAL_DISCOUNT

_MODULES = {
    "matrix": ("InteractionMatrix", "interaction_matrix"),
    "pagerank": ("ConvergenceError", "PageRankResult", "StandingResult", "pagerank", "standing"),
    "circle": ("Circle", "circle_of_trust"),
    "linkpred": ("adamic_adar", "common_neighbours", "undirected"),
    "salsa": ("SalsaResult", "salsa"),
    "whotofollow": ("Recommendations", "who_to_follow"),
}
__all__ = sorted([name for names in _MODULES.values() for name in names]
                 + ["AMPLIFYING_KINDS", "DEFAULT_WINDOW_DAYS", "KIND_WEIGHTS", "RECIPROCAL_DISCOUNT", "decay"])
lazy_names(__name__, {name: module for module, names in _MODULES.items() for name in names})
