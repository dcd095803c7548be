"""Writes to the CRM, as GraphQL mutations.

Every mutation validates its input and answers with typed errors (writing nothing) when it is
invalid; takes an idempotency key, so a retried request writes once; changes versioned records
only at the version the caller read; is audited; and is allowed only to the roles, customers
and purposes `gateway.policy.WRITES` grants. Mutations are refused over GET.
"""

from __future__ import annotations

import strawberry

from resolvers.mutations.complaint import ComplaintPayload, open_complaint, resolve_complaint
from resolvers.mutations.contact import RecordContactPayload, record_contact
from resolvers.mutations.profile import UpdateProfilePayload, update_profile
from resolvers.mutations.reassignment import ReassignCustomerPayload, reassign_customer


@strawberry.type(
    description="Writes to the CRM. Each answers with a payload whose `errors` say, per input "
    "field, why it was refused (nothing is then written)."
)
class Mutation:
    record_contact: RecordContactPayload = strawberry.mutation(
        resolver=record_contact,
        description="Log a contact with a customer: RMs for their own book (relationship "
        "review or customer service), call-centre agents (customer service or complaint "
        "handling).",
    )
    update_profile: UpdateProfilePayload = strawberry.mutation(
        resolver=update_profile,
        description="Change a customer's CRM profile at the version last read: RMs for their "
        "own book, for relationship review.",
    )
    open_complaint: ComplaintPayload = strawberry.mutation(
        resolver=open_complaint,
        description="Open a complaint: RMs for their own book, branch managers for their "
        "branch (complaint handling), call-centre agents.",
    )
    resolve_complaint: ComplaintPayload = strawberry.mutation(
        resolver=resolve_complaint,
        description="Resolve an open complaint at the version last read, for complaint "
        "handling: RMs for their own book, branch managers for their branch, call-centre "
        "agents.",
    )
    reassign_customer: ReassignCustomerPayload = strawberry.mutation(
        resolver=reassign_customer,
        description="Move a customer to another RM of the branch whose grade the customer's "
        "tier allows, at the assignment version last read: branch managers, for relationship "
        "review.",
    )


__all__ = ["Mutation"]
