"""Rate limits per subject: requests per minute, distinct customers looked up per minute."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.ratelimit import RateLimiter, RateLimits
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, settings_for
from tests.expected import RawBank

REQUESTS = 3
CUSTOMERS = 4
ONE_CUSTOMER = "query ($id: ID!) { customer(id: $id) { customerNumber } }"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited_app(bank: Bank, sources: Sources, audit: AuditTrail) -> Any:
    limits = RateLimits(requests_per_minute=REQUESTS, customers_per_minute=CUSTOMERS)
    return create_app(
        settings_for(bank.urls, bank.audit_url), sources, audit=audit, rate_limits=limits
    )


@pytest.fixture
async def customer_numbers(bank: Bank, sources: Sources) -> list[str]:
    raw = await RawBank.read(sources, bank.as_of)
    return sorted(raw.parties)[: CUSTOMERS + 1]


async def post(
    app: Any, subject: str, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE", subject=subject)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.test", headers=headers
    ) as http:
        return await http.post("/graphql", json={"query": query, "variables": variables})


def assert_refused(response: httpx.Response, limit: str) -> None:
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["limit"] == limit


async def test_a_subject_gets_its_requests_per_minute_and_then_429(limited_app: Any) -> None:
    for _ in range(REQUESTS):
        assert (await post(limited_app, "agent-1", "{ __typename }")).status_code == 200
    assert_refused(await post(limited_app, "agent-1", "{ __typename }"), "REQUESTS")
    # Counted per subject: another agent is not held back.
    assert (await post(limited_app, "agent-2", "{ __typename }")).status_code == 200


async def test_distinct_customers_per_minute_are_limited_and_repeats_do_not_count(
    limited_app: Any, customer_numbers: list[str]
) -> None:
    def lookup(number: str) -> dict[str, Any]:
        return {"id": global_id("Customer", number)}

    first, second, third = (f"agent-customers-{i}" for i in range(3))
    allowed, extra = customer_numbers[:CUSTOMERS], customer_numbers[CUSTOMERS]
    # A page looks at one customer more than it returns (to tell whether a next page exists),
    # and that one counts too: a page of CUSTOMERS - 1 looks up CUSTOMERS customers.
    page = f"{{ customers(first: {CUSTOMERS - 1}) {{ nodes {{ customerNumber }} }} }}"
    response = await post(limited_app, first, page)
    assert response.status_code == 200
    nodes = response.json()["data"]["customers"]["nodes"]
    assert [n["customerNumber"] for n in nodes] == allowed[:-1]
    again = await post(limited_app, first, ONE_CUSTOMER, lookup(allowed[-1]))
    assert again.status_code == 200
    assert again.json()["data"]["customer"] == {"customerNumber": allowed[-1]}

    refused = await post(limited_app, first, ONE_CUSTOMER, lookup(extra))
    assert_refused(refused, "CUSTOMERS")
    assert refused.json()["data"] == {"customer": None}

    # All or nothing: a page that would pass the limit returns no customer. Each subject
    # counts its own customers.
    over = f"{{ customers(first: {CUSTOMERS}) {{ nodes {{ customerNumber }} }} }}"
    assert_refused(await post(limited_app, second, over), "CUSTOMERS")
    assert (await post(limited_app, third, ONE_CUSTOMER, lookup(extra))).status_code == 200


def test_the_windows_slide() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(requests_per_minute=2, customers_per_minute=2), clock)
    assert limiter.take_request("s") is None
    clock.now += 30
    assert limiter.take_request("s") is None
    assert limiter.take_request("s") == 30
    clock.now += 30
    assert limiter.take_request("s") is None  # the first request left the window

    assert limiter.take_customers("s", ["a", "b"]) is None
    assert limiter.take_customers("s", ["a"]) is None
    clock.now += 20
    assert limiter.take_customers("s", ["c"]) == 40
    clock.now += 40
    assert limiter.take_customers("s", ["c", "d"]) is None
