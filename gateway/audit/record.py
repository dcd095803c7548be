"""What the audit trail holds about one read: who, why, which field of whom, and how shown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

GAP_FIELD = "AUDIT_GAP"
TAIL_LOST_FIELD = "AUDIT_TAIL_LOST"
GAP_TREATMENT = "GAP"
TRAIL_SUBJECT = "c360-audit-trail"
TRAIL_ROLE = "SYSTEM"
TRAIL_PURPOSE = "AUDIT"


class _Record(NamedTuple):
    request_id: str
    occurred_at: datetime
    subject: str
    role: str
    purpose: str
    customer_number: str | None
    fields: str
    field_paths: str
    treatment: str
    reason: str | None = None


class AuditRecord(_Record):
    """What one response showed of one customer, under one treatment and reason.

    ``fields`` are the policy's names of the fields (``Type.field``, distinct, sorted) and
    ``field_paths`` every place in the response a value of them was, each list separated
    by single spaces: a page of 50 customers writes about 50 records, not one
    per value. There is deliberately no value field: the audit must not hold the data it
    audits.
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> AuditRecord:
        record = super().__new__(cls, *args, **kwargs)
        if record.occurred_at.utcoffset() is None:
            raise ValueError("AuditRecord.occurred_at must be timezone-aware")
        return record

    def storable(self) -> AuditRecord:
        """This record as the store keeps it: UTC time, text without NULs or lone surrogates.

        PostgreSQL text cannot hold NUL and no driver encodes a lone surrogate; one such
        string from a token or a header must not block every later flush. Records the
        gateway makes are nearly always plain ASCII in UTC, and are kept as they are.
        """
        at = self.occurred_at
        if (
            at.tzinfo is UTC
            and all(
                value is None or value is at or (type(value) is str and value.isascii())
                for value in self
            )
            and not any(type(value) is str and "\x00" in value for value in self)
        ):
            return self
        text = {
            name: _storable_text(getattr(self, name))
            for name in _TEXT_FIELDS
            if getattr(self, name) is not None
        }
        return self._replace(occurred_at=at.astimezone(UTC), **text)


class _Storable(AuditRecord):
    """A record known to be storable as it is (see :func:`records_of`)."""

    __slots__ = ()

    def storable(self) -> AuditRecord:
        return self


RecordMaker = Callable[[str | None, str, str, str, str | None], AuditRecord]


def records_of(
    request_id: str, occurred_at: datetime, subject: str, role: str, purpose: str
) -> RecordMaker:
    """The maker of one request's records: ``make(customer_number, fields, field_paths,
    treatment, reason)``. The caller's part is made storable once; the rest is the gateway's
    own text (catalogue keys, response paths of GraphQL names, treatments, the policy's
    reasons) and customer numbers read from the sources, all storable as they are."""
    caller = tuple(
        AuditRecord(request_id, occurred_at, subject, role, purpose, None, "", "", "").storable()
    )[:5]
    new = tuple.__new__

    def make(
        customer_number: str | None,
        fields: str,
        field_paths: str,
        treatment: str,
        reason: str | None,
    ) -> AuditRecord:
        return new(_Storable, (*caller, customer_number, fields, field_paths, treatment, reason))

    return make


_TEXT_FIELDS = (
    "request_id",
    "subject",
    "role",
    "purpose",
    "customer_number",
    "fields",
    "field_paths",
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
    fields: str
    field_paths: str
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
            fields=self.fields,
            field_paths=self.field_paths,
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
        fields=field,
        field_paths=field,
        treatment=GAP_TREATMENT,
        reason=reason,
    )
