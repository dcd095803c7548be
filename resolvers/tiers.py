"""Customer tiers by total assets, and the RM grade each requires (brief §4)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from resolvers.identity_enum import IdentityEnum


class Tier(IdentityEnum):
    BLACK_GOLD = "BLACK_GOLD"
    DIAMOND = "DIAMOND"
    PREMIER_PLATINUM = "PREMIER_PLATINUM"
    PLATINUM = "PLATINUM"
    PREMIER_GOLD = "PREMIER_GOLD"
    GOLD = "GOLD"
    MASS = "MASS"


class RmGrade(IdentityEnum):
    SENIOR = "SENIOR"
    LEVEL_1 = "LEVEL_1"
    LEVEL_2 = "LEVEL_2"
    LEVEL_3 = "LEVEL_3"
    LEVEL_4 = "LEVEL_4"
    TRAINEE = "TRAINEE"


# Lower bound (inclusive, CNY) and the RM grade each tier requires, highest first.
TIERS: tuple[tuple[Tier, Decimal, RmGrade | None], ...] = (
    (Tier.BLACK_GOLD, Decimal(10_000_000), RmGrade.SENIOR),
    (Tier.DIAMOND, Decimal(5_000_000), RmGrade.LEVEL_1),
    (Tier.PREMIER_PLATINUM, Decimal(3_000_000), RmGrade.LEVEL_2),
    (Tier.PLATINUM, Decimal(1_000_000), RmGrade.LEVEL_3),
    (Tier.PREMIER_GOLD, Decimal(500_000), RmGrade.LEVEL_4),
    (Tier.GOLD, Decimal(200_000), RmGrade.TRAINEE),
    (Tier.MASS, Decimal(0), None),
)

DEPOSIT_TYPES = frozenset({"CURRENT", "TIME_DEPOSIT"})
CENT = Decimal("0.01")


def tier_of(total_assets: Decimal) -> Tier:
    """The tier whose lower bound the assets reach."""
    for tier, floor, _grade in TIERS:
        if total_assets >= floor:
            return tier
    return Tier.MASS


def required_grade(tier: Tier) -> RmGrade | None:
    """The RM grade a tier requires, None for the mass market."""
    return next(grade for t, _floor, grade in TIERS if t is tier)


def to_cny(amount: Decimal, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """An amount in CNY at the given rates (CNY per unit)."""
    if currency not in rates:
        raise LookupError(f"no FX rate for {currency}")
    return amount * rates[currency]


def deposits_cny(accounts: Iterable[Any], rates: dict[str, Decimal]) -> Decimal:
    """Sum of deposit balances (current and time deposits, not closed) in CNY."""
    total = Decimal(0)
    for a in accounts:  # a loop, not sum() over a generator: once per customer shown
        if a.product_type in DEPOSIT_TYPES and a.status != "CLOSED":
            total += to_cny(Decimal(a.balance), a.currency, rates)
    return total


def holding_value(units: Decimal, nav: Decimal | None) -> Decimal | None:
    """Market value of a position at a NAV, in the product's currency."""
    return None if nav is None else (Decimal(units) * Decimal(nav)).quantize(CENT, ROUND_HALF_UP)


def total_assets(deposits: Decimal, holdings_cny: Iterable[Decimal]) -> Decimal:
    """Deposits plus holdings, in CNY, to the cent."""
    return (deposits + sum(holdings_cny, Decimal(0))).quantize(CENT, ROUND_HALF_UP)
