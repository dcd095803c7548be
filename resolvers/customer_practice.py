"""What the relationship practice adds to a customer: RM fit, tier change, suggested home
branch, profile completeness and suitable products."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from gateway.context import Info
from gateway.errors import bad_user_input
from resolvers.banking import Branch, load_branch
from resolvers.enums import RmGrade, Tier
from resolvers.pagination import check_first
from resolvers.practice import home_branch
from resolvers.practice.asset_history import assets_on_batch
from resolvers.practice.completeness import ProfileFacts, ProfileItem, completeness
from resolvers.practice.suitability import (
    SuitabilityReason,
    preferences,
    suitable_products,
    valid_investor_type,
)
from resolvers.sensitive import computed_customer_data
from resolvers.tiers import required_grade, tier_of
from resolvers.wealth import Product

strawberry.enum(
    ProfileItem,
    description="An item of the CRM profile checklist (family members stand for relatives; "
    "BUSINESS_SCALE is asked of business owners only; RISK_ASSESSMENT means a valid one).",
)
strawberry.enum(
    SuitabilityReason,
    description="Why no product can be suggested: no risk assessment, or only an expired one.",
)

GRADE_ORDER = list(RmGrade)  # SENIOR first


def grade_below(assigned: RmGrade | None, required: RmGrade | None) -> bool:
    """Whether an RM grade falls short of the required one; with no RM assigned, any
    required grade is missed."""
    if required is None:
        return False
    return assigned is None or GRADE_ORDER.index(assigned) > GRADE_ORDER.index(required)


@strawberry.type(description="Whether the assigned RM's grade is what the customer's tier needs.")
class RmGradeFit:
    required_grade: RmGrade | None = strawberry.field(
        description="Grade the tier requires; null for MASS."
    )
    assigned_grade: RmGrade | None = strawberry.field(
        description="Grade of the assigned RM; null when no RM is assigned."
    )
    below_required: bool = strawberry.field(
        description="True when a grade is required and the assigned RM's is lower (or no RM "
        "is assigned)."
    )


async def _assets_then(root: TierChange, info: Info) -> Decimal:
    return root.assets_then_value


@strawberry.type(
    description="The customer's tier at a past day against today. Assets at the end of that "
    "day are reconstructed: today's deposit balances minus credits plus debits booked since, "
    "today's units minus filled orders since, valued at the NAV and FX rate of that day."
)
class TierChange:
    owner: strawberry.Private[str]
    assets_then_value: strawberry.Private[Decimal]
    since: date = strawberry.field(description="The past day compared with today.")
    tier_then: Tier = strawberry.field(description="Tier at the end of that day.")
    tier_now: Tier = strawberry.field(description="Tier today.")
    moved: int = strawberry.field(
        description="Tiers moved: positive up, negative down, 0 unchanged."
    )
    assets_then: Decimal | None = computed_customer_data(
        "TierChange.assetsThen",
        _assets_then,
        description="Total assets in CNY at the end of that day.",
    )


@strawberry.type(description="Transactions a customer made at one branch in the last 12 months.")
class BranchEvidence:
    code: strawberry.Private[str]
    transactions: int = strawberry.field(description="How many transactions were booked there.")
    latest_at: datetime = strawberry.field(description="When the latest of them was booked.")

    @strawberry.field(description="The branch.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.code)


@strawberry.type(
    description="The branch the customer actually banks at: most transactions over the last "
    "12 months, a tie going to the branch of the most recent transaction."
)
class HomeBranchSuggestion:
    code: strawberry.Private[str | None]
    assigned_code: strawberry.Private[str | None]
    evidence: list[BranchEvidence] = strawberry.field(
        description="Transactions per branch over the last 12 months, the suggested one first."
    )

    @strawberry.field(description="The suggested home branch; null without any transaction.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.code)

    @strawberry.field(
        description="True when a branch is suggested and it is not the one the CRM assigns."
    )
    def differs_from_assigned(self) -> bool:
        return self.code is not None and self.code != self.assigned_code

    @classmethod
    def from_rows(cls, rows: list[Any], assigned_code: str | None) -> HomeBranchSuggestion:
        ranked = home_branch.ranked(rows)
        return cls(
            code=ranked[0].branch_code if ranked else None,
            assigned_code=assigned_code,
            evidence=[
                BranchEvidence(code=a.branch_code, transactions=a.transactions, latest_at=a.latest)
                for a in ranked
            ],
        )


@strawberry.type(
    description="How complete the CRM profile is, and what to ask at the next contact."
)
class ProfileCompleteness:
    score: int = strawberry.field(
        description="0–100: the weighted share of the checklist present (weights in "
        "resolvers/practice/completeness.py)."
    )
    missing: list[ProfileItem] = strawberry.field(description="Checklist items still missing.")


@strawberry.type(description="Products the customer may be offered, or why none can be.")
class SuitableProducts:
    products: list[Product] = strawberry.field(
        description="On-sale products whose risk level the valid assessment allows (R ≤ C), "
        "stated preferences first, then products not held yet."
    )
    reason: SuitabilityReason | None = strawberry.field(
        description="Why the list is empty: no assessment, or it expired; null otherwise."
    )


async def rm_grade_fit(
    info: Info, cust_no: str, total_assets: Callable[[], Awaitable[Decimal]]
) -> RmGradeFit:
    """The fit between the tier's required grade and the assigned RM's."""
    ctx = info.context
    # Every load starts in the first tick, so a page's loads are one batch each (never split
    # by how long each customer's other loads took).
    assignment, total, reference = await asyncio.gather(
        ctx.loaders.one(ctx.sources.crm.assignments, cust_no),
        total_assets(),
        ctx.reference_data(),
    )
    rm = reference.relationship_managers.get(assignment.rm_id) if assignment else None
    required = required_grade(tier_of(total))
    assigned = RmGrade(rm.grade) if rm is not None else None
    return RmGradeFit(
        required_grade=required,
        assigned_grade=assigned,
        below_required=grade_below(assigned, required),
    )


async def tier_change(
    info: Info, cust_no: str, since: date, total_now: Callable[[], Awaitable[Decimal]]
) -> TierChange:
    """The tier at the end of a past day against today's."""
    ctx = info.context
    if since > ctx.today:
        raise bad_user_input("`since` must not be after today.", argument="since")
    # Both loads start in the same tick for every customer of a page, so each is one batch.
    then, now = await asyncio.gather(
        ctx.loaders.one(assets_on_batch, cust_no, ctx.sources, ctx.reference, ctx.today, since),
        total_now(),
    )
    order = list(Tier)
    tier_then, tier_now = tier_of(then), tier_of(now)
    return TierChange(
        owner=cust_no,
        assets_then_value=then,
        since=since,
        tier_then=tier_then,
        tier_now=tier_now,
        moved=order.index(tier_then) - order.index(tier_now),
    )


