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

Filters = dict[Column[Any], Any]
"""Column -> the value it must equal; a None value leaves the column unfiltered."""


def key_page(
    key: Column[Any], filters: Filters, after: Any = None, limit: int | None = None
) -> tuple[Read, dict[str, Any]]:
    """The read of the keys in ascending order that match ``filters``, after ``after`` and at
    most ``limit`` of them (each when given), with its parameters."""
    chosen, params = _chosen(filters)
    if after is not None:
        params["after"] = after
    if limit is not None:
        params["limit"] = limit
    return _page(key, chosen, after is not None, limit is not None), params


def key_count(key: Column[Any], filters: Filters) -> tuple[Read, dict[str, Any]]:
    """The read of how many rows of the key's table match ``filters``, with its parameters."""
    chosen, params = _chosen(filters)
    return _count(key, chosen), params


def _chosen(filters: Filters) -> tuple[tuple[Column[Any], ...], dict[str, Any]]:
    chosen = tuple(column for column, value in filters.items() if value is not None)
    return chosen, {column.name: filters[column] for column in chosen}


@cache
def _page(key: Column[Any], filters: tuple[Column[Any], ...], after: bool, limited: bool) -> Read:
    def build(_keys_in: Any) -> Any:
        stmt = select(key).where(*(column == bindparam(column.name) for column in filters))
        if after:
            stmt = stmt.where(key > bindparam("after", type_=key.type))
        stmt = stmt.order_by(key)
        return stmt.limit(bindparam("limit")) if limited else stmt

    return Read(build)


@cache
def _count(key: Column[Any], filters: tuple[Column[Any], ...]) -> Read:
    def build(_keys_in: Any) -> Any:
        return (
            select(func.count())
            .select_from(key.table)
            .where(*(column == bindparam(column.name) for column in filters))
        )

    return Read(build)
