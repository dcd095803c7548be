"""recordContact: a contact with the customer goes into the CRM's log."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.context import Info
from resolvers.enums import CareType, ContactChannel
from resolvers.mutations.errors import MutationError, check_text, problem
from resolvers.mutations.flow import (
    Code,
    Payload,
    WriteSpec,
    bank_now,
    customer,
    parse_id,
    perform,
)
from resolvers.mutations.idempotency import KEY_DESCRIPTION
from resolvers.relationship import Interaction
from sources.crm import tables as t
from sources.crm.writes import CrmTransaction

SUMMARY_LIMIT = 400
SPEC = WriteSpec("recordContact", t.contact, "customer")


@strawberry.input(description="A contact made with a customer, for the CRM's log.")
class RecordContactInput:
    customer: strawberry.ID = strawberry.field(description="Global id of the customer contacted.")
    channel: ContactChannel = strawberry.field(description="How the contact was made.")
    care_type: CareType = strawberry.field(description="Routine maintenance or key care.")
    summary: str = strawberry.field(
        description=f"What was discussed: required, at most {SUMMARY_LIMIT} characters."
    )
    idempotency_key: str = strawberry.field(description=KEY_DESCRIPTION)
    follow_up_on: date | None = strawberry.field(
        default=None, description="Day a follow-up is due, if one is; today or later."
    )


@strawberry.type(description="The answer to recordContact.")
class RecordContactPayload(Payload):
    interaction: Interaction | None = strawberry.field(
        description="The contact as logged; null when refused."
    )


async def record_contact(info: Info, input: RecordContactInput) -> RecordContactPayload:
    """Log a contact, by the calling RM (or with no RM, for a call-centre agent)."""
    errors: list[MutationError] = []
    cust_no = parse_id(input.customer, "Customer", "customer", errors)
    summary = check_text("summary", input.summary, SUMMARY_LIMIT, errors, needed=True)
    if input.follow_up_on is not None and input.follow_up_on < info.context.today:
        errors.append(
            problem("followUpOn", Code.INVALID_VALUE, "A follow-up cannot be due in the past.")
        )

    async def write(tx: CrmTransaction, customer: str) -> object:
        return await tx.insert(
            t.contact,
            "contact_id",
            {
                "cust_no": customer,
                "rm_id": info.context.principal.rm_id,
                "channel": input.channel.value,
                "care_type": input.care_type.value,
                "summary": summary,
                "contacted_at": bank_now(),
                "follow_up_on": input.follow_up_on,
            },
        )

    outcome = await perform(info, SPEC, input, errors, customer(info, cust_no), write)
    return outcome.payload(  # type: ignore[no-any-return]
        RecordContactPayload,
        interaction=Interaction.from_row(outcome.row) if outcome.row else None,
    )
