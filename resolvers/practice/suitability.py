"""Which products a customer may be offered (brief §5, suitability)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from enum import Enum
from typing import Any


class SuitabilityReason(Enum):
    ASSESSMENT_MISSING = "ASSESSMENT_MISSING"
    ASSESSMENT_EXPIRED = "ASSESSMENT_EXPIRED"


def valid_investor_type(assessment: Any | None, today: date) -> int | SuitabilityReason:
    """The investor type (1..5) of a valid assessment, or why there is none.

    An assessment is valid through its expiry day: one expiring today still counts.
    """
    if assessment is None:
        return SuitabilityReason.ASSESSMENT_MISSING
    if assessment.expires_on < today:
        return SuitabilityReason.ASSESSMENT_EXPIRED
    return int(assessment.investor_type)


def preferences(profile: Any | None) -> list[str]:
    """The product types a CRM profile states as preferred, in the order stated."""
    text = profile.product_preferences if profile is not None else None
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def suitable_products(
    products: Iterable[Any],
    investor_type: int,
    preferred_types: list[str],
    held_codes: Collection[str],
) -> list[Any]:
    """Products on sale whose risk level the investor type allows (R-level ≤ C-level).

    Ranked: preferred product types first (in the order the customer stated them), then
    products not held yet, then the newest launch, then product code.
    """
    allowed = [p for p in products if p.status == "ON_SALE" and p.risk_level <= investor_type]

    def rank(p: Any) -> tuple[int, bool, int, str]:
        pref = (
            preferred_types.index(p.product_type)
            if p.product_type in preferred_types
            else len(preferred_types)
        )
        return (pref, p.product_code in held_codes, -p.launch_date.toordinal(), p.product_code)

    return sorted(allowed, key=rank)
