"""Newest-first keyset pages over many parents in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.schema import Column, Table

Moment = date | datetime


@dataclass(frozen=True)
class Window:
    """One page of a time-ordered list, newest first.

    ``before`` is the keyset cursor (time, id) of the last row already seen; ``since`` is
    inclusive and ``until`` exclusive. ``limit`` counts the rows to fetch, one more than the
    page so the caller can tell whether another page follows.
    """

    limit: int
    before: tuple[Moment, int] | None = None
    since: Moment | None = None
    until: Moment | None = None


def windowed(
    table: Table,
    parent: Column[Any],
    moment: Column[Any],
    row_id: Column[Any],
    parents: Sequence[Any],
    window: Window,
) -> Select[Any]:
    """Up to ``window.limit`` newest rows per parent, for all parents in one statement."""
    conditions: list[ColumnElement[bool]] = [parent.in_(parents)]
    if window.since is not None:
        conditions.append(moment >= window.since)
    if window.until is not None:
        conditions.append(moment < window.until)
    if window.before is not None:
        seen_moment, seen_id = window.before
        conditions.append(or_(moment < seen_moment, and_(moment == seen_moment, row_id < seen_id)))
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=(moment.desc(), row_id.desc()))
        .label("page_rank")
    )
    ranked: Subquery = select(table, rank).where(*conditions).subquery()
    return (
        select(ranked)
        .where(ranked.c.page_rank <= window.limit)
        .order_by(ranked.c[parent.name], ranked.c.page_rank)
    )
