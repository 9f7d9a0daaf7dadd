"""Seeded generators of realistic data, at any size: the demo, the tests and the benchmarks all use these.

Sampling and writing are apart. :mod:`.population` draws the accounts, their interests, popularity
and events (numbers only), with the words of :mod:`.vocabulary`; :mod:`.texts` draws what posts say.
Writers per format turn them into files an import reads: :mod:`.twitter_v1` (tweets as API v1.1 JSON
lines) and :mod:`.csv_files` (follows, likes, accounts, lists); :mod:`.files` runs them
(:func:`generate`). :mod:`.graph` draws bare edge arrays at benchmark scale, with no files.
"Community" is kept for what Louvain finds; the generated accounts are a *population*, in *cohorts*.
"""
from .files import FILES, generate

__all__ = ["FILES", "generate"]
