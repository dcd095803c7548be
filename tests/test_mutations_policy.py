"""The write grants, read as a plain table: who may write what, for which purposes."""

from __future__ import annotations

import pytest

from gateway.auth import Role
from gateway.policy import PURPOSES, WRITES, Ownership, Purpose, may_write
from resolvers.schema import schema


def test_every_mutation_in_the_schema_has_a_grant_and_every_grant_a_mutation() -> None:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    assert set(mutation_type.fields) == set(WRITES)


@pytest.mark.parametrize("role", [Role.COMPLIANCE_OFFICER, Role.MARKETING_ANALYST, Role.SERVICE])
def test_compliance_marketing_and_service_clients_write_nothing(role: Role) -> None:
    assert not [
        (mutation, purpose)
        for mutation in WRITES
        for purpose in Purpose
        if may_write(mutation, role, purpose)
    ]


def test_no_grant_names_a_purpose_the_role_may_not_declare() -> None:
    for mutation, grants in WRITES.items():
        for (role, _ownership), purposes in grants.items():
            assert purposes <= PURPOSES[role], (mutation, role)


def test_only_branch_managers_reassign_and_only_rms_write_profiles_of_their_own_book() -> None:
    assert {role for role, _o in WRITES["reassignCustomer"]} == {Role.BRANCH_MANAGER}
    assert set(WRITES["updateProfile"]) == {(Role.RELATIONSHIP_MANAGER, Ownership.OWN)}
    assert not may_write(
        "recordContact", Role.RELATIONSHIP_MANAGER, Purpose.RELATIONSHIP_REVIEW, Ownership.BRANCH
    )
    assert may_write(
        "recordContact", Role.RELATIONSHIP_MANAGER, Purpose.RELATIONSHIP_REVIEW, Ownership.OWN
    )
