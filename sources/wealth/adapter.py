"""Wealth management (WMS) adapter: products, NAV history and holdings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import bindparam, case, func, select

from sources.base import Source
from sources.reads import Read, Record
from sources.wealth import tables as t
from sources.window import Pages, Window

HOLDINGS_BY_CUSTOMER = Read(
    lambda keys_in: (
        select(t.holding)
        .where(keys_in(t.holding.c.cust_no))
        .order_by(t.holding.c.cust_no, t.holding.c.holding_id)
    )
)
HOLDINGS = Read(lambda keys_in: select(t.holding).where(keys_in(t.holding.c.holding_id)))
PRODUCTS = Read(lambda _keys_in: select(t.product).order_by(t.product.c.product_code))
# nav_date is both the order and the identity of a NAV point; the window wants an id
# column, and the date serves (rank ties cannot occur).
NAV_PAGES = Pages(t.nav, "product_code", "nav_date", "nav_date")


def _latest_navs_on(_keys_in: Any) -> Any:
    newest = (
        select(t.nav.c.product_code, func.max(t.nav.c.nav_date).label("nav_date"))
        .where(t.nav.c.nav_date <= bindparam("on", type_=t.nav.c.nav_date.type))
        .group_by(t.nav.c.product_code)
        .subquery()
    )
    return select(t.nav).join(
        newest,
        (t.nav.c.product_code == newest.c.product_code) & (t.nav.c.nav_date == newest.c.nav_date),
    )


LATEST_NAVS_ON = Read(_latest_navs_on)


class WealthManagement(Source):
    """The system that sells investment products and keeps customers' positions."""

    name: ClassVar[str] = "wealth"
    metadata = t.metadata

    async def holdings_by_customer(self, cust_nos: Sequence[str]) -> list[list[Record]]:
        """Each customer's holdings, oldest first."""
        return await self.rows_per_key(HOLDINGS_BY_CUSTOMER, cust_nos, "cust_no")

    async def holdings(self, holding_ids: Sequence[int]) -> list[Record | None]:
        """Holdings by id."""
        return await self.row_per_key(HOLDINGS, holding_ids, "holding_id")

    async def nav_history(self, codes: Sequence[str], window: Window) -> list[list[Record]]:
        """A newest-first page of each product's daily NAV."""
        read, params = NAV_PAGES.read(window)
        return await self.rows_per_key(read, codes, "product_code", **params)

    async def units_held(self, cust_nos: Sequence[str] | None = None) -> list[Record]:
        """Units held per customer and product (all customers when none are given)."""
        h = t.holding
        stmt = select(h.c.cust_no, h.c.product_code, func.sum(h.c.units).label("units")).group_by(
            h.c.cust_no, h.c.product_code
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(h.c.cust_no.in_(keys)))

    async def all_products(self) -> list[Record]:
        """Every product, by code."""
        return await self.read(PRODUCTS)

    async def all_latest_navs(self, on: date) -> list[Record]:
        """Every product's latest NAV on or before a day."""
        return await self.read(LATEST_NAVS_ON, on=on)

    async def filled_units_since(
        self, cust_nos: Sequence[str] | None, since: datetime
    ) -> list[Record]:
        """Units bought minus units redeemed by filled orders since a moment, per customer and
        product (orders without units are left out)."""
        o = t.order
        signed = case((o.c.side == "BUY", o.c.units), else_=-o.c.units)
        stmt = (
            select(o.c.cust_no, o.c.product_code, func.sum(signed).label("units"))
            .where(o.c.placed_at >= since, o.c.status == "FILLED", o.c.units.is_not(None))
            .group_by(o.c.cust_no, o.c.product_code)
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(o.c.cust_no.in_(keys)))
