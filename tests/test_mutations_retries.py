"""Retries and races write once; keys are not reusable for other input; writes are audited;
mutations never run over GET."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from gateway.audit import AuditTrail
from sources.crm import tables as crm
from tests.conftest import caller_headers
from tests.raw import rows
from tests.test_mutations_bank import (
    MASS,
    OPEN_COMPLAINT,
    World,
    codes,
    customer_id,
    key,
    mutate,
    world,
)
from tests.test_mutations_contact import RECORD, contact
from tests.test_mutations_profile import UPDATE, profile_row

__all__ = ["world"]


async def contacts_saying(world: World, summary: str) -> list[Any]:
    return await rows(world.sources, crm.contact, crm.contact.c.summary == summary)


async def write_events(audit: AuditTrail, cust_no: str) -> list[Any]:
    return [
        e for e in await audit.events(customer_number=cust_no, limit=1000) if e.treatment == "WRITE"
    ]


async def test_a_retried_contact_is_written_once_and_answered_with_the_first_result(
    world: World,
) -> None:
    request = contact(summary="重试的联系记录")
    async with world.rm() as rm:
        first = await mutate(rm, RECORD, **request)
        again = await mutate(rm, RECORD, **request)
    assert first["errors"] == [] and first["replayed"] is False
    assert again["replayed"] is True
    assert again["interaction"] == first["interaction"]
    assert len(await contacts_saying(world, "重试的联系记录")) == 1


async def test_a_retried_profile_update_is_not_a_version_conflict(world: World) -> None:
    version = (await profile_row(world, MASS)).version
    request = {
        "customer": customer_id(MASS),
        "expectedVersion": version,
        "idempotencyKey": key(),
        "hobbies": "钓鱼,书法",
    }
    async with world.rm() as rm:
        first = await mutate(rm, UPDATE, **request)
        again = await mutate(rm, UPDATE, **request)
    assert first["errors"] == again["errors"] == []
    assert again["replayed"] is True and again["profile"] == first["profile"]
    assert (await profile_row(world, MASS)).version == version + 1


async def test_the_same_key_with_other_input_is_refused(world: World) -> None:
    request = contact(summary="第一次")
    async with world.rm() as rm:
        await mutate(rm, RECORD, **request)
        before = await world.crm_rows()
        reused = await mutate(rm, RECORD, **(request | {"summary": "第二次"}))
        other_mutation = await mutate(
            rm,
            UPDATE,
            customer=customer_id(MASS),
            expectedVersion=(await profile_row(world, MASS)).version,
            idempotencyKey=request["idempotencyKey"],
            occupation="教师",
        )
    assert codes(reused) == codes(other_mutation) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert await world.crm_rows() == before


async def test_keys_belong_to_their_caller(world: World) -> None:
    request = contact(summary="两位坐席各自记录")
    async with world.agent() as agent:
        await mutate(agent, RECORD, **request)
    async with world.rm("CUSTOMER_SERVICE") as rm:
        theirs = await mutate(rm, RECORD, **request)
    assert theirs["replayed"] is False
    assert len(await contacts_saying(world, "两位坐席各自记录")) == 2


async def test_a_caller_with_a_very_long_subject_can_retry_too(world: World) -> None:
    request = contact(summary="长主体")
    subject = "svc-" + "x" * 300
    headers = {"subject": subject, "branch": "SH001", "rm_id": "RM0001"}
    async with world.client("RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", **headers) as rm:
        first = await mutate(rm, RECORD, **request)
        again = await mutate(rm, RECORD, **request)
    assert first["errors"] == [] and again["replayed"] is True
    assert len(await contacts_saying(world, "长主体")) == 1


async def test_concurrent_duplicate_submissions_write_once(world: World) -> None:
    request = contact(summary="并发提交")
    async with world.rm() as rm:
        results = await asyncio.gather(*(mutate(rm, RECORD, **request) for _ in range(4)))
    assert [r["errors"] for r in results] == [[]] * 4
    assert sorted(r["replayed"] for r in results) == [False, True, True, True]
    assert len({r["interaction"]["id"] for r in results}) == 1
    assert len(await contacts_saying(world, "并发提交")) == 1
    [idempotency] = await rows(
        world.sources, crm.idempotency, crm.idempotency.c.idem_key == request["idempotencyKey"]
    )
    assert idempotency.subject == "rm-RM0001" and idempotency.mutation == "recordContact"


async def test_concurrent_different_contacts_each_get_their_own_id(world: World) -> None:
    async with world.rm() as rm, world.agent() as agent:
        results = await asyncio.gather(
            *(mutate(rm, RECORD, **contact(summary=f"批量{n}")) for n in range(3)),
            *(mutate(agent, RECORD, **contact(summary=f"坐席{n}")) for n in range(3)),
        )
    assert all(r["errors"] == [] for r in results)
    assert len({r["interaction"]["id"] for r in results}) == 6


async def test_each_write_leaves_one_audit_record_and_a_retry_none(world: World) -> None:
    before = len(await write_events(world.audit, MASS))
    request = contact(summary="审计")
    async with world.rm() as rm:
        await mutate(rm, RECORD, **request)
        await mutate(rm, RECORD, **request)
        await mutate(rm, RECORD, **(request | {"idempotencyKey": key(), "summary": ""}))
    events = await write_events(world.audit, MASS)
    assert len(events) == before + 1
    event = events[-1]
    assert (event.subject, event.role, event.purpose, event.fields, event.field_paths) == (
        "rm-RM0001",
        "RELATIONSHIP_MANAGER",
        "RELATIONSHIP_REVIEW",
        "Mutation.recordContact",
        "recordContact",
    )


async def test_every_kind_of_write_is_audited(world: World) -> None:
    before = len(await write_events(world.audit, MASS))
    async with world.agent("COMPLAINT_HANDLING") as agent:
        opened = await mutate(
            agent,
            """mutation ($input: OpenComplaintInput!) { openComplaint(input: $input) {
                 errors { code } complaint { id } version } }""",
            customer=customer_id(MASS),
            category="FEES",
            summary="审计投诉",
            idempotencyKey=key(),
        )
        resolved = await mutate(
            agent,
            """mutation ($input: ResolveComplaintInput!) { resolveComplaint(input: $input) {
                 errors { code } } }""",
            complaint=opened["complaint"]["id"],
            expectedVersion=opened["version"],
            idempotencyKey=key(),
        )
    assert opened["errors"] == resolved["errors"] == []
    fields = [e.fields for e in (await write_events(world.audit, MASS))[before:]]
    assert fields == ["Mutation.openComplaint", "Mutation.resolveComplaint"]


async def test_a_mutation_over_get_is_refused_with_405_and_writes_nothing(world: World) -> None:
    before = await world.crm_rows()
    document = (
        'mutation { resolveComplaint(input: {complaint: "Q29tcGxhaW50OjE", expectedVersion: 1,'
        ' idempotencyKey: "get"}) { errors { code } } }'
    )
    assert OPEN_COMPLAINT == 1
    headers = caller_headers("CALL_CENTRE_AGENT", "COMPLAINT_HANDLING", subject="agent-007")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app), base_url="http://c360.test"
    ) as http:
        response = await http.get("/graphql", params={"query": document}, headers=headers)
    assert response.status_code == 405
    assert await world.crm_rows() == before


async def test_no_write_is_made_while_the_audit_trail_is_down(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await world.crm_rows()
    # The trail's own flusher would mark it available again at its next successful write,
    # so the outage is made to hold for the whole request.
    monkeypatch.setattr(type(world.audit), "available", property(lambda _trail: False))
    async with world.rm() as rm:
        payload = await mutate(rm, RECORD, **contact(summary="审计不可用"))
    monkeypatch.undo()
    assert codes(payload) == [(None, "AUDIT_UNAVAILABLE")]
    assert await world.crm_rows() == before
