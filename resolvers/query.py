"""The root Query: customers by id, pages of customers, any node by global id."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from gateway.context import Info
from resolvers.agenda import AgendaItem, maintenance_agenda
from resolvers.audit_events import AuditEventConnection, audit_events
from resolvers.banking import Account, Branch, Transaction, load_branch
from resolvers.customer import Customer, load_customer, load_customers
from resolvers.customer_filter import CustomerFilter, CustomerSelection
from resolvers.ids import key_cursor, parse_global_id, parse_key_cursor
from resolvers.node import Node
from resolvers.ownership import OwnershipReviewConnection, ownership_review
from resolvers.pagination import DEFAULT_PAGE_SIZE, Connection, check_first, connection
from resolvers.performance import RmPerformance, rm_performance
from resolvers.relationship import Complaint, Interaction, load_rm
from resolvers.segments import MINIMUM_CELL_SIZE, SegmentCell, SegmentDimension, segments
from resolvers.wealth import Holding, load_product


@strawberry.type(description="A page of customers in customer-number order.")
class CustomerConnection(Connection[Customer]):
    selection: strawberry.Private[CustomerSelection]

    @strawberry.field(description="How many customers match the filter, over all pages.")
    async def total_count(self, info: Info) -> int:
        return await self.selection.count(info.context)


async def _node(info: Info, type_name: str, key: Any) -> Node | None:
    ctx = info.context
    core, wealth, crm = ctx.sources.core, ctx.sources.wealth, ctx.sources.crm
    if type_name == "Customer":
        return await _customer_in_scope(info, key)
    if type_name == "Branch":
        return await load_branch(info, key)
    if type_name == "RelationshipManager":
        return await load_rm(info, key)
    if type_name == "Product":
        return await load_product(info, key)
    by_row: dict[str, tuple[Any, Any]] = {
        "Account": (core.accounts, Account),
        "Transaction": (core.transactions, Transaction),
        "Holding": (wealth.holdings, Holding),
        "Interaction": (crm.contacts, Interaction),
        "Complaint": (crm.complaints, Complaint),
    }
    batch, node_type = by_row[type_name]
    row = await ctx.loaders.one(batch, key)
    if row is None or not await ctx.scope.admits(row.cust_no):
        return None
    return node_type.from_row(row)  # type: ignore[no-any-return]


async def _customer_in_scope(info: Info, cust_no: str) -> Customer | None:
    admitted, customer = await asyncio.gather(
        info.context.scope.admits(cust_no), load_customer(info, cust_no)
    )
    return customer if admitted else None


@strawberry.type(description="Reads over the merged customer view.")
class Query:
    @strawberry.field(description="A customer by global id; null when no such customer exists.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        _type, cust_no = parse_global_id(id, "Customer")
        return await _customer_in_scope(info, str(cust_no))

    @strawberry.field(
        description="Customers in customer-number order, a page at a time (`first` at most "
        "the configured maximum page size, 100 by default)."
    )
    async def customers(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: CustomerFilter | None = None,
    ) -> CustomerConnection:
        check_first(first, info.context.settings.max_page_size)
        after_key = parse_key_cursor(after) if after else None
        scope = info.context.scope
        selection = CustomerSelection.parse(filter, scope.branch_limit)
        if scope.reaches_nobody:
            selection = CustomerSelection(None, None, None, empty=True)
        numbers = await selection.customer_numbers(info.context, after_key, first + 1)
        admitted, loaded = await asyncio.gather(
            scope.admit(numbers), load_customers(info.context, numbers)
        )
        customers = [c for c, ok in zip(loaded, admitted, strict=True) if c is not None and ok]
        return connection(  # type: ignore[no-any-return]
            customers,
            first,
            lambda c: key_cursor(c.customer_number),
            after_given=after is not None,
            cls=CustomerConnection,
            selection=selection,
        )

    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = parse_global_id(id)
        return await _node(info, type_name, key)

    @strawberry.field(
        description="The audit trail of personal-data reads, oldest first, filtered by "
        "customer, subject (who read) and period. Compliance officers only; this read is "
        "itself audited."
    )
    async def audit_events(
        self,
        info: Info,
        customer: strawberry.ID | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> AuditEventConnection:
        return await audit_events(info, customer, subject, since, until, first, after)

    @strawberry.field(
        description="Whom to contact over an inclusive window of days, why, when and how. "
        "Relationship managers see their own book; branch managers any RM's book of their "
        "branch (the whole branch without `relationshipManager`); compliance officers any."
    )
    async def maintenance_agenda(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        relationship_manager: strawberry.ID | None = None,
    ) -> list[AgendaItem]:
        return await maintenance_agenda(info.context, from_, to, relationship_manager)

    @strawberry.field(
        description="Customers whose assigned branch is not the branch they mostly banked at "
        "over the last 12 months, with the evidence. Branch managers (their branch) and "
        "compliance officers (`branch`, or every branch) only."
    )
    async def ownership_review(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        branch: strawberry.ID | None = None,
    ) -> OwnershipReviewConnection:
        return await ownership_review(info, first, after, branch)

    @strawberry.field(
        description="Each RM's book, assets and their change, contacts made against agenda "
        "items due, and complaints over an inclusive period. Branch managers see their "
        "branch's RMs, an RM themselves, compliance officers any branch."
    )
    async def relationship_manager_performance(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        branch: strawberry.ID | None = None,
    ) -> list[RmPerformance]:
        return await rm_performance(info, from_, to, branch)

    @strawberry.field(
        description="Customer counts and asset totals by the chosen dimensions, cells below "
        "`minimumCellSize` (at least 10) suppressed; no customer is reachable from a cell. "
        "Marketing analysts and compliance officers only."
    )
    async def segments(
        self,
        info: Info,
        by: list[SegmentDimension],
        minimum_cell_size: int = MINIMUM_CELL_SIZE,
    ) -> list[SegmentCell]:
        return await segments(info, by, minimum_cell_size)

    @strawberry.field(description="Every branch of the bank, by code.")
    async def branches(self, info: Info) -> list[Branch]:
        branches = (await info.context.reference_data()).branches
        return [Branch.from_row(branches[code]) for code in sorted(branches)]
