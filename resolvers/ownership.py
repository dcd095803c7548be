"""The ownership review: customers of a branch who actually bank somewhere else."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import strawberry

from gateway.auth import Role
from gateway.context import Info
from resolvers.banking import Branch, load_branch
from resolvers.customer import Customer, load_customers
from resolvers.customer_practice import HomeBranchSuggestion
from resolvers.ids import key_cursor, parse_global_id, parse_key_cursor
from resolvers.pagination import Connection, check_first, connection
from resolvers.practice import home_branch
from resolvers.roles import require_role


@strawberry.type(
    description="A customer whose assigned branch is not the branch they mostly bank at."
)
class OwnershipReviewEntry:
    customer_number: strawberry.Private[str]
    assigned_code: strawberry.Private[str]
    customer: Customer | None = strawberry.field(
        description="The customer, masked as the caller's policy says."
    )
    suggestion: HomeBranchSuggestion = strawberry.field(
        description="The suggested home branch with the evidence (transactions per branch)."
    )

    @strawberry.field(description="The branch the CRM assigns the customer to.")
    async def assigned_branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.assigned_code)


@strawberry.type(description="A page of the ownership review, in customer-number order.")
class OwnershipReviewConnection(Connection[OwnershipReviewEntry]):
    total: strawberry.Private[int]

    @strawberry.field(description="How many customers the review lists, over all pages.")
    def total_count(self) -> int:
        return self.total


async def ownership_review(
    info: Info, first: int, after: str | None, branch: strawberry.ID | None
) -> OwnershipReviewConnection:
    """Customers of a branch (a branch manager's own; any or all for compliance) whose
    suggested home branch differs from the assigned one.

    Two statements per page whatever its size: the branch's assignments, and one statement
    grouping the last 12 months' transactions by customer and branch.
    """
    ctx = info.context
    role = require_role(ctx, {Role.BRANCH_MANAGER, Role.COMPLIANCE_OFFICER}, "The ownership review")
    check_first(first, ctx.settings.max_page_size)
    after_key = parse_key_cursor(after) if after else None
    code = str(parse_global_id(branch, "Branch")[1]) if branch else None
    if role is Role.BRANCH_MANAGER:
        if code not in (None, ctx.principal.branch):
            return _page([], 0, first, after)
        code = ctx.principal.branch
    assignments = await ctx.sources.crm.all_assignments(branch_code=code)
    assigned = {a.cust_no: a.branch_code for a in assignments}
    since = home_branch.lookback_start(ctx.today)
    rows = await ctx.sources.core.branch_activity(list(assigned) if code else None, since)
    by_customer: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row.cust_no in assigned:
            by_customer[row.cust_no].append(row)
    suggestions = {
        c: HomeBranchSuggestion.from_rows(rows_of, assigned[c])
        for c, rows_of in sorted(by_customer.items())
    }
    listed = [c for c, s in suggestions.items() if s.differs_from_assigned()]
    page = [c for c in listed if after_key is None or c > after_key][: first + 1]
    admitted, loaded = await asyncio.gather(ctx.scope.admit(page), load_customers(ctx, page))
    entries = [
        OwnershipReviewEntry(
            customer_number=c,
            assigned_code=assigned[c],
            customer=customer,
            suggestion=suggestions[c],
        )
        for c, customer, ok in zip(page, loaded, admitted, strict=True)
        if ok
    ]
    return _page(entries, len(listed), first, after)


def _page(
    entries: list[OwnershipReviewEntry], total: int, first: int, after: str | None
) -> OwnershipReviewConnection:
    return connection(  # type: ignore[no-any-return]
        entries,
        first,
        lambda e: key_cursor(e.customer_number),
        after_given=after is not None,
        cls=OwnershipReviewConnection,
        total=total,
    )
