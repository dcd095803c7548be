"""The maintenance agenda: whom an RM should contact, when, why and how (brief §5).

Routine care (by PHONE or SMS): a time deposit or a held product maturing in the window; the
best-ranked (as Customer.suitableProducts ranks) of the products launched in the 30 days
before the day it is due that the customer's valid risk assessment allows and that they do
not hold (SMS, one per customer); a held product whose NAV moved by more than
the configured threshold over the configured number of days (PHONE).
Key care (by VISIT or EVENT): birthdays and wedding anniversaries (VISIT); configured holidays
for customers whose tier requires an RM grade, GOLD and up (EVENT); month, quarter and year
ends for the top tiers only, BLACK_GOLD, DIAMOND and PREMIER_PLATINUM (VISIT).
Both ends of the window are inclusive. An item is done when the CRM's contact log holds a
contact with the same customer and care type made on or after the window's first day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from resolvers.practice.calendar import Holiday, holidays_between, occurrences, period_ends
from resolvers.practice.suitability import preferences, suitable_products, valid_investor_type
from resolvers.tiers import Tier, required_grade, tier_of

NEW_PRODUCT_DAYS = 30
PERIOD_END_TIERS = frozenset({Tier.BLACK_GOLD, Tier.DIAMOND, Tier.PREMIER_PLATINUM})


class AgendaReason(Enum):
    TIME_DEPOSIT_MATURING = "TIME_DEPOSIT_MATURING"
    PRODUCT_MATURING = "PRODUCT_MATURING"
    NEW_SUITABLE_PRODUCT = "NEW_SUITABLE_PRODUCT"
    NAV_SWING = "NAV_SWING"
    BIRTHDAY = "BIRTHDAY"
    WEDDING_ANNIVERSARY = "WEDDING_ANNIVERSARY"
    HOLIDAY = "HOLIDAY"
    MONTH_END = "MONTH_END"
    QUARTER_END = "QUARTER_END"
    YEAR_END = "YEAR_END"


# Care type and suggested channel of each reason, declared once.
CARE: dict[AgendaReason, tuple[str, str]] = {
    AgendaReason.TIME_DEPOSIT_MATURING: ("ROUTINE", "PHONE"),
    AgendaReason.PRODUCT_MATURING: ("ROUTINE", "PHONE"),
    AgendaReason.NEW_SUITABLE_PRODUCT: ("ROUTINE", "SMS"),
    AgendaReason.NAV_SWING: ("ROUTINE", "PHONE"),
    AgendaReason.BIRTHDAY: ("KEY", "VISIT"),
    AgendaReason.WEDDING_ANNIVERSARY: ("KEY", "VISIT"),
    AgendaReason.HOLIDAY: ("KEY", "EVENT"),
    AgendaReason.MONTH_END: ("KEY", "VISIT"),
    AgendaReason.QUARTER_END: ("KEY", "VISIT"),
    AgendaReason.YEAR_END: ("KEY", "VISIT"),
}


@dataclass(frozen=True)
class AgendaRules:
    """The configurable part of the agenda."""

    nav_swing_threshold: Decimal
    nav_swing_days: int
    holidays: tuple[Holiday, ...]


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    today: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def swing_day(self) -> date:
        """The day NAV swings are measured at: the window's end, or today if earlier."""
        return min(self.end, self.today)


@dataclass(frozen=True)
class AgendaItem:
    cust_no: str
    reason: AgendaReason
    due_on: date
    account: Any | None = None
    product_code: str | None = None
    occasion: str | None = None
    done: bool = False

    @property
    def care_type(self) -> str:
        return CARE[self.reason][0]

    @property
    def channel(self) -> str:
        return CARE[self.reason][1]


@dataclass(frozen=True)
class CustomerFacts:
    """One customer's rows the rules read."""

    cust_no: str
    party: Any
    profile: Any | None
    accounts: list[Any]
    held_codes: frozenset[str]
    assessment: Any | None
    total_assets: Decimal


@dataclass(frozen=True)
class Market:
    """Facts shared by every customer: products and NAVs at the swing day and before it."""

    products: dict[str, Any]
    navs_at: dict[str, Decimal]
    navs_before: dict[str, Decimal]


