"""The ``audit_record`` table, in the gateway's own database.

(Format 1 wrote one row per value to ``audit_event``; a database that still holds that
table keeps it untouched beside this one.)"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

audit_record = Table(
    "audit_record",
    metadata,
    Column(
        "seq",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=False,
        comment="position on the chain, 1, 2, 3, … assigned by the writer",
    ),
    Column("request_id", String, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("subject", String, nullable=False),
    Column("role", String, nullable=False),
    Column("purpose", String, nullable=False),
    Column("customer_number", String, nullable=True),
    Column("fields", Text, nullable=False, comment="Type.field names, space-separated"),
    Column("field_paths", Text, nullable=False, comment="response paths, space-separated"),
    Column("treatment", String, nullable=False),
    Column("reason", String, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_record_customer_seq", "customer_number", "seq"),
    Index("ix_audit_record_subject_seq", "subject", "seq"),
    Index("ix_audit_record_occurred_at", "occurred_at"),
    comment="c360 audit trail: append-only, hash-chained (see gateway/audit/chain.py)",
)
