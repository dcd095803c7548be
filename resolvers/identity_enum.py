"""Enums whose members hash by identity."""

from __future__ import annotations

from enum import Enum


class IdentityEnum(Enum):
    """An enum whose members hash in C, by identity.

    ``Enum.__hash__`` is Python (``hash(self._name_)``), so every dict lookup keyed by a
    member calls a Python function: a page of 50 customers looks up merged attributes and
    tiers some 450 times. A plain enum's member is equal only to itself, so hashing by
    identity keeps ``a == b`` implying ``hash(a) == hash(b)``. Not for ``StrEnum``s, whose
    members equal their text and hash as it (already in C).
    """

    __hash__ = object.__hash__
