"""The DuckDB workspace: schema, migrations and the batched writer."""
from .schema import SCHEMA_VERSION
from .workspace import Workspace, default_path

__all__ = ["SCHEMA_VERSION", "Workspace", "Writer", "default_path"]


def __getattr__(name):  # the writer (pyarrow) only when something writes
    if name == "Writer":
        from .writer import Writer
        return Writer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
