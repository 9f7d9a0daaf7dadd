"""Packages whose public names are imported on first use, so the CLI starts without the heavy libraries.

``lazy_names(__name__, {"ingest": "ingest", ...})`` in a package's ``__init__`` maps each public name
to the submodule that defines it. As with ``from .ingest import ingest``, the package attribute is the
function even where it shares its submodule's name and the submodule was imported first.
"""
from __future__ import annotations

import importlib
import sys
from types import ModuleType


def lazy_names(package: str, where: dict[str, str]) -> None:
    """Give ``package`` the names of ``where`` (name -> submodule), each imported when first read."""
    module = sys.modules[package]

    class LazyPackage(type(module)):
        def __getattr__(self, name):  # only for names not yet set
            if name in where:
                return getattr(importlib.import_module(f".{where[name]}", package), name)
            raise AttributeError(f"module {package!r} has no attribute {name!r}")

        def __getattribute__(self, name):
            value = super().__getattribute__(name)
            if name in where and isinstance(value, ModuleType) and value.__name__ == f"{package}.{where[name]}":
                return getattr(value, name)
            return value

        def __dir__(self):
            return sorted(set(super().__dir__()) | set(where))

    module.__class__ = LazyPackage
