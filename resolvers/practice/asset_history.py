"""Total assets at a past day, for tier change, RM performance and lifecycle stages.

Method: deposits at the end of day D are today's balances of deposit accounts that are not
closed, minus the credits and plus the debits booked after D; holdings at D are today's units
minus units bought and plus units redeemed by filled orders placed after D. Both are valued
as ``Customer.totalAssets`` is today, but at the latest NAV and FX rate on or before D.
Accounts closed since D are not reconstructed (their balance is no longer known).
Each part is one grouped statement for the whole set of customers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from resolvers.asset_index import total_assets_by_customer
from resolvers.reference import ReferenceCache, ReferenceData
from resolvers.tiers import CENT, holding_value, to_cny, total_assets
from sources import Sources


def start_of(day: date) -> datetime:
    """The first moment of a day (source timestamps are naive bank-local times)."""
    return datetime.combine(day, time.min)


def day_end(day: date) -> datetime:
    """The first moment after a day: what is booked from here on happened after it."""
    return start_of(day + timedelta(days=1))


async def assets_on(
    sources: Sources, reference: ReferenceData, cust_nos: Sequence[str] | None, day: date
) -> dict[str, Decimal]:
    """Total assets in CNY per customer at the end of a day (today's figures from today on)."""
    if day >= reference.day:
        return await total_assets_by_customer(sources, reference, cust_nos)
    after = day_end(day)
    balances, flows, units, orders, navs, [rates] = await asyncio.gather(
        sources.core.deposit_balances(cust_nos),
        sources.core.deposit_flows_since(cust_nos, after),
        sources.wealth.units_held(cust_nos),
        sources.wealth.filled_units_since(cust_nos, after),
        sources.wealth.all_latest_navs(day),
        sources.core.fx_rates([day]),
    )
    deposits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in balances:
        deposits[(row.cust_no, row.currency)] += Decimal(row.balance)
    for row in flows:
        deposits[(row.cust_no, row.currency)] -= Decimal(row.net)
    positions: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in units:
        positions[(row.cust_no, row.product_code)] += Decimal(row.units)
    for row in orders:
        positions[(row.cust_no, row.product_code)] -= Decimal(row.units)
    nav_on = {row.product_code: Decimal(row.nav) for row in navs}

    deposit_cny: dict[str, Decimal] = defaultdict(Decimal)
    for (cust_no, currency), amount in deposits.items():
        if currency in rates:
            deposit_cny[cust_no] += to_cny(amount, currency, rates)
    holdings_cny: dict[str, list[Decimal]] = defaultdict(list)
    for (cust_no, code), held in positions.items():
        product = reference.products.get(code)
        value = holding_value(held, nav_on.get(code))
        if product is not None and value is not None and product.currency in rates:
            # Rounded per position to the cent, exactly as today's valuation is.
            holdings_cny[cust_no].append(to_cny(value, product.currency, rates).quantize(CENT))
    everyone = set(cust_nos) if cust_nos is not None else set(deposit_cny) | set(holdings_cny)
    return {
        c: total_assets(deposit_cny.get(c, Decimal(0)), holdings_cny.get(c, [])) for c in everyone
    }


async def assets_on_batch(
    cust_nos: list[str], sources: Sources, reference: ReferenceCache, today: date, day: date
) -> list[Decimal]:
    """:func:`assets_on` in key order, shaped for a per-request DataLoader."""
    totals = await assets_on(sources, await reference.on(today), cust_nos, day)
    return [totals.get(c, Decimal(0)) for c in cust_nos]
