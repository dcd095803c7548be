"""openComplaint and resolveComplaint: the customer's complaints in the CRM."""

from __future__ import annotations

import strawberry

from gateway.context import Info
from resolvers.enums import ComplaintCategory
from resolvers.mutations.errors import MutationError, check_text, problem, refused
from resolvers.mutations.flow import (
    Code,
    Outcome,
    Payload,
    WriteSpec,
    bank_now,
    customer,
    parse_id,
    perform,
)
from resolvers.mutations.idempotency import KEY_DESCRIPTION
from resolvers.relationship import Complaint
from sources.crm import tables as t
from sources.crm.writes import CrmTransaction

SUMMARY_LIMIT = 400
OPEN = WriteSpec("openComplaint", t.complaint, "customer")
RESOLVE = WriteSpec("resolveComplaint", t.complaint, "complaint")
SETTLED = ("RESOLVED", "CLOSED")


@strawberry.input(description="A complaint the customer raises.")
class OpenComplaintInput:
    customer: strawberry.ID = strawberry.field(description="Global id of the customer.")
    category: ComplaintCategory = strawberry.field(description="What the complaint is about.")
    summary: str = strawberry.field(
        description=f"The customer's account of it: required, at most {SUMMARY_LIMIT} characters."
    )
    idempotency_key: str = strawberry.field(description=KEY_DESCRIPTION)


@strawberry.input(description="The resolution of an open complaint.")
class ResolveComplaintInput:
    complaint: strawberry.ID = strawberry.field(description="Global id of the complaint.")
    expected_version: int = strawberry.field(
        description="The complaint's version as last read; a complaint changed since is not "
        "overwritten (VERSION_CONFLICT)."
    )
    idempotency_key: str = strawberry.field(description=KEY_DESCRIPTION)
    satisfaction: int | None = strawberry.field(
        default=None, description="The customer's satisfaction, 1 (poor) to 5 (excellent)."
    )


@strawberry.type(description="The answer to openComplaint and resolveComplaint.")
class ComplaintPayload(Payload):
    complaint: Complaint | None = strawberry.field(
        description="The complaint as written; null when refused."
    )
    version: int | None = strawberry.field(
        description="The complaint's version as written, to resolve it with; null when refused."
    )


def _payload(outcome: Outcome) -> ComplaintPayload:
    row = outcome.row
    return outcome.payload(  # type: ignore[no-any-return]
        ComplaintPayload,
        complaint=Complaint.from_row(row) if row else None,
        version=row.version if row else None,
    )


async def open_complaint(info: Info, input: OpenComplaintInput) -> ComplaintPayload:
    """Open a complaint for a customer, with status OPEN."""
    errors: list[MutationError] = []
    cust_no = parse_id(input.customer, "Customer", "customer", errors)
    summary = check_text("summary", input.summary, SUMMARY_LIMIT, errors, needed=True)

    async def write(tx: CrmTransaction, number: str) -> object:
        return await tx.insert(
            t.complaint,
            "complaint_id",
            {
                "cust_no": number,
                "category": input.category.value,
                "status": "OPEN",
                "summary": summary,
                "opened_at": bank_now(),
                "resolved_at": None,
                "satisfaction": None,
            },
        )

    return _payload(await perform(info, OPEN, input, errors, customer(info, cust_no), write))


async def resolve_complaint(info: Info, input: ResolveComplaintInput) -> ComplaintPayload:
    """Mark a complaint RESOLVED (with the customer's satisfaction, if given)."""
    errors: list[MutationError] = []
    complaint_id = parse_id(input.complaint, "Complaint", "complaint", errors)
    if input.satisfaction is not None and not 1 <= input.satisfaction <= 5:
        errors.append(problem("satisfaction", Code.INVALID_VALUE, "Satisfaction is from 1 to 5."))

    async def locate() -> str | None:
        ctx = info.context
        row = await ctx.loaders.one(ctx.sources.crm.complaints, complaint_id)
        return row.cust_no if row is not None else None

    async def write(tx: CrmTransaction, _number: str) -> object:
        current = await tx.row(t.complaint, "complaint_id", complaint_id)
        if current is not None and current.status in SETTLED:
            raise refused(
                "complaint", Code.INVALID_STATE, f"The complaint is already {current.status}."
            )
        return await tx.update_versioned(
            t.complaint,
            "complaint_id",
            complaint_id,
            input.expected_version,
            {"status": "RESOLVED", "resolved_at": bank_now(), "satisfaction": input.satisfaction},
        )

    return _payload(await perform(info, RESOLVE, input, errors, locate, write))
