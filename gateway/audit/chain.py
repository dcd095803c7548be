"""The hash chain that makes the audit trail tamper-evident.

Format (version 2), enough to verify the table without this code:

* Every stored event has a ``seq`` (1, 2, 3, … with no gaps), a ``prev_hash`` and a ``hash``.
* ``prev_hash`` of seq 1 is :data:`GENESIS` (64 zeros); of seq n it is the ``hash`` of seq n-1.
* ``hash = sha256_hex(prev_hash + canonical)``, UTF-8, where ``canonical`` is the JSON object of
  :data:`CHAIN_FIELDS` plus ``seq``, keys sorted, no whitespace (``","`` and ``":"``), non-ASCII
  kept as is, nulls as ``null``, and ``occurred_at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC.

The hash is unkeyed: it shows that a stored event changed, not who may have rewritten the
whole chain from some point on. An :class:`Anchor` kept outside the database closes that gap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway.audit.record import AuditRecord

GENESIS = "0" * 64
CHAIN_FIELDS = (
    "request_id",
    "occurred_at",
    "subject",
    "role",
    "purpose",
    "customer_number",
    "fields",
    "field_paths",
    "treatment",
    "reason",
)


@dataclass(frozen=True)
class Anchor:
    """A point on the chain, ``<seq>:<hash>``: print it, keep it elsewhere, verify against it."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """The anchor ``str(anchor)`` printed."""
        seq, sep, digest = text.strip().partition(":")
        if not sep or not seq.isdigit() or len(digest) != 64:
            raise ValueError(f"not an audit anchor (<seq>:<64 hex digits>): {text!r}")
        int(digest, 16)
        return cls(int(seq), digest.lower())


START = Anchor(0, GENESIS)


def utc_text(moment: datetime) -> str:
    """A moment as the chain spells it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


assert AuditRecord._fields == CHAIN_FIELDS
_SORTED_KEYS = tuple(sorted((*CHAIN_FIELDS, "seq")))
_POSITION = {name: AuditRecord._fields.index(name) for name in CHAIN_FIELDS}
_ORDER = tuple((name, _POSITION.get(name)) for name in _SORTED_KEYS)
COLUMNS = ("seq", *CHAIN_FIELDS, "prev_hash", "hash")
"""The audit_record columns in the order :func:`link` gives each row's values."""


def canonical_bytes(seq: int, record: AuditRecord, occurred_at: str | None = None) -> bytes:
    """The UTF-8 JSON a record's hash covers (``occurred_at``: its time as the chain spells
    it, when the caller has it already).

    orjson writes what ``json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` writes for these values (tests/test_audit_canonical.py checks
    it), at a fraction of the cost; the object is built in sorted key order.
    """
    body: dict[str, Any] = {}
    for name, position in _ORDER:
        if position is None:
            body[name] = seq
        elif name == "occurred_at":
            body[name] = occurred_at or utc_text(record.occurred_at)
        else:
            body[name] = record[position]
    return orjson.dumps(body)


def canonical(seq: int, record: AuditRecord) -> str:
    """The JSON text a record's hash covers."""
    return canonical_bytes(seq, record).decode("utf-8")


def canonical_reference(seq: int, record: AuditRecord) -> str:
    """The canonical text as the format defines it, through ``json.dumps`` (for tests)."""
    body: dict[str, Any] = {name: getattr(record, name) for name in CHAIN_FIELDS}
    body["occurred_at"] = utc_text(record.occurred_at)
    body["seq"] = seq
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(prev_hash: str, seq: int, record: AuditRecord) -> str:
    """The hash of a record at ``seq`` following ``prev_hash``."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(seq, record)).hexdigest()


def link(records: Iterable[AuditRecord], after: Anchor) -> tuple[list[tuple[Any, ...]], Anchor]:
    """Rows (values in :data:`COLUMNS` order) for the records, chained on after ``after``,
    and the new end of the chain."""
    rows: list[tuple[Any, ...]] = []
    seq, prev_hash = after.seq, after.hash
    moment: datetime | None = None
    moment_text = ""
    sha256 = hashlib.sha256
    for record in records:
        stored = record.storable()
        seq += 1
        if stored.occurred_at is not moment:  # a request's records share one moment
            moment = stored.occurred_at
            moment_text = utc_text(moment)
        row_hash = sha256(
            prev_hash.encode("ascii") + canonical_bytes(seq, stored, moment_text)
        ).hexdigest()
        rows.append((seq, *stored, prev_hash, row_hash))
        prev_hash = row_hash
    return rows, Anchor(seq, prev_hash)
