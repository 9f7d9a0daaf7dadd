"""The interaction graph as scipy.sparse matrices, and pure algorithms on them."""
from .matrix import InteractionMatrix, interaction_matrix
from .pagerank import ConvergenceError, PageRankResult, pagerank
from .weights import AMPLIFYING_KINDS, DEFAULT_WINDOW_DAYS, KIND_WEIGHTS, RECIPROCAL_DISCOUNT, decay

__all__ = ["AMPLIFYING_KINDS", "ConvergenceError", "DEFAULT_WINDOW_DAYS", "InteractionMatrix", "KIND_WEIGHTS",
           "PageRankResult", "RECIPROCAL_DISCOUNT", "decay", "interaction_matrix", "pagerank"]
