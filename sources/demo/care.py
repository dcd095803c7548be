"""The relationship over time: RM assignment, risk assessments, contact log, complaints."""

from __future__ import annotations

import datetime as dt
from random import Random

from sources.demo.accounts import Row
from sources.demo.catalogue import Catalogue, RelationshipManager
from sources.demo.customer import Customer
from sources.demo.dates import add_years, random_day
from sources.demo.sequences import Sequences
from sources.demo.tiers import rm_grade
from sources.demo.vocabulary import COMPLAINTS, CONTACT_NOTES

ROUTINE_REASONS = ("maturity", "new_product", "nav_swing", "wechat", "kyc", "email")
CASH_REASONS = ("maturity", "new_product", "wechat", "kyc")
KEY_REASONS = ("birthday", "anniversary", "holiday", "review", "salon")
CONTACTS_BY_RANK = {0: (6, 12), 1: (5, 10), 2: (4, 8), 3: (3, 6), 4: (2, 5), 5: (1, 4), 6: (0, 2)}
COMPLAINT_STATUSES = ("OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED")


def assign_rm(rng: Random, c: Customer, cat: Catalogue) -> tuple[Row, RelationshipManager]:
    """The customer's RM, in the customer's home branch, mostly of the grade the tier needs."""
    grade = rm_grade(rng, c.tier, junior="junior_rm" in c.traits, exact=c.traits.documented)
    rm = cat.pick_rm(rng, c.home, grade)
    assigned_on = random_day(rng, max(c.opened_on, rm.hired_on), cat.as_of - dt.timedelta(days=1))
    row = {
        "cust_no": c.cust_no,
        "rm_id": rm.rm_id,
        "branch_code": c.home.code,
        "assigned_on": assigned_on,
    }
    return row, rm


def assess_risk(
    rng: Random, c: Customer, cat: Catalogue, seq: Sequences, invests: bool
) -> tuple[list[Row], int | None]:
    """Risk assessments (oldest first) and the latest investor type, None without any."""
    flags = c.traits.flags
    forced = flags & {"risk_expired", "risk_expires_today", "holds_swing", "holds_maturing"}
    forced |= flags & {"documented"}
    if "risk_none" in flags or not (invests or forced or rng.random() < 0.5):
        return [], None
    as_of = cat.as_of
    if c.age_on(as_of) > 65:
        investor_type = rng.choices((1, 2, 3, 4, 5), (25, 35, 30, 8, 2))[0]
    else:
        investor_type = rng.choices((1, 2, 3, 4, 5), (8, 22, 35, 25, 10))[0]
    if "holds_swing" in flags:
        investor_type = 5
    elif flags & {"holds_maturing", "documented"}:
        investor_type = max(investor_type, 3)
    if "risk_expires_today" in flags:
        assessed_on, expires_on = add_years(as_of, -1), as_of
    else:
        if "risk_expired" in flags:
            assessed_on = as_of - dt.timedelta(days=rng.randint(367, 560))
            assessed_on = max(assessed_on, min(c.opened_on, as_of - dt.timedelta(days=367)))
        else:
            days_ago = rng.randint(0, 300 if c.traits.documented else 450)
            assessed_on = as_of - dt.timedelta(days=days_ago)
            assessed_on = max(assessed_on, min(c.opened_on, as_of))
        expires_on = add_years(assessed_on, 1)
    history = [(assessed_on, expires_on, investor_type)]
    earlier = add_years(assessed_on, -1) - dt.timedelta(days=rng.randint(0, 60))
    if rng.random() < 0.4 and earlier >= c.opened_on:
        previous_type = min(max(investor_type + rng.choice((-1, 0, 0, 1)), 1), 5)
        history.insert(0, (earlier, add_years(earlier, 1), previous_type))
    rows = [
        {
            "assessment_id": next(seq.assessment),
            "cust_no": c.cust_no,
            "investor_type": kind,
            "assessed_on": assessed,
            "expires_on": expires,
        }
        for assessed, expires, kind in history
    ]
    return rows, investor_type


def contact_log(
    rng: Random,
    c: Customer,
    rm: RelationshipManager,
    invests: bool,
    cat: Catalogue,
    seq: Sequences,
) -> list[Row]:
    """The RM's (and the call centre's) contacts with the customer over the last year."""
    as_of = cat.as_of
    low, high = CONTACTS_BY_RANK[c.tier.rank]
    if c.traits.documented:
        low, high = max(low, 2), max(high, 4)
    first = max(c.opened_on, as_of - dt.timedelta(days=364))
    moments = []
    for _ in range(rng.randint(low, high)):
        day = random_day(rng, first, as_of)
        moments.append(
            dt.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59))
        )
    rows = []
    for contacted_at in sorted(moments):
        key = c.tier.rank <= 3 and rng.random() < 0.4
        channel, care_type, summary = CONTACT_NOTES[
            rng.choice(KEY_REASONS if key else ROUTINE_REASONS if invests else CASH_REASONS)
        ]
        follow_up = None
        if rng.random() < 0.35:
            follow_up = contacted_at.date() + dt.timedelta(days=rng.randint(3, 45))
        rows.append(
            {
                "contact_id": next(seq.contact),
                "cust_no": c.cust_no,
                "rm_id": rm.rm_id if rng.random() < 0.9 else None,
                "channel": channel,
                "care_type": care_type,
                "summary": summary,
                "contacted_at": contacted_at,
                "follow_up_on": follow_up,
            }
        )
    return rows


def complaints(rng: Random, c: Customer, cat: Catalogue, seq: Sequences) -> list[Row]:
    """Complaints and feedback, in every status; satisfaction once resolved."""
    as_of = cat.as_of
    forced: list[str | None] = [s for s in COMPLAINT_STATUSES if f"complaint_{s}" in c.traits]
    if c.traits.documented:
        forced = [None]
    elif not forced and (c.traits.flags or rng.random() > 0.03):
        return []
    rows = []
    for status in forced or [None] * rng.choice((1, 1, 1, 2)):
        category = rng.choice(tuple(COMPLAINTS))
        if status is None:
            age = rng.randint(0, 360)
            status = (
                rng.choice(("OPEN", "IN_PROGRESS"))
                if age < 14
                else rng.choices(("RESOLVED", "CLOSED", "IN_PROGRESS"), (60, 30, 10))[0]
            )
        elif status in ("OPEN", "IN_PROGRESS"):
            age = rng.randint(0, 20)
        else:
            age = rng.randint(25, 360)
        opened_day = max(as_of - dt.timedelta(days=age), c.opened_on)
        opened_at = dt.datetime(
            opened_day.year,
            opened_day.month,
            opened_day.day,
            rng.randint(9, 19),
            rng.randint(0, 59),
        )
        resolved_at = satisfaction = None
        if status in ("RESOLVED", "CLOSED"):
            resolved_at = opened_at + dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 6))
            resolved_at = min(resolved_at, dt.datetime.combine(as_of, dt.time(18)))
            if status == "RESOLVED" or rng.random() < 0.7:
                satisfaction = rng.choices((1, 2, 3, 4, 5), (5, 10, 25, 35, 25))[0]
        rows.append(
            {
                "complaint_id": next(seq.complaint),
                "cust_no": c.cust_no,
                "category": category,
                "status": status,
                "summary": COMPLAINTS[category],
                "opened_at": opened_at,
                "resolved_at": resolved_at,
                "satisfaction": satisfaction,
            }
        )
    return rows
