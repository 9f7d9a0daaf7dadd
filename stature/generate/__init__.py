"""A seeded generator of a realistic population of accounts, in formats Stature imports.

:mod:`.population` draws the accounts, their interests, popularity and events (numbers
only); :mod:`.vocabulary` holds the words they write with; :mod:`.files` turns them into
the files an import reads. The demo, the tests and the benchmarks all generate through here.
"""
from .files import FILES, generate

__all__ = ["FILES", "generate"]
