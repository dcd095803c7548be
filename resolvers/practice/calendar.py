"""Days that call for key care: anniversaries, configured holidays and period ends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum


class PeriodEnd(Enum):
    MONTH_END = "MONTH_END"
    QUARTER_END = "QUARTER_END"
    YEAR_END = "YEAR_END"


@dataclass(frozen=True)
class Holiday:
    """A configured holiday: every year on ``--MM-DD``, or once on a full date."""

    name: str
    month: int
    day: int
    year: int | None = None

    @classmethod
    def parse(cls, text: str) -> Holiday:
        """``MM-DD:名称`` (every year) or ``YYYY-MM-DD:名称`` (one year, for lunar holidays)."""
        when, _, name = text.partition(":")
        parts = [int(p) for p in when.strip().split("-")]
        if len(parts) == 2:
            return cls(name.strip(), parts[0], parts[1])
        return cls(name.strip(), parts[1], parts[2], parts[0])


def occurrences(month: int, day: int, start: date, end: date) -> Iterator[date]:
    """Each yearly recurrence of a month and day within ``[start, end]``; 29 February falls
    on 28 February in common years."""
    for year in range(start.year, end.year + 1):
        try:
            when = date(year, month, day)
        except ValueError:
            when = date(year, month, day - 1)
        if start <= when <= end:
            yield when


def holidays_between(
    holidays: tuple[Holiday, ...], start: date, end: date
) -> list[tuple[date, str]]:
    """Configured holidays falling within ``[start, end]``, by date."""
    found = []
    for h in holidays:
        for when in occurrences(h.month, h.day, start, end):
            if h.year is None or h.year == when.year:
                found.append((when, h.name))
    return sorted(found)


def period_ends(start: date, end: date) -> list[tuple[date, PeriodEnd]]:
    """Last days of months within ``[start, end]``, each named by its largest period (31
    December is a YEAR_END only, 31 March a QUARTER_END only)."""
    found = []
    month = date(start.year, start.month, 1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        if start <= last <= end:
            kind = (
                PeriodEnd.YEAR_END
                if last.month == 12
                else PeriodEnd.QUARTER_END
                if last.month % 3 == 0
                else PeriodEnd.MONTH_END
            )
            found.append((last, kind))
        month = following
    return found
