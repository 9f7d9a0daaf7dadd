"""Which account a command means when none is named, and how an account is named to a person."""
from __future__ import annotations

from typing import Callable


def who(account: dict) -> str:
    """``@handle``, else ``network:account_id``."""
    if account.get("handle"):
        return f"@{account['handle']}"
    return f"{account.get('network')}:{account.get('account_id')}"


def default_account(goal, only_author: Callable[[], tuple | None],
                    ranked: Callable[[], list[dict]] | None = None) -> str | None:
    """The account meant when none is named: the goal's account, else the workspace's only author (an
    archive), else, where ``ranked`` is given (the accounts best first), the top-ranked one.

    The two look-ups are callables, asked only when the rule gets that far.
    """
    if goal is not None and goal.account:
        return goal.account
    author = only_author()
    if author is not None:
        return f"{author[0]}:{author[1]}"
    best = ranked() if ranked is not None else []
    return f"{best[0]['network']}:{best[0]['account_id']}" if best else None
