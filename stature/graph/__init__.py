"""The interaction graph as scipy.sparse matrices, and pure algorithms on them."""
from .matrix import InteractionMatrix, interaction_matrix
from .pagerank import ConvergenceError, PageRankResult, StandingResult, pagerank, standing
from .weights import AMPLIFYING_KINDS, DEFAULT_WINDOW_DAYS, KIND_WEIGHTS, RECIPROCAL_DISCOUNT, decay
from .circle import Circle, circle_of_trust
from .linkpred import adamic_adar, common_neighbours, undirected
from .salsa import SalsaResult, salsa
from .whotofollow import Recommendations, who_to_follow

__all__ = ["AMPLIFYING_KINDS", "ConvergenceError", "DEFAULT_WINDOW_DAYS", "InteractionMatrix", "KIND_WEIGHTS",
           "PageRankResult", "RECIPROCAL_DISCOUNT", "StandingResult", "decay", "interaction_matrix", "pagerank",
           "standing"]
__all__ += ["Circle", "Recommendations", "SalsaResult", "adamic_adar", "circle_of_trust", "common_neighbours",
            "salsa", "undirected", "who_to_follow"]
