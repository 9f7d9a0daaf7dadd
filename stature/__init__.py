"""Stature: an influence score that explains itself, topics with evidence, goals and connections."""
from .errors import ImportFormatError, StatureError, WorkspaceError
from .lazy import lazy_names

__version__ = "0.1.0"
__all__ = ["ImportFormatError", "IngestReport", "StatureError", "Workspace", "WorkspaceError", "ingest"]

# imported on first use, so `stature --help` loads no DuckDB, pyarrow or scipy
lazy_names(__name__, {"IngestReport": "ingest", "ingest": "ingest", "Workspace": "workspace"})
