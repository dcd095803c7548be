"""Which system's value wins for attributes that more than one system keeps.

Each rule is declared once per attribute. A value's provenance (system and update time)
travels with it, and disagreements between systems are kept for the caller to see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from resolvers.identity_enum import IdentityEnum


class SourceSystem(IdentityEnum):
    CORE = "CORE"
    WEALTH = "WEALTH"
    CRM = "CRM"


class MergedAttribute(IdentityEnum):
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

    def choose(self, candidates: Sequence[Candidate]) -> Candidate | None:
        if len(candidates) == 2:  # the core and the CRM, every customer: without a list
            first, second = candidates
            if not (first.value and second.value):
                return first if first.value else second if second.value else None
            rank = self.priority.index
            if rank(second.source) < rank(first.source):
                first, second = second, first
            if self.kind == "PRIORITY" or _updated(second) <= _updated(first):
                return first
            return second
        present = [c for c in candidates if c.value]
        if len(present) < 2:
            return present[0] if present else None
        if len(present) == 2:
            return self.choose(present)
        ranked = sorted(present, key=self._rank)
        if self.kind == "PRIORITY":
            return ranked[0]
        return max(ranked, key=_updated)

    def _rank(self, candidate: Candidate) -> int:
        return self.priority.index(candidate.source)


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


# Where each system keeps each merged attribute: (value column, updated-at column).
_COLUMNS = {
    MergedAttribute.NAME: (("legal_name", "updated_at"), ("name", "updated_at")),
    MergedAttribute.MOBILE: (("mobile", "mobile_updated_at"), ("mobile", "mobile_updated_at")),
    MergedAttribute.ADDRESS: (("address", "address_updated_at"), ("address", "address_updated_at")),
}
_NONE = (None, None)
# Read once here: an enum member read through its class costs a few hundred nanoseconds.
_CORE, _CRM = SourceSystem.CORE, SourceSystem.CRM
# The same columns as getters: both values of a record in one call.
_READ = {
    attribute: (attrgetter(*core), attrgetter(*crm)) for attribute, (core, crm) in _COLUMNS.items()
}


def merge(party: Any | None, profile: Any | None) -> dict[MergedAttribute, Merged]:
    """Merge the core party record and the CRM profile by the declared rules."""
    return {attribute: merge_one(party, profile, attribute) for attribute in _COLUMNS}


def merge_one(party: Any | None, profile: Any | None, attribute: MergedAttribute) -> Merged:
    """One attribute of :func:`merge` (a response that shows only the name merges no more)."""
    read_core, read_crm = _READ[attribute]
    new = tuple.__new__
    found = (
        new(Candidate, (_CORE, *(_NONE if party is None else read_core(party)))),
        new(Candidate, (_CRM, *(_NONE if profile is None else read_crm(profile)))),
    )
    return new(Merged, (attribute, SURVIVORSHIP[attribute].choose(found), found))


def _updated(candidate: Candidate) -> datetime:
    return candidate.updated_at or datetime.min
