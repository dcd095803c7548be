"""Typed errors a mutation returns in its payload: which input field, what is wrong, and why.

A refused mutation writes nothing. Its payload carries every problem found with the input at
once (so a form can mark each field), or the one reason it could not go ahead.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Why a mutation was refused; nothing was written.")
class MutationErrorCode(Enum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_VALUE = "INVALID_VALUE"
    NOT_FOUND = "NOT_FOUND"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    GRADE_TOO_LOW = "GRADE_TOO_LOW"
    NOT_IN_BRANCH = "NOT_IN_BRANCH"
    FORBIDDEN = "FORBIDDEN"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"


@strawberry.type(description="One reason a mutation was refused.")
class MutationError:
    field: str | None = strawberry.field(
        description="The input field at fault (its camelCase name), or null when the refusal "
        "is not about one field."
    )
    code: MutationErrorCode = strawberry.field(description="What kind of problem it is.")
    message: str = strawberry.field(description="A sentence for a person; never holds data.")
    current_version: int | None = strawberry.field(
        default=None,
        description="With VERSION_CONFLICT: the record's version now, to reload and retry with.",
    )


class Refused(Exception):
    """Raised inside a write to abandon it (rolling back) with typed errors."""

    def __init__(self, *errors: MutationError) -> None:
        super().__init__(", ".join(e.code.value for e in errors))
        self.errors = list(errors)


def problem(
    field: str | None, code: MutationErrorCode, message: str, **extra: int
) -> MutationError:
    """One typed error."""
    return MutationError(field=field, code=code, message=message, **extra)


def refused(field: str | None, code: MutationErrorCode, message: str) -> Refused:
    """An exception carrying one typed error."""
    return Refused(problem(field, code, message))


def required(field: str, errors: list[MutationError]) -> None:
    """Note REQUIRED for a field that was left empty."""
    errors.append(problem(field, MutationErrorCode.REQUIRED, f"{field} is required."))


def check_text(
    field: str,
    value: str | None,
    limit: int,
    errors: list[MutationError],
    *,
    needed: bool = False,
) -> str | None:
    """The text trimmed (None when blank), noting REQUIRED or TOO_LONG."""
    text = value.strip() if value is not None else None
    if not text:
        if needed:
            required(field, errors)
        return None
    if len(text) > limit:
        errors.append(
            problem(
                field,
                MutationErrorCode.TOO_LONG,
                f"{field} is {len(text)} characters long; at most {limit} are allowed.",
            )
        )
    return text
