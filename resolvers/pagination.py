"""Relay connections and the page arguments every growing list takes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

import strawberry

from gateway.errors import bad_user_input
from resolvers.ids import moment_cursor, parse_moment_cursor
from sources.window import Window

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether items precede this page (true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )


@strawberry.type(description="An item of a page with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, newest or lowest key first, with its cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with cursors.")
    nodes: list[T] = strawberry.field(description="The items of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")


def check_first(first: int, maximum: int) -> None:
    """Refuse a page size outside 0..maximum."""
    if first < 0 or first > maximum:
        raise bad_user_input(
            f"`first` must be between 0 and {maximum}.", argument="first", maximum=maximum
        )


def connection(
    items: Sequence[T],
    first: int,
    cursor_of: Callable[[T], str],
    *,
    after_given: bool,
    cls: Callable[..., Any] = Connection,
    **extra: Any,
) -> Any:
    """A page from up to ``first + 1`` items (the extra one only says a next page exists)."""
    page = list(items[:first])
    edges = [Edge(cursor=cursor_of(item), node=item) for item in page]
    return cls(
        **extra,
        edges=edges,
        nodes=page,
        page_info=PageInfo(
            has_next_page=len(items) > first,
            has_previous_page=after_given,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days a list is restricted to."""

    start: date | None
    end: date | None

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise bad_user_input("`from` must not be after `to`.", argument="from")


def moment_window(
    first: int, after: str | None, days: DateRange, maximum: int, *, dates: bool = False
) -> Window:
    """The source window for a newest-first page; ``dates`` for lists keyed by a day."""
    check_first(first, maximum)
    before = parse_moment_cursor(after, dates=dates) if after else None
    since: date | datetime | None = days.start
    until: date | datetime | None = days.end + timedelta(days=1) if days.end else None
    if not dates:
        since = datetime.combine(days.start, time.min) if days.start else None
        until = datetime.combine(days.end + timedelta(days=1), time.min) if days.end else None
    return Window(limit=first + 1, before=before, since=since, until=until)  # type: ignore[arg-type]


def moment_cursor_of(moment_attr: str, id_attr: str) -> Callable[[Any], str]:
    """A cursor function reading the (time, id) columns of an item's source row."""
    return lambda item: moment_cursor(getattr(item.row, moment_attr), getattr(item.row, id_attr))
