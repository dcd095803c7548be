"""The audit trail, readable by compliance officers (and the read itself is audited)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError

from gateway.auth import Role
from gateway.context import Info
from resolvers.ids import key_cursor, parse_global_id, parse_key_cursor
from resolvers.pagination import Connection, check_first, connection

FORBIDDEN = "FORBIDDEN"


@strawberry.type(
    description="What one response showed of one customer under one treatment (or one "
    "write): the fields and every place in the response they were. Never holds a value."
)
class AuditEvent:
    sequence: int = strawberry.field(description="Position in the hash chain, from 1.")
    request_id: str = strawberry.field(description="The request that made the read.")
    occurred_at: datetime = strawberry.field(description="When the read happened (UTC).")
    subject: str = strawberry.field(description="Who read: the token's subject.")
    role: str = strawberry.field(description="The reader's role.")
    purpose: str = strawberry.field(description="The purpose the reader declared.")
    customer_number: str | None = strawberry.field(
        description="The customer whose data was read or written, if it was about one."
    )
    fields: list[str] = strawberry.field(
        description="The policy's names of the fields read (Type.field), or of the write "
        "(Mutation.name)."
    )
    field_paths: list[str] = strawberry.field(
        description="Every place in the response a value of those fields was, in the order "
        "the gateway released them."
    )
    treatment: str = strawberry.field(
        description="CLEAR (read in the clear), WITHHELD (refused, with the reason) or WRITE."
    )
    reason: str | None = strawberry.field(description="The policy's reason, when withheld.")
    hash: str = strawberry.field(description="This record's link in the hash chain.")


AuditEventConnection = Connection[AuditEvent]


async def audit_events(
    info: Info,
    customer: strawberry.ID | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
    first: int,
    after: str | None,
) -> Connection[AuditEvent]:
    """The trail filtered by customer, subject and period; compliance officers only."""
    ctx = info.context
    if ctx.principal.role is not Role.COMPLIANCE_OFFICER:
        raise GraphQLError(
            "Only compliance officers may read the audit trail.", extensions={"code": FORBIDDEN}
        )
    check_first(first, ctx.settings.max_page_size)
    cust_no = str(parse_global_id(customer, "Customer")[1]) if customer else None
    after_seq = int(parse_key_cursor(after)) if after else None
    ctx.disclosure.audit_query(cust_no, info.path)
    events = await ctx.audit.events(  # type: ignore[attr-defined]
        customer_number=cust_no,
        subject=subject,
        since=since,
        until=until,
        after_seq=after_seq,
        limit=first + 1,
    )
    return connection(  # type: ignore[no-any-return]
        [
            AuditEvent(
                sequence=e.seq,
                request_id=e.request_id,
                occurred_at=e.occurred_at,
                subject=e.subject,
                role=e.role,
                purpose=e.purpose,
                customer_number=e.customer_number,
                fields=e.fields.split(" "),
                field_paths=e.field_paths.split(" "),
                treatment=e.treatment,
                reason=e.reason,
                hash=e.hash,
            )
            for e in events
        ],
        first,
        lambda e: key_cursor(str(e.sequence)),
        after_given=after is not None,
    )
