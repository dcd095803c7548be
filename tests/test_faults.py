"""Failure isolation: the wealth system hung or down behind a TCP proxy, on PostgreSQL.

The core and CRM databases are reached directly; wealth goes through a ``FaultProxy`` the
tests pause (stop forwarding, sockets open: a hung system), cut (connections closed, new ones
refused: a system that is down) and resume. Upper bounds on time only detect hangs.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.breaker import CircuitBreaker
from sources import CoreBanking, Crm, Sources, WealthManagement
from sources.guarded import Resilience, SourceGuard
from tests.conftest import caller_headers, settings_for
from tests.engines import SERVER_URLS, drop_databases, fresh_databases, reachable
from tests.faultproxy import FaultProxy

TIMEOUT = 0.5
BREAKER_FAILURES = 3
HANG = 15.0  # far beyond the time budget: a request that takes this long is hung

PAGE = """{ customers(first: 4) { nodes {
  customerNumber name relationshipManager { id name } accounts { accountNumber balance }
  holdings { marketValueCny } totalAssets tier } } }"""
CORE_AND_CRM = ("customerNumber", "name", "relationshipManager", "accounts")
WEALTH = ("holdings", "totalAssets", "tier")

if not reachable(SERVER_URLS["postgresql"]) and os.environ.get("CI") != "true":
    pytest.skip("the fault tests need PostgreSQL at 127.0.0.1:5432", allow_module_level=True)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Rig:
    """The app over a PostgreSQL bank whose wealth system sits behind a fault proxy."""

    def __init__(self, proxy: FaultProxy, sources: Sources, app: Any) -> None:
        self.proxy = proxy
        self.sources = sources
        self.app = app
        self.clock = FakeClock()

    def reset(self) -> None:
        self.proxy.resume()
        guard = SourceGuard("wealth", Resilience(timeout_seconds=TIMEOUT, retries=1))
        guard.breaker = CircuitBreaker(
            failure_threshold=BREAKER_FAILURES, reset_seconds=30, clock=self.clock
        )
        self.sources.wealth.guard = guard

    @property
    def wealth_checked_out(self) -> int:
        return self.sources.wealth.lane.checked_out

    async def get(self, path: str) -> httpx.Response:
        async with self._http() as http:
            return await http.get(path)

    async def page(self) -> tuple[dict[str, Any], float]:
        started = time.monotonic()
        async with self._http() as http:
            response = await asyncio.wait_for(http.post("/graphql", json={"query": PAGE}), HANG)
        return response.json(), time.monotonic() - started

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://c360.test",
            headers=caller_headers("COMPLIANCE_OFFICER", "AUDIT"),
        )


@pytest.fixture(scope="module")
async def rig(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Rig]:
    from sources.demo import load_demo_bank

    urls = await fresh_databases("postgresql", tmp_path_factory.mktemp("faults"))
    await load_demo_bank(urls, customers=20, seed=7, as_of=date.today())
    proxy = await FaultProxy("127.0.0.1", make_url(urls["wealth"]).port or 5432).start()
    proxied = make_url(urls["wealth"]).set(port=proxy.port).render_as_string(False)
    sources = Sources(
        core=CoreBanking.from_url(urls["core"]),
        wealth=WealthManagement.from_url(proxied),
        crm=Crm.from_url(urls["crm"]),
    )
    audit = AuditTrail(f"sqlite:///{tmp_path_factory.mktemp('faults-audit')}/audit.db")
    await audit.start()
    yield Rig(proxy, sources, create_app(settings_for(urls), sources, audit=audit))
    await audit.close()
    await sources.dispose()
    await proxy.close()
    await drop_databases("postgresql", urls)


@pytest.fixture
async def wealth(rig: Rig) -> AsyncIterator[Rig]:
    """The rig with the proxy forwarding and a fresh, closed wealth breaker."""
    rig.reset()
    yield rig
    rig.proxy.resume()


def assert_wealth_parts_missing(healthy: dict[str, Any], body: dict[str, Any]) -> None:
    nodes = body["data"]["customers"]["nodes"]
    expected = healthy["data"]["customers"]["nodes"]
    assert len(nodes) == len(expected) > 0
    for node, before in zip(nodes, expected, strict=True):
        assert {f: node[f] for f in CORE_AND_CRM} == {f: before[f] for f in CORE_AND_CRM}
        assert {f: node[f] for f in WEALTH} == dict.fromkeys(WEALTH)
    assert body["errors"]
    for error in body["errors"]:
        assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "wealth"}
        assert error["path"][-1] in WEALTH
    reported = body["extensions"]["sources"]
    assert reported["wealth"]["status"] == "unavailable"
    assert reported["core"]["status"] == reported["crm"]["status"] == "ok"


@pytest.mark.parametrize("fault", ["pause", "cut"])
async def test_a_hung_or_dead_wealth_system_leaves_the_rest_of_the_answer(
    wealth: Rig, fault: str
) -> None:
    healthy, _ = await wealth.page()
    assert "errors" not in healthy and healthy["extensions"]["sources"]["wealth"]["status"] == "ok"
    getattr(wealth.proxy, fault)()
    body, seconds = await wealth.page()
    assert_wealth_parts_missing(healthy, body)
    # One batch level of wealth reads: within its timeout plus slack, nowhere near a hang.
    assert seconds < TIMEOUT * 2 + 3


async def test_the_breaker_opens_fails_fast_shows_in_readyz_and_recovers(wealth: Rig) -> None:
    healthy, _ = await wealth.page()
    assert (await wealth.get("/readyz")).json()["sources"]["wealth"] == {"status": "up"}
    wealth.proxy.pause()
    for _ in range(BREAKER_FAILURES):
        await wealth.page()
    ready = await wealth.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["sources"]["wealth"] == {"status": "down", "reason": "circuit_open"}
    assert ready.json()["sources"]["core"] == {"status": "up"}

    connections = wealth.proxy.connections
    body, _ = await wealth.page()
    assert_wealth_parts_missing(healthy, body)
    assert wealth.proxy.connections == connections, "an open breaker must not touch the source"

    wealth.proxy.resume()
    wealth.clock.now += 31  # past the reset period: half-open, the next read is a probe
    recovered, _ = await wealth.page()
    assert "errors" not in recovered and recovered["data"] == healthy["data"]
    assert (await wealth.get("/readyz")).status_code == 200


async def test_a_cancelled_request_returns_its_pooled_connections(wealth: Rig) -> None:
    await wealth.page()
    wealth.sources.wealth.guard = SourceGuard("wealth", Resilience(timeout_seconds=HANG * 4))
    wealth.proxy.pause()
    request = asyncio.ensure_future(wealth.page())
    async with asyncio.timeout(HANG):
        while wealth.wealth_checked_out == 0:
            await asyncio.sleep(0.01)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    async with asyncio.timeout(HANG):
        while wealth.wealth_checked_out:
            await asyncio.sleep(0.05)
    assert wealth.wealth_checked_out == 0
