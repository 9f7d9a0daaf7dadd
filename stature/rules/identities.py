"""Which accounts are one person: those linked in ``identities`` (``stature link``) are one graph node.

A node is named by the linked accounts' ``person_id``, else by the account's own ``network:account_id``.
"""
from __future__ import annotations


def node_id(person_id: str, network: str, account_id: str) -> str:
    """SQL: the node of an account, from its ``person_id`` column (NULL when not linked) and its keys."""
    return f"coalesce({person_id}, {network} || ':' || {account_id})"


NODE_OF_ACCOUNT = ("SELECT " + node_id("(SELECT person_id FROM identities WHERE network = $n AND account_id = $a)",
                                       "$n", "$a"))
"""SQL: the node of the account ``$n``, ``$a``."""
