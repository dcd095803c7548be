"""A year of money movements per customer, over every channel and branch.

Most customers book nearly everything at their assigned branch; "away" customers book most
at another one, and a few are exact ties between two branches, decided by the latest booking.
Within a customer, txn_id increases with booked_at.
"""

from __future__ import annotations

import datetime as dt
import math
from random import Random

from sources.demo.accounts import Row, money
from sources.demo.catalogue import Catalogue
from sources.demo.customer import Customer
from sources.demo.identity import chinese_name
from sources.demo.sequences import Sequences
from sources.demo.vocabulary import MERCHANTS, UTILITIES

HISTORY_DAYS = 364
# channel, direction, counterparty, amount kind, weight under 60, weight from 60
KINDS = (
    ("MOBILE", "D", "person", "transfer", 14, 5),
    ("MOBILE", "C", "person", "transfer", 9, 4),
    ("MOBILE", "D", "merchant", "spend", 14, 4),
    ("POS", "D", "merchant", "spend", 20, 14),
    ("ONLINE", "D", "merchant", "spend", 10, 3),
    ("ONLINE", "C", "company", "transfer", 3, 2),
    ("ATM", "D", None, "cash", 8, 12),
    ("ATM", "C", None, "cash", 2, 4),
    ("COUNTER", "C", None, "cash", 3, 14),
    ("COUNTER", "D", "person", "transfer", 2, 10),
    ("HOTLINE", "D", "utility", "bill", 3, 8),
    ("HOTLINE", "C", "company", "transfer", 1, 2),
)
_YOUNG = [k[4] for k in KINDS]
_OLD = [k[5] for k in KINDS]
_CARD_CHANNELS, _CARD_WEIGHTS = ("POS", "ONLINE", "MOBILE"), (50, 30, 20)
MONTHLY_INCOME = {0: 400_000, 1: 180_000, 2: 110_000, 3: 70_000, 4: 45_000, 5: 28_000, 6: 12_000}

Event = tuple[dt.datetime, int, str, float, str, str, str | None]
"""booked_at, acct_id, currency, amount, direction, channel, counterparty."""


