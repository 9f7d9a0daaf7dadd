"""The account `stature connect HANDLE` means: by id or by handle whatever its case, in one network or any."""
from __future__ import annotations

import pytest

from stature.errors import StatureError
from stature.model import Account
from stature.workspace import Writer


@pytest.fixture
def accounts(workspace):
    with workspace.transaction() as con:
        writer = Writer(con, 1)
        for account in (Account("twitter", "1", handle="ann"), Account("twitter", "2", handle="Bob"),
                        Account("mastodon", "9", handle="ann"), Account("twitter", "7", handle="8"),
                        Account("twitter", "8", handle="eight")):
            writer.add(account)
        writer.finish()
    return workspace


def test_a_handle_is_found_whatever_its_case(accounts):
    assert accounts.find_account("BOB") == ("twitter", "2")
    assert accounts.find_account("@bob") == ("twitter", "2")
    assert accounts.find_account("twitter:EIGHT") == ("twitter", "8")


def test_an_id_or_a_handle_in_one_network(accounts):
    assert accounts.find_account("9") == ("mastodon", "9")
    assert accounts.find_account("mastodon:ann") == ("mastodon", "9")
    assert accounts.find_account("twitter:@ann") == ("twitter", "1")


def test_a_name_that_fits_several_accounts_says_which(accounts):
    with pytest.raises(StatureError, match="several accounts"):
        accounts.find_account("ann")  # twitter:1 and mastodon:9
    with pytest.raises(StatureError, match=r"several accounts \(twitter:7, twitter:8\)"):
        accounts.find_account("8")  # the handle of one, the id of the other
    with pytest.raises(StatureError, match="No account"):
        accounts.find_account("mastodon:bob")
