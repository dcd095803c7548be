"""The CRM's picture of a customer: background, profile row, its copy of contact details, family.

Profiles range from nearly empty (name and mobile) to complete. The CRM's mobile and address
are usually the core values with the same timestamps; some are stale (older than core) and
some newer (the customer told their RM first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random

from sources.demo.accounts import Row
from sources.demo.catalogue import Catalogue
from sources.demo.customer import Customer
from sources.demo.dates import at, random_day, random_moment
from sources.demo.identity import chinese_name, surname_of, traditional_variant, typo_variant
from sources.demo.sequences import Sequences
from sources.demo.vocabulary import (
    EDUCATION,
    EMAIL_DOMAINS,
    HOBBIES,
    INCOME_BANDS,
    LIFE_EXPERIENCES,
    OCCUPATIONS,
    POTENTIAL_NEEDS,
    SYLLABLES,
    WEALTH_TYPES,
)

_INCOME_BY_RANK = {0: 4, 1: 3, 2: 3, 3: 2, 4: 2, 5: 1, 6: 0}


@dataclass(frozen=True)
class Background:
    """Facts about the customer's life, known to the bank whether or not the CRM records them."""

    occupation: str
    kind: str
    employer: str | None
    education: str
    marital_status: str
    married_on: dt.date | None
    income_band: str


def draw_background(rng: Random, c: Customer, cat: Catalogue) -> Background:
    as_of = cat.as_of
    age = c.age_on(as_of)
    if age >= 60 and rng.random() < 0.7:
        occupation, kind = "退休人员", "retired"
    elif age < 24 and rng.random() < 0.5:
        occupation, kind = "大学生", "student"
    elif c.tier.rank <= 2 and rng.random() < 0.5:
        occupation, kind = rng.choice((("企业主", "owner"), ("企业高管", "employee")))
    else:
        occupation, kind = rng.choice(
            [o for o in OCCUPATIONS if o[1] not in ("retired", "student")]
        )
    employer = rng.choice(cat.companies) if kind in ("employee", "owner") else None
    if age < 25:
        marital = rng.choices(("SINGLE", "MARRIED"), (85, 15))[0]
    elif age < 35:
        marital = rng.choices(("SINGLE", "MARRIED", "DIVORCED"), (40, 55, 5))[0]
    else:
        marital = rng.choices(
            ("SINGLE", "MARRIED", "DIVORCED", "WIDOWED"), (8, 78, 8, 6 if age > 60 else 1)
        )[0]
    if "anniversary_soon" in c.traits or c.traits.documented:
        marital = "MARRIED"
    married_on = None
    if marital != "SINGLE":
        year = min(c.birth_date.year + rng.randint(22, 32), as_of.year - 1)
        if "anniversary_soon" in c.traits:
            soon = as_of + dt.timedelta(days=rng.randint(1, 30))
            married_on = _on(year, soon.month, soon.day)
        else:
            married_on = _on(year, rng.randint(1, 12), rng.randint(1, 28))
    band = _INCOME_BY_RANK[c.tier.rank] + rng.choices((-1, 0, 1), (15, 65, 20))[0]
    income = INCOME_BANDS[min(max(band, 0), len(INCOME_BANDS) - 1)]
    education = rng.choices(EDUCATION, (15, 20, 40, 20, 5))[0]
    return Background(occupation, kind, employer, education, marital, married_on, income)


