"""Total assets, FX conversion and every tier boundary, on a bank built by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from resolvers.ids import global_id
from sources import Sources
from tests.conftest import GraphQLClient, auditor_over
from tests.engines import engines_under_test
from tests.handmade import HandmadeBank, written

# (lower bound, tier reached at it, tier just below it)
BOUNDARIES = [
    ("10000000.00", "BLACK_GOLD", "DIAMOND"),
    ("5000000.00", "DIAMOND", "PREMIER_PLATINUM"),
    ("3000000.00", "PREMIER_PLATINUM", "PLATINUM"),
    ("1000000.00", "PLATINUM", "PREMIER_GOLD"),
    ("500000.00", "PREMIER_GOLD", "GOLD"),
    ("200000.00", "GOLD", "MASS"),
]
REQUIRED_GRADE = {
    "BLACK_GOLD": "SENIOR",
    "DIAMOND": "LEVEL_1",
    "PREMIER_PLATINUM": "LEVEL_2",
    "PLATINUM": "LEVEL_3",
    "PREMIER_GOLD": "LEVEL_4",
    "GOLD": "TRAINEE",
    "MASS": None,
}


@dataclass
class Expectation:
    total: str
    tier: str


def build(today: date) -> tuple[HandmadeBank, dict[str, Expectation]]:
    bank = HandmadeBank(today).with_reference_data()
    expected: dict[str, Expectation] = {}
    n = 0
    for floor, at, below in BOUNDARIES:
        n += 1
        cust = bank.customer(f"88{n:08d}")
        bank.account(cust, floor)
        expected[cust] = Expectation(floor, at)
        n += 1
        cust = bank.customer(f"88{n:08d}")
        just_below = str(Decimal(floor) - Decimal("0.01"))
        bank.account(cust, just_below)
        expected[cust] = Expectation(just_below, below)

    # Reaches 1,000,000.00 exactly only through today's FX rate and latest NAV:
    # 100,000 USD x 7.10 = 710,000; 80,000 WM001 units x 1.25 = 100,000;
    # 10,000 FD001 units x 2.00 USD x 7.10 = 142,000; time deposit 48,000 CNY.
    # A loan, a credit card and a closed account must not count.
    n += 1
    cust = bank.customer(f"88{n:08d}")
    bank.account(cust, "100000.00", currency="USD")
    bank.account(cust, "48000.00", product_type="TIME_DEPOSIT")
    bank.account(cust, "500000.00", product_type="LOAN")
    bank.account(cust, "20000.00", product_type="CREDIT_CARD")
    bank.account(cust, "999999.00", status="CLOSED")
    bank.holding(cust, "WM001", "80000")
    bank.holding(cust, "FD001", "10000")
    expected[cust] = Expectation("1000000.00", "PLATINUM")

    # Nothing at all: the mass market with zero assets.
    n += 1
    cust = bank.customer(f"88{n:08d}")
    expected[cust] = Expectation("0.00", "MASS")
    return bank, expected


@pytest.fixture(scope="module", params=engines_under_test())
async def handmade(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Sources, dict[str, Expectation]]]:
    bank, expected = build(date.today())
    async with written(bank, request.param, tmp_path_factory.mktemp("handmade")) as sources:
        yield sources, expected


@pytest.fixture
async def handmade_client(handmade: Any, tmp_path: Path) -> AsyncIterator[GraphQLClient]:
    sources, _expected = handmade
    async with auditor_over(sources, tmp_path) as client:
        yield client


TIER_QUERY = """
query ($id: ID!) {
  customer(id: $id) { customerNumber totalAssets tier requiredRmGrade }
}
"""


async def test_total_assets_and_tier_at_every_boundary(
    handmade: Any, handmade_client: GraphQLClient
) -> None:
    _sources, expected = handmade
    for cust_no, want in expected.items():
        data = await handmade_client.data(TIER_QUERY, {"id": global_id("Customer", cust_no)})
        customer = data["customer"]
        assert Decimal(customer["totalAssets"]) == Decimal(want.total), cust_no
        assert customer["tier"] == want.tier, cust_no
        assert customer["requiredRmGrade"] == REQUIRED_GRADE[want.tier]


async def test_filtering_by_tier_finds_exactly_the_customers_of_that_tier(
    handmade: Any, handmade_client: GraphQLClient
) -> None:
    _sources, expected = handmade
    for tier in REQUIRED_GRADE:
        data = await handmade_client.data(
            "query ($t: Tier!) { customers(first: 100, filter: {tier: $t}) "
            "{ totalCount nodes { customerNumber } } }",
            {"t": tier},
        )
        found = [n["customerNumber"] for n in data["customers"]["nodes"]]
        want = sorted(c for c, e in expected.items() if e.tier == tier)
        assert found == want, tier
        assert data["customers"]["totalCount"] == len(want)


async def test_holdings_are_valued_at_the_latest_nav_and_the_fx_rate_of_the_day(
    handmade: Any, handmade_client: GraphQLClient
) -> None:
    cust_no = "8800000013"
    data = await handmade_client.data(
        "query ($id: ID!) { customer(id: $id) { holdings { product { code currency } "
        "units marketValue marketValueCny } } }",
        {"id": global_id("Customer", cust_no)},
    )
    values = {
        h["product"]["code"]: (Decimal(h["marketValue"]), Decimal(h["marketValueCny"]))
        for h in data["customer"]["holdings"]
    }
    assert values == {
        "WM001": (Decimal("100000.00"), Decimal("100000.00")),
        "FD001": (Decimal("20000.00"), Decimal("142000.00")),
    }
