"""The hash chain that makes the audit trail tamper-evident.

Format (version 1), enough to verify the table without this code:

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

from gateway.audit.record import AuditRecord

GENESIS = "0" * 64
CHAIN_FIELDS = (
    "request_id",
    "occurred_at",
    "subject",
    "role",
    "purpose",
    "customer_number",
    "field_path",
    "field",
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


_SORTED_KEYS = tuple(sorted((*CHAIN_FIELDS, "seq")))
_encode_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def canonical(seq: int, record: AuditRecord) -> str:
    """The JSON text a record's hash covers.

    Written field by field in sorted key order rather than through ``json.dumps`` of a dict:
    the same bytes (tests/test_audit_store.py compares them), for a fraction of the cost on
    the ~900 records a page of 50 customers can write.
    """
    parts = []
    for name in _SORTED_KEYS:
        if name == "seq":
            text = str(seq)
        elif name == "occurred_at":
            text = _encode_text(utc_text(record.occurred_at))
        else:
            value = getattr(record, name)
            text = "null" if value is None else _encode_text(value)
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"


def canonical_reference(seq: int, record: AuditRecord) -> str:
    """The canonical text as the format defines it, through ``json.dumps`` (for tests)."""
    body: dict[str, Any] = {name: getattr(record, name) for name in CHAIN_FIELDS}
    body["occurred_at"] = utc_text(record.occurred_at)
    body["seq"] = seq
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(prev_hash: str, seq: int, record: AuditRecord) -> str:
    """The hash of a record at ``seq`` following ``prev_hash``."""
    return hashlib.sha256((prev_hash + canonical(seq, record)).encode("utf-8")).hexdigest()


def link(records: Iterable[AuditRecord], after: Anchor) -> tuple[list[dict[str, Any]], Anchor]:
    """Rows for the records, chained on after ``after``, and the new end of the chain."""
    rows: list[dict[str, Any]] = []
    seq, prev_hash = after.seq, after.hash
    for record in records:
        stored = record.storable()
        seq += 1
        row_hash = digest(prev_hash, seq, stored)
        row = {name: getattr(stored, name) for name in CHAIN_FIELDS}
        row.update(seq=seq, prev_hash=prev_hash, hash=row_hash)
        rows.append(row)
        prev_hash = row_hash
    return rows, Anchor(seq, prev_hash)
