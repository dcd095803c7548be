"""What the bank has before any customer: branches, relationship managers, FX, the wealth shelf.

Built once per load from the seed, and shared by every customer generated after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from random import Random

from faker import Faker

from sources.demo.fx import FxRates
from sources.demo.identity import chinese_name
from sources.demo.places import CITIES, City, District
from sources.demo.products import Product, build_shelf
from sources.demo.tiers import GRADES, grade_demand


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    city: City
    district: District
    address: str
    number: int
    """Four digits that open the branch's account numbers."""

    def row(self) -> dict[str, object]:
        return {
            "branch_code": self.code,
            "branch_name": self.name,
            "city": self.city.name,
            "address": self.address,
        }


@dataclass(frozen=True)
class RelationshipManager:
    rm_id: str
    employee_no: str
    name: str
    grade: str
    branch: Branch
    hired_on: dt.date

    def row(self) -> dict[str, object]:
        return {
            "rm_id": self.rm_id,
            "employee_no": self.employee_no,
            "name": self.name,
            "grade": self.grade,
            "branch_code": self.branch.code,
            "hired_on": self.hired_on,
        }


_BRANCHES = (
    ("SH001", "上海浦东支行", "上海", "浦东新区", "陆家嘴环路1000号", 3101, 0.18),
    ("SH002", "上海静安支行", "上海", "静安区", "南京西路1266号", 3102, 0.15),
    ("SH003", "上海徐汇支行", "上海", "徐汇区", "漕溪北路18号", 3103, 0.12),
    ("BJ001", "北京朝阳支行", "北京", "朝阳区", "建国路79号", 1101, 0.14),
    ("BJ002", "北京海淀支行", "北京", "海淀区", "中关村大街27号", 1102, 0.12),
    ("BJ003", "北京西城支行", "北京", "西城区", "金融大街33号", 1103, 0.09),
    ("SZ001", "深圳福田支行", "深圳", "福田区", "深南大道4011号", 4401, 0.11),
    ("SZ002", "深圳南山支行", "深圳", "南山区", "科技园路8号", 4402, 0.09),
)
BRANCHES = tuple(
    Branch(
        code,
        name,
        CITIES[city],
        CITIES[city].district(district),
        f"{CITIES[city].prefix}{district}{street}",
        number,
    )
    for code, name, city, district, street, number, _ in _BRANCHES
)
BRANCH_WEIGHTS = tuple(weight for *_, weight in _BRANCHES)

_BOOK_SIZE = {
    "SENIOR": 60,
    "LEVEL_1": 100,
    "LEVEL_2": 150,
    "LEVEL_3": 400,
    "LEVEL_4": 600,
    "TRAINEE": 800,
}
"""Customers per RM: private-banking books are small, mass-market books large."""
_YEARS_OF_SERVICE = {
    "SENIOR": (12, 22),
    "LEVEL_1": (8, 14),
    "LEVEL_2": (5, 10),
    "LEVEL_3": (3, 7),
    "LEVEL_4": (1, 4),
    "TRAINEE": (0, 0),
}


class Catalogue:
    """Branches, RMs (every grade in every branch), FX rates, products and name pools."""

    def __init__(self, seed: int, as_of: dt.date, customers: int) -> None:
        self.as_of = as_of
        self.branches = BRANCHES
        self.fx = FxRates(Random(f"demo:{seed}:fx"), as_of)
        self.shelf: list[Product] = build_shelf(Random(f"demo:{seed}:shelf"), as_of)
        self.products = {p.code: p for p in self.shelf}
        self.rms = _hire(Random(f"demo:{seed}:rms"), as_of, customers)
        self.rms_by_post: dict[tuple[str, str], list[RelationshipManager]] = {}
        for rm in self.rms:
            self.rms_by_post.setdefault((rm.branch.code, rm.grade), []).append(rm)
        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        self.companies = tuple(dict.fromkeys(faker.company() for _ in range(600)))

    def branch_for_new_customer(self, rng: Random) -> Branch:
        return rng.choices(self.branches, BRANCH_WEIGHTS)[0]

    def other_branch(self, rng: Random, branch: Branch, *, same_city: bool) -> Branch:
        """A branch other than ``branch``, in its city or in another one."""
        pool = [
            b for b in self.branches if b is not branch and (b.city is branch.city) == same_city
        ]
        return rng.choice(pool)

    def pick_rm(self, rng: Random, branch: Branch, grade: str) -> RelationshipManager:
        return rng.choice(self.rms_by_post[branch.code, grade])


def _hire(rng: Random, as_of: dt.date, customers: int) -> list[RelationshipManager]:
    """Enough RMs for the usual book size of each grade, at least one of every grade per branch."""
    demand = grade_demand()
    rms: list[RelationshipManager] = []
    for branch, share in zip(BRANCHES, BRANCH_WEIGHTS, strict=True):
        for grade in GRADES:
            count = max(1, round(customers * share * demand[grade] / _BOOK_SIZE[grade]))
            for _ in range(count):
                low, high = _YEARS_OF_SERVICE[grade]
                hired_on = as_of - dt.timedelta(days=rng.randint(low * 365 + 60, high * 365 + 300))
                serial = len(rms) + 1
                rms.append(
                    RelationshipManager(
                        rm_id=f"RM{serial:04d}",
                        employee_no=f"E{hired_on.year}{serial:04d}",
                        name=chinese_name(rng, rng.choice("MF")),
                        grade=grade,
                        branch=branch,
                        hired_on=hired_on,
                    )
                )
    return rms