def swung(market: Market, code: str, threshold: Decimal) -> bool:
    """Whether a product's NAV moved by more than the threshold (either way)."""
    now, before = market.navs_at.get(code), market.navs_before.get(code)
    if now is None or not before:
        return False
    return abs(now / before - 1) > threshold


def customer_items(
    c: CustomerFacts, market: Market, window: Window, rules: AgendaRules
) -> Iterator[AgendaItem]:
    """Every agenda item of one customer in the window, not yet marked done."""
    R = AgendaReason
    for a in c.accounts:
        if a.product_type == "TIME_DEPOSIT" and a.status != "CLOSED" and a.maturity_date in window:
            yield AgendaItem(c.cust_no, R.TIME_DEPOSIT_MATURING, a.maturity_date, account=a)
    for code in sorted(c.held_codes):
        product = market.products.get(code)
        if product is not None and product.maturity_date in window:
            yield AgendaItem(
                c.cust_no, R.PRODUCT_MATURING, product.maturity_date, product_code=code
            )
        if swung(market, code, rules.nav_swing_threshold):
            due = max(window.start, window.swing_day)
            yield AgendaItem(c.cust_no, R.NAV_SWING, due, product_code=code)
    investor_type = valid_investor_type(c.assessment, window.today)
    if isinstance(investor_type, int):
        new = [
            p
            for p in suitable_products(
                market.products.values(), investor_type, preferences(c.profile), c.held_codes
            )
            if p.product_code not in c.held_codes and _launch_due(p, window) is not None
        ]
        if new:  # the best-ranked one: one message per customer, not one per product
            best = new[0]
            yield AgendaItem(
                c.cust_no,
                R.NEW_SUITABLE_PRODUCT,
                _launch_due(best, window),  # type: ignore[arg-type]
                product_code=best.product_code,
            )
    birth = c.party.birth_date
    for when in occurrences(birth.month, birth.day, window.start, window.end):
        yield AgendaItem(c.cust_no, R.BIRTHDAY, when)
    wedding = c.profile.wedding_anniversary if c.profile is not None else None
    if wedding is not None:
        for when in occurrences(wedding.month, wedding.day, window.start, window.end):
            yield AgendaItem(c.cust_no, R.WEDDING_ANNIVERSARY, when)
    tier = tier_of(c.total_assets)
    if required_grade(tier) is not None:
        for when, name in holidays_between(rules.holidays, window.start, window.end):
            yield AgendaItem(c.cust_no, R.HOLIDAY, when, occasion=name)
    if tier in PERIOD_END_TIERS:
        for when, kind in period_ends(window.start, window.end):
            yield AgendaItem(c.cust_no, AgendaReason(kind.value), when)


def _launch_due(product: Any, window: Window) -> date | None:
    """When a launched product is news in the window: its launch day, or the window's first
    day if it launched within NEW_PRODUCT_DAYS before; None otherwise."""
    due = max(product.launch_date, window.start)
    if (
        product.launch_date <= window.today
        and due in window
        and (due - product.launch_date).days <= NEW_PRODUCT_DAYS
    ):
        return due
    return None


def mark_done(
    items: Iterable[AgendaItem], contacts: Iterable[Any], window: Window
) -> list[AgendaItem]:
    """Items with ``done`` set where a contact of the same customer and care type was made on
    or after the window's first day."""
    made = {(c.cust_no, c.care_type) for c in contacts if c.contacted_at.date() >= window.start}
    return [replace(i, done=(i.cust_no, i.care_type) in made) for i in items]


def agenda(
    customers: Iterable[CustomerFacts],
    market: Market,
    contacts: Iterable[Any],
    window: Window,
    rules: AgendaRules,
) -> list[AgendaItem]:
    """The agenda of a set of customers, by due day, customer and reason."""
    items = [i for c in customers for i in customer_items(c, market, window, rules)]
    order = list(AgendaReason)
    items.sort(key=lambda i: (i.due_on, i.cust_no, order.index(i.reason), i.product_code or ""))
    return mark_done(items, contacts, window)


def swing_base_day(window: Window, rules: AgendaRules) -> date:
    """The day a swing is measured from."""
    return window.swing_day - timedelta(days=rules.nav_swing_days)
