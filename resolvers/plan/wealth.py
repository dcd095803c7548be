"""Planned fields of the wealth-management types: holdings, products and their NAVs."""

from __future__ import annotations

from typing import Any

from resolvers.ids import global_id
from resolvers.plan.run import Run
from resolvers.plan.specs import Band, Gated, Plain, Related, Table, column, gated
from resolvers.tiers import holding_value
from resolvers.wealth import value_cny


def _reference(run: Run) -> Any:
    assert run.reference is not None
    return run.reference


def _market_value(holding: Any, run: Run) -> Any:
    nav = _reference(run).latest_navs.get(holding.product_code)
    return holding_value(holding.units, nav.nav if nav else None)


def _market_value_cny(holding: Any, run: Run) -> Any:
    return value_cny(_reference(run), holding.product_code, holding.units)


HOLDING: Table = {
    "id": Plain(lambda h, _run: global_id("Holding", h.holding_id)),
    "openedOn": column("opened_on"),
    "units": gated("Holding.units", "units"),
    "costAmount": gated("Holding.costAmount", "cost_amount"),
    "marketValue": Gated("Holding.marketValue", _market_value, reference=True),
    "marketValueCny": Gated("Holding.marketValueCny", _market_value_cny, reference=True),
    "marketValueBand": Band(
        "Holding.marketValueBand", _market_value_cny, lambda _h: "CNY", reference=True
    ),
    "product": Related(
        lambda h, run, _args: _reference(run).products.get(h.product_code), reference=True
    ),
}

PRODUCT: Table = {
    "id": Plain(lambda p, _run: global_id("Product", p.product_code)),
    "code": column("product_code"),
    "name": column("product_name"),
    "type": column("product_type"),
    "riskLevel": column("risk_level"),
    "currency": column("currency"),
    "termDays": column("term_days"),
    "launchDate": column("launch_date"),
    "maturityDate": column("maturity_date"),
    "status": column("status"),
    "latestNav": Related(
        lambda p, run, _args: _reference(run).latest_navs.get(p.product_code), reference=True
    ),
}

NAV_POINT: Table = {
    "date": column("nav_date"),
    "nav": column("nav"),
}
