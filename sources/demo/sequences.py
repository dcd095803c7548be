"""Id sequences that carry on from one chunk of customers to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count


@dataclass
class Sequences:
    """The next id of each table whose key is a bank-assigned number."""

    account: count[int] = field(default_factory=lambda: count(1))
    transaction: count[int] = field(default_factory=lambda: count(1))
    holding: count[int] = field(default_factory=lambda: count(1))
    order: count[int] = field(default_factory=lambda: count(1))
    family_member: count[int] = field(default_factory=lambda: count(1))
    assessment: count[int] = field(default_factory=lambda: count(1))
    contact: count[int] = field(default_factory=lambda: count(1))
    complaint: count[int] = field(default_factory=lambda: count(1))
