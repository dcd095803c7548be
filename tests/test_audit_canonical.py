"""The fast canonical form of an audit record is byte for byte the format's JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.audit import AuditRecord
from gateway.audit.chain import canonical, canonical_reference

texts = st.text(max_size=40)
records = st.builds(
    AuditRecord,
    request_id=texts,
    occurred_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    subject=texts,
    role=texts,
    purpose=texts,
    customer_number=st.none() | texts,
    fields=texts,
    field_paths=texts,
    treatment=texts,
    reason=st.none() | texts,
)


@settings(max_examples=300, deadline=None)
@given(record=records, seq=st.integers(min_value=1, max_value=10**12))
def test_the_canonical_text_is_exactly_the_formats_json(record: AuditRecord, seq: int) -> None:
    stored = record.storable()
    assert canonical(seq, stored) == canonical_reference(seq, stored)


def test_quotes_backslashes_controls_and_chinese_are_escaped_as_json_does() -> None:
    record = AuditRecord(
        request_id='r"1\\',
        occurred_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        subject="张三\n\t\u2028",
        role="RM",
        purpose="AUDIT",
        customer_number=None,
        fields="Customer.name",
        field_paths="customer.name",
        treatment="CLEAR",
        reason=None,
    )
    assert canonical(7, record) == canonical_reference(7, record)
    assert '"customer_number":null' in canonical(7, record)
