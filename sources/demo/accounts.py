"""A customer's accounts: current accounts with debit cards, time deposits, loans, credit cards.

Deposit balances are sized so that, converted at today's FX rate, they add up to the part of
the customer's total assets not held in wealth products.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from random import Random
from typing import Any

from sources.demo import identity
from sources.demo.catalogue import Catalogue
from sources.demo.customer import Customer
from sources.demo.dates import random_day
from sources.demo.sequences import Sequences

Row = dict[str, Any]

PRODUCT_CODES = {"CURRENT": 1, "TIME_DEPOSIT": 2, "LOAN": 3, "CREDIT_CARD": 4}
TD_TERMS = (91, 182, 365, 730, 1095, 1825)
TD_TERM_WEIGHTS = (3, 3, 4, 2, 2, 1)
TD_RATES = {91: 1.05, 182: 1.25, 365: 1.35, 730: 1.45, 1095: 1.75, 1825: 1.80}
FX_PREMIUM = {"CNY": 0.0, "USD": 2.6, "HKD": 2.2, "EUR": 1.1}
CURRENT_RATES = {"CNY": "0.1000", "USD": "0.0500", "HKD": "0.0100", "EUR": "0.0100"}


def money(amount: float) -> Decimal:
    """An amount rounded to cents."""
    return Decimal(round(amount * 100)).scaleb(-2)


def open_accounts(
    rng: Random, c: Customer, cat: Catalogue, seq: Sequences, deposits_cny: float
) -> list[Row]:
    """The customer's accounts; CURRENT and TIME_DEPOSIT balances sum to ``deposits_cny``."""
    as_of = cat.as_of
    top = 6 - c.tier.rank  # 0 for MASS up to 6 for BLACK_GOLD
    deposits: list[tuple[str, str]] = [("CURRENT", "CNY")]
    if rng.random() < 0.22:
        deposits.append(("CURRENT", "CNY"))
    if rng.random() < 0.06 + top * 0.05:
        deposits.append(("CURRENT", rng.choice(("USD", "USD", "HKD", "EUR"))))
    if top == 0:
        time_deposits = rng.choices((0, 1, 2), (50, 40, 10))[0]
    else:
        time_deposits = rng.randint(1, 2 + top // 2)
    if c.traits.flags & {"td_due_in_30", "td_due_soon"}:
        time_deposits = max(time_deposits, 1)
    for _ in range(time_deposits):
        currency = "CNY" if rng.random() < 0.92 else rng.choice(("USD", "HKD"))
        deposits.append(("TIME_DEPOSIT", currency))

    weights = [
        rng.uniform(0.2, 1.0) if kind == "CURRENT" else rng.uniform(0.6, 2.0)
        for kind, _ in deposits
    ]
    total_weight = sum(weights)
    rows: list[Row] = []
    forced_td = True
    for index, ((kind, currency), weight) in enumerate(zip(deposits, weights, strict=True)):
        balance = deposits_cny * weight / total_weight / cat.fx.latest(currency)
        row = _account(seq, c, kind, currency, balance)
        if kind == "CURRENT":
            row["opened_on"] = c.opened_on if index == 0 else _later(rng, c, as_of)
            row["interest_rate"] = Decimal(CURRENT_RATES[currency])
            if currency == "CNY":
                _issue_card(rng, row, as_of, credit=False)
            if index == 1 and currency == "CNY" and rng.random() < 0.3:
                row["status"] = "DORMANT"
        else:
            _time_deposit(rng, c, row, as_of, forced_td)
            forced_td = False
        rows.append(row)

    if rng.random() < 0.12 + top * 0.03:
        rows.append(_loan(rng, c, seq, as_of))
    if rng.random() < 0.38 + top * 0.04:
        card = _account(seq, c, "CREDIT_CARD", "CNY", _card_debt(rng, c))
        card["opened_on"] = _later(rng, c, as_of)
        card["interest_rate"] = Decimal("18.2500")
        _issue_card(rng, card, as_of, credit=True)
        rows.append(card)
    if rng.random() < 0.05:
        rows.append(_closed_deposit(rng, c, seq, as_of))
    if c.dormant:
        for row in rows:
            if row["status"] == "ACTIVE":
                row["status"] = "DORMANT"
    return rows


def _account(seq: Sequences, c: Customer, kind: str, currency: str, balance: float) -> Row:
    acct_id = next(seq.account)
    return {
        "acct_id": acct_id,
        "cust_no": c.cust_no,
        "acct_no": identity.account_no(c.home.number, PRODUCT_CODES[kind], acct_id),
        "card_no": None,
        "card_expiry": None,
        "product_type": kind,
        "currency": currency,
        "balance": money(balance),
        "interest_rate": None,
        "opened_on": c.opened_on,
        "maturity_date": None,
        "branch_code": c.home.code,
        "status": "ACTIVE",
    }


def _later(rng: Random, c: Customer, as_of: dt.date) -> dt.date:
    return random_day(rng, c.opened_on, as_of - dt.timedelta(days=10))


def _issue_card(rng: Random, row: Row, as_of: dt.date, *, credit: bool) -> None:
    acct_id = row["acct_id"]
    row["card_no"] = (
        identity.credit_card_no(rng, acct_id) if credit else identity.debit_card_no(rng, acct_id)
    )
    expiry = as_of + dt.timedelta(days=rng.randint(40, 5 * 365))
    row["card_expiry"] = f"{expiry:%m/%y}"


def _time_deposit(rng: Random, c: Customer, row: Row, as_of: dt.date, first: bool) -> None:
    flags = c.traits.flags
    if first and flags & {"td_due_in_30", "td_due_soon"}:
        term = rng.choice((91, 182, 365))
        due_in = 30 if "td_due_in_30" in flags else rng.randint(1, 29)
        maturity = as_of + dt.timedelta(days=due_in)
        opened_on = maturity - dt.timedelta(days=term)
    else:
        term = rng.choices(TD_TERMS, TD_TERM_WEIGHTS)[0]
        earliest = max(c.opened_on, as_of - dt.timedelta(days=term - 1))
        opened_on = random_day(rng, earliest, as_of)
        maturity = opened_on + dt.timedelta(days=term)
    year_ago = as_of - dt.timedelta(days=365)
    if c.banks_at is not c.home and opened_on > year_ago:
        row["branch_code"] = c.banks_at.code
    row["opened_on"] = opened_on
    row["maturity_date"] = maturity
    rate = TD_RATES[term] + FX_PREMIUM[str(row["currency"])] + rng.choice((0.0, 0.0, 0.05, 0.1))
    row["interest_rate"] = Decimal(f"{rate:.4f}")


def _loan(rng: Random, c: Customer, seq: Sequences, as_of: dt.date) -> Row:
    mortgage = rng.random() < 0.7
    if mortgage:
        outstanding = math.exp(rng.uniform(math.log(200_000), math.log(3_000_000)))
        years, rate = rng.choice((10, 20, 25, 30)), rng.uniform(3.10, 4.35)
    else:
        outstanding = math.exp(rng.uniform(math.log(20_000), math.log(300_000)))
        years, rate = rng.choice((1, 2, 3, 5)), rng.uniform(3.45, 6.00)
    row = _account(seq, c, "LOAN", "CNY", outstanding)
    earliest = max(c.opened_on, as_of - dt.timedelta(days=years * 365 - 30))
    row["opened_on"] = random_day(rng, earliest, as_of - dt.timedelta(days=20))
    row["maturity_date"] = row["opened_on"] + dt.timedelta(days=years * 365)
    row["interest_rate"] = Decimal(f"{rate:.4f}")
    return row


def _card_debt(rng: Random, c: Customer) -> float:
    if rng.random() < 0.3:
        return 0.0
    scale = (max(c.total_assets, 20_000) / 100_000) ** 0.4
    return min(rng.lognormvariate(math.log(3_000 * scale), 1.0), 200_000.0)


def _closed_deposit(rng: Random, c: Customer, seq: Sequences, as_of: dt.date) -> Row:
    row = _account(seq, c, "TIME_DEPOSIT", "CNY", 0.0)
    term = rng.choice((91, 182, 365))
    row["opened_on"] = random_day(rng, c.opened_on, as_of - dt.timedelta(days=term + 1))
    row["maturity_date"] = row["opened_on"] + dt.timedelta(days=term)
    row["interest_rate"] = Decimal(f"{TD_RATES[term]:.4f}")
    row["status"] = "CLOSED"
    return row
