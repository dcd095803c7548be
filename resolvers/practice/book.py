"""Reading a set of customers' facts for the agenda, a handful of statements for any size."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal

from resolvers.practice.agenda import (
    AgendaItem,
    AgendaRules,
    CustomerFacts,
    Market,
    Window,
    agenda,
    swing_base_day,
)
from resolvers.practice.asset_history import assets_on, day_end, start_of
from resolvers.reference import ReferenceData
from sources import Sources
from sources.base import many_per_key


async def read_market(
    sources: Sources, reference: ReferenceData, window: Window, rules: AgendaRules
) -> Market:
    """Products and the NAVs a swing is measured between."""
    at, before = await asyncio.gather(
        sources.wealth.all_latest_navs(window.swing_day),
        sources.wealth.all_latest_navs(swing_base_day(window, rules)),
    )
    return Market(
        products=reference.products,
        navs_at={r.product_code: Decimal(r.nav) for r in at},
        navs_before={r.product_code: Decimal(r.nav) for r in before},
    )


async def read_customers(
    sources: Sources, reference: ReferenceData, cust_nos: Sequence[str]
) -> list[CustomerFacts]:
    """The rows the agenda rules read, for each customer with a party record."""
    parties, profiles, accounts, units, assessments, assets = await asyncio.gather(
        sources.core.parties(cust_nos),
        sources.crm.profiles(cust_nos),
        sources.core.accounts_by_customer(cust_nos),
        sources.wealth.units_held(cust_nos),
        sources.crm.latest_risk_assessments(cust_nos),
        assets_on(sources, reference, cust_nos, reference.day),
    )
    held = many_per_key(units, cust_nos, "cust_no")
    return [
        CustomerFacts(
            cust_no=c,
            party=party,
            profile=profile,
            accounts=accts,
            held_codes=frozenset(u.product_code for u in held_rows if Decimal(u.units) > 0),
            assessment=assessment,
            total_assets=assets.get(c, Decimal(0)),
        )
        for c, party, profile, accts, held_rows, assessment in zip(
            cust_nos, parties, profiles, accounts, held, assessments, strict=True
        )
        if party is not None
    ]


async def book_agenda(
    sources: Sources,
    reference: ReferenceData,
    cust_nos: Sequence[str],
    window: Window,
    rules: AgendaRules,
) -> list[AgendaItem]:
    """The agenda of a set of customers over a window, with done marked from the contact log."""
    cust_nos = list(dict.fromkeys(cust_nos))
    until = day_end(max(window.end, window.today))
    customers, market, contacts = await asyncio.gather(
        read_customers(sources, reference, cust_nos),
        read_market(sources, reference, window, rules),
        sources.crm.contacts_between(cust_nos, start_of(window.start), until),
    )
    return agenda(customers, market, contacts, window, rules)
