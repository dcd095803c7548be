"""Which customers a list shows: the filter clients send, and the parsed selection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from gateway.context import Context
from resolvers.asset_index import customers_in_tier
from resolvers.enums import Tier
from resolvers.ids import parse_global_id


@strawberry.input(description="Restricts a list of customers; all given conditions must hold.")
class CustomerFilter:
    branch: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the branch the customer is assigned to."
    )
    relationship_manager: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the customer's relationship manager."
    )
    tier: Tier | None = strawberry.field(default=None, description="The customer's tier.")


@dataclass(frozen=True)
class CustomerSelection:
    """A parsed filter: the assignment conditions and the tier."""

    branch_code: str | None
    rm_id: str | None
    tier: Any

    empty: bool = False

    @classmethod
    def parse(cls, f: CustomerFilter | None, branch_limit: str | None) -> CustomerSelection:
        """The filter's conditions, bounded by the one branch the caller's scope allows."""
        branch = str(parse_global_id(f.branch, "Branch")[1]) if f and f.branch else None
        rm = (
            str(parse_global_id(f.relationship_manager, "RelationshipManager")[1])
            if f and f.relationship_manager
            else None
        )
        tier = f.tier if f else None
        if branch_limit is not None:
            # Outside the caller's branch there is nothing, exactly as if it did not exist.
            return cls(branch_limit, rm, tier, empty=branch not in (None, branch_limit))
        return cls(branch, rm, tier)

    @property
    def by_assignment(self) -> bool:
        return self.branch_code is not None or self.rm_id is not None

    async def customer_numbers(
        self, ctx: Context, after: str | None, limit: int | None
    ) -> list[str]:
        """Matching customer numbers, ascending, after a given one."""
        sources = ctx.sources
        if self.empty:
            return []
        if self.tier is None and self.by_assignment:
            return await sources.crm.assigned_customer_numbers(
                branch_code=self.branch_code, rm_id=self.rm_id, after=after, limit=limit
            )
        if self.tier is None:
            return await sources.core.customer_numbers(after=after, limit=limit)
        candidates = (
            await sources.crm.assigned_customer_numbers(
                branch_code=self.branch_code, rm_id=self.rm_id, after=None, limit=None
            )
            if self.by_assignment
            else None
        )
        reference = await ctx.reference_data()
        matching = await customers_in_tier(sources, reference, self.tier, candidates)
        matching = [c for c in matching if after is None or c > after]
        return matching if limit is None else matching[:limit]

    async def count(self, ctx: Context) -> int:
        """How many customers match, over all pages."""
        sources = ctx.sources
        if self.empty:
            return 0
        if self.tier is None and self.by_assignment:
            return await sources.crm.count_assigned(branch_code=self.branch_code, rm_id=self.rm_id)
        if self.tier is None:
            return await sources.core.count_parties()
        return len(await self.customer_numbers(ctx, None, None))
