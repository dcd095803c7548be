"""Newest-first keyset pages over many parents in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.schema import Table

from sources.reads import KEYS, KeysIn, Read, array_any

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


@dataclass(frozen=True)
class Pages:
    """The page query of one list: ``table`` rows per ``parent``, newest ``moment`` first,
    ties broken by ``row_id`` (column names)."""

    table: Table
    parent: str
    moment: str
    row_id: str

    def read(self, window: Window) -> tuple[Read, dict[str, Any]]:
        """The declared read for this window's shape, and its parameters (besides keys)."""
        return _windowed(self, *_shape(window)), _params(window)

    def conditions(self, since: bool, until: bool, before: bool) -> list[ColumnElement[bool]]:
        """The window's conditions on this list's rows, as bind parameters."""
        moment, row_id = self.table.c[self.moment], self.table.c[self.row_id]
        found: list[ColumnElement[bool]] = []
        if since:
            found.append(moment >= bindparam("since", type_=moment.type))
        if until:
            found.append(moment < bindparam("until", type_=moment.type))
        if before:
            seen_moment = bindparam("before_moment", type_=moment.type)
            seen_id = bindparam("before_id", type_=row_id.type)
            found.append(or_(moment < seen_moment, and_(moment == seen_moment, row_id < seen_id)))
        return found


@dataclass(frozen=True)
class OwnedPages:
    """A page of ``pages`` for each row of ``owner`` that has one of the keys in
    ``owner_key``, read with the owner rows in one statement: each row is one of the page's
    rows (its own column names; nulls when the owner has none) followed by the owner's
    columns (labelled ``o_…``), by key, then ``owner_order``, then rank, so a row reads as a
    row of the page as it is. The owner's ``pages.parent`` column is its primary key. Past
    an owner's first row only its key and primary key are filled in (the rest is null), so
    the owner's values are not sent and decoded once per page row."""

    owner: Table
    owner_key: str
    owner_order: tuple[str, ...]
    pages: Pages

    def read(self, window: Window) -> tuple[Read, dict[str, Any]]:
        return _owned(self, *_shape(window)), _params(window)


@dataclass(frozen=True)
class KeyedOwnedPages:
    """:class:`OwnedPages`, with the row of ``keyed`` that each key names (its primary key
    is the owner's key column) in the same statement: its columns, labelled ``k_…``, follow
    the owner's. They are filled in on the key's first row only (null after it, but for
    the key itself); a key whose ``keyed`` row has no owner rows still has that one row,
    and a key with no ``keyed`` row has none."""

    keyed: Table
    owned: OwnedPages

    def read(self, window: Window) -> tuple[Read, dict[str, Any]]:
        return _keyed(self, *_shape(window)), _params(window)


def _shape(window: Window) -> tuple[bool, bool, bool]:
    return (window.since is not None, window.until is not None, window.before is not None)


def _params(window: Window) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": window.limit}
    if window.since is not None:
        params["since"] = window.since
    if window.until is not None:
        params["until"] = window.until
    if window.before is not None:
        params["before_moment"], params["before_id"] = window.before
    return params


