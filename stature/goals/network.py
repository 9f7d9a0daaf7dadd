"""The attention graph `connect` walks: now :mod:`stature.graph.network` (names kept here for callers)."""
from ..graph.network import HALF_LIFE_DAYS, KIND_BITS, Network, build_network, load_network

__all__ = ["HALF_LIFE_DAYS", "KIND_BITS", "Network", "build_network", "load_network"]
