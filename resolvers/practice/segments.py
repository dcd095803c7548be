"""Marketing segments: counts and asset totals per cell, small cells suppressed (brief §5).

No cell carries a customer number or any personal field; a cell with fewer customers than
the minimum shows neither its count nor its total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from itertools import product


class SegmentDimension(Enum):
    TIER = "TIER"
    BRANCH = "BRANCH"
    RISK_TYPE = "RISK_TYPE"
    PRODUCT_TYPE = "PRODUCT_TYPE"
    LIFECYCLE = "LIFECYCLE"


class Lifecycle(Enum):
    NEW = "NEW"
    ACTIVE = "ACTIVE"
    DORMANT = "DORMANT"
    DECLINING = "DECLINING"


# Lifecycle stages, declared once and checked in this order: NEW when the relationship began
# within NEW_DAYS; DORMANT when the core system says so or nothing was booked for DORMANT_DAYS;
# DECLINING when assets fell by more than DECLINE_SHARE against DECLINE_DAYS ago; else ACTIVE.
NEW_DAYS = 90
DORMANT_DAYS = 180
DECLINE_DAYS = 90
DECLINE_SHARE = Decimal("0.20")
UNASSIGNED = "UNASSIGNED"
UNASSESSED = "UNASSESSED"
NO_PRODUCT = "NONE"


def lifecycle(
    opened_on: date,
    status: str,
    last_transaction: date | None,
    assets_now: Decimal,
    assets_before: Decimal,
    today: date,
) -> Lifecycle:
    """A customer's lifecycle stage on a day."""
    if opened_on > today - timedelta(days=NEW_DAYS):
        return Lifecycle.NEW
    if (
        status == "DORMANT"
        or last_transaction is None
        or (last_transaction <= today - timedelta(days=DORMANT_DAYS))
    ):
        return Lifecycle.DORMANT
    if assets_before > 0 and assets_now < assets_before * (1 - DECLINE_SHARE):
        return Lifecycle.DECLINING
    return Lifecycle.ACTIVE


@dataclass(frozen=True)
class Member:
    """One customer as segments see them: dimension values and assets, nothing personal."""

    values: dict[SegmentDimension, tuple[str, ...]]
    assets: Decimal


@dataclass(frozen=True)
class Cell:
    values: tuple[tuple[SegmentDimension, str], ...]
    customers: int | None
    total_assets: Decimal | None

    @property
    def suppressed(self) -> bool:
        return self.customers is None


def cells(members: Iterable[Member], by: list[SegmentDimension], minimum: int) -> list[Cell]:
    """Customers and assets per combination of the chosen dimensions' values, in value order.

    A customer holding several product types counts in the cell of each.
    """
    dims = list(dict.fromkeys(by))
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    totals: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for m in members:
        for combo in product(*(m.values[d] for d in dims)):
            counts[combo] += 1
            totals[combo] += m.assets
    return [
        Cell(
            tuple(zip(dims, combo, strict=True)),
            counts[combo] if counts[combo] >= minimum else None,
            totals[combo] if counts[combo] >= minimum else None,
        )
        for combo in sorted(counts)
    ]
