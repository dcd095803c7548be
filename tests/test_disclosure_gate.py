"""The disclosure gate on its own: what a request releases, and what it hands the audit trail."""

from __future__ import annotations

from typing import Any

from gateway.audit.record import records_of
from gateway.auth import Principal, Role
from gateway.disclosure import AUDIT_UNAVAILABLE, Disclosure
from gateway.policy import Ownership, Purpose

RM = Principal(subject="rm0001", role=Role.RELATIONSHIP_MANAGER, branch="SH001", rm_id="RM0001")


class Sink:
    """An audit trail that keeps what it is given, and can be taken down."""

    def __init__(self) -> None:
        self.available = True
        self.records: list[Any] = []

    def record(self, record: Any) -> None:
        self.records.append(record)


def gate(sink: Sink) -> Disclosure:
    return Disclosure(RM, Purpose.RELATIONSHIP_REVIEW, sink, "req-1", records_of)


def test_clear_reads_of_a_customer_make_one_record_naming_every_field_and_path() -> None:
    sink = Sink()
    disclosure = gate(sink)
    disclosure.admit("C1", Ownership.OWN)
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", ("customer", "name")) == "Li Lei"
    assert disclosure.disclose("Account.balance", "C1", "10.00", ("customer", "a", 0, "b")) == (
        "10.00"
    )
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", "x.name") == ("Li Lei")
    disclosure.close()
    [record] = sink.records
    assert record.customer_number == "C1"
    assert record.fields == "Account.balance Customer.name"
    assert record.field_paths == "customer.name customer.a.0.b x.name"
    assert record.treatment == "CLEAR"


def test_a_customer_admitted_after_a_refused_read_is_then_shown() -> None:
    sink = Sink()
    disclosure = gate(sink)
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", ("name",)) is None
    disclosure.admit("C1", Ownership.OWN)
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", ("name",)) == "Li Lei"
    disclosure.close()
    assert sorted(r.treatment for r in sink.records) == ["CLEAR", "WITHHELD"]


def test_with_the_audit_trail_down_clear_personal_data_is_withheld_and_nothing_recorded() -> None:
    sink = Sink()
    disclosure = gate(sink)
    disclosure.admit("C1", Ownership.OWN)
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", ("a", "name")) == "Li Lei"
    sink.available = False
    assert disclosure.disclose("Customer.mobile", "C1", "13800000000", ("a", "mobile")) is None
    assert disclosure.notes[-1]["code"] == AUDIT_UNAVAILABLE
    disclosure.close()
    [record] = sink.records
    assert record.fields == "Customer.name"
    assert record.field_paths == "a.name"


def test_a_request_that_released_nothing_writes_no_record() -> None:
    sink = Sink()
    disclosure = gate(sink)
    disclosure.admit("C1", Ownership.OWN)
    sink.available = False
    assert disclosure.disclose("Customer.name", "C1", "Li Lei", ("name",)) is None
    disclosure.close()
    assert sink.records == []


def test_a_dotted_path_comes_back_as_its_steps_in_a_note() -> None:
    sink = Sink()
    disclosure = gate(sink)
    disclosure.admit("C1", Ownership.OWN)
    sink.available = False
    path = "customers.nodes.12.accounts.0.balance"
    assert disclosure.disclose("Account.balance", "C1", "10.00", path) is None
    assert disclosure.notes[-1]["path"] == ["customers", "nodes", 12, "accounts", 0, "balance"]


def test_each_customer_is_decided_on_their_own_ownership() -> None:
    """Customers of one ownership share decisions; a customer of another, or one admitted
    again on other grounds, is decided on theirs."""
    sink = Sink()
    disclosure = gate(sink)
    for customer, ownership in (("C1", Ownership.OWN), ("C2", Ownership.BRANCH)):
        disclosure.admit(customer, ownership)
    disclosure.admit("C3", Ownership.OWN)
    mobile = "13812345678"
    shown = [disclosure.disclose("Customer.mobile", c, mobile, f"{c}.m") for c in ("C1", "C2")]
    assert shown == [mobile, "138****5678"]
    assert disclosure.disclose("Customer.mobile", "C3", mobile, "C3.m") == mobile
    disclosure.admit("C3", Ownership.BRANCH)
    assert disclosure.disclose("Customer.mobile", "C3", mobile, "C3.again") == "138****5678"
    disclosure.close()
    assert [(r.customer_number, r.field_paths) for r in sink.records] == [
        ("C1", "C1.m"),
        ("C3", "C3.m"),
    ]


def test_reads_after_close_go_to_records_of_their_own() -> None:
    sink = Sink()
    disclosure = gate(sink)
    disclosure.admit("C1", Ownership.OWN)
    disclosure.disclose("Customer.name", "C1", "Li Lei", "first.name")
    disclosure.close()
    disclosure.disclose("Customer.name", "C1", "Li Lei", "second.name")
    disclosure.close()
    assert [r.field_paths for r in sink.records] == ["first.name", "second.name"]


def test_decisions_made_for_one_purpose_or_relation_are_not_applied_to_another() -> None:
    """The gates are shared by requests asking on the same grounds, and only by those."""

    def released(field: str, value: str, purpose: Purpose, ownership: Ownership) -> Any:
        disclosure = Disclosure(RM, purpose, Sink(), "req", records_of)
        disclosure.admit("C1", ownership)
        return disclosure.disclose(field, "C1", value, "customer.x")

    number, mobile = "6222020200112233", "13663276260"
    review, marketing = Purpose.RELATIONSHIP_REVIEW, Purpose.MARKETING
    assert released("Account.accountNumber", number, review, Ownership.OWN) == "622202******2233"
    assert released("Account.accountNumber", number, marketing, Ownership.OWN) is None
    assert released("Account.accountNumber", number, review, Ownership.OWN) == "622202******2233"
    assert released("Customer.mobile", mobile, review, Ownership.OWN) == mobile
    assert released("Customer.mobile", mobile, review, Ownership.BRANCH) != mobile
    assert released("Customer.mobile", mobile, review, Ownership.OWN) == mobile
