"""What the audit trail holds about one read: who, why, which field of whom, and how shown."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

GAP_FIELD = "AUDIT_GAP"
TAIL_LOST_FIELD = "AUDIT_TAIL_LOST"
GAP_TREATMENT = "GAP"
TRAIL_SUBJECT = "c360-audit-trail"
TRAIL_ROLE = "SYSTEM"
TRAIL_PURPOSE = "AUDIT"


@dataclass(frozen=True)
class AuditRecord:
    """One field of one response, as the policy treated it.

    There is deliberately no value field: the audit must not hold the data it audits.
    """

    request_id: str
    occurred_at: datetime
    subject: str
    role: str
    purpose: str
    customer_number: str | None
    field_path: str
    field: str
    treatment: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise ValueError("AuditRecord.occurred_at must be timezone-aware")

    def storable(self) -> AuditRecord:
        """This record as the store keeps it: UTC time, text without NULs or lone surrogates.

        PostgreSQL text cannot hold NUL and no driver encodes a lone surrogate; one such
        string from a token or a header must not block every later flush.
        """
        text = {
            name: _storable_text(getattr(self, name))
            for name in _TEXT_FIELDS
            if getattr(self, name) is not None
        }
        occurred_at = self.occurred_at.astimezone(UTC)
        if occurred_at is self.occurred_at and all(
            value == getattr(self, name) for name, value in text.items()
        ):
            return self
        return replace(self, occurred_at=occurred_at, **text)


_TEXT_FIELDS = (
    "request_id",
    "subject",
    "role",
    "purpose",
    "customer_number",
    "field_path",
    "field",
    "treatment",
    "reason",
)


def _storable_text(value: object) -> str:
    if not isinstance(value, str):
        value = str(value)
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


@dataclass(frozen=True)
class StoredEvent:
    """An audit record as stored: its place on the chain and the hashes that link it."""

    seq: int
    request_id: str
    occurred_at: datetime
    subject: str
    role: str
    purpose: str
    customer_number: str | None
    field_path: str
    field: str
    treatment: str
    reason: str | None
    prev_hash: str
    hash: str

    @property
    def record(self) -> AuditRecord:
        """The record this event stores."""
        return AuditRecord(
            request_id=self.request_id,
            occurred_at=self.occurred_at,
            subject=self.subject,
            role=self.role,
            purpose=self.purpose,
            customer_number=self.customer_number,
            field_path=self.field_path,
            field=self.field,
            treatment=self.treatment,
            reason=self.reason,
        )


def trail_record(field: str, reason: str) -> AuditRecord:
    """A record the trail writes about itself (a gap, a lost tail), so the chain shows it."""
    return AuditRecord(
        request_id=uuid.uuid4().hex,
        occurred_at=datetime.now(UTC),
        subject=TRAIL_SUBJECT,
        role=TRAIL_ROLE,
        purpose=TRAIL_PURPOSE,
        customer_number=None,
        field_path=field,
        field=field,
        treatment=GAP_TREATMENT,
        reason=reason,
    )
