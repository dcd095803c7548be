"""How every CRM write goes: allowed, valid, in scope, not a retry, then one transaction.

The order matters. Who may write is decided before anything is read; the input is checked
before any customer is looked up; a customer outside the caller's scope is NOT_FOUND, exactly
as if absent; a retry is answered from its idempotency record before any version check (the
first request has moved the version on); and the write, its idempotency record and its
result commit or roll back together. Only a committed write is audited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Table

from gateway.context import Info
from gateway.policy import may_write
from resolvers.ids import parse_global_id
from resolvers.mutations.errors import (
    MutationError,
    MutationErrorCode,
    Refused,
    problem,
    refused,
    required,
)
from resolvers.mutations.idempotency import (
    MAX_KEY_LENGTH,
    decode_row,
    encode_row,
    fingerprint,
    key_owner,
)
from resolvers.node import BANK_TIME
from sources.crm.writes import (
    CrmTransaction,
    CrmWrites,
    KeyTaken,
    RowMissing,
    StaleVersion,
    WriteKey,
)

Code = MutationErrorCode
Locate = Callable[[], Awaitable[str | None]]
Check = Callable[[str], Awaitable[None]]
Write = Callable[[CrmTransaction, str], Awaitable[Any]]


@strawberry.type(description="What every mutation answers besides its result.")
class Payload:
    errors: list[MutationError] = strawberry.field(
        description="Why the mutation was refused; empty when it succeeded. A refused "
        "mutation wrote nothing."
    )
    replayed: bool = strawberry.field(
        description="True when this is the stored result of an earlier request with the same "
        "idempotency key: nothing was written this time."
    )


@dataclass(frozen=True)
class Outcome:
    """The written (or replayed) row, or the errors that stopped the write."""

    row: Any = None
    errors: list[MutationError] = field(default_factory=list)
    replayed: bool = False

    def payload(self, cls: type[Any], **result: Any) -> Any:
        """The mutation's payload: its result fields only when the write went ahead."""
        if self.row is None:
            return cls(errors=self.errors, replayed=False, **dict.fromkeys(result))
        return cls(errors=[], replayed=self.replayed, **result)


@dataclass(frozen=True)
class WriteSpec:
    """One CRM write: its policy name, the table its result row lives in, and the input field
    naming what it touches (for NOT_FOUND)."""

    mutation: str
    table: Table
    target_field: str


def bank_now() -> datetime:
    """Now, as the CRM records time: the bank's wall clock, to the second."""
    return datetime.now(BANK_TIME).replace(tzinfo=None, microsecond=0)


def parse_id(
    value: str, type_name: str, input_field: str, errors: list[MutationError]
) -> str | int | None:
    """The key inside a global id of ``type_name``, noting INVALID_VALUE when malformed."""
    if not value:
        required(input_field, errors)
        return None
    try:
        return parse_global_id(value, type_name)[1]
    except GraphQLError:
        errors.append(
            problem(input_field, Code.INVALID_VALUE, f"Not the global id of a {type_name}.")
        )
        return None


def customer(info: Info, cust_no: str | int | None) -> Locate:
    """Locates a customer by number: known when the core system has the party."""

    async def locate() -> str | None:
        if cust_no is None:
            return None
        ctx = info.context
        party = await ctx.loaders.one(ctx.sources.core.parties, str(cust_no))
        return str(cust_no) if party is not None else None

    return locate


def check_key(key: str | None, errors: list[MutationError]) -> None:
    """The idempotency key is required and at most 64 characters."""
    if not key:
        required("idempotencyKey", errors)
    elif len(key) > MAX_KEY_LENGTH:
        errors.append(
            problem(
                "idempotencyKey",
                Code.TOO_LONG,
                f"An idempotency key has at most {MAX_KEY_LENGTH} characters.",
            )
        )


def stale(error: StaleVersion, input_field: str = "expectedVersion") -> Refused:
    """VERSION_CONFLICT with the version the record has now."""
    return Refused(
        problem(
            input_field,
            Code.VERSION_CONFLICT,
            "The record changed since you read it; reload it and try again.",
            current_version=error.current,
        )
    )


async def perform(
    info: Info,
    spec: WriteSpec,
    data: Any,
    errors: list[MutationError],
    locate: Locate,
    write: Write,
    check: Check | None = None,
) -> Outcome:
    """Run one CRM write for this request (see the module's docstring for the order).

    ``errors`` are the problems already found in the input; ``locate`` names the customer the
    write touches (None when the target does not exist); ``check`` refuses (raising
    :class:`Refused`) on rules that need data; ``write`` makes the change in the transaction
    and returns the row to answer with.
    """
    ctx = info.context
    role, purpose = ctx.principal.role, ctx.purpose
    if not may_write(spec.mutation, role, purpose):
        return Outcome(errors=[_forbidden(spec.mutation)])
    check_key(data.idempotency_key, errors)
    if errors:
        return Outcome(errors=errors)
    cust_no = await locate()
    if cust_no is None or not await ctx.scope.admits(cust_no):
        return Outcome(errors=[_not_found(spec.target_field)])
    if not may_write(spec.mutation, role, purpose, ctx.disclosure.ownership(cust_no)):
        return Outcome(errors=[_forbidden(spec.mutation)])
    if not ctx.audit.available:
        return Outcome(
            errors=[
                problem(
                    None,
                    Code.AUDIT_UNAVAILABLE,
                    "The audit trail cannot be written, so no write is made; try again later.",
                )
            ]
        )
    key = WriteKey(
        key_owner(ctx.principal.subject),
        data.idempotency_key,
        spec.mutation,
        fingerprint(spec.mutation, data),
    )
    writes = CrmWrites(ctx.sources.crm.engine)
    try:
        earlier = await writes.find_key(key.subject, key.key)
        if earlier is not None:
            return _replay(spec, key, earlier)
        if check is not None:
            await check(cust_no)

        async def transaction(tx: CrmTransaction) -> Any:
            await tx.claim(key, bank_now())
            written = await write(tx, cust_no)
            await tx.keep_result(key, encode_row(written))
            return written

        try:
            row = await writes.run(transaction)
        except KeyTaken:
            # A concurrent request with the same key committed first.
            earlier = await writes.find_key(key.subject, key.key)
            assert earlier is not None
            return _replay(spec, key, earlier)
    except Refused as refusal:
        return Outcome(errors=refusal.errors)
    except RowMissing:
        return Outcome(errors=[_not_found(spec.target_field)])
    except StaleVersion as conflict:
        return Outcome(errors=stale(conflict).errors)
    ctx.disclosure.audit_write(f"Mutation.{spec.mutation}", cust_no, info.path)
    return Outcome(row=row)


def _replay(spec: WriteSpec, key: WriteKey, earlier: Any) -> Outcome:
    if earlier.mutation != key.mutation or earlier.fingerprint != key.fingerprint:
        raise refused(
            "idempotencyKey",
            Code.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different request; use a new key.",
        )
    return Outcome(row=decode_row(spec.table, earlier.result), replayed=True)


def _not_found(input_field: str) -> MutationError:
    return problem(input_field, Code.NOT_FOUND, f"No such {input_field}.")


def _forbidden(mutation: str) -> MutationError:
    return problem(
        None, Code.FORBIDDEN, f"Your role may not call {mutation} for the declared purpose."
    )
