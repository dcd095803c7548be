"""openComplaint and resolveComplaint: written as asked, at the version read, or not at all."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.ids import global_id
from sources.crm import tables as crm
from tests.raw import rows
from tests.test_mutations_bank import (
    FAR_COMPLAINT,
    MASS,
    OPEN_COMPLAINT,
    OTHER_BRANCH,
    SETTLED_COMPLAINT,
    World,
    codes,
    customer_id,
    key,
    mutate,
    world,
)

__all__ = ["world"]

OPEN = """
mutation ($input: OpenComplaintInput!) { openComplaint(input: $input) {
  errors { field code message currentVersion } replayed version
  complaint { id category status summary openedAt }
} }
"""
RESOLVE = """
mutation ($input: ResolveComplaintInput!) { resolveComplaint(input: $input) {
  errors { field code message currentVersion } replayed version
  complaint { id status satisfaction resolvedAt }
} }
"""


def complaint_id(number: int) -> str:
    return str(global_id("Complaint", number))


async def complaint_row(world: World, number: int) -> Any:
    [row] = await rows(world.sources, crm.complaint, crm.complaint.c.complaint_id == number)
    return row


async def test_an_agent_opens_a_complaint_and_sees_its_summary(world: World) -> None:
    async with world.agent("COMPLAINT_HANDLING") as agent:
        payload = await mutate(
            agent,
            OPEN,
            customer=customer_id(OTHER_BRANCH),
            category="WAIT_TIME",
            summary="排队一小时",
            idempotencyKey=key(),
        )
    assert payload["errors"] == [] and payload["version"] == 1
    [row] = await rows(world.sources, crm.complaint, crm.complaint.c.summary == "排队一小时")
    assert (row.cust_no, row.category, row.status, row.version) == (
        OTHER_BRANCH,
        "WAIT_TIME",
        "OPEN",
        1,
    )
    assert row.resolved_at is None and row.satisfaction is None
    assert payload["complaint"] == {
        "id": complaint_id(row.complaint_id),
        "category": "WAIT_TIME",
        "status": "OPEN",
        "summary": "排队一小时",
        "openedAt": payload["complaint"]["openedAt"],
    }
    assert payload["complaint"]["openedAt"].startswith(row.opened_at.isoformat())


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"summary": ""}, [("summary", "REQUIRED")]),
        ({"summary": "x" * 401}, [("summary", "TOO_LONG")]),
        ({"customer": "Q3VzdG9tZXI"}, [("customer", "INVALID_VALUE")]),
    ],
)
async def test_a_bad_complaint_is_refused_and_writes_nothing(
    world: World, overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    before = await world.crm_rows()
    async with world.rm("CUSTOMER_SERVICE") as rm:
        payload = await mutate(
            rm,
            OPEN,
            **{
                "customer": customer_id(MASS),
                "category": "FEES",
                "summary": "收费不透明",
                "idempotencyKey": key(),
            }
            | overrides,
        )
    assert codes(payload) == expected and payload["complaint"] is None
    assert await world.crm_rows() == before


async def test_a_branch_manager_resolves_a_complaint_at_the_version_read(world: World) -> None:
    before = await complaint_row(world, OPEN_COMPLAINT)
    async with world.branch_manager("COMPLAINT_HANDLING") as manager:
        payload = await mutate(
            manager,
            RESOLVE,
            complaint=complaint_id(OPEN_COMPLAINT),
            expectedVersion=before.version,
            satisfaction=4,
            idempotencyKey=key(),
        )
    after = await complaint_row(world, OPEN_COMPLAINT)
    assert payload["errors"] == []
    assert (after.status, after.satisfaction, after.version) == ("RESOLVED", 4, before.version + 1)
    assert after.resolved_at is not None
    assert payload["version"] == after.version
    assert payload["complaint"]["status"] == "RESOLVED"
    assert payload["complaint"]["resolvedAt"].startswith(after.resolved_at.isoformat())


async def test_refused_resolutions_leave_the_complaint_as_it_was(world: World) -> None:
    settled = await complaint_row(world, SETTLED_COMPLAINT)
    before = await world.crm_rows()
    cases = [
        ({"complaint": complaint_id(SETTLED_COMPLAINT)}, [("complaint", "INVALID_STATE")]),
        ({"complaint": complaint_id(FAR_COMPLAINT)}, [("complaint", "NOT_FOUND")]),
        ({"complaint": complaint_id(999)}, [("complaint", "NOT_FOUND")]),
        ({"complaint": customer_id(MASS)}, [("complaint", "INVALID_VALUE")]),
        ({"satisfaction": 6}, [("satisfaction", "INVALID_VALUE")]),
    ]
    async with world.rm("COMPLAINT_HANDLING") as rm:
        for overrides, expected in cases:
            payload = await mutate(
                rm,
                RESOLVE,
                **{
                    "complaint": complaint_id(OPEN_COMPLAINT),
                    "expectedVersion": settled.version,
                    "idempotencyKey": key(),
                }
                | overrides,
            )
            assert codes(payload) == expected, overrides
    assert await world.crm_rows() == before


async def test_a_stale_version_is_refused_with_the_current_one(world: World) -> None:
    async with world.agent("COMPLAINT_HANDLING") as agent:
        opened = await mutate(
            agent,
            OPEN,
            customer=customer_id(MASS),
            category="SERVICE",
            summary="柜员态度差",
            idempotencyKey=key(),
        )
        number = await _id_of(world, "柜员态度差")
        before = await world.crm_rows()
        payload = await mutate(
            agent,
            RESOLVE,
            complaint=opened["complaint"]["id"],
            expectedVersion=opened["version"] + 1,
            idempotencyKey=key(),
        )
    assert [(e["code"], e["currentVersion"]) for e in payload["errors"]] == [
        ("VERSION_CONFLICT", 1)
    ]
    assert (await complaint_row(world, number)).status == "OPEN"
    assert await world.crm_rows() == before


async def test_call_centre_agents_may_not_resolve_for_customer_service(world: World) -> None:
    before = await world.crm_rows()
    async with world.agent("CUSTOMER_SERVICE") as agent:
        payload = await mutate(
            agent,
            RESOLVE,
            complaint=complaint_id(OPEN_COMPLAINT),
            expectedVersion=1,
            idempotencyKey=key(),
        )
    assert codes(payload) == [(None, "FORBIDDEN")]
    assert await world.crm_rows() == before


async def _id_of(world: World, summary: str) -> int:
    [row] = await rows(world.sources, crm.complaint, crm.complaint.c.summary == summary)
    return int(row.complaint_id)