async def suggested_home_branch(info: Info, cust_no: str) -> HomeBranchSuggestion:
    """Branch activity over the last 12 months and the branch it points to."""
    ctx = info.context
    since = home_branch.lookback_start(ctx.today)
    rows, assignment = await asyncio.gather(
        ctx.loaders.one(ctx.sources.core.branch_activity_by_customer, cust_no, since),
        ctx.loaders.one(ctx.sources.crm.assignments, cust_no),
    )
    return HomeBranchSuggestion.from_rows(rows, assignment.branch_code if assignment else None)


async def profile_completeness(
    info: Info, cust_no: str, profile: Any | None
) -> ProfileCompleteness:
    """The checklist score and what is missing."""
    ctx = info.context
    family, assessment = await asyncio.gather(
        ctx.loaders.one(ctx.sources.crm.family_by_customer, cust_no),
        ctx.loaders.one(ctx.sources.crm.latest_risk_assessments, cust_no),
    )
    result = completeness(ProfileFacts(profile, len(family), assessment, ctx.today))
    return ProfileCompleteness(score=result.score, missing=result.missing)


async def suitable(info: Info, cust_no: str, profile: Any | None, first: int) -> SuitableProducts:
    """Suitable products, or the reason there are none."""
    ctx = info.context
    check_first(first, ctx.settings.max_page_size)
    assessment, holdings, reference = await asyncio.gather(
        ctx.loaders.one(ctx.sources.crm.latest_risk_assessments, cust_no),
        ctx.loaders.one(ctx.sources.wealth.holdings_by_customer, cust_no),
        ctx.reference_data(),
    )
    investor_type = valid_investor_type(assessment, ctx.today)
    if isinstance(investor_type, SuitabilityReason):
        return SuitableProducts(products=[], reason=investor_type)
    ranked = suitable_products(
        reference.products.values(),
        investor_type,
        preferences(profile),
        {h.product_code for h in holdings if Decimal(h.units) > 0},
    )
    return SuitableProducts(products=[Product.from_row(p) for p in ranked[:first]], reason=None)
