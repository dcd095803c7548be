"""Declared reads of one key column: an ascending page of keys, and how many there are.

Finding a page of customers (all of them, or those of a branch or an RM) is the first
statement of every page request. Built per call through SQLAlchemy's engine it cost about
as much CPU as the database spent answering it (statement building, cache keys, a pooled
connection's checkout and reset); declared once per shape of the request (which filters,
a cursor or not, a limit or not) it runs on the source's lane like every other read.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Column, bindparam, func, select

from sources.reads import Read


@cache
def key_page(
    key: Column[Any], filters: tuple[Column[Any], ...], after: bool, limited: bool
) -> Read:
    """Keys in ascending order where each filter column equals the parameter of its name,
    after the ``after`` parameter when ``after``, at most ``limit`` when ``limited``."""

    def build(_keys_in: Any) -> Any:
        stmt = select(key).where(*(column == bindparam(column.name) for column in filters))
        if after:
            stmt = stmt.where(key > bindparam("after", type_=key.type))
        stmt = stmt.order_by(key)
        return stmt.limit(bindparam("limit")) if limited else stmt

    return Read(build)


@cache
def key_count(key: Column[Any], filters: tuple[Column[Any], ...]) -> Read:
    """How many rows have each filter column equal to the parameter of its name."""

    def build(_keys_in: Any) -> Any:
        return (
            select(func.count())
            .select_from(key.table)
            .where(*(column == bindparam(column.name) for column in filters))
        )

    return Read(build)


def key_params(
    filters: dict[Column[Any], Any], after: Any = None, limit: int | None = None
) -> tuple[tuple[Column[Any], ...], dict[str, Any]]:
    """The filter columns that are set, and the parameters of a read over them."""
    chosen = tuple(column for column, value in filters.items() if value is not None)
    params: dict[str, Any] = {column.name: filters[column] for column in chosen}
    if after is not None:
        params["after"] = after
    if limit is not None:
        params["limit"] = limit
    return chosen, params
