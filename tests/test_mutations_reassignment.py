"""reassignCustomer: branch managers only, to an RM of their branch whose grade the tier allows."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.ids import global_id
from sources.crm import tables as crm
from tests.raw import rows
from tests.test_mutations_bank import (
    ABSENT,
    COLLEAGUES,
    MASS,
    OTHER_BRANCH,
    PLATINUM,
    World,
    codes,
    customer_id,
    key,
    mutate,
    world,
)

__all__ = ["world"]

REASSIGN = """
mutation ($input: ReassignCustomerInput!) { reassignCustomer(input: $input) {
  errors { field code message currentVersion } replayed
  assignment { version assignedOn relationshipManager { id grade } branch { code }
               customer { customerNumber relationshipManager { id } } }
} }
"""


def rm_id(rm: str) -> str:
    return str(global_id("RelationshipManager", rm))


async def assignment(world: World, cust_no: str) -> Any:
    [row] = await rows(world.sources, crm.assignment, crm.assignment.c.cust_no == cust_no)
    return row


async def reassign(world: World, cust_no: str, rm: str, **overrides: Any) -> dict[str, Any]:
    version = (await assignment(world, cust_no)).version
    async with world.branch_manager(overrides.pop("purpose", "RELATIONSHIP_REVIEW")) as bm:
        return await mutate(
            bm,
            REASSIGN,
            **{
                "customer": customer_id(cust_no),
                "relationshipManager": rm_id(rm),
                "expectedVersion": version,
                "idempotencyKey": key(),
            }
            | overrides,
        )


async def test_a_branch_manager_moves_a_platinum_customer_to_a_level_3_rm(world: World) -> None:
    before = await assignment(world, PLATINUM)
    payload = await reassign(world, PLATINUM, "RM0004")
    after = await assignment(world, PLATINUM)
    assert payload["errors"] == []
    assert (after.rm_id, after.branch_code, after.assigned_on, after.version) == (
        "RM0004",
        "SH001",
        world.today,
        before.version + 1,
    )
    assert payload["assignment"] == {
        "version": after.version,
        "assignedOn": world.today.isoformat(),
        "relationshipManager": {"id": rm_id("RM0004"), "grade": "LEVEL_3"},
        "branch": {"code": "SH001"},
        "customer": {"customerNumber": PLATINUM, "relationshipManager": {"id": rm_id("RM0004")}},
    }


async def test_the_assignment_version_starts_at_one_for_rows_written_without_it(
    world: World,
) -> None:
    assert (await assignment(world, MASS)).version == 1


@pytest.mark.parametrize(
    ("cust_no", "rm", "overrides", "expected"),
    [
        (PLATINUM, "RM0003", {}, ("relationshipManager", "GRADE_TOO_LOW")),
        (MASS, "RM0002", {}, ("relationshipManager", "NOT_IN_BRANCH")),
        (MASS, "RM9999", {}, ("relationshipManager", "NOT_FOUND")),
        (MASS, "RM0001", {}, ("relationshipManager", "INVALID_VALUE")),  # already theirs
        (OTHER_BRANCH, "RM0003", {}, ("customer", "NOT_FOUND")),
        (ABSENT, "RM0003", {"expectedVersion": 1}, ("customer", "NOT_FOUND")),
        (MASS, "RM0003", {"expectedVersion": 0}, ("expectedVersion", "VERSION_CONFLICT")),
        (MASS, "RM0003", {"relationshipManager": "bad"}, ("relationshipManager", "INVALID_VALUE")),
        (MASS, "RM0003", {"purpose": "COMPLAINT_HANDLING"}, (None, "FORBIDDEN")),
    ],
)
async def test_refused_reassignments_change_nothing(
    world: World,
    cust_no: str,
    rm: str,
    overrides: dict[str, Any],
    expected: tuple[str | None, str],
) -> None:
    before = await world.crm_rows()
    if cust_no == ABSENT:
        async with world.branch_manager() as bm:
            payload = await mutate(
                bm,
                REASSIGN,
                customer=customer_id(ABSENT),
                relationshipManager=rm_id(rm),
                expectedVersion=1,
                idempotencyKey=key(),
            )
    else:
        payload = await reassign(world, cust_no, rm, **overrides)
    assert codes(payload) == [expected]
    assert payload["assignment"] is None
    assert await world.crm_rows() == before


async def test_a_version_conflict_names_the_current_version(world: World) -> None:
    payload = await reassign(world, COLLEAGUES, "RM0004", expectedVersion=7)
    current = (await assignment(world, COLLEAGUES)).version
    assert [(e["code"], e["currentVersion"]) for e in payload["errors"]] == [
        ("VERSION_CONFLICT", current)
    ]


@pytest.mark.parametrize(
    ("role", "claims"),
    [
        ("RELATIONSHIP_MANAGER", {"branch": "SH001", "rm_id": "RM0001"}),
        ("CALL_CENTRE_AGENT", {}),
        ("COMPLIANCE_OFFICER", {}),
    ],
)
async def test_only_branch_managers_reassign(
    world: World, role: str, claims: dict[str, Any]
) -> None:
    purpose = {"COMPLIANCE_OFFICER": "RISK_CONTROL", "CALL_CENTRE_AGENT": "CUSTOMER_SERVICE"}
    before = await world.crm_rows()
    async with world.client(role, purpose.get(role, "RELATIONSHIP_REVIEW"), **claims) as caller:
        payload = await mutate(
            caller,
            REASSIGN,
            customer=customer_id(MASS),
            relationshipManager=rm_id("RM0003"),
            expectedVersion=1,
            idempotencyKey=key(),
        )
    assert codes(payload) == [(None, "FORBIDDEN")]
    assert await world.crm_rows() == before


async def test_a_manager_of_another_branch_cannot_reach_the_customer(world: World) -> None:
    before = await world.crm_rows()
    async with world.branch_manager(branch="BJ001") as bm:
        payload = await mutate(
            bm,
            REASSIGN,
            customer=customer_id(MASS),
            relationshipManager=rm_id("RM0002"),
            expectedVersion=1,
            idempotencyKey=key(),
        )
    assert codes(payload) == [("customer", "NOT_FOUND")]
    assert await world.crm_rows() == before
