"""Marketing segments: aggregates only, no customer reachable from them."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import strawberry

from gateway.auth import Role
from gateway.context import Info
from gateway.errors import bad_user_input
from resolvers.practice.asset_history import assets_on
from resolvers.practice.segments import (
    DECLINE_DAYS,
    NO_PRODUCT,
    UNASSESSED,
    UNASSIGNED,
    Cell,
    Member,
    SegmentDimension,
    cells,
    lifecycle,
)
from resolvers.roles import require_role
from resolvers.tiers import tier_of

MINIMUM_CELL_SIZE = 10

strawberry.enum(
    SegmentDimension,
    description="A way to split customers: TIER; BRANCH (assigned branch code, or "
    "UNASSIGNED); RISK_TYPE (investor type C1–C5 of a valid assessment, or UNASSESSED); "
    "PRODUCT_TYPE (each wealth product type held, or NONE; a customer holding several counts "
    "in each); LIFECYCLE (NEW: relationship began within 90 days; DORMANT: status DORMANT or "
    "nothing booked for 180 days; DECLINING: assets down more than 20% against 90 days ago; "
    "else ACTIVE).",
)


@strawberry.type(description="One dimension's value that defines a cell.")
class SegmentValue:
    dimension: SegmentDimension = strawberry.field(description="The dimension.")
    value: str = strawberry.field(description="Its value in this cell.")


@strawberry.type(
    description="Customers sharing one value of each chosen dimension. A cell with fewer "
    "customers than the minimum size is suppressed: its count and total are null."
)
class SegmentCell:
    values: list[SegmentValue] = strawberry.field(description="The values defining the cell.")
    customers: int | None = strawberry.field(description="How many customers; null if suppressed.")
    total_assets: Decimal | None = strawberry.field(
        description="Their total assets in CNY (as Customer.totalAssets); null if suppressed."
    )
    suppressed: bool = strawberry.field(description="True when the cell is below the minimum.")

    @classmethod
    def from_cell(cls, cell: Cell) -> SegmentCell:
        return cls(
            values=[SegmentValue(dimension=d, value=v) for d, v in cell.values],
            customers=cell.customers,
            total_assets=cell.total_assets,
            suppressed=cell.suppressed,
        )


async def segments(info: Info, by: list[SegmentDimension], minimum: int) -> list[SegmentCell]:
    """Cells over every customer of the bank; marketing analysts and compliance officers only."""
    ctx = info.context
    require_role(ctx, {Role.MARKETING_ANALYST, Role.COMPLIANCE_OFFICER}, "Segments")
    if minimum < MINIMUM_CELL_SIZE:
        raise bad_user_input(
            f"`minimumCellSize` must be at least {MINIMUM_CELL_SIZE}.",
            argument="minimumCellSize",
            minimum=MINIMUM_CELL_SIZE,
        )
    sources, today = ctx.sources, ctx.today
    reference = await ctx.reference_data()
    (parties, assignments, assessments, units, last), (now, before) = await asyncio.gather(
        asyncio.gather(
            sources.core.all_parties_brief(),
            sources.crm.all_assignments(),
            sources.crm.all_latest_investor_types(),
            sources.wealth.units_held(None),
            sources.core.last_transaction_days(None),
        ),
        asyncio.gather(
            assets_on(sources, reference, None, today),
            assets_on(sources, reference, None, today - timedelta(days=DECLINE_DAYS)),
        ),
    )
    branch = {a.cust_no: a.branch_code for a in assignments}
    latest = {a.cust_no: a for a in assessments}  # ascending: the last one wins
    held: dict[str, set[str]] = defaultdict(set)
    for u in units:
        product = reference.products.get(u.product_code)
        if product is not None and Decimal(u.units) > 0:
            held[u.cust_no].add(product.product_type)
    last_day = {r.cust_no: r.latest.date() for r in last}
    members = []
    for p in parties:
        assets = now.get(p.cust_no, Decimal(0))
        a = latest.get(p.cust_no)
        members.append(
            Member(
                values={
                    SegmentDimension.TIER: (tier_of(assets).value,),
                    SegmentDimension.BRANCH: (branch.get(p.cust_no, UNASSIGNED),),
                    SegmentDimension.RISK_TYPE: (
                        f"C{a.investor_type}" if a and a.expires_on >= today else UNASSESSED,
                    ),
                    SegmentDimension.PRODUCT_TYPE: tuple(sorted(held[p.cust_no])) or (NO_PRODUCT,),
                    SegmentDimension.LIFECYCLE: (
                        lifecycle(
                            p.opened_on,
                            p.status,
                            last_day.get(p.cust_no),
                            assets,
                            before.get(p.cust_no, Decimal(0)),
                            today,
                        ).value,
                    ),
                },
                assets=assets,
            )
        )
    return [SegmentCell.from_cell(c) for c in cells(members, by, minimum)]
