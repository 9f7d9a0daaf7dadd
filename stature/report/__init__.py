"""The report: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched)."""
from .document import render_report, write_report

__all__ = ["render_report", "write_report"]
