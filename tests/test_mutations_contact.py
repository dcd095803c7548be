"""recordContact: a contact is logged once, by whom the policy allows, or nothing is written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sources.crm import tables as crm
from tests.raw import rows
from tests.test_mutations_bank import (
    ABSENT,
    COLLEAGUES,
    MASS,
    OTHER_BRANCH,
    World,
    codes,
    customer_id,
    key,
    mutate,
    world,
)

__all__ = ["world"]

RECORD = """
mutation ($input: RecordContactInput!) { recordContact(input: $input) {
  errors { field code message }
  replayed
  interaction { id channel careType summary followUpOn contactedAt relationshipManager { name } }
} }
"""


def contact(cust_no: str = MASS, **overrides: Any) -> dict[str, Any]:
    return {
        "customer": customer_id(cust_no),
        "channel": "PHONE",
        "careType": "ROUTINE",
        "summary": "提醒定期存款下周到期",
        "idempotencyKey": key(),
    } | overrides


async def test_an_rm_logs_a_contact_with_their_own_customer(world: World) -> None:
    follow_up = world.today + timedelta(days=7)
    async with world.rm() as rm:
        payload = await mutate(rm, RECORD, **contact(followUpOn=follow_up.isoformat()))
    assert payload["errors"] == [] and payload["replayed"] is False
    logged = payload["interaction"]
    [row] = await rows(world.sources, crm.contact, crm.contact.c.summary == "提醒定期存款下周到期")
    assert (row.cust_no, row.rm_id, row.channel, row.care_type, row.follow_up_on) == (
        MASS,
        "RM0001",
        "PHONE",
        "ROUTINE",
        follow_up,
    )
    assert row.contact_id == 2, "the next id after the log's last"
    assert logged["summary"] == row.summary and logged["followUpOn"] == follow_up.isoformat()
    assert logged["relationshipManager"] == {"name": "王经理"}
    assert logged["contactedAt"].startswith(row.contacted_at.date().isoformat())


async def test_a_call_centre_agent_logs_a_contact_without_an_rm_and_sees_no_notes(
    world: World,
) -> None:
    async with world.agent("COMPLAINT_HANDLING") as agent:
        body = await agent.post(RECORD, {"input": contact(OTHER_BRANCH, summary="来电咨询")})
    payload = body["data"]["recordContact"]
    assert payload["errors"] == []
    [row] = await rows(world.sources, crm.contact, crm.contact.c.summary == "来电咨询")
    assert row.rm_id is None and row.cust_no == OTHER_BRANCH
    # The same policy as reads: an agent does not see contact notes, not even their own.
    assert payload["interaction"]["summary"] is None
    assert {"path": ["recordContact", "interaction", "summary"]} | {"treatment": "WITHHELD"} in [
        {k: n[k] for k in ("path", "treatment")} for n in body["extensions"]["disclosure"]
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"summary": "   "}, [("summary", "REQUIRED")]),
        ({"summary": "很" * 401}, [("summary", "TOO_LONG")]),
        ({"idempotencyKey": ""}, [("idempotencyKey", "REQUIRED")]),
        ({"idempotencyKey": "k" * 65}, [("idempotencyKey", "TOO_LONG")]),
        ({"customer": "not-an-id"}, [("customer", "INVALID_VALUE")]),
        ({"customer": "UHJvZHVjdDpXTTAwMQ"}, [("customer", "INVALID_VALUE")]),
        ({"followUpOn": "2001-01-01"}, [("followUpOn", "INVALID_VALUE")]),
        (
            {"summary": "", "idempotencyKey": ""},
            [("summary", "REQUIRED"), ("idempotencyKey", "REQUIRED")],
        ),
    ],
)
async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    world: World, overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    before = await world.crm_rows()
    async with world.rm() as rm:
        payload = await mutate(rm, RECORD, **contact(**overrides))
    assert codes(payload) == expected
    assert payload["interaction"] is None
    assert await world.crm_rows() == before


async def test_customers_out_of_reach_are_not_found_exactly_like_absent_ones(
    world: World,
) -> None:
    before = await world.crm_rows()
    async with world.rm() as rm:
        far = await mutate(rm, RECORD, **contact(OTHER_BRANCH))
        absent = await mutate(rm, RECORD, **contact(ABSENT))
    assert codes(far) == codes(absent) == [("customer", "NOT_FOUND")]
    assert far["errors"][0]["message"] == absent["errors"][0]["message"]
    assert await world.crm_rows() == before


@pytest.mark.parametrize(
    ("who", "purpose", "cust_no"),
    [
        ("rm", "COMPLAINT_HANDLING", MASS),  # a purpose not granted for contacts
        ("rm", "RELATIONSHIP_REVIEW", COLLEAGUES),  # a colleague's customer: visible, not theirs
        ("compliance", "AUDIT", MASS),  # compliance is read-only
        ("marketing", "MARKETING", MASS),
        ("service", "CUSTOMER_SERVICE", MASS),
        ("branch", "RELATIONSHIP_REVIEW", MASS),
    ],
)
async def test_roles_and_purposes_the_policy_does_not_grant_are_forbidden(
    world: World, who: str, purpose: str, cust_no: str
) -> None:
    callers = {
        "rm": lambda: world.rm(purpose),
        "compliance": lambda: world.client("COMPLIANCE_OFFICER", purpose),
        "marketing": lambda: world.client("MARKETING_ANALYST", purpose),
        "service": lambda: world.client(
            "SERVICE", purpose, scopes=["customer:relationship", "customer:identity"]
        ),
        "branch": lambda: world.branch_manager(purpose),
    }
    before = await world.crm_rows()
    async with callers[who]() as caller:
        payload = await mutate(caller, RECORD, **contact(cust_no))
    assert codes(payload) == [(None, "FORBIDDEN")]
    assert await world.crm_rows() == before
