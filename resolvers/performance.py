"""RM performance over a period, for branch managers (their branch), RMs (themselves) and
compliance officers (any branch)."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import strawberry

from gateway.auth import Role
from gateway.context import Info
from resolvers.agenda import agenda_rules, agenda_window
from resolvers.ids import parse_global_id
from resolvers.practice.asset_history import assets_on, day_end, start_of
from resolvers.practice.book import book_agenda
from resolvers.practice.performance import PerformanceRow, performance
from resolvers.relationship import RelationshipManager
from resolvers.roles import require_role


@strawberry.type(
    description="One RM's figures over a period. Assets are totals over the book (today's "
    "assignments), computed as Customer.totalAssets; at a past day they are reconstructed "
    "as for Customer.tierChange."
)
class RmPerformance:
    row: strawberry.Private[PerformanceRow]
    relationship_manager: RelationshipManager = strawberry.field(description="The RM.")
    book_size: int = strawberry.field(description="Customers assigned to the RM today.")
    assets_from: Decimal = strawberry.field(
        description="Assets under management in CNY at the end of the period's first day."
    )
    assets_to: Decimal = strawberry.field(
        description="Assets under management in CNY at the end of the period's last day "
        "(today's, for a day not yet over)."
    )
    assets_change: Decimal = strawberry.field(description="assetsTo minus assetsFrom.")
    contacts_made: int = strawberry.field(
        description="Contacts the RM logged with their book's customers in the period."
    )
    agenda_items_due: int = strawberry.field(
        description="Maintenance agenda items of their book due in the period."
    )
    agenda_items_done: int = strawberry.field(description="Of those, how many are done.")
    complaints_opened: int = strawberry.field(
        description="Complaints of their book's customers opened in the period."
    )
    complaints_resolved: int = strawberry.field(
        description="Complaints of their book's customers resolved in the period."
    )


async def rm_performance(
    info: Info, start: date, end: date, branch: strawberry.ID | None
) -> list[RmPerformance]:
    """One row per RM the caller may see, by RM id."""
    ctx = info.context
    role = require_role(
        ctx,
        {Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER, Role.COMPLIANCE_OFFICER},
        "RM performance",
    )
    window = agenda_window(ctx, start, end)
    code = str(parse_global_id(branch, "Branch")[1]) if branch else None
    if role is not Role.COMPLIANCE_OFFICER:
        if code not in (None, ctx.principal.branch):
            return []
        code = ctx.principal.branch
    reference = await ctx.reference_data()
    rms = [
        rm
        for rm_id, rm in sorted(reference.relationship_managers.items())
        if (code is None or rm.branch_code == code)
        and (role is not Role.RELATIONSHIP_MANAGER or rm_id == ctx.principal.rm_id)
    ]
    rm_ids = {rm.rm_id for rm in rms}
    assignments = [
        a for a in await ctx.sources.crm.all_assignments(branch_code=code) if a.rm_id in rm_ids
    ]
    book = [a.cust_no for a in assignments]
    sources = ctx.sources
    assets_from, assets_to, items, contacts, complaints = await asyncio.gather(
        assets_on(sources, reference, book, start),
        assets_on(sources, reference, book, end),
        book_agenda(sources, reference, book, window, agenda_rules(ctx)),
        sources.crm.contacts_between(book, start_of(start), day_end(end)),
        sources.crm.complaints_touching(book, start_of(start), day_end(end)),
    )
    rows = performance(
        [rm.rm_id for rm in rms],
        assignments,
        assets_from,
        assets_to,
        contacts,
        items,
        complaints,
        start,
        end,
    )
    return [
        RmPerformance(
            row=r,
            relationship_manager=RelationshipManager.from_row(rm),
            book_size=r.book_size,
            assets_from=r.assets_from,
            assets_to=r.assets_to,
            assets_change=r.assets_change,
            contacts_made=r.contacts_made,
            agenda_items_due=r.agenda_items_due,
            agenda_items_done=r.agenda_items_done,
            complaints_opened=r.complaints_opened,
            complaints_resolved=r.complaints_resolved,
        )
        for r, rm in zip(rows, rms, strict=True)
    ]
