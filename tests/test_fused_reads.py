"""The core system's fused read (parties with their accounts and pages) on a bank built by
hand: a customer without accounts, an account without transactions, a page shorter than
the account's history, and a customer the core system does not know."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from resolvers.ids import global_id
from sources import Sources
from sources.window import Window
from tests.conftest import auditor_over
from tests.engines import engines_under_test
from tests.handmade import HandmadeBank, written

NO_ACCOUNTS, QUIET, BUSY, UNKNOWN = "8800000001", "8800000002", "8800000003", "8899999999"
START = datetime(2026, 1, 1, 9, 0)


def build(today: date) -> tuple[HandmadeBank, dict[str, list[int]]]:
    """The bank, and per customer the ids of their accounts' transactions, newest first."""
    bank = HandmadeBank(today).with_reference_data()
    bank.customer(NO_ACCOUNTS)
    quiet = bank.customer(QUIET)
    bank.account(quiet, "10.00")  # an account without transactions
    busy = bank.customer(BUSY)
    first = bank.account(busy, "20.00")
    second = bank.account(busy, "30.00")
    txns = {
        first: [bank.transaction(busy, first, START + timedelta(hours=h)) for h in range(4)],
        second: [bank.transaction(busy, second, START + timedelta(days=1))],
    }
    return bank, {str(acct): list(reversed(ids)) for acct, ids in txns.items()}


@pytest.fixture(scope="module", params=engines_under_test())
async def handmade(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Sources, dict[str, list[int]]]]:
    bank, pages = build(date.today())
    async with written(bank, request.param, tmp_path_factory.mktemp("fused")) as sources:
        yield sources, pages


async def test_each_customer_gets_their_party_accounts_and_newest_transactions(
    handmade: Any,
) -> None:
    sources, newest = handmade
    keys = [NO_ACCOUNTS, QUIET, BUSY, UNKNOWN]
    fused = await sources.core.parties_with_accounts_and_transactions(keys, Window(limit=3))
    by_key = dict(zip(keys, fused, strict=True))

    party, accounts, pages = by_key[NO_ACCOUNTS]
    assert party.cust_no == NO_ACCOUNTS and party.legal_name == "张三"
    assert (accounts, pages) == ([], {})

    party, accounts, pages = by_key[QUIET]
    assert party.cust_no == QUIET
    assert [a.balance for a in accounts] == [10]
    assert pages == {accounts[0].acct_id: []}

    party, accounts, pages = by_key[BUSY]
    assert party.cust_no == BUSY
    assert [str(a.acct_id) for a in accounts] == sorted(newest, key=int)
    assert {str(acct): [t.txn_id for t in page] for acct, page in pages.items()} == {
        acct: ids[:3] for acct, ids in newest.items()
    }

    assert by_key[UNKNOWN] == (None, [], {})


async def test_the_planned_360_shows_no_accounts_and_empty_pages_as_the_reads_hold_them(
    handmade: Any, tmp_path: Path
) -> None:
    sources, _newest = handmade
    query = """
    query ($id: ID!) {
      customer(id: $id) {
        customerNumber name accounts { balance transactions(first: 3) { nodes { amount } } }
      }
    }
    """
    async with auditor_over(sources, tmp_path) as client:
        answers = {
            n: (await client.data(query, {"id": global_id("Customer", n)}))["customer"]
            for n in (NO_ACCOUNTS, QUIET, UNKNOWN)
        }
    assert answers[NO_ACCOUNTS] == {"customerNumber": NO_ACCOUNTS, "name": "张三", "accounts": []}
    assert answers[QUIET]["accounts"] == [{"balance": "10.00", "transactions": {"nodes": []}}]
    assert answers[UNKNOWN] is None
