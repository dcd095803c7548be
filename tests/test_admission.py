"""Heavy documents take turns for a worker's places; light ones never wait."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.limits import Admission, AdmissionSettings
from gateway.metrics import REGISTRY
from gateway.ratelimit import RateLimits
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, client_for, settings_for

PAGE = """
query ($first: Int!) {
  customers(first: $first) {
    nodes { customerNumber name accounts { balance transactions(first: 5) { nodes { amount } } } }
  }
}
"""
ONE = "query ($id: ID!) { customer(id: $id) { customerNumber name } }"


async def test_a_heavy_document_waits_until_a_place_is_free_and_a_light_one_does_not() -> None:
    admission = Admission(AdmissionSettings(heavy_cost=100, heavy_concurrency=1))
    entered: list[str] = []
    leave = asyncio.Event()

    async def run(name: str, cost: int) -> None:
        async with admission.admitted(cost):
            entered.append(name)
            if name == "first":
                await leave.wait()

    first = asyncio.create_task(run("first", 100))
    second = asyncio.create_task(run("second", 5_000))
    await asyncio.sleep(0.01)
    await run("light", 99)
    assert entered == ["first", "light"]
    leave.set()
    await asyncio.gather(first, second)
    assert entered == ["first", "light", "second"]


async def test_with_no_limit_nothing_waits() -> None:
    admission = Admission(AdmissionSettings(heavy_cost=1, heavy_concurrency=0))
    inside = 0
    most = 0

    async def run() -> None:
        nonlocal inside, most
        async with admission.admitted(10**6):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(run() for _ in range(5)))
    assert most == 5


async def test_concurrent_pages_over_the_heavy_cost_queue_and_answer_as_alone(
    bank: Bank, sources: Sources, audit: AuditTrail
) -> None:
    app = create_app(
        settings_for(bank.urls, bank.audit_url),
        sources,
        audit=audit,
        rate_limits=RateLimits(requests_per_minute=0, customers_per_minute=0),
        admission=AdmissionSettings(heavy_cost=1_000, heavy_concurrency=1),
    )
    headers = caller_headers("COMPLIANCE_OFFICER", "AUDIT")
    async with client_for(app, headers) as client:
        alone = await client.data(PAGE, {"first": 20})
        number = alone["customers"]["nodes"][0]["customerNumber"]
        one = {"id": global_id("Customer", number)}
        waited = _waited()
        answers: list[Any] = await asyncio.gather(
            *(client.data(PAGE, {"first": 20}) for _ in range(3)), client.data(ONE, one)
        )
        assert answers[:3] == [alone] * 3
        assert answers[3]["customer"]["customerNumber"] == number
        # The first page took the one place; the other two found it taken.
        assert _waited() - waited == 2


def _waited() -> float:
    """c360_heavy_documents_waited_total as /metrics reports it."""
    return REGISTRY.get_sample_value("c360_heavy_documents_waited_total") or 0.0
