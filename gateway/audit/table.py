"""The ``audit_event`` table, in the gateway's own database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

audit_event = Table(
    "audit_event",
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
    Column("field_path", String, nullable=False),
    Column("field", String, nullable=False),
    Column("treatment", String, nullable=False),
    Column("reason", String, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_event_customer_seq", "customer_number", "seq"),
    Index("ix_audit_event_subject_seq", "subject", "seq"),
    Index("ix_audit_event_occurred_at", "occurred_at"),
    comment="c360 audit trail: append-only, hash-chained (see gateway/audit/chain.py)",
)
