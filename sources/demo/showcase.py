"""Customers picked to guarantee an example of every case, however small the bank.

Natural rates alone leave a 100-customer bank without a black-gold customer or a risk
assessment expiring today; the showcase assigns such traits to a few chosen customers.
Persona traits go to distinct customers; calendar traits are laid over anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from sources.demo.tiers import TIERS

TIER_GUARANTEE = 2
JUNIOR_RM_TIERS = ("BLACK_GOLD", "DIAMOND", "PLATINUM")
DOCUMENTED_TIERS = ("PLATINUM", "PREMIER_GOLD", "GOLD")
"""Fully documented customers: three per branch of the first two, each with an RM of its own."""

PERSONA_TRAITS = (
    ("td_due_in_30", 2),  # a time deposit maturing exactly on as_of + 30
    ("td_due_soon", 2),  # a time deposit maturing within the next 30 days
    ("risk_expired", 2),
    ("risk_expires_today", 2),
    ("risk_none", 1),
    ("crm_stale", 2),  # CRM holds an older mobile and address than core
    ("crm_newer", 2),  # CRM heard of a new mobile and address before core did
    ("name_traditional", 1),
    ("name_typo", 1),
    ("legacy_id", 1),
    ("passport_hk", 1),
    ("passport_foreign", 1),
    ("away", 2),  # banks mostly at a branch other than the assigned one
    ("tie_away", 2),  # equal counts at two branches, the other one most recent
    ("tie_home", 1),  # equal counts at two branches, the assigned one most recent
    ("dormant", 1),
    ("complaint_OPEN", 1),
    ("complaint_IN_PROGRESS", 1),
    ("complaint_RESOLVED", 1),
    ("complaint_CLOSED", 1),
    ("holds_swing", 2),  # holds a fund whose NAV moved more than 5% in a month
    ("holds_maturing", 2),  # holds a product maturing within the next month
)
CALENDAR_TRAITS = (
    *((f"birth_month_{month}", 1) for month in range(1, 13)),
    ("birthday_soon", 2),  # birthday within the next week
    ("anniversary_soon", 1),  # wedding anniversary within the next month
)
ACTIVE_TRAITS = frozenset({"away", "tie_away", "tie_home", "td_due_in_30", "td_due_soon"})


@dataclass(frozen=True)
class Traits:
    tier: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    def __contains__(self, flag: object) -> bool:
        return flag in self.flags

    @property
    def documented(self) -> bool:
        """Complete profile, family, valid assessment, holdings, contacts and a complaint."""
        return "documented" in self.flags

    @property
    def documented_branch(self) -> int | None:
        for flag in self.flags:
            if flag.startswith("documented_branch_"):
                return int(flag.removeprefix("documented_branch_"))
        return None

    @property
    def birth_month(self) -> int | None:
        for flag in self.flags:
            if flag.startswith("birth_month_"):
                return int(flag.removeprefix("birth_month_"))
        return None


NO_TRAITS = Traits()


def plan_showcase(customers: int, seed: int) -> dict[int, Traits]:
    """Traits for the chosen customer serials (1-based); everyone else has none."""
    rng = Random(f"demo:{seed}:showcase")
    tiers: dict[int, str] = {}
    flags: dict[int, set[str]] = {}
    persona = rng.sample(range(1, customers + 1), customers)
    slots = iter(persona)
    for tier in TIERS:
        for copy in range(TIER_GUARANTEE):
            n = next(slots, None)
            if n is None:
                break
            tiers[n] = tier.name
            if copy == 1 and tier.name in JUNIOR_RM_TIERS:
                flags.setdefault(n, set()).add("junior_rm")
    for branch in range(2):
        for tier_name in DOCUMENTED_TIERS:
            n = next(slots, None)
            if n is not None:
                tiers[n] = tier_name
                flags[n] = {"documented", f"documented_branch_{branch}"}
    for flag, count in PERSONA_TRAITS:
        for _ in range(count):
            n = next(slots, None)
            if n is not None:
                flags.setdefault(n, set()).add(flag)
    calendar = iter(rng.sample(range(1, customers + 1), customers))
    for flag, count in CALENDAR_TRAITS:
        for _ in range(count):
            n = next(calendar, None)
            if n is not None:
                flags.setdefault(n, set()).add(flag)
    return {
        n: Traits(tiers.get(n), frozenset(flags.get(n, ())))
        for n in sorted(set(tiers) | set(flags))
    }
