"""The DuckDB workspace: schema, migrations and the batched writer."""
from .schema import SCHEMA_VERSION
from .workspace import Workspace, default_path
from .writer import Writer

__all__ = ["SCHEMA_VERSION", "Workspace", "Writer", "default_path"]
