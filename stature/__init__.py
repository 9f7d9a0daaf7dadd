"""Stature: an influence score that explains itself, topics with evidence, goals and connections."""
from .errors import ImportFormatError, StatureError, WorkspaceError
from .ingest import IngestReport, ingest
from .workspace import Workspace

__version__ = "0.1.0"
__all__ = ["ImportFormatError", "IngestReport", "StatureError", "Workspace", "WorkspaceError", "ingest"]
