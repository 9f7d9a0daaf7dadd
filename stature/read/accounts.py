"""Accounts: names, profiles, search, and the account meant when none is named."""
from __future__ import annotations

from datetime import datetime

from ..rules.accounts import default_account as _default_account
from ..rules import visibility
from ..rules.exclusions import account_visible


def handle(ws, network: str, account_id: str) -> str | None:
    """The account's handle, or None when the data names none."""
    return ws.sql("SELECT any_value(handle) FROM accounts WHERE network = ? AND account_id = ?",
                  [network, account_id])[0][0]


def handles(ws, network: str, account_ids) -> dict:
    """``account_id -> handle`` for the accounts of ``network`` among ``account_ids`` that have one."""
    return dict(ws.sql("""SELECT account_id, any_value(handle) FROM accounts WHERE network = ?
                          AND account_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL""",
                       [network, sorted(set(account_ids))]))


def names(ws, keys) -> dict:
    """``(network, account_id) -> (handle, display_name)`` for the accounts ``keys`` the data holds."""
    keys = list(keys)
    return {(n, a): (h, d) for n, a, h, d in ws.sql(
        """SELECT network, account_id, any_value(handle), any_value(display_name)
           FROM accounts JOIN (SELECT unnest($networks::VARCHAR[]) AS network, unnest($ids::VARCHAR[]) AS account_id)
           USING (network, account_id) GROUP BY ALL""",
        {"networks": [k[0] for k in keys], "ids": [k[1] for k in keys]})}


def at_rows(ws, rowids) -> dict:
    """``rowid -> (network, account_id, handle, display_name)`` of the ``accounts`` rows ``rowids`` (a look-up
    by row, far cheaper than by key on a large table; the caller checks the keys it finds)."""
    return {r: (n, a, h, d) for r, n, a, h, d in ws.sql(
        """SELECT rowid, network, account_id, handle, display_name FROM accounts
           WHERE rowid IN (SELECT unnest($rows::BIGINT[]))""", {"rows": [int(r) for r in rowids]})}


def profile(ws, network: str, account_id: str, *, include_private: bool = False) -> dict:
    """What the data says about the account: handle, name, bio, stated counts, posts held (public ones unless
    ``include_private``), creation."""
    row = ws.sql("""SELECT any_value(handle), any_value(display_name), any_value(bio), max(followers_count),
                           max(following_count), max(listed_count), max(posts_count), min(created_at)
                    FROM accounts WHERE network = ? AND account_id = ?""", [network, account_id])[0]
    posts = ws.sql(f"SELECT count(*) FROM posts WHERE network = ? AND author_id = ? "
                   f"AND {visibility.where(include_private=include_private)}", [network, account_id])[0][0]
    keys = ("handle", "display_name", "bio", "followers", "following", "listed", "posts_stated", "created_at")
    out = {"network": network, "account_id": account_id, **dict(zip(keys, row)), "posts": posts}
    if isinstance(out["created_at"], datetime):
        out["created_at"] = out["created_at"].isoformat()
    return out


def find_accounts(ws, text: str, *, limit: int = 500) -> list[tuple]:
    """``(network, account_id, handle, display_name)`` of the shown accounts whose handle or name contains
    ``text`` (case-insensitive) or whose id is ``text``; an exact handle first."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return ws.sql(f"""
        SELECT network, account_id, any_value(handle) AS handle, any_value(display_name)
        FROM accounts a
        WHERE (handle ILIKE $p ESCAPE '\\' OR display_name ILIKE $p ESCAPE '\\' OR account_id = $q)
          AND {account_visible('a.network', 'a.account_id')}
        GROUP BY 1, 2
        ORDER BY lower(any_value(handle)) = lower($q) DESC, handle LIMIT $limit""",
                  {"p": pattern, "q": text, "limit": limit})


def only_author(ws) -> tuple[str, str] | None:
    """The workspace's one author, when all its posts are one account's (an archive)."""
    authors = ws.sql("SELECT DISTINCT network, author_id FROM posts LIMIT 2")
    return tuple(authors[0]) if len(authors) == 1 else None


def default_account(ws, goal=None, *, ranked: bool = True) -> str | None:
    """The account meant when none is named (:func:`stature.rules.accounts.default_account`), with the
    latest scores as the ranking when ``ranked``."""
    from .scores import best_scored

    return _default_account(goal, lambda: only_author(ws), (lambda: best_scored(ws)) if ranked else None)


def named(ws, name: str, network: str = "") -> list[tuple]:
    """``(network, account_id)`` of the accounts whose id or handle (any case) is ``name``, in ``network``
    when given."""
    return ws.sql("""SELECT DISTINCT network, account_id FROM accounts
                     WHERE (account_id = $a OR lower(handle) = lower($a)) AND ($n = '' OR network = $n)""",
                  {"a": name, "n": network})


def list_members(ws, name: str) -> list[tuple]:
    """``(network, member_id, list name)`` of the members of every list whose id or name contains ``name``."""
    return ws.sql("""SELECT DISTINCT network, member_id, coalesce(list_name, list_id) FROM list_memberships
                     WHERE contains(lower(list_id), lower($x)) OR contains(lower(coalesce(list_name, '')), lower($x))""",
                  {"x": name})


def bio_matches(ws, pattern: str) -> list[tuple]:
    """``(network, account_id)`` of the accounts whose bio matches the RE2 ``pattern``."""
    return ws.sql("SELECT DISTINCT network, account_id FROM accounts WHERE regexp_matches(bio, $p)", {"p": pattern})


def organisation_matches(ws, pattern: str, handle_: str) -> list[tuple]:
    """``(network, account_id)`` of the accounts whose bio or name matches ``pattern`` or whose handle is
    ``handle_`` (any case)."""
    return ws.sql("""SELECT DISTINCT network, account_id FROM accounts
                     WHERE regexp_matches(coalesce(bio, '') || ' ' || coalesce(display_name, ''), $p)
                        OR lower(handle) = lower($h)""", {"p": pattern, "h": handle_})
