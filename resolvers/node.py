"""The Node interface and time values in the bank's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import strawberry

# The three systems record local wall-clock time in China Standard Time.
BANK_TIME = timezone(timedelta(hours=8), "CST")


@strawberry.interface(description="An object with a global id, fetchable through `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id: opaque, stable, unique.")


BANK_OFFSET = "+08:00"  # how isoformat() writes BANK_TIME's offset


def local_text(moment: datetime) -> str:
    """``local(moment).isoformat()``, without making the aware datetime first."""
    if moment.tzinfo is not None:
        return moment.isoformat()
    return moment.isoformat() + BANK_OFFSET


def local(moment: datetime | None) -> datetime | None:
    """A stored wall-clock time with the bank's UTC offset attached."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=BANK_TIME)
