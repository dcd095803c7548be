"""The merged customer: the party master, the CRM relationship and the wealth positions."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from gateway.context import Context, Info
from resolvers.banking import Account, Branch, Transaction, TransactionConnection, load_branch
from resolvers.customer_practice import (
    HomeBranchSuggestion,
    ProfileCompleteness,
    RmGradeFit,
    SuitableProducts,
    TierChange,
    profile_completeness,
    rm_grade_fit,
    suggested_home_branch,
    suitable,
    tier_change,
)
from resolvers.enums import Gender, IdType, MergedAttribute, RmGrade, SourceSystem, Status, Tier
from resolvers.ids import global_id
from resolvers.node import Node, local
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    DateRange,
    connection,
    moment_cursor_of,
    moment_window,
)
from resolvers.relationship import (
    Assignment,
    Complaint,
    CustomerProfile,
    FamilyMember,
    Interaction,
    RelationshipManager,
    RiskAssessment,
    load_rm,
)
from resolvers.sensitive import band_field, computed_customer_data, customer_data
from resolvers.survivorship import SURVIVORSHIP, Merged, merge
from resolvers.tiers import required_grade, tier_of
from resolvers.wealth import Holding, total_assets_cny

InteractionConnection = Connection[Interaction]


@strawberry.type(description="Which system an attribute's value came from, and when it changed.")
class AttributeSource:
    attribute: MergedAttribute = strawberry.field(description="The merged attribute.")
    source: SourceSystem | None = strawberry.field(
        description="System whose value survived; null when no system has a value."
    )
    updated_at: datetime | None = strawberry.field(
        description="When that system last updated the value."
    )
    rule: str = strawberry.field(description="The survivorship rule that chose it.")


@strawberry.type(description="One system's value of a merged attribute.")
class SourcedValue:
    owner: strawberry.Private[str]
    raw: strawberry.Private[str | None]
    field_key: strawberry.Private[str]
    source: SourceSystem = strawberry.field(description="The system holding this value.")
    updated_at: datetime | None = strawberry.field(description="When that system last updated it.")

    @strawberry.field(
        description="The value as this system holds it; masked like the attribute itself."
    )
    def value(self, info: Info) -> str | None:
        return info.context.disclosure.disclose(  # type: ignore[no-any-return]
            self.field_key, self.owner, self.raw, info.path
        )


@strawberry.type(description="An attribute on which the systems hold different values.")
class Discrepancy:
    attribute: MergedAttribute = strawberry.field(description="The attribute in dispute.")
    chosen_source: SourceSystem | None = strawberry.field(
        description="System whose value the survivorship rule kept."
    )
    values: list[SourcedValue] = strawberry.field(description="Each system's value.")


def provenance_of(merged: dict[Any, Merged]) -> list[AttributeSource]:
    """Per merged attribute, the surviving value's system, update time and rule."""
    return [
        AttributeSource(
            attribute=attribute,
            source=m.chosen.source if m.chosen else None,
            updated_at=local(m.chosen.updated_at) if m.chosen else None,
            rule=SURVIVORSHIP[attribute].explanation,
        )
        for attribute, m in merged.items()
    ]


MERGED_FIELDS = {
    MergedAttribute.NAME: "Customer.name",
    MergedAttribute.MOBILE: "Customer.mobile",
    MergedAttribute.ADDRESS: "Customer.address",
}


async def _total_assets(root: Customer, info: Info) -> Decimal:
    return await customer_total_assets(info, root.owner)


