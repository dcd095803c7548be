"""Where a customer actually banks: the suggested home branch (brief §5, ownership)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class BranchActivity:
    """How often a customer banked at one branch over the look-back period."""

    branch_code: str
    transactions: int
    latest: datetime


def lookback_start(today: date) -> datetime:
    """Start of the last 12 months: the same day a year ago (28 Feb for 29 Feb), at midnight."""
    try:
        start = today.replace(year=today.year - 1)
    except ValueError:
        start = today.replace(year=today.year - 1, day=28)
    return datetime.combine(start, datetime.min.time())


def ranked(rows: Iterable[Any]) -> list[BranchActivity]:
    """Branch activity, the suggested home branch first.

    Most transactions wins; a tie goes to the branch of the most recent transaction; a tie on
    both (same moment) to the lower branch code, so the answer never depends on row order.
    """
    activity = [BranchActivity(r.branch_code, int(r.transactions), r.latest) for r in rows]
    activity.sort(key=lambda a: a.branch_code)
    activity.sort(key=lambda a: (a.transactions, a.latest), reverse=True)
    return activity


def suggested(rows: Iterable[Any]) -> BranchActivity | None:
    """The branch a customer should belong to, None without any transaction in the period."""
    activity = ranked(rows)
    return activity[0] if activity else None
