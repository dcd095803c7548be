"""Calendar helpers shared by the generators."""

from __future__ import annotations

import datetime as dt
from random import Random


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute)


def random_day(rng: Random, first: dt.date, last: dt.date) -> dt.date:
    """A day between ``first`` and ``last`` inclusive (``first`` when the range is empty)."""
    span = (last - first).days
    return first + dt.timedelta(days=rng.randint(0, span)) if span > 0 else first


def random_moment(rng: Random, first: dt.datetime, last: dt.datetime) -> dt.datetime:
    """A second in office hours (09:00–19:00) between ``first`` and ``last``, clamped to them."""
    day = random_day(rng, first.date(), last.date())
    moment = at(day, 9) + dt.timedelta(seconds=rng.randint(0, 10 * 3600 - 1))
    return min(max(moment, first), last)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
