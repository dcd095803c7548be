"""Customer tiers by total assets (brief §4), the RM grade each needs, and the pyramid drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

GRADES = ("SENIOR", "LEVEL_1", "LEVEL_2", "LEVEL_3", "LEVEL_4", "TRAINEE")
"""RM grades, most senior first."""


@dataclass(frozen=True, eq=False)
class Tier:
    rank: int
    """0 for BLACK_GOLD down to 6 for MASS."""
    name: str
    floor: int
    ceiling: int | None
    required_grade: str | None
    share: float


TIERS = (
    Tier(0, "BLACK_GOLD", 10_000_000, None, "SENIOR", 0.003),
    Tier(1, "DIAMOND", 5_000_000, 10_000_000, "LEVEL_1", 0.007),
    Tier(2, "PREMIER_PLATINUM", 3_000_000, 5_000_000, "LEVEL_2", 0.015),
    Tier(3, "PLATINUM", 1_000_000, 3_000_000, "LEVEL_3", 0.04),
    Tier(4, "PREMIER_GOLD", 500_000, 1_000_000, "LEVEL_4", 0.08),
    Tier(5, "GOLD", 200_000, 500_000, "TRAINEE", 0.15),
    Tier(6, "MASS", 0, 200_000, None, 0.705),
)
TIER_BY_NAME = {tier.name: tier for tier in TIERS}
MASS = TIER_BY_NAME["MASS"]

MASS_RM_GRADES = ("LEVEL_4", "TRAINEE", "TRAINEE", "LEVEL_3")
"""Mass-market customers need no particular grade; they go to the junior RMs."""
_MARGIN = 0.015  # keep drawn totals clear of the boundaries that rounding could cross


def grade_demand() -> dict[str, float]:
    """The expected share of customers assigned to each RM grade."""
    demand = dict.fromkeys(GRADES, 0.0)
    for tier in TIERS:
        if tier.required_grade is not None:
            demand[tier.required_grade] += tier.share
    for grade in MASS_RM_GRADES:
        demand[grade] += MASS.share / len(MASS_RM_GRADES)
    return demand


def draw_tier(rng: Random) -> Tier:
    """A tier following the pyramid."""
    return rng.choices(TIERS, [tier.share for tier in TIERS])[0]


def draw_total_assets(rng: Random, tier: Tier) -> float:
    """Total assets in CNY inside the tier, log-uniform (heavy-tailed at the top)."""
    if tier is MASS:
        return min(rng.lognormvariate(math.log(30_000), 1.4), 190_000.0)
    low = tier.floor * (1 + _MARGIN)
    high = (tier.ceiling or tier.floor * 5) * (1 - _MARGIN)
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def rm_grade(rng: Random, tier: Tier, *, junior: bool = False, exact: bool = False) -> str:
    """The grade of the RM a customer of this tier gets.

    Mostly the grade the tier requires; now and then one grade off either way. ``junior``
    forces an RM at least two grades below the requirement; ``exact`` the required grade.
    """
    if tier.required_grade is None:
        return rng.choice(MASS_RM_GRADES)
    required = GRADES.index(tier.required_grade)
    if junior:
        return GRADES[min(required + rng.randint(2, 3), len(GRADES) - 1)]
    if exact:
        return GRADES[required]
    roll = rng.random()
    if roll < 0.05 and required < len(GRADES) - 1:
        return GRADES[required + 1]
    if roll < 0.09 and required > 0:
        return GRADES[required - 1]
    return GRADES[required]
