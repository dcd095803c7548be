"""Total assets for many customers at once, for filtering by tier.

Tier depends on three systems, so no single database can filter by it. Each system answers
one aggregate statement and the totals are combined here with the same rules as
``Customer.totalAssets``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from resolvers.reference import ReferenceData
from resolvers.tiers import Tier, tier_of, to_cny, total_assets
from resolvers.wealth import value_cny
from sources import Sources


async def total_assets_by_customer(
    sources: Sources, reference: ReferenceData, cust_nos: Sequence[str] | None
) -> dict[str, Decimal]:
    """Total assets in CNY per customer (every customer with any asset when None)."""
    deposits = await sources.core.deposit_balances(cust_nos)
    units = await sources.wealth.units_held(cust_nos)

    deposit_totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in deposits:
        deposit_totals[row.cust_no] += to_cny(
            Decimal(row.balance), row.currency, reference.fx_rates
        )
    holding_totals: dict[str, list[Decimal]] = defaultdict(list)
    for row in units:
        value = value_cny(reference, row.product_code, Decimal(row.units))
        if value is not None:
            holding_totals[row.cust_no].append(value)

    everyone = set(cust_nos) if cust_nos is not None else set(deposit_totals) | set(holding_totals)
    return {
        cust_no: total_assets(
            deposit_totals.get(cust_no, Decimal(0)), holding_totals.get(cust_no, [])
        )
        for cust_no in everyone
    }


async def customers_in_tier(
    sources: Sources, reference: ReferenceData, tier: Tier, cust_nos: Sequence[str] | None
) -> list[str]:
    """Customer numbers in a tier, ascending."""
    totals = await total_assets_by_customer(sources, reference, cust_nos)
    if tier is Tier.MASS and cust_nos is None:
        # Customers with no deposits and no holdings are in the mass market too.
        everyone = await sources.core.customer_numbers(after=None, limit=None)
        return [c for c in everyone if tier_of(totals.get(c, Decimal(0))) is tier]
    return sorted(c for c, total in totals.items() if tier_of(total) is tier)