@strawberry.type(
    description="A customer as the bank knows them across its systems: identity from the core "
    "system, the relationship from the CRM, positions from wealth management."
)
class Customer(Node):
    party: strawberry.Private[Any]
    profile_row: strawberry.Private[Any]
    merged: strawberry.Private[dict[Any, Merged]]
    owner: strawberry.Private[str]
    customer_number: str = strawberry.field(
        description="Bank-wide customer number (ECIF), the key all three systems share."
    )
    gender: Gender = strawberry.field(description="Sex as recorded in the party master.")
    id_type: IdType = strawberry.field(description="Kind of identity document.")
    opened_on: date = strawberry.field(description="Day the customer relationship began.")
    status: Status = strawberry.field(description="Lifecycle status in the core system.")
    name: str | None = customer_data(
        "Customer.name", "merged_name", description="Name, merged by survivorship (see provenance)."
    )
    mobile: str | None = customer_data(
        "Customer.mobile", "merged_mobile", description="Mobile number, merged by survivorship."
    )
    address: str | None = customer_data(
        "Customer.address", "merged_address", description="Address, merged by survivorship."
    )
    id_number: str | None = customer_data(
        "Customer.idNumber", "party.id_no", description="Identity document number."
    )
    birth_date: str | None = customer_data(
        "Customer.birthDate",
        "birth_date_text",
        description="Birth date: YYYY-MM-DD, or --MM-DD when masked.",
    )
    email: str | None = customer_data(
        "Customer.email", "crm_email", description="E-mail address, from the CRM."
    )
    total_assets: Decimal | None = computed_customer_data(
        "Customer.totalAssets",
        _total_assets,
        description="Deposits (current and time) plus wealth holdings at the latest NAV, in CNY "
        "at the core system's FX rates of the day. Loans and cards do not count.",
    )
    total_assets_band: str | None = band_field(
        "Customer.totalAssetsBand",
        _total_assets,
        lambda _root: "CNY",
        description="Total assets in CNY as a band, e.g. 1M–3M CNY.",
    )

    @classmethod
    def from_rows(cls, party: Any, profile: Any | None) -> Customer:
        return cls(
            id=global_id("Customer", party.cust_no),
            party=party,
            profile_row=profile,
            merged=merge(party, profile),
            owner=party.cust_no,
            customer_number=party.cust_no,
            gender=Gender(party.gender),
            id_type=IdType(party.id_type),
            opened_on=party.opened_on,
            status=Status(party.status),
        )

    @property
    def merged_name(self) -> str | None:
        return self.merged[MergedAttribute.NAME].value

    @property
    def merged_mobile(self) -> str | None:
        return self.merged[MergedAttribute.MOBILE].value

    @property
    def merged_address(self) -> str | None:
        return self.merged[MergedAttribute.ADDRESS].value

    @property
    def birth_date_text(self) -> str:
        return self.party.birth_date.isoformat()  # type: ignore[no-any-return]

    @property
    def crm_email(self) -> str | None:
        return self.profile_row.email if self.profile_row else None

    @strawberry.field(description="Per merged attribute, the system its value came from.")
    def provenance(self) -> list[AttributeSource]:
        return provenance_of(self.merged)

    @strawberry.field(description="Merged attributes on which the systems disagree.")
    def discrepancies(self) -> list[Discrepancy]:
        return [
            Discrepancy(
                attribute=attribute,
                chosen_source=m.chosen.source if m.chosen else None,
                values=[
                    SourcedValue(
                        owner=self.owner,
                        raw=c.value,
                        field_key=MERGED_FIELDS[attribute],
                        source=c.source,
                        updated_at=local(c.updated_at),
                    )
                    for c in m.candidates
                ],
            )
            for attribute, m in self.merged.items()
            if m.disagrees
        ]

    @strawberry.field(description="Branch where the customer's relationship began.")
    async def opening_branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.party.open_branch)

    @strawberry.field(description="Branch the CRM assigns the customer to (their home branch).")
    async def assigned_branch(self, info: Info) -> Branch | None:
        assignment = await _assignment(info, self.owner)
        return await load_branch(info, assignment.branch_code if assignment else None)

    @strawberry.field(
        description="The CRM's assignment of the customer to an RM, with its version (for "
        "reassignCustomer); null when the customer is unassigned."
    )
    async def assignment(self, info: Info) -> Assignment | None:
        row = await _assignment(info, self.owner)
        return Assignment.from_row(row) if row else None

    @strawberry.field(description="The relationship manager the CRM assigns the customer to.")
    async def relationship_manager(self, info: Info) -> RelationshipManager | None:
        assignment = await _assignment(info, self.owner)
        return await load_rm(info, assignment.rm_id if assignment else None)

    @strawberry.field(
        description="Tier by total assets (see Tier); null when a system it needs is unavailable."
    )
    async def tier(self, info: Info) -> Tier | None:
        return tier_of(await customer_total_assets(info, self.owner))

    @strawberry.field(description="RM grade the customer's tier requires; null for MASS.")
    async def required_rm_grade(self, info: Info) -> RmGrade | None:
        return required_grade(tier_of(await customer_total_assets(info, self.owner)))

    @strawberry.field(description="The RM grade the tier requires against the assigned RM's grade.")
    async def rm_grade_fit(self, info: Info) -> RmGradeFit | None:
        return await rm_grade_fit(info, self.owner, lambda: customer_total_assets(info, self.owner))

    @strawberry.field(
        description="Tier at the end of a past day (`since`, not after today) against today's."
    )
    async def tier_change(self, info: Info, since: date) -> TierChange | None:
        return await tier_change(
            info, self.owner, since, lambda: customer_total_assets(info, self.owner)
        )

    @strawberry.field(
        description="The branch the customer mostly banked at over the last 12 months, with "
        "the transaction counts per branch."
    )
    async def suggested_home_branch(self, info: Info) -> HomeBranchSuggestion | None:
        return await suggested_home_branch(info, self.owner)

    @strawberry.field(description="How complete the CRM profile is and what is missing.")
    async def profile_completeness(self, info: Info) -> ProfileCompleteness | None:
        return await profile_completeness(info, self.owner, self.profile_row)

    @strawberry.field(
        description="Products the customer may be offered under their valid risk assessment "
        "(at most `first`), or the reason there are none."
    )
    async def suitable_products(
        self, info: Info, first: int = DEFAULT_PAGE_SIZE
    ) -> SuitableProducts | None:
        return await suitable(info, self.owner, self.profile_row, first)

    @strawberry.field(description="The most recent risk assessment, valid or expired.")
    async def risk_assessment(self, info: Info) -> RiskAssessment | None:
        ctx = info.context
        row = await ctx.loaders.one(ctx.sources.crm.latest_risk_assessments, self.owner)
        return RiskAssessment.from_row(row, ctx.today) if row else None

    @strawberry.field(description="The CRM profile; null when the CRM has no record.")
    def profile(self) -> CustomerProfile | None:
        return CustomerProfile.from_row(self.profile_row) if self.profile_row else None

    @strawberry.field(description="Family members recorded in the CRM.")
    async def family_members(self, info: Info) -> list[FamilyMember]:
        rows = await info.context.loaders.one(
            info.context.sources.crm.family_by_customer, self.owner
        )
        return [FamilyMember.from_row(r) for r in rows]

    @strawberry.field(description="All the customer's accounts, oldest first.")
    async def accounts(self, info: Info) -> list[Account]:
        rows = await _accounts(info, self.owner)
        return [Account.from_row(r) for r in rows]

    @strawberry.field(
        description="The customer's wealth positions, oldest first; null when the wealth "
        "system is unavailable."
    )
    async def holdings(self, info: Info) -> list[Holding] | None:
        rows = await _holdings(info, self.owner)
        return [Holding.from_row(r) for r in rows]

    @strawberry.field(
        description="Transactions over all the customer's accounts, newest first, optionally "
        "within a range of days (both ends inclusive)."
    )
    async def transactions(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> TransactionConnection:
        ctx = info.context
        window = moment_window(first, after, DateRange(from_, to), ctx.settings.max_page_size)
        rows = await ctx.loaders.one(ctx.sources.core.transactions_by_customer, self.owner, window)
        return connection(
            [Transaction.from_row(r) for r in rows],
            first,
            moment_cursor_of("booked_at", "txn_id"),
            after_given=after is not None,
        )

    @strawberry.field(
        description="Contacts from the CRM log, newest first, optionally within a range of days "
        "(both ends inclusive)."
    )
    async def interactions(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> InteractionConnection:
        ctx = info.context
        window = moment_window(first, after, DateRange(from_, to), ctx.settings.max_page_size)
        rows = await ctx.loaders.one(ctx.sources.crm.contacts_by_customer, self.owner, window)
        return connection(
            [Interaction.from_row(r) for r in rows],
            first,
            moment_cursor_of("contacted_at", "contact_id"),
            after_given=after is not None,
        )

    @strawberry.field(description="Complaints the customer raised, newest first.")
    async def complaints(self, info: Info) -> list[Complaint]:
        rows = await info.context.loaders.one(
            info.context.sources.crm.complaints_by_customer, self.owner
        )
        return [Complaint.from_row(r) for r in rows]


async def _assignment(info: Info, cust_no: str) -> Any:
    return await info.context.loaders.one(info.context.sources.crm.assignments, cust_no)


async def _accounts(info: Info, cust_no: str) -> list[Any]:
    rows: list[Any] = await info.context.loaders.one(
        info.context.sources.core.accounts_by_customer, cust_no
    )
    return rows


async def _holdings(info: Info, cust_no: str) -> list[Any]:
    rows: list[Any] = await info.context.loaders.one(
        info.context.sources.wealth.holdings_by_customer, cust_no
    )
    return rows


async def customer_total_assets(info: Info, cust_no: str) -> Decimal:
    """Deposits plus holdings in CNY; the three systems are read concurrently."""
    accounts, holdings, reference = await asyncio.gather(
        _accounts(info, cust_no), _holdings(info, cust_no), info.context.reference_data()
    )
    return total_assets_cny(accounts, holdings, reference)


async def load_customer(info: Info, cust_no: str) -> Customer | None:
    """The merged customer with a customer number, None when the core system has no party."""
    customers = await load_customers(info.context, [cust_no])
    return customers[0]


async def load_customers(ctx: Context, cust_nos: list[str]) -> list[Customer | None]:
    """Merged customers in key order, None where the core system has no party."""
    parties, profiles = await asyncio.gather(
        ctx.loaders.many(ctx.sources.core.parties, cust_nos),
        ctx.loaders.many(ctx.sources.crm.profiles, cust_nos),
    )
    return [
        Customer.from_rows(party, profile) if party else None
        for party, profile in zip(parties, profiles, strict=True)
    ]
