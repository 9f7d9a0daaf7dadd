"""Importers: one small module per format behind one interface (:class:`Importer`).

Each module defines ``IMPORTER``; :data:`REGISTRY` lists them in the order
they are asked "is this file yours?".
"""
from __future__ import annotations

from importlib import import_module

from .base import Context, Importer
from .sources import Entry, entries

_MODULES = [
    "x_archive",
    "mastodon",
    "bluesky",
    "bluesky_api",
    "mastodon_api",
    "twitter_v2",
    "twitter_v1",
    "csv_tables",
    "edgelist",
]


def _load() -> list[Importer]:
    found = []
    for name in _MODULES:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(name):  # a format not written yet
                continue
            raise
        found.append(module.IMPORTER)
    return found


REGISTRY: list[Importer] = _load()


def by_name(name: str) -> Importer:
    for importer in REGISTRY:
        if importer.name == name:
            return importer
    known = ", ".join(i.name for i in REGISTRY)
    from ..errors import StatureError
    raise StatureError(f"Unknown format {name!r}; known formats: {known}.")


def detect(entry: Entry) -> Importer | None:
    """The importer whose format this file is, or None."""
    head = entry.head()
    for importer in REGISTRY:
        if importer.matches(entry, head):
            return importer
    return None


__all__ = ["Context", "Entry", "Importer", "REGISTRY", "by_name", "detect", "entries"]