def book_transactions(
    rng: Random,
    c: Customer,
    accounts: list[Row],
    employer: str | None,
    cat: Catalogue,
    seq: Sequences,
) -> list[Row]:
    """The customer's transactions over the year up to as_of, oldest first."""
    if c.dormant:
        return []
    as_of = cat.as_of
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    scale = (max(c.total_assets, 20_000) / 100_000) ** 0.4
    weights = _OLD if c.age_on(as_of) >= 60 else _YOUNG
    payees = [chinese_name(rng, rng.choice("MF")) for _ in range(rng.randint(2, 6))]
    activity = rng.uniform(0.4, 1.6)
    events: list[Event] = []

    def everyday(count: int, acct_id: int, currency: str, first: dt.date, span: int) -> None:
        for _ in range(count):
            channel, direction, party, amount_kind, *_ = rng.choices(KINDS, weights)[0]
            amount = _amount(rng, amount_kind, scale, c.tier.rank)
            booked = _when(rng, first, span)
            counterparty = _counterparty(rng, party, payees, cat)
            events.append((booked, acct_id, currency, amount, direction, channel, counterparty))

    primary = True
    for acct in accounts:
        if acct["status"] != "ACTIVE":
            continue
        acct_id, currency, kind = acct["acct_id"], acct["currency"], acct["product_type"]
        first: dt.date = max(acct["opened_on"], start)
        span = (as_of - first).days

        if kind == "CURRENT" and primary and currency == "CNY":
            primary = False
            if employer and rng.random() < 0.5:  # the employer pays salaries through us
                income = MONTHLY_INCOME[c.tier.rank] * rng.uniform(0.3, 1.2)
                for pay_day in _monthly(first, as_of, rng.choice((5, 10, 15, 25))):
                    booked = dt.datetime.combine(pay_day, dt.time(9, rng.randint(0, 59)))
                    amount = income * rng.uniform(0.95, 1.1)
                    events.append((booked, acct_id, currency, amount, "C", "ONLINE", employer))
            count = max(round(rng.uniform(8, 26) * activity), 6 if c.traits.flags else 1)
            everyday(count, acct_id, currency, first, span)
        elif kind == "CURRENT":
            everyday(rng.randint(1, 6), acct_id, currency, first, span)
        elif kind == "TIME_DEPOSIT":
            opened = acct["opened_on"]
            if opened >= start and acct["balance"] > 0:  # the money placed on the deposit
                booked = dt.datetime.combine(opened, dt.time(10, rng.randint(0, 59)))
                channel = rng.choice(("COUNTER", "MOBILE"))
                amount = float(acct["balance"])
                events.append((booked, acct_id, currency, amount, "C", channel, None))
        elif kind == "LOAN":
            instalment = float(acct["balance"]) * rng.uniform(0.006, 0.012)
            channel = rng.choice(("MOBILE", "ONLINE", "COUNTER"))
            for due in _monthly(first, as_of, rng.randint(1, 28)):
                booked = dt.datetime.combine(due, dt.time(6, rng.randint(0, 59)))
                events.append((booked, acct_id, currency, instalment, "C", channel, None))
        elif kind == "CREDIT_CARD":
            purchases = round(rng.uniform(2, 18) * activity)
            for _ in range(purchases):
                channel = rng.choices(_CARD_CHANNELS, _CARD_WEIGHTS)[0]
                amount = _amount(rng, "spend", scale, c.tier.rank)
                booked = _when(rng, first, span)
                merchant = rng.choice(MERCHANTS)
                events.append((booked, acct_id, currency, amount, "D", channel, merchant))
            for due in _monthly(first, as_of, rng.randint(1, 28))[: max(purchases // 2, 1)]:
                booked = dt.datetime.combine(due, dt.time(8, rng.randint(0, 59)))
                amount = _amount(rng, "spend", scale, c.tier.rank) * 3
                events.append((booked, acct_id, currency, amount, "C", "MOBILE", "自动还款"))
    events.sort()
    return _rows(rng, c, cat, seq, events)


def _when(rng: Random, first: dt.date, span: int) -> dt.datetime:
    """A moment between 07:00 and 23:00 on a day in the ``span`` days after ``first``."""
    offset = int(rng.random() * (span + 1)) * 86_400 + 25_200 + int(rng.random() * 57_600)
    return dt.datetime(first.year, first.month, first.day) + dt.timedelta(seconds=offset)


def _monthly(first: dt.date, last: dt.date, day: int) -> list[dt.date]:
    """The ``day`` of each month (the 28th when the month is short) from first to last."""
    out: list[dt.date] = []
    year, month = first.year, first.month
    while True:
        try:
            due = dt.date(year, month, day)
        except ValueError:
            due = dt.date(year, month, 28)
        if due > last:
            return out
        if due >= first:
            out.append(due)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _amount(rng: Random, kind: str, scale: float, rank: int) -> float:
    if kind == "spend":
        return max(rng.lognormvariate(math.log(150 * scale), 0.9), 1.0)
    if kind == "cash":
        return 100.0 * rng.randint(1, 20 if scale < 2 else 50)
    if kind == "bill":
        return rng.lognormvariate(math.log(200), 0.6)
    amount = rng.lognormvariate(math.log(2_000 * scale), 1.1)
    if rank <= 3 and rng.random() < 0.04:
        amount *= rng.uniform(20, 100)  # a large movement worth an alert
    return amount


def _counterparty(rng: Random, party: str | None, payees: list[str], cat: Catalogue) -> str | None:
    if party == "person":
        return rng.choice(payees)
    if party == "merchant":
        return rng.choice(MERCHANTS)
    if party == "utility":
        return rng.choice(UTILITIES)
    if party == "company":
        return rng.choice(cat.companies)
    return None


def _rows(
    rng: Random, c: Customer, cat: Catalogue, seq: Sequences, events: list[Event]
) -> list[Row]:
    branches = _branches(rng, c, cat, len(events))
    if len(branches) < len(events):  # a tie needs an even count: drop the oldest booking
        events = events[len(events) - len(branches) :]
    rows: list[Row] = []
    previous = dt.datetime.min
    for (booked, acct_id, currency, amount, direction, channel, party), branch in zip(
        events, branches, strict=True
    ):
        if booked <= previous:  # distinct times keep "most recent" unambiguous
            booked = previous + dt.timedelta(seconds=1)
        previous = booked
        rows.append(
            {
                "txn_id": next(seq.transaction),
                "acct_id": acct_id,
                "cust_no": c.cust_no,
                "amount": money(max(amount, 0.01)),
                "currency": currency,
                "direction": direction,
                "channel": channel,
                "branch_code": branch,
                "counterparty": party,
                "booked_at": booked,
            }
        )
    return rows


def _branches(rng: Random, c: Customer, cat: Catalogue, count: int) -> list[str]:
    """The branch of each booking, oldest first."""
    home, away = c.home.code, c.banks_at.code
    flags = c.traits.flags
    if flags & {"tie_away", "tie_home"} and count >= 2:
        winner, loser = (away, home) if "tie_away" in flags else (home, away)
        half = count // 2
        rest = [winner] * (half - 1) + [loser] * half
        rng.shuffle(rest)
        return [*rest, winner]
    codes = [b.code for b in cat.branches]
    out = []
    for _ in range(count):
        roll = rng.random()
        if home == away:
            out.append(home if roll < 0.88 else rng.choice(codes))
        else:
            out.append(away if roll < 0.75 else home if roll < 0.9 else rng.choice(codes))
    return out