def _on(year: int, month: int, day: int) -> dt.date:
    return dt.date(
        year, month, min(day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    )


def crm_profile(
    rng: Random, c: Customer, bg: Background, held_types: set[str], cat: Catalogue
) -> Row:
    """The ``crm_customer`` row; may move the core timestamps to tell a stale/newer story."""
    as_of = cat.as_of
    showcase = bool(c.traits.flags)
    level = 0.0 if not showcase and rng.random() < 0.2 else rng.uniform(0.25, 1.0)
    if c.tier.rank <= 3:
        level = max(level, rng.uniform(0.5, 1.0))
    if c.traits.documented:
        level = 1.0

    def known() -> bool:
        return rng.random() < level

    mobile, mobile_at, known_address, known_address_at = _contact_copy(rng, c, as_of)
    address = known_address if level > 0.0 else None
    address_at = known_address_at if level > 0.0 else None
    married = bg.marital_status == "MARRIED"
    row: Row = {
        "cust_no": c.cust_no,
        "name": _crm_name(rng, c),
        "mobile": mobile,
        "mobile_updated_at": mobile_at,
        "address": address,
        "address_updated_at": address_at,
        "email": _email(rng, c) if known() else None,
        "occupation": bg.occupation if known() else None,
        "employer": None,
        "income_band": bg.income_band if known() else None,
        "education": bg.education if known() else None,
        "marital_status": bg.marital_status if known() or "anniversary_soon" in c.traits else None,
        "wedding_anniversary": None,
        "hobbies": ",".join(rng.sample(HOBBIES, rng.randint(1, 4))) if known() else None,
        "product_preferences": _preferences(rng, held_types) if known() else None,
        "life_experiences": _experiences(rng, c, as_of) if known() else None,
        "business_scale": None,
        "potential_needs": ",".join(rng.sample(POTENTIAL_NEEDS, rng.randint(1, 3)))
        if known()
        else None,
        "marketing_consent": rng.random() < 0.6,
        "updated_at": None,
        "version": 1,
    }
    if row["occupation"] and bg.employer and known():
        row["employer"] = bg.employer
    if married and row["marital_status"] and (known() or "anniversary_soon" in c.traits):
        row["wedding_anniversary"] = bg.married_on
    if bg.kind == "owner" and row["occupation"] and known():
        staff = rng.choice((5, 8, 12, 20, 30, 50, 80, 120, 200))
        row["business_scale"] = f"员工约{staff}人，年营收约{staff * rng.randint(40, 120)}万元"
    edited = random_moment(rng, at(c.opened_on, 11), at(as_of, 9))
    stamps = [edited, *(t for t in (mobile_at, address_at) if t is not None)]
    row["updated_at"] = max(stamps)
    return row


def _crm_name(rng: Random, c: Customer) -> str:
    if c.abroad == "FOREIGN":
        return c.name
    if "name_traditional" in c.traits:
        return traditional_variant(c.name) or typo_variant(rng, c.name)
    if "name_typo" in c.traits or (not c.traits.flags and rng.random() < 0.01):
        return typo_variant(rng, c.name)
    return c.name


def _contact_copy(
    rng: Random, c: Customer, as_of: dt.date
) -> tuple[str, dt.datetime, str, dt.datetime]:
    """The CRM's mobile and address with their timestamps (adjusting core's when needed)."""
    flags = c.traits.flags
    roll = rng.random()
    seasoned = (as_of - c.opened_on).days >= 90
    if "crm_stale" in flags or (not flags and seasoned and roll < 0.15):
        mode, fields = "stale", _which(rng, "crm_stale" in flags)
    elif "crm_newer" in flags or (not flags and seasoned and roll < 0.20):
        mode, fields = "newer", _which(rng, "crm_newer" in flags)
    else:
        return c.mobile, c.mobile_updated_at, c.address, c.address_updated_at
    opened_at, today = at(c.opened_on, 10), at(as_of, 9)
    recent_from = max(opened_at + dt.timedelta(days=30), today - dt.timedelta(days=60))
    mobile, mobile_at = c.mobile, c.mobile_updated_at
    address, address_at = c.address, c.address_updated_at
    for name in fields:
        recent = random_moment(rng, recent_from, today)
        older = random_moment(rng, opened_at, recent - dt.timedelta(days=20))
        other = c.other_mobile(rng) if name == "mobile" else c.other_address(rng)
        core_at, crm_at = (recent, older) if mode == "stale" else (older, recent)
        if name == "mobile":
            c.mobile_updated_at, mobile, mobile_at = core_at, other, crm_at
        else:
            c.address_updated_at, address, address_at = core_at, other, crm_at
    return mobile, mobile_at, address, address_at


def _which(rng: Random, both: bool) -> tuple[str, ...]:
    if both:
        return ("mobile", "address")
    return rng.choice((("mobile",), ("address",), ("mobile", "address")))


def _email(rng: Random, c: Customer) -> str:
    domain = rng.choice(EMAIL_DOMAINS)
    if domain == "qq.com":
        return f"{rng.randint(10**7, 10**10)}@qq.com"
    return f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}{c.birth_date:%y}{c.n % 1000}@{domain}"


def _preferences(rng: Random, held_types: set[str]) -> str:
    chosen = set(held_types) | set(rng.sample(WEALTH_TYPES, rng.randint(1, 2)))
    return ",".join(t for t in WEALTH_TYPES if t in chosen)


def _experiences(rng: Random, c: Customer, as_of: dt.date) -> str:
    notes = rng.sample(LIFE_EXPERIENCES, rng.randint(1, 3))
    years = sorted(
        rng.randint(min(max(c.birth_date.year + 18, as_of.year - 15), as_of.year), as_of.year)
        for _ in notes
    )
    return (
        "；".join(
            note.format(year=year, district=c.district.name)
            for note, year in zip(notes, years, strict=True)
        )
        + "。"
    )


def family_members(
    rng: Random, c: Customer, bg: Background, cat: Catalogue, seq: Sequences
) -> list[Row]:
    """Spouse, children and parents, for customers whose RM has asked."""
    if (rng.random() > 0.3 and not c.traits.documented) or c.abroad == "FOREIGN":
        return []
    as_of = cat.as_of
    members: list[tuple[str, str, dt.date | None]] = []
    surname = surname_of(c.name)
    family_name = surname
    if bg.marital_status == "MARRIED":
        partner = "F" if c.gender == "M" else "M"
        birth = c.birth_date + dt.timedelta(days=rng.randint(-5 * 365, 5 * 365))
        spouse = chinese_name(rng, partner)
        members.append(("SPOUSE", spouse, birth))
        if c.gender == "F":
            family_name = surname_of(spouse)
    if bg.married_on is not None and c.age_on(as_of) >= 28:
        for _ in range(rng.choice((0, 1, 1, 2))):
            birth = random_day(rng, bg.married_on + dt.timedelta(days=300), as_of)
            gender = rng.choice("MF")
            members.append(("CHILD", chinese_name(rng, gender, family_name), birth))
    if c.age_on(as_of) < 50:
        for gender in rng.sample("MF", rng.randint(0, 2)):
            birth = c.birth_date - dt.timedelta(days=rng.randint(24 * 365, 34 * 365))
            father_side = surname if gender == "M" else None
            members.append(("PARENT", chinese_name(rng, gender, father_side), birth))
    if rng.random() < 0.1:
        members.append(("SIBLING", chinese_name(rng, rng.choice("MF"), surname), None))
    return [
        {
            "member_id": next(seq.family_member),
            "cust_no": c.cust_no,
            "relation": relation,
            "name": name,
            "birth_date": birth,
        }
        for relation, name, birth in members
    ]
