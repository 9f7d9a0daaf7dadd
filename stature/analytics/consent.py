"""The exclusion list: accounts that are never scored, ranked or shown (their interactions still count)."""
from __future__ import annotations

from ..errors import StatureError
from ..rules.identities import NODE_OF_ACCOUNT


def exclude(workspace, spec: str) -> tuple[str, str]:
    """Put the account ``spec`` ([network:]handle or id) on the exclusion list and drop its stored scores."""
    network, account_id = workspace.find_account(spec)
    handle = workspace.sql("SELECT handle FROM accounts WHERE network = ? AND account_id = ?",
                           [network, account_id])[0][0]
    with workspace.transaction() as con:
        con.execute("DELETE FROM exclusions WHERE network = ? AND account_id = ?", [network, account_id])
        con.execute("INSERT INTO exclusions VALUES (?, ?, ?, now()::TIMESTAMP)", [network, account_id, handle])
        node = con.execute(NODE_OF_ACCOUNT, {"n": network, "a": account_id}).fetchone()[0]
        for table in ("scores", "score_components", "score_features"):
            con.execute(f"DELETE FROM {table} WHERE node_id = ?", [node])
        con.execute("DELETE FROM score_supporters WHERE node_id = ? OR supporter = ?", [node, node])
    return network, account_id


def include(workspace, spec: str) -> tuple[str, str]:
    """Take the account ``spec`` off the exclusion list; it is scored again from the next `stature score`."""
    network, account_id = workspace.find_account(spec)
    with workspace.transaction() as con:
        gone = con.execute("DELETE FROM exclusions WHERE network = ? AND account_id = ? RETURNING 1",
                           [network, account_id]).fetchall()
    if not gone:
        raise StatureError(f"{spec!r} is not on the exclusion list.")
    return network, account_id


def excluded(workspace) -> list[dict]:
    return [{"network": n, "account_id": a, "handle": h, "excluded_at": t.isoformat()}
            for n, a, h, t in workspace.sql("SELECT network, account_id, handle, excluded_at FROM exclusions "
                                            "ORDER BY excluded_at")]
