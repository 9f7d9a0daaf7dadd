"""Who is never scored, ranked or shown: the accounts on the exclusion list and every account linked to them.

An account on the list (``stature exclude``) is hidden, and so is every account linked to it in
``identities`` (the same person on another network): excluding one of a person's accounts
excludes the person. Their interactions still shape the graph; they are never named.
Every reader that shows accounts filters with these fragments, written once here.
"""
from __future__ import annotations

EXCLUDED_ACCOUNTS = """(
    SELECT network, account_id FROM exclusions
    UNION
    SELECT linked.network, linked.account_id FROM exclusions x
    JOIN identities own ON own.network = x.network AND own.account_id = x.account_id
    JOIN identities linked ON linked.person_id = own.person_id)"""
"""SQL: every excluded ``(network, account_id)``, directly or through a linked identity."""

EXCLUDED_NODES = f"""(
    SELECT i.person_id AS node_id FROM {EXCLUDED_ACCOUNTS} x
    JOIN identities i ON i.network = x.network AND i.account_id = x.account_id
    UNION
    SELECT network || ':' || account_id FROM {EXCLUDED_ACCOUNTS} x)"""
"""SQL: every excluded graph node: the person where accounts are linked, and each account's own
``network:account_id`` (the node it was before it was linked, which older stored scores still name)."""


def account_hidden(network: str, account_id: str) -> str:
    """SQL condition: the account in columns ``network``, ``account_id`` is excluded."""
    return (f"EXISTS (SELECT 1 FROM {EXCLUDED_ACCOUNTS} hidden "
            f"WHERE hidden.network = {network} AND hidden.account_id = {account_id})")


def account_visible(network: str, account_id: str) -> str:
    """SQL condition: the account in columns ``network``, ``account_id`` may be shown."""
    return f"NOT {account_hidden(network, account_id)}"


def node_visible(node_id: str) -> str:
    """SQL condition: the graph node in column ``node_id`` may be shown."""
    return f"{node_id} NOT IN (SELECT node_id FROM {EXCLUDED_NODES})"


def excluded_accounts(ws) -> set[tuple[str, str]]:
    """Every excluded ``(network, account_id)`` of ``ws``, for filtering results already read."""
    return {(n, a) for n, a in ws.sql(f"SELECT network, account_id FROM {EXCLUDED_ACCOUNTS}")}
