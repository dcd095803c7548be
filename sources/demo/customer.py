"""One customer as the core system's party master knows them, and how they came to be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random

from sources.demo import identity
from sources.demo.catalogue import Branch, Catalogue
from sources.demo.dates import at, random_day, random_moment
from sources.demo.places import District, street_address
from sources.demo.showcase import Traits
from sources.demo.tiers import TIER_BY_NAME, Tier, draw_tier, draw_total_assets

_HISTORY_SERIAL = 50_000_000  # mobiles a customer used before get serials above this


@dataclass(slots=True)
class Customer:
    n: int
    cust_no: str
    traits: Traits
    gender: str
    name: str
    birth_date: dt.date
    id_type: str
    id_no: str
    abroad: str | None
    """None for mainland residents, "HK" or "FOREIGN" for passport holders."""
    home: Branch
    """The branch the customer is assigned to (the RM's branch)."""
    banks_at: Branch
    """The branch where most of the customer's transactions are booked."""
    district: District
    tier: Tier
    total_assets: float
    opened_on: dt.date
    mobile: str
    mobile_updated_at: dt.datetime
    address: str
    address_updated_at: dt.datetime
    dormant: bool

    def age_on(self, day: dt.date) -> int:
        return (day - self.birth_date).days // 365

    def other_mobile(self, rng: Random) -> str:
        """A mobile the customer used before (or after) the one in core."""
        if self.abroad == "HK":
            return identity.hong_kong_mobile(self.n + _HISTORY_SERIAL)
        return identity.mainland_mobile(rng, self.n + _HISTORY_SERIAL)

    def other_address(self, rng: Random) -> str:
        city = self.home.city
        return street_address(rng, city, rng.choice(city.districts))

    def party_row(self) -> dict[str, object]:
        return {
            "cust_no": self.cust_no,
            "legal_name": self.name,
            "gender": self.gender,
            "id_type": self.id_type,
            "id_no": self.id_no,
            "birth_date": self.birth_date,
            "mobile": self.mobile,
            "mobile_updated_at": self.mobile_updated_at,
            "address": self.address,
            "address_updated_at": self.address_updated_at,
            "open_branch": self.home.code,
            "opened_on": self.opened_on,
            "status": "DORMANT" if self.dormant else "ACTIVE",
            "updated_at": max(self.mobile_updated_at, self.address_updated_at),
        }


def new_customer(
    rng: Random, n: int, traits: Traits, cat: Catalogue, used_ids: set[str]
) -> Customer:
    """Draw a customer's identity, branch, tier and contact details."""
    as_of = cat.as_of
    home = cat.branch_for_new_customer(rng)
    if traits.documented_branch is not None:
        home = cat.branches[traits.documented_branch]
    banks_at = home
    moved = traits.flags & {"away", "tie_away", "tie_home"} or rng.random() < 0.1
    if moved and not traits.documented:
        banks_at = cat.other_branch(rng, home, same_city=rng.random() < 0.6)
    district = home.district if rng.random() < 0.4 else rng.choice(home.city.districts)
    gender = rng.choice("MF")
    birth_date = _birth_date(rng, as_of, traits)
    abroad = (
        "HK" if "passport_hk" in traits else "FOREIGN" if "passport_foreign" in traits else None
    )
    legacy = "legacy_id" in traits
    if not traits.flags and n % 200 == 0:
        abroad = "HK" if rng.random() < 0.5 else "FOREIGN"
    elif not traits.flags and n % 200 == 100:
        legacy = True
    if legacy:
        year = min(birth_date.year, 1979 - rng.randrange(20))
        birth_date = _safe_date(year, birth_date.month, birth_date.day)
    name, id_type, id_no = _papers(rng, gender, birth_date, district, abroad, legacy, used_ids)

    tier = TIER_BY_NAME[traits.tier] if traits.tier else draw_tier(rng)
    adult = _safe_date(birth_date.year + 18, birth_date.month, birth_date.day)
    earliest = max(adult, as_of - dt.timedelta(days=20 * 365))
    if traits.flags:  # showcase customers need a year of history
        year_ago = as_of - dt.timedelta(days=400)
        opened_on = random_day(rng, min(earliest, year_ago), year_ago)
    elif rng.random() < 0.06:
        opened_on = random_day(rng, as_of - dt.timedelta(days=360), as_of - dt.timedelta(days=3))
    else:
        opened_on = random_day(
            rng, min(earliest, as_of - dt.timedelta(days=400)), as_of - dt.timedelta(days=30)
        )
    opened_at = at(opened_on, 10)
    mobile = identity.hong_kong_mobile(n) if abroad == "HK" else identity.mainland_mobile(rng, n)
    return Customer(
        n=n,
        cust_no=f"88{n:08d}",
        traits=traits,
        gender=gender,
        name=name,
        birth_date=birth_date,
        id_type=id_type,
        id_no=id_no,
        abroad=abroad,
        home=home,
        banks_at=banks_at,
        district=district,
        tier=tier,
        total_assets=draw_total_assets(rng, tier),
        opened_on=opened_on,
        mobile=mobile,
        mobile_updated_at=random_moment(rng, opened_at, at(as_of, 9)),
        address=street_address(rng, home.city, district),
        address_updated_at=random_moment(rng, opened_at, at(as_of, 9)),
        dormant="dormant" in traits or (not traits.flags and rng.random() < 0.025),
    )


def _birth_date(rng: Random, as_of: dt.date, traits: Traits) -> dt.date:
    age = int(min(max(rng.gauss(45, 14), 21), 88))
    year = as_of.year - age
    if "birthday_soon" in traits:
        soon = as_of + dt.timedelta(days=rng.randint(1, 7))
        return _safe_date(year, soon.month, soon.day)
    month = traits.birth_month or rng.randint(1, 12)
    return _safe_date(year, month, rng.randint(1, 31))


def _safe_date(year: int, month: int, day: int) -> dt.date:
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def _papers(
    rng: Random,
    gender: str,
    birth: dt.date,
    district: District,
    abroad: str | None,
    legacy: bool,
    used_ids: set[str],
) -> tuple[str, str, str]:
    """Legal name, ID type and ID number."""
    if abroad == "FOREIGN":
        name = rng.choice(identity.FOREIGN_NAMES[gender])
        return name, "02", identity.passport_no(rng, False)
    name = identity.chinese_name(rng, gender)
    if abroad == "HK":
        name = identity.traditional_variant(name) or name
        return name, "02", identity.passport_no(rng, True)
    make = identity.legacy_resident_id if legacy else identity.resident_id
    while True:
        id_no = make(district.area_code, birth, identity.id_sequence(rng, gender))
        if id_no not in used_ids:
            used_ids.add(id_no)
            return name, "01", id_no
