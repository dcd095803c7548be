"""Tier change and RM fit on a hand-built bank whose past assets are known in advance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from resolvers.ids import global_id
from sources import Sources
from sources.core import tables as core
from sources.wealth import tables as wealth
from tests.conftest import GraphQLClient, auditor_over
from tests.engines import engines_under_test
from tests.handmade import HandmadeBank, written

RISING = "8800000001"
UNDERSERVED = "8800000002"


def build(today: date) -> HandmadeBank:
    """RISING: 300,000 CNY on a current account and 100,000 units of a USD fund today.

    Two days ago, at the end of the day, the account held 70,000 (a 250,000 credit and a
    20,000 debit came later; a 1,000 credit on the day itself stays) and the fund 60,000
    units (a filled buy of 40,000 came later; a cancelled order does not count), at that
    day's NAV 1.5 and that day's FX rate 1.0: 160,000 CNY in all, MASS. Today: 300,000 +
    100,000 × 2.0 × 7.1 = 1,720,000 CNY, PLATINUM.
    """
    bank = HandmadeBank(today).with_reference_data()
    since = today - timedelta(days=2)
    bank.customer(RISING)
    acct = bank.account(RISING, "300000.00")
    bank.holding(RISING, "FD001", "100000")
    bank.add(wealth.nav, product_code="FD001", nav_date=since, nav=Decimal("1.5000"))
    moves = (
        (datetime.combine(since, time(15)), "C", "1000.00"),
        (datetime.combine(today - timedelta(days=1), time(0)), "C", "250000.00"),
        (datetime.combine(today, time(9)), "D", "20000.00"),
    )
    for booked_at, direction, amount in moves:
        txn = bank.transaction(RISING, acct, booked_at, amount)
        bank.rows[core.transaction][-1]["direction"] = direction
        assert txn
    orders = (
        ("FILLED", datetime.combine(today, time(10)), "40000"),
        ("CANCELLED", datetime.combine(today, time(11)), "5000"),
        ("FILLED", datetime.combine(since, time(10)), "7000"),
    )
    for status, placed_at, units in orders:
        bank.add(
            wealth.order,
            order_id=bank.next_id(),
            cust_no=RISING,
            product_code="FD001",
            side="BUY",
            amount=Decimal("1.00"),
            units=Decimal(units),
            status=status,
            channel="MOBILE",
            placed_at=placed_at,
        )
    bank.customer(UNDERSERVED, rm="RM0002", branch="BJ001")
    bank.account(UNDERSERVED, "600000.00")
    return bank


@pytest.fixture(scope="module", params=engines_under_test())
async def history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Sources]:
    async with written(build(date.today()), request.param, tmp_path_factory.mktemp("history")) as s:
        yield s


@pytest.fixture
async def history_client(history: Sources, tmp_path: Path) -> AsyncIterator[GraphQLClient]:
    async with auditor_over(history, tmp_path) as client:
        yield client


TIER_CHANGE = """
query ($id: ID!, $since: Date!) { customer(id: $id) {
  totalAssets
  tierChange(since: $since) { since tierThen tierNow moved assetsThen }
  rmGradeFit { requiredGrade assignedGrade belowRequired }
} }
"""


async def test_assets_two_days_ago_are_rebuilt_from_later_movements_and_that_days_prices(
    history_client: GraphQLClient,
) -> None:
    since = date.today() - timedelta(days=2)
    data = await history_client.data(
        TIER_CHANGE, {"id": global_id("Customer", RISING), "since": since.isoformat()}
    )
    customer = data["customer"]
    assert Decimal(customer["totalAssets"]) == Decimal("1720000.00")
    change = customer["tierChange"]
    assert Decimal(change["assetsThen"]) == Decimal("160000.00")
    assert (change["tierThen"], change["tierNow"], change["moved"]) == ("MASS", "PLATINUM", 3)
    assert customer["rmGradeFit"] == {
        "requiredGrade": "LEVEL_3",
        "assignedGrade": "SENIOR",
        "belowRequired": False,
    }


async def test_a_trainee_serving_a_premier_gold_customer_is_below_the_required_grade(
    history_client: GraphQLClient,
) -> None:
    data = await history_client.data(
        TIER_CHANGE,
        {"id": global_id("Customer", UNDERSERVED), "since": date.today().isoformat()},
    )
    customer = data["customer"]
    assert customer["rmGradeFit"] == {
        "requiredGrade": "LEVEL_4",
        "assignedGrade": "TRAINEE",
        "belowRequired": True,
    }
    # Compared with today itself, nothing moved.
    assert customer["tierChange"]["assetsThen"] == customer["totalAssets"]
    assert customer["tierChange"]["moved"] == 0


async def test_a_tier_change_since_a_future_day_is_bad_input(
    history_client: GraphQLClient, history: Any
) -> None:
    body = await history_client.post(
        TIER_CHANGE,
        {
            "id": global_id("Customer", RISING),
            "since": (date.today() + timedelta(days=1)).isoformat(),
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"]["customer"]["tierChange"] is None
