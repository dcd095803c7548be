"""RM performance over a period: book, assets, contacts against the agenda, complaints."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from resolvers.practice.agenda import AgendaItem


@dataclass(frozen=True)
class PerformanceRow:
    rm_id: str
    book_size: int
    assets_from: Decimal
    assets_to: Decimal
    contacts_made: int
    agenda_items_due: int
    agenda_items_done: int
    complaints_opened: int
    complaints_resolved: int

    @property
    def assets_change(self) -> Decimal:
        return self.assets_to - self.assets_from


def _within(moment: Any, start: date, end: date) -> bool:
    return moment is not None and start <= moment.date() <= end


def performance(
    rm_ids: Sequence[str],
    assignments: Iterable[Any],
    assets_from: dict[str, Decimal],
    assets_to: dict[str, Decimal],
    contacts: Iterable[Any],
    items: Iterable[AgendaItem],
    complaints: Iterable[Any],
    start: date,
    end: date,
) -> list[PerformanceRow]:
    """One row per RM, over the period ``[start, end]`` (both days inclusive).

    The book is today's assignments; contacts made are the contacts the RM logged with their
    book's customers in the period; complaints are their book's opened or resolved in it.
    """
    book: dict[str, list[str]] = defaultdict(list)
    for a in assignments:
        book[a.rm_id].append(a.cust_no)
    rm_of = {c: rm for rm, custs in book.items() for c in custs}
    made = Counter(
        c.rm_id
        for c in contacts
        if c.rm_id == rm_of.get(c.cust_no) and _within(c.contacted_at, start, end)
    )
    due: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for i in items:
        due[rm_of[i.cust_no]] += 1
        done[rm_of[i.cust_no]] += i.done
    opened: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    for c in complaints:
        rm = rm_of.get(c.cust_no)
        if rm is None:
            continue
        opened[rm] += _within(c.opened_at, start, end)
        resolved[rm] += _within(c.resolved_at, start, end)
    zero = Decimal(0)
    return [
        PerformanceRow(
            rm_id=rm,
            book_size=len(book[rm]),
            assets_from=sum((assets_from.get(c, zero) for c in book[rm]), zero),
            assets_to=sum((assets_to.get(c, zero) for c in book[rm]), zero),
            contacts_made=made[rm],
            agenda_items_due=due[rm],
            agenda_items_done=done[rm],
            complaints_opened=opened[rm],
            complaints_resolved=resolved[rm],
        )
        for rm in rm_ids
    ]
