"""Wealth positions and the orders that built them.

For every holding, FILLED BUY units minus FILLED REDEEM units equal the units held; PENDING
and CANCELLED orders carry no units. Some positions were bought and fully redeemed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from random import Random

from sources.demo.accounts import Row, money
from sources.demo.catalogue import Catalogue
from sources.demo.customer import Customer
from sources.demo.dates import random_day
from sources.demo.products import Product
from sources.demo.sequences import Sequences

ORDER_CHANNELS = ("MOBILE", "MOBILE", "MOBILE", "ONLINE", "COUNTER", "COUNTER")


def units_of(amount: float) -> Decimal:
    """Units rounded to four decimals."""
    return Decimal(round(amount * 10_000)).scaleb(-4)


def buy_holdings(
    rng: Random, c: Customer, cat: Catalogue, seq: Sequences, wealth_cny: float, max_risk: int
) -> tuple[list[Row], list[Row]]:
    """Holdings worth ``wealth_cny`` today (at the latest NAV and FX rate), and their orders."""
    as_of = cat.as_of
    suitable = [p for p in cat.shelf if p.risk_level <= max_risk]
    eligible = suitable
    if rng.random() > 0.15:
        eligible = [p for p in suitable if p.currency == "CNY"]
    picks: list[Product] = []
    if "holds_swing" in c.traits:
        picks.append(rng.choice([p for p in suitable if p.swung]))
    if "holds_maturing" in c.traits:
        picks.append(rng.choice([p for p in suitable if _matures_soon(p, as_of)]))
    wanted = rng.randint(1, 3 + (6 - c.tier.rank) // 2)
    while len(picks) < wanted and len(picks) < len(eligible):
        product = rng.choice(eligible)
        if product not in picks:
            picks.append(product)
    shares = [rng.uniform(0.5, 2.0) for _ in picks]
    holdings: list[Row] = []
    orders: list[Row] = []
    for product, share in zip(picks, shares, strict=True):
        value = wealth_cny * share / sum(shares)
        units = units_of(value / cat.fx.latest(product.currency) / float(product.nav_on(as_of)))
        if units <= 0:
            continue
        opened_on, position_orders = _orders(rng, c, product, units, as_of)
        bought = [o for o in position_orders if o["side"] == "BUY" and o["status"] == "FILLED"]
        bought_units = sum(o["units"] for o in bought)
        cost = sum(o["amount"] for o in bought) * units / bought_units
        holdings.append(
            {
                "holding_id": next(seq.holding),
                "cust_no": c.cust_no,
                "product_code": product.code,
                "units": units,
                "cost_amount": cost.quantize(Decimal("0.01")),
                "opened_on": opened_on,
                "updated_at": max(o["placed_at"] for o in position_orders if o["units"]),
            }
        )
        orders.extend(position_orders)
    if rng.random() < 0.1:
        orders.extend(_round_trip(rng, c, eligible, as_of))
    orders.sort(key=lambda o: o["placed_at"])
    for order in orders:
        order["order_id"] = next(seq.order)
    return holdings, orders


def _matures_soon(product: Product, as_of: dt.date) -> bool:
    return product.maturity_date is not None and 0 < (product.maturity_date - as_of).days <= 30


def _orders(
    rng: Random, c: Customer, product: Product, units: Decimal, as_of: dt.date
) -> tuple[dt.date, list[Row]]:
    """The orders behind a position of ``units``, and the day it was opened."""
    earliest = max(product.launch_date, c.opened_on, as_of - dt.timedelta(days=3 * 365))
    open_ended = product.maturity_date is None
    tradable = open_ended and product.product_type in ("MUTUAL_FUND", "WEALTH")
    window_end = (
        as_of - dt.timedelta(days=1) if open_ended else product.launch_date + dt.timedelta(days=30)
    )
    opened_on = random_day(rng, earliest, min(window_end, as_of))
    orders: list[Row] = []
    redeemed = Decimal(0)
    if tradable and opened_on < as_of - dt.timedelta(days=2) and rng.random() < 0.25:
        redeemed = units_of(float(units) * rng.uniform(0.1, 0.6))
    bought = units + redeemed
    days = [opened_on]
    if tradable and rng.random() < 0.2 and opened_on < as_of - dt.timedelta(days=3):
        days.append(random_day(rng, opened_on + dt.timedelta(days=1), as_of - dt.timedelta(days=2)))
        first = units_of(float(bought) * rng.uniform(0.3, 0.7))
        lots = [first, bought - first]
    else:
        lots = [bought]
    for day, lot in zip(days, lots, strict=True):
        orders.append(_order(rng, c, product, "BUY", lot, day))
    if redeemed:
        day = random_day(rng, days[-1] + dt.timedelta(days=1), as_of)
        orders.append(_order(rng, c, product, "REDEEM", redeemed, day))
    roll = rng.random()
    if roll < 0.05:
        cancelled_day = random_day(rng, opened_on, as_of)
        orders.append(_order(rng, c, product, "BUY", None, cancelled_day, status="CANCELLED"))
    elif roll < 0.09 and product.status == "ON_SALE":
        pending_day = as_of - dt.timedelta(days=rng.randint(0, 1))
        orders.append(_order(rng, c, product, "BUY", None, pending_day, status="PENDING"))
    return opened_on, orders


def _order(
    rng: Random,
    c: Customer,
    product: Product,
    side: str,
    units: Decimal | None,
    day: dt.date,
    *,
    status: str = "FILLED",
) -> Row:
    nav = product.nav_on(day)
    amount = money(float(units * nav)) if units is not None else money(rng.uniform(1, 50) * 1000)
    placed_at = dt.datetime(day.year, day.month, day.day, rng.randint(9, 14), rng.randint(0, 59))
    return {
        "order_id": 0,
        "cust_no": c.cust_no,
        "product_code": product.code,
        "side": side,
        "amount": max(amount, Decimal("0.01")),
        "units": units,
        "status": status,
        "channel": rng.choice(ORDER_CHANNELS),
        "placed_at": placed_at,
    }


def _round_trip(rng: Random, c: Customer, eligible: list[Product], as_of: dt.date) -> list[Row]:
    """A fund bought and fully redeemed: orders but no holding."""
    funds = [p for p in eligible if p.product_type == "MUTUAL_FUND" and p.launch_date < as_of]
    if not funds:
        return []
    product = rng.choice(funds)
    units = units_of(rng.uniform(1_000, 50_000))
    earliest = max(product.launch_date, c.opened_on, as_of - dt.timedelta(days=700))
    bought_on = random_day(rng, earliest, as_of - dt.timedelta(days=1))
    sold_on = random_day(rng, bought_on + dt.timedelta(days=1), as_of)
    return [
        _order(rng, c, product, "BUY", units, bought_on),
        _order(rng, c, product, "REDEEM", units, sold_on),
    ]
