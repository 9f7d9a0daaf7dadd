"""The ``stature`` command line: a thin layer over the Python API.

Each command group lives in its own module here and registers itself on :data:`main`.
"""
from .main import main  # noqa: F401
from . import data  # noqa: F401,E402  (registers the data commands)
from . import score  # noqa: F401,E402  (registers score, top, explain, exclude)
from . import generate  # noqa: F401,E402  (registers generate)
from . import demo  # noqa: F401,E402  (registers demo)
from . import topics  # noqa: F401,E402  (registers classify, topics, experts)
from . import goals  # noqa: F401,E402  (registers goal check, connect)
from . import report  # noqa: F401,E402  (registers report, serve, communities)
from . import collect  # noqa: F401,E402  (registers collect bluesky, collect mastodon)

__all__ = ["main"]
