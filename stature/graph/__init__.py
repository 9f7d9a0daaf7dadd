"""The interaction graph as scipy.sparse matrices, and pure algorithms on them.

Names are imported on first use, so reading a constant (``stature.graph.weights``) loads no scipy.
"""
from ..lazy import lazy_names

_MODULES = {
    "matrix": ("InteractionMatrix", "interaction_matrix"),
    "pagerank": ("ConvergenceError", "PageRankResult", "pagerank"),
    "weights": ("AMPLIFYING_KINDS", "DEFAULT_WINDOW_DAYS", "KIND_WEIGHTS", "RECIPROCAL_DISCOUNT", "decay"),
    "circle": ("Circle", "circle_of_trust"),
    "linkpred": ("adamic_adar", "common_neighbours", "undirected"),
    "salsa": ("SalsaResult", "salsa"),
    "whotofollow": ("Recommendations", "who_to_follow"),
}
__all__ = sorted(name for names in _MODULES.values() for name in names)
lazy_names(__name__, {name: module for module, names in _MODULES.items() for name in names})
