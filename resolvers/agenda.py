"""The maintenance agenda as the schema shows it (the rules live in resolvers/practice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

import strawberry
from graphql import GraphQLError

from gateway.auth import Role
from gateway.context import Context, Info
from gateway.errors import bad_user_input
from resolvers.audit_events import FORBIDDEN
from resolvers.banking import Account
from resolvers.customer import Customer, load_customers
from resolvers.enums import CareType, ContactChannel
from resolvers.ids import parse_global_id
from resolvers.pagination import DateRange
from resolvers.practice.agenda import AgendaItem as Item
from resolvers.practice.agenda import AgendaReason, AgendaRules, Window
from resolvers.practice.book import book_agenda
from resolvers.practice.calendar import Holiday
from resolvers.roles import require_role
from resolvers.wealth import Product, load_product

MAX_AGENDA_DAYS = 366

strawberry.enum(
    AgendaReason,
    description="Why a customer is on the agenda. Routine care: TIME_DEPOSIT_MATURING, "
    "PRODUCT_MATURING, NEW_SUITABLE_PRODUCT (the best-ranked product launched within 30 days "
    "that a valid risk assessment allows and the customer does not hold; one per customer), "
    "NAV_SWING (a held product's NAV moved more than the configured "
    "threshold, 5% over 30 days by default). Key care: BIRTHDAY, WEDDING_ANNIVERSARY, HOLIDAY "
    "(configured holidays, tiers GOLD and up), MONTH_END, QUARTER_END, YEAR_END (top tiers "
    "BLACK_GOLD, DIAMOND and PREMIER_PLATINUM only).",
)


@strawberry.type(description="One contact an RM should make: whom, why, when and how.")
class AgendaItem:
    item: strawberry.Private[Item]
    customer: Customer | None = strawberry.field(
        description="The customer, masked as the caller's policy says."
    )
    reason: AgendaReason = strawberry.field(description="Why the contact is due.")
    due_on: date = strawberry.field(description="The day the contact is due.")
    care_type: CareType = strawberry.field(description="ROUTINE or KEY care.")
    channel: ContactChannel = strawberry.field(
        description="Suggested channel: PHONE or SMS for routine care, VISIT or EVENT for key care."
    )
    occasion: str | None = strawberry.field(description="The holiday's name, for HOLIDAY items.")
    done: bool = strawberry.field(
        description="Whether the CRM log holds a contact with this customer of the same care "
        "type made on or after the window's first day."
    )

    @strawberry.field(description="The maturing time deposit, for TIME_DEPOSIT_MATURING.")
    def account(self) -> Account | None:
        return Account.from_row(self.item.account) if self.item.account is not None else None

    @strawberry.field(
        description="The product concerned, for PRODUCT_MATURING, NEW_SUITABLE_PRODUCT and "
        "NAV_SWING."
    )
    async def product(self, info: Info) -> Product | None:
        return await load_product(info, self.item.product_code) if self.item.product_code else None


def agenda_rules(ctx: Context) -> AgendaRules:
    """The configured thresholds and holidays."""
    settings = ctx.settings
    return AgendaRules(
        nav_swing_threshold=settings.nav_swing_threshold,
        nav_swing_days=settings.nav_swing_days,
        holidays=tuple(Holiday.parse(h) for h in settings.agenda_holidays),
    )


def agenda_window(ctx: Context, start: date, end: date) -> Window:
    """A checked window: ``from`` not after ``to``, at most a year long."""
    DateRange(start, end)
    if end - start > timedelta(days=MAX_AGENDA_DAYS):
        raise bad_user_input(f"The window may span at most {MAX_AGENDA_DAYS} days.", argument="to")
    return Window(start, end, ctx.today)


async def book_of(ctx: Context, relationship_manager: str | None) -> list[str] | None:
    """The customers whose agenda the caller may see, None for a book outside their reach."""
    principal = ctx.principal
    role = require_role(
        ctx,
        {Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER, Role.COMPLIANCE_OFFICER},
        "The maintenance agenda",
    )
    rm_id = (
        str(parse_global_id(relationship_manager, "RelationshipManager")[1])
        if relationship_manager
        else None
    )
    branch: str | None = None
    if role is Role.RELATIONSHIP_MANAGER:
        if rm_id not in (None, principal.rm_id):
            raise GraphQLError(
                "A relationship manager sees their own agenda only.", extensions={"code": FORBIDDEN}
            )
        rm_id, branch = principal.rm_id, principal.branch
    elif role is Role.BRANCH_MANAGER:
        branch = principal.branch
        rms = (await ctx.reference_data()).relationship_managers
        if rm_id is not None and (rm_id not in rms or rms[rm_id].branch_code != branch):
            return None
    return await ctx.sources.crm.assigned_customer_numbers(
        branch_code=branch, rm_id=rm_id, after=None, limit=None
    )


async def agenda_items(
    ctx: Context, start: date, end: date, relationship_manager: str | None
) -> list[Item]:
    """The domain items of the book the caller may see, by due day, before scoping (both
    paths, the resolver tree and the planner, start from these)."""
    window = agenda_window(ctx, start, end)
    cust_nos = await book_of(ctx, relationship_manager)
    if not cust_nos:
        return []
    reference = await ctx.reference_data()
    return await book_agenda(ctx.sources, reference, cust_nos, window, agenda_rules(ctx))


def customer_numbers(items: list[Item]) -> list[str]:
    """The distinct customers of some items, in their order."""
    return list(dict.fromkeys(i.cust_no for i in items))


class Scoped(NamedTuple):
    """A domain item with its customer, admitted to the request's scope."""

    item: Item
    customer: Any


def in_scope(items: list[Item], numbers: list[str], found: Sequence[Any]) -> list[Scoped]:
    """The items whose customer was found, each with it (``found`` in the order of
    ``numbers``, None for a customer out of scope or unknown to the core system)."""
    customers = {n: c for n, c in zip(numbers, found, strict=True) if c is not None}
    return [Scoped(i, customers[i.cust_no]) for i in items if i.cust_no in customers]


async def maintenance_agenda(
    ctx: Context, start: date, end: date, relationship_manager: str | None
) -> list[AgendaItem]:
    """The agenda of the book the caller may see, by due day."""
    return await with_customers(ctx, await agenda_items(ctx, start, end, relationship_manager))


async def with_customers(ctx: Context, items: list[Item]) -> list[AgendaItem]:
    """Schema items for domain items, each with its customer loaded and admitted to scope."""
    numbers = customer_numbers(items)
    admitted = await ctx.scope.admit(numbers)
    loaded = await load_customers(ctx, numbers)
    found = [c if ok else None for c, ok in zip(loaded, admitted, strict=True)]
    return [
        AgendaItem(
            item=i,
            customer=customer,
            reason=i.reason,
            due_on=i.due_on,
            care_type=CareType(i.care_type),
            channel=ContactChannel(i.channel),
            occasion=i.occasion,
            done=i.done,
        )
        for i, customer in in_scope(items, numbers, found)
    ]
