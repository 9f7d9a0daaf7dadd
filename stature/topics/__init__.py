"""Topics: what a post is about, and what an account is credibly known for."""
from .taxonomy import Taxonomy, Topic, builtin, load, load_csv, load_examples, load_klout

__all__ = ["Taxonomy", "Topic", "builtin", "load", "load_csv", "load_examples", "load_klout"]
