"""Wealth management types: products, their NAV history, and customers' holdings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from gateway.context import Info
from resolvers.enums import ProductStatus, ProductType, RiskLevel
from resolvers.ids import global_id
from resolvers.node import Node
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    DateRange,
    connection,
    moment_cursor_of,
    moment_window,
)
from resolvers.reference import ReferenceData
from resolvers.sensitive import band_field, computed_customer_data, customer_data
from resolvers.tiers import CENT, deposits_cny, holding_value, total_assets


@strawberry.type(description="A product's net asset value per unit on one day.")
class NavPoint:
    row: strawberry.Private[Any]
    day: date = strawberry.field(name="date", description="Valuation day.")
    nav: Decimal = strawberry.field(description="Net asset value per unit, product currency.")

    @classmethod
    def from_row(cls, row: Any) -> NavPoint:
        return cls(row=row, day=row.nav_date, nav=row.nav)


NavPointConnection = Connection[NavPoint]


@strawberry.type(description="An investment product sold through the wealth management system.")
class Product(Node):
    row: strawberry.Private[Any]
    code: str = strawberry.field(description="Product code.")
    name: str = strawberry.field(description="Product name.")
    type: ProductType = strawberry.field(description="Kind of product.")
    risk_level: RiskLevel = strawberry.field(description="Risk level R1 (lowest) to R5.")
    currency: str = strawberry.field(description="ISO 4217 currency of the NAV.")
    term_days: int | None = strawberry.field(description="Term in days, for fixed-term products.")
    launch_date: date = strawberry.field(description="Day the product was launched.")
    maturity_date: date | None = strawberry.field(description="Day the product matures, if any.")
    status: ProductStatus = strawberry.field(description="Whether it can still be bought.")

    @classmethod
    def from_row(cls, row: Any) -> Product:
        return cls(
            id=global_id("Product", row.product_code),
            row=row,
            code=row.product_code,
            name=row.product_name,
            type=ProductType(row.product_type),
            risk_level=RiskLevel(row.risk_level),
            currency=row.currency,
            term_days=row.term_days,
            launch_date=row.launch_date,
            maturity_date=row.maturity_date,
            status=ProductStatus(row.status),
        )

    @strawberry.field(description="The latest NAV on or before today.")
    async def latest_nav(self, info: Info) -> NavPoint | None:
        row = await latest_nav(info, self.code)
        return NavPoint.from_row(row) if row else None

    @strawberry.field(
        description="Daily NAV history, newest first, optionally within a range of days "
        "(both ends inclusive)."
    )
    async def nav_history(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> NavPointConnection:
        ctx = info.context
        window = moment_window(
            first, after, DateRange(from_, to), ctx.settings.max_page_size, dates=True
        )
        rows = await ctx.loaders.one(ctx.sources.wealth.nav_history, self.code, window)
        return connection(
            [NavPoint.from_row(r) for r in rows],
            first,
            moment_cursor_of("nav_date", "nav_date"),
            after_given=after is not None,
        )


async def latest_nav(info: Info, product_code: str) -> Any:
    """The latest NAV row of a product on or before today."""
    return (await info.context.reference_data()).latest_navs.get(product_code)


async def load_product(info: Info, code: str) -> Product | None:
    """The product with a code."""
    row = (await info.context.reference_data()).products.get(code)
    return Product.from_row(row) if row else None


async def holding_value_cny(info: Info, holding: Any) -> Decimal | None:
    """A holding's value at the latest NAV converted to CNY, None without a NAV."""
    reference = await info.context.reference_data()
    return value_cny(reference, holding.product_code, holding.units)


def value_cny(reference: ReferenceData, product_code: str, units: Decimal) -> Decimal | None:
    """Units of a product at its latest NAV, in CNY; None without a NAV or product."""
    product = reference.products.get(product_code)
    nav = reference.latest_navs.get(product_code)
    value = holding_value(units, nav.nav if nav else None)
    if value is None or product is None:
        return None
    return (value * reference.fx_rates[product.currency]).quantize(CENT)


def total_assets_cny(
    accounts: Iterable[Any], holdings: Iterable[Any], reference: ReferenceData
) -> Decimal:
    """Deposits plus holdings at the latest NAV, in CNY at the day's FX rates."""
    values = []
    for h in holdings:
        value = value_cny(reference, h.product_code, h.units)
        if value is not None:
            values.append(value)
    return total_assets(deposits_cny(accounts, reference.fx_rates), values)


async def _market_value(root: Holding, info: Info) -> Decimal | None:
    nav = await latest_nav(info, root.row.product_code)
    return holding_value(root.row.units, nav.nav if nav else None)


async def _market_value_cny(root: Holding, info: Info) -> Decimal | None:
    return await holding_value_cny(info, root.row)


@strawberry.type(description="A customer's position in a wealth product.")
class Holding(Node):
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    opened_on: date = strawberry.field(description="Day the position was first bought.")
    units: Decimal | None = customer_data("Holding.units", "row.units", description="Units held.")
    cost_amount: Decimal | None = customer_data(
        "Holding.costAmount", "row.cost_amount", description="Amount paid, product currency."
    )
    market_value: Decimal | None = computed_customer_data(
        "Holding.marketValue",
        _market_value,
        description="Units at the latest NAV, in the product's currency.",
    )
    market_value_cny: Decimal | None = computed_customer_data(
        "Holding.marketValueCny",
        _market_value_cny,
        description="Market value converted to CNY at the core system's FX rate of the day.",
    )
    market_value_band: str | None = band_field(
        "Holding.marketValueBand",
        _market_value_cny,
        lambda _root: "CNY",
        description="The market value in CNY as a band, e.g. 200K–500K CNY.",
    )

    @classmethod
    def from_row(cls, row: Any) -> Holding:
        return cls(
            id=global_id("Holding", row.holding_id),
            row=row,
            owner=row.cust_no,
            opened_on=row.opened_on,
        )

    @strawberry.field(description="The product held.")
    async def product(self, info: Info) -> Product | None:
        return await load_product(info, self.row.product_code)
