"""How complete a CRM profile is, and what to ask at the next contact (brief §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any


class ProfileItem(Enum):
    OCCUPATION = "OCCUPATION"
    EMPLOYER = "EMPLOYER"
    INCOME_BAND = "INCOME_BAND"
    EDUCATION = "EDUCATION"
    MARITAL_STATUS = "MARITAL_STATUS"
    FAMILY_MEMBERS = "FAMILY_MEMBERS"
    HOBBIES = "HOBBIES"
    PRODUCT_PREFERENCES = "PRODUCT_PREFERENCES"
    LIFE_EXPERIENCES = "LIFE_EXPERIENCES"
    BUSINESS_SCALE = "BUSINESS_SCALE"
    POTENTIAL_NEEDS = "POTENTIAL_NEEDS"
    EMAIL = "EMAIL"
    RISK_ASSESSMENT = "RISK_ASSESSMENT"


# Occupations whose holders run a business, for whom the business scale is asked.
BUSINESS_OWNERS = frozenset({"企业主", "个体工商户"})


@dataclass(frozen=True)
class ProfileFacts:
    """What the completeness check reads: the CRM profile, family and latest assessment."""

    profile: Any | None
    family_members: int
    assessment: Any | None
    today: date

    def column(self, name: str) -> Any:
        value = getattr(self.profile, name) if self.profile is not None else None
        return value.strip() if isinstance(value, str) else value

    @property
    def business_owner(self) -> bool:
        return self.column("occupation") in BUSINESS_OWNERS


@dataclass(frozen=True)
class Check:
    item: ProfileItem
    weight: int
    present: Callable[[ProfileFacts], bool]
    applies: Callable[[ProfileFacts], bool] = lambda _facts: True


def _filled(column: str) -> Callable[[ProfileFacts], bool]:
    return lambda facts: bool(facts.column(column))


# The checklist, declared once. Weights add up to 100 before business scale, which counts
# (8 more) only for business owners; the score is the share of applicable weight present.
CHECKLIST: tuple[Check, ...] = (
    Check(ProfileItem.OCCUPATION, 10, _filled("occupation")),
    Check(ProfileItem.EMPLOYER, 8, _filled("employer")),
    Check(ProfileItem.INCOME_BAND, 10, _filled("income_band")),
    Check(ProfileItem.EDUCATION, 6, _filled("education")),
    Check(ProfileItem.MARITAL_STATUS, 6, _filled("marital_status")),
    Check(ProfileItem.FAMILY_MEMBERS, 10, lambda f: f.family_members > 0),
    Check(ProfileItem.HOBBIES, 6, _filled("hobbies")),
    Check(ProfileItem.PRODUCT_PREFERENCES, 10, _filled("product_preferences")),
    Check(ProfileItem.LIFE_EXPERIENCES, 6, _filled("life_experiences")),
    Check(ProfileItem.POTENTIAL_NEEDS, 10, _filled("potential_needs")),
    Check(ProfileItem.EMAIL, 6, _filled("email")),
    Check(
        ProfileItem.RISK_ASSESSMENT,
        12,
        lambda f: f.assessment is not None and f.assessment.expires_on >= f.today,
    ),
    Check(ProfileItem.BUSINESS_SCALE, 8, _filled("business_scale"), lambda f: f.business_owner),
)


@dataclass(frozen=True)
class Completeness:
    score: int
    missing: list[ProfileItem]


def completeness(facts: ProfileFacts) -> Completeness:
    """Score 0–100 (share of applicable weight present, rounded half up) and what is missing."""
    applicable = [c for c in CHECKLIST if c.applies(facts)]
    missing = [c for c in applicable if not c.present(facts)]
    total = sum(c.weight for c in applicable)
    present = total - sum(c.weight for c in missing)
    return Completeness((present * 100 * 2 + total) // (2 * total), [c.item for c in missing])
