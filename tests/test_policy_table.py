"""The policy as a plain table: the brief's matrix holds, purposes only narrow, C3 never leaves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gateway.auth import Role
from gateway.policy import (
    FIELDS,
    MATRIX,
    PURPOSES,
    Ownership,
    Purpose,
    Sensitivity,
    Treatment,
    decide,
)
from resolvers.schema import schema

STRICTNESS = list(Treatment)
RM, BM, CC, CO, SV = (
    Role.RELATIONSHIP_MANAGER,
    Role.BRANCH_MANAGER,
    Role.CALL_CENTRE_AGENT,
    Role.COMPLIANCE_OFFICER,
    Role.SERVICE,
)


@pytest.mark.parametrize(
    ("field", "role", "ownership", "purpose", "treatment", "form"),
    [
        # The brief's starting matrix (section 3), cell by cell.
        (
            "Account.cardNumber",
            CC,
            Ownership.ANY,
            Purpose.CUSTOMER_SERVICE,
            "MASKED",
            "CARD_FIRST6_LAST4",
        ),
        (
            "Account.cardNumber",
            RM,
            Ownership.OWN,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "CARD_FIRST6_LAST4",
        ),
        (
            "Account.cardNumber",
            BM,
            Ownership.BRANCH,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "CARD_FIRST6_LAST4",
        ),
        ("Account.cardNumber", CO, Ownership.ANY, Purpose.AUDIT, "CLEAR", None),
        (
            "Customer.idNumber",
            CC,
            Ownership.ANY,
            Purpose.CUSTOMER_SERVICE,
            "MASKED",
            "ID_FIRST1_LAST1",
        ),
        (
            "Customer.idNumber",
            RM,
            Ownership.OWN,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "ID_FIRST6_LAST4",
        ),
        (
            "Customer.idNumber",
            BM,
            Ownership.BRANCH,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "ID_FIRST6_LAST4",
        ),
        ("Customer.idNumber", CO, Ownership.ANY, Purpose.AUDIT, "CLEAR", None),
        (
            "Customer.mobile",
            CC,
            Ownership.ANY,
            Purpose.CUSTOMER_SERVICE,
            "MASKED",
            "MOBILE_FIRST3_LAST4",
        ),
        ("Customer.mobile", RM, Ownership.OWN, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        (
            "Customer.mobile",
            BM,
            Ownership.BRANCH,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "MOBILE_FIRST3_LAST4",
        ),
        ("Customer.name", CC, Ownership.ANY, Purpose.CUSTOMER_SERVICE, "MASKED", "NAME_SURNAME"),
        ("Customer.name", RM, Ownership.OWN, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        ("Customer.name", BM, Ownership.BRANCH, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        ("Account.balance", CC, Ownership.ANY, Purpose.CUSTOMER_SERVICE, "BANDED", "AMOUNT_BAND"),
        ("Account.balance", RM, Ownership.OWN, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        ("Account.balance", BM, Ownership.BRANCH, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        ("CustomerProfile.employer", CC, Ownership.ANY, Purpose.CUSTOMER_SERVICE, "WITHHELD", None),
        ("CustomerProfile.employer", RM, Ownership.OWN, Purpose.RELATIONSHIP_REVIEW, "CLEAR", None),
        ("Complaint.summary", CC, Ownership.ANY, Purpose.COMPLAINT_HANDLING, "CLEAR", None),
        # Other customers of an RM's branch are masked like the front line sees them.
        (
            "Customer.mobile",
            RM,
            Ownership.BRANCH,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "MOBILE_FIRST3_LAST4",
        ),
        (
            "Customer.name",
            RM,
            Ownership.BRANCH,
            Purpose.RELATIONSHIP_REVIEW,
            "MASKED",
            "NAME_SURNAME",
        ),
        # A purpose narrows: a relationship review shows the profile, customer service not.
        ("CustomerProfile.employer", RM, Ownership.OWN, Purpose.CUSTOMER_SERVICE, "WITHHELD", None),
    ],
)
def test_the_policy_holds_the_briefs_matrix(
    field: str,
    role: Role,
    ownership: Ownership,
    purpose: Purpose,
    treatment: str,
    form: str | None,
) -> None:
    rule = decide(field, role, ownership, purpose)
    assert (rule.treatment.value, rule.form) == (treatment, form)


def test_a_purpose_never_widens_what_a_role_sees() -> None:
    for (role, ownership), categories in MATRIX.items():
        for field, (sensitivity, category) in FIELDS.items():
            if sensitivity is Sensitivity.C3:
                continue
            base = categories[category]
            for purpose in PURPOSES[role]:
                rule = decide(field, role, ownership, purpose, frozenset({"*"}) | _all_scopes())
                assert STRICTNESS.index(rule.treatment) >= STRICTNESS.index(base.treatment)


def test_authentication_data_is_withheld_from_every_role() -> None:
    c3 = [f for f, (sensitivity, _c) in FIELDS.items() if sensitivity is Sensitivity.C3]
    assert c3
    for field in c3:
        for role in Role:
            for purpose in Purpose:
                for ownership in Ownership:
                    assert decide(field, role, ownership, purpose).treatment is Treatment.WITHHELD


def test_a_customer_outside_the_scope_gets_nothing() -> None:
    for field in FIELDS:
        assert decide(field, CO, None, Purpose.AUDIT).treatment is Treatment.WITHHELD
        assert (
            decide(field, Role.MARKETING_ANALYST, Ownership.ANY, Purpose.MARKETING).treatment
            is Treatment.WITHHELD
        )


def test_a_service_client_sees_only_what_its_scopes_name() -> None:
    contact = frozenset({"customer:contact"})
    assert (
        decide("Customer.mobile", SV, Ownership.ANY, Purpose.CUSTOMER_SERVICE, contact).treatment
        is Treatment.CLEAR
    )
    rule = decide("Account.balance", SV, Ownership.ANY, Purpose.CUSTOMER_SERVICE, contact)
    assert rule.treatment is Treatment.WITHHELD and "customer:finance" in (rule.reason or "")


def test_every_schema_field_that_carries_customer_data_is_in_the_policy() -> None:
    sensitive = set()
    for name, graphql_type in schema._schema.type_map.items():
        for field_name, field in getattr(graphql_type, "fields", {}).items():
            if "Sensitivity C" in (field.description or "") and "may be masked" in (
                field.description or ""
            ):
                sensitive.add(f"{name}.{field_name}")
    non_c3 = {f for f, (s, _c) in FIELDS.items() if s is not Sensitivity.C3}
    assert sensitive == non_c3
    # Every sensitive field may be masked or withheld, so none is non-null.
    for key in sensitive:
        type_name, field_name = key.split(".")
        field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
        assert not str(field.type).endswith("!"), key


def test_the_policy_module_knows_nothing_of_graphql() -> None:
    source = Path(__file__).resolve().parent.parent / "gateway" / "policy.py"
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules and not modules & {"strawberry", "graphql"}


def _all_scopes() -> frozenset[str]:
    from gateway.policy import SCOPES

    return frozenset(SCOPES.values())