@cache
def _owned(owned: OwnedPages, since: bool, until: bool, before: bool) -> Read:
    pages, owner = owned.pages, owned.owner
    table = pages.table
    parent, moment, row_id = (table.c[pages.parent], table.c[pages.moment], table.c[pages.row_id])
    owner_id, owner_key = owner.c[pages.parent], owner.c[owned.owner_key]
    newest_first = (moment.desc(), row_id.desc())
    order = [owner_key, *(owner.c[name] for name in owned.owner_order)]

    def owner_columns(rank: Any) -> list[Any]:
        first = or_(rank.is_(None), rank == literal_column("1"))
        return [
            (c if c is owner_id or c is owner_key else case((first, c))).label(f"o_{c.name}")
            for c in owner.c
        ]

    def build(keys_in: KeysIn) -> Select[Any]:
        rank = func.row_number().over(partition_by=parent, order_by=newest_first)
        owned_ids = select(owner_id).where(keys_in(owner_key))
        ranked: Subquery = (
            select(table, rank.label("page_rank"))
            .where(parent.in_(owned_ids.scalar_subquery()), *pages.conditions(since, until, before))
            .subquery()
        )
        joined = owner.outerjoin(
            ranked,
            and_(ranked.c[pages.parent] == owner_id, ranked.c.page_rank <= bindparam("limit")),
        )
        return (
            select(*ranked.c, *owner_columns(ranked.c.page_rank))
            .select_from(joined)
            .where(keys_in(owner_key))
            .order_by(*order, ranked.c.page_rank)
        )

    def lateral() -> Select[Any]:
        rank = func.row_number().over(order_by=newest_first)
        page = (
            select(table, rank.label("page_rank"))
            .where(parent == owner_id, *pages.conditions(since, until, before))
            .order_by(*newest_first)
            .limit(bindparam("limit"))
            .lateral("page")
        )
        return (
            select(*page.c, *owner_columns(page.c.page_rank))
            .select_from(owner.outerjoin(page, true()))
            .where(owner_key == any_(bindparam(KEYS, type_=ARRAY(owner_key.type))))
            .order_by(*order, page.c.page_rank)
        )

    return Read(build, postgresql=lateral)


@cache
def _keyed(keyed_pages: KeyedOwnedPages, since: bool, until: bool, before: bool) -> Read:
    owned, keyed = keyed_pages.owned, keyed_pages.keyed
    inner = _owned(owned, since, until, before)
    key = keyed.c[owned.owner_key]

    def around(owned_rows: Select[Any], keys_in: KeysIn) -> Select[Any]:
        rows = owned_rows.order_by(None).subquery()
        order = [*(rows.c[f"o_{name}"] for name in owned.owner_order), rows.c.page_rank]
        first = func.row_number().over(partition_by=key, order_by=order) == literal_column("1")
        columns = [(c if c is key else case((first, c))).label(f"k_{c.name}") for c in keyed.c]
        return (
            select(*rows.c, *columns)
            .select_from(keyed.outerjoin(rows, rows.c[f"o_{owned.owner_key}"] == key))
            .where(keys_in(key))
            .order_by(key, *order)
        )

    def postgresql() -> Select[Any]:
        assert inner.postgresql is not None
        return around(inner.postgresql(), array_any)

    return Read(lambda keys_in: around(inner.build(keys_in), keys_in), postgresql=postgresql)


@cache
def _windowed(pages: Pages, since: bool, until: bool, before: bool) -> Read:
    """Up to ``limit`` newest rows per parent, for all parents in one statement."""
    table = pages.table
    parent, moment, row_id = (table.c[pages.parent], table.c[pages.moment], table.c[pages.row_id])
    newest_first = (moment.desc(), row_id.desc())
    conditions = pages.conditions(since, until, before)

    def build(keys_in: KeysIn) -> Select[Any]:
        rank = func.row_number().over(partition_by=parent, order_by=newest_first)
        ranked: Subquery = (
            select(table, rank.label("page_rank")).where(keys_in(parent), *conditions).subquery()
        )
        return (
            select(ranked)
            .where(ranked.c.page_rank <= bindparam("limit"))
            .order_by(ranked.c[parent.name], ranked.c.page_rank)
        )

    def lateral() -> Select[Any]:
        # Per parent, the index read backwards for its first rows only, where the window
        # above ranks every row of every parent before keeping a page of each.
        keys = (
            func.unnest(bindparam(KEYS, type_=ARRAY(parent.type)))
            .table_valued("parent")
            .render_derived(name="k")
        )
        rank = func.row_number().over(order_by=newest_first)
        page = (
            select(table, rank.label("page_rank"))
            .where(parent == keys.c.parent, *conditions)
            .order_by(*newest_first)
            .limit(bindparam("limit"))
            .lateral("page")
        )
        return (
            select(page)
            .select_from(keys)
            .join(page, true())
            .order_by(page.c[parent.name], page.c.page_rank)
        )

    return Read(build, postgresql=lateral)
