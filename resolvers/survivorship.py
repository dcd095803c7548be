"""Which system's value wins for attributes that more than one system keeps.

Each rule is declared once per attribute. A value's provenance (system and update time)
travels with it, and disagreements between systems are kept for the caller to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple


class SourceSystem(Enum):
    CORE = "CORE"
    WEALTH = "WEALTH"
    CRM = "CRM"


class MergedAttribute(Enum):
    NAME = "NAME"
    MOBILE = "MOBILE"
    ADDRESS = "ADDRESS"


class Candidate(NamedTuple):
    """One system's value of an attribute and when that system last updated it."""

    source: SourceSystem
    value: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Rule:
    """``MOST_RECENT`` picks the latest update (ties and unknown times go to ``priority``
    order); ``PRIORITY`` takes the first system in ``priority`` that has a value."""

    kind: str
    priority: tuple[SourceSystem, ...]
    explanation: str

    def choose(self, candidates: list[Candidate]) -> Candidate | None:
        present = [c for c in candidates if c.value]
        if len(present) < 2:
            return present[0] if present else None
        ranked = sorted(present, key=lambda c: self.priority.index(c.source))
        if self.kind == "PRIORITY":
            return ranked[0]
        return max(ranked, key=lambda c: c.updated_at or datetime.min)


SURVIVORSHIP: dict[MergedAttribute, Rule] = {
    MergedAttribute.NAME: Rule(
        "PRIORITY",
        (SourceSystem.CORE, SourceSystem.CRM),
        "The core system's legal name wins; the CRM name only fills a gap.",
    ),
    MergedAttribute.MOBILE: Rule(
        "MOST_RECENT",
        (SourceSystem.CORE, SourceSystem.CRM),
        "The most recently updated mobile wins; on a tie, the core system's.",
    ),
    MergedAttribute.ADDRESS: Rule(
        "MOST_RECENT",
        (SourceSystem.CORE, SourceSystem.CRM),
        "The most recently updated address wins; on a tie, the core system's.",
    ),
}


class Merged(NamedTuple):
    """The surviving value of an attribute, where it came from and what it overruled."""

    attribute: MergedAttribute
    chosen: Candidate | None
    candidates: tuple[Candidate, ...]

    @property
    def value(self) -> str | None:
        return self.chosen.value if self.chosen else None

    @property
    def disagrees(self) -> bool:
        """Whether systems hold different non-empty values."""
        values = {_normalise(c.value) for c in self.candidates if c.value not in (None, "")}
        return len(values) > 1


def _normalise(value: str | None) -> str:
    return "".join((value or "").split())


def merge(party: Any | None, profile: Any | None) -> dict[MergedAttribute, Merged]:
    """Merge the core party record and the CRM profile by the declared rules."""
    candidates = {
        MergedAttribute.NAME: [
            Candidate(SourceSystem.CORE, _get(party, "legal_name"), _get(party, "updated_at")),
            Candidate(SourceSystem.CRM, _get(profile, "name"), _get(profile, "updated_at")),
        ],
        MergedAttribute.MOBILE: [
            Candidate(SourceSystem.CORE, _get(party, "mobile"), _get(party, "mobile_updated_at")),
            Candidate(
                SourceSystem.CRM, _get(profile, "mobile"), _get(profile, "mobile_updated_at")
            ),
        ],
        MergedAttribute.ADDRESS: [
            Candidate(SourceSystem.CORE, _get(party, "address"), _get(party, "address_updated_at")),
            Candidate(
                SourceSystem.CRM, _get(profile, "address"), _get(profile, "address_updated_at")
            ),
        ],
    }
    return {
        attribute: Merged(attribute, SURVIVORSHIP[attribute].choose(found), tuple(found))
        for attribute, found in candidates.items()
    }


def _get(record: Any | None, attr: str) -> Any:
    return None if record is None else getattr(record, attr)
