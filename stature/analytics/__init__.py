"""Analytics over the canonical tables: features, components, the score and its explanation."""
from .consent import exclude, excluded, include
from .explain import explain
from .relational import COMPONENT_WEIGHTS, COMPONENTS, Params
from .score import ScoreRun, find_run, score, top
from .spark_session import Spark

__all__ = ["COMPONENTS", "COMPONENT_WEIGHTS", "Params", "ScoreRun", "Spark", "exclude", "excluded", "explain",
           "find_run", "include", "score", "top"]
