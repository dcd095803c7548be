"""reassignCustomer: a branch manager moves a customer to another RM of the branch."""

from __future__ import annotations

import strawberry

from gateway.context import Info
from resolvers.asset_index import total_assets_by_customer
from resolvers.customer_practice import grade_below
from resolvers.mutations.errors import MutationError, refused
from resolvers.mutations.flow import Code, Payload, WriteSpec, customer, parse_id, perform
from resolvers.mutations.idempotency import KEY_DESCRIPTION
from resolvers.relationship import Assignment
from resolvers.tiers import RmGrade, required_grade, tier_of
from sources.crm import tables as t
from sources.crm.writes import CrmTransaction

SPEC = WriteSpec("reassignCustomer", t.assignment, "customer")


@strawberry.input(description="A customer's move to another relationship manager.")
class ReassignCustomerInput:
    customer: strawberry.ID = strawberry.field(description="Global id of the customer.")
    relationship_manager: strawberry.ID = strawberry.field(
        description="Global id of the new RM: of the caller's branch, and of a grade the "
        "customer's tier allows (Customer.requiredRmGrade or above)."
    )
    expected_version: int = strawberry.field(
        description="The assignment's version as last read; an assignment changed since is "
        "not overwritten (VERSION_CONFLICT)."
    )
    idempotency_key: str = strawberry.field(description=KEY_DESCRIPTION)


@strawberry.type(description="The answer to reassignCustomer.")
class ReassignCustomerPayload(Payload):
    assignment: Assignment | None = strawberry.field(
        description="The assignment as written, with its new version; null when refused."
    )


async def reassign_customer(info: Info, input: ReassignCustomerInput) -> ReassignCustomerPayload:
    """Assign a customer of the caller's branch to another RM of that branch."""
    ctx = info.context
    errors: list[MutationError] = []
    cust_no = parse_id(input.customer, "Customer", "customer", errors)
    rm_id = parse_id(
        input.relationship_manager, "RelationshipManager", "relationshipManager", errors
    )

    async def check(number: str) -> None:
        [rm] = await ctx.sources.crm.relationship_managers([str(rm_id)])
        if rm is None:
            raise refused("relationshipManager", Code.NOT_FOUND, "No such relationship manager.")
        if rm.branch_code != ctx.principal.branch:
            raise refused(
                "relationshipManager", Code.NOT_IN_BRANCH, "The RM works at another branch."
            )
        reference = await ctx.reference_data()
        totals = await total_assets_by_customer(ctx.sources, reference, [number])
        needed = required_grade(tier_of(totals[number]))
        if grade_below(RmGrade(rm.grade), needed):
            raise refused(
                "relationshipManager",
                Code.GRADE_TOO_LOW,
                f"The customer's tier needs an RM of grade {needed.value if needed else ''} "
                "or above.",
            )

    async def write(tx: CrmTransaction, number: str) -> object:
        current = await tx.row(t.assignment, "cust_no", number)
        if current is not None and current.rm_id == rm_id:
            raise refused(
                "relationshipManager", Code.INVALID_VALUE, "The customer already has this RM."
            )
        return await tx.update_versioned(
            t.assignment,
            "cust_no",
            number,
            input.expected_version,
            {"rm_id": rm_id, "branch_code": ctx.principal.branch, "assigned_on": ctx.today},
        )

    outcome = await perform(info, SPEC, input, errors, customer(info, cust_no), write, check)
    if outcome.row is not None and not outcome.replayed:
        # Reads later in this request must see the new RM, not the assignment scope loaded.
        ctx.loaders.of(ctx.sources.crm.assignments).clear(outcome.row.cust_no)
    return outcome.payload(  # type: ignore[no-any-return]
        ReassignCustomerPayload,
        assignment=Assignment.from_row(outcome.row) if outcome.row else None,
    )
