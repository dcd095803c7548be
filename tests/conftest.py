"""Shared fixtures: a small demo bank on every engine, the app over it, a GraphQL client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.auth import AuthSettings, Role, mint_token
from gateway.config import Settings
from gateway.ratelimit import RateLimits
from sources import Sources
from tests.engines import drop_databases, engines_under_test, fresh_databases
from tests.expected import RawBank

DEMO_CUSTOMERS = 150
DEMO_SEED = 7


@dataclass
class Bank:
    """A demo bank loaded on one engine, with the gateway's audit database beside it."""

    engine: str
    urls: dict[str, str]
    as_of: date
    audit_url: str


@pytest.fixture(scope="session", params=engines_under_test())
async def bank(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Bank]:
    """The demo bank (150 customers, fixed seed) on each engine under test."""
    from sources.demo import load_demo_bank

    engine = request.param
    folder = tmp_path_factory.mktemp(f"bank-{engine}")
    urls = await fresh_databases(engine, folder)
    # The audit store runs on SQLite and PostgreSQL (not MariaDB, which it does not support).
    audit_urls = await fresh_databases("sqlite" if engine == "mariadb" else engine, folder)
    as_of = date.today()
    await load_demo_bank(urls, customers=DEMO_CUSTOMERS, seed=DEMO_SEED, as_of=as_of)
    yield Bank(engine, urls, as_of, audit_urls["core"])
    await drop_databases(engine, urls)
    await drop_databases("sqlite" if engine == "mariadb" else engine, audit_urls)


@pytest.fixture(scope="session")
async def sources(bank: Bank) -> AsyncIterator[Sources]:
    """Adapters over the demo bank."""
    opened = Sources.from_urls(bank.urls)
    yield opened
    await opened.dispose()


@pytest.fixture(scope="module")
async def raw(bank: Bank, sources: Sources) -> RawBank:
    """Every row of the demo bank, read straight from its databases (once per module)."""
    return await RawBank.read(sources, bank.as_of)


@dataclass
class StatementLog:
    """SQL statements sent to the sources while it listens."""

    statements: list[str] = field(default_factory=list)

    def clear(self) -> None:
        self.statements.clear()

    def __len__(self) -> int:
        return len(self.statements)


async def fewest_statements(
    log: StatementLog, send: Callable[[], Awaitable[Any]], tries: int = 3
) -> tuple[int, list[str]]:
    """The fewest statements one request costs over a few tries, with those statements.

    A DataLoader batches the loads made in one event-loop tick; on a busy machine a batch can
    split across two ticks and cost one statement more, whatever the page size. The fewest of
    a few tries is what the request's shape costs.
    """
    best: list[str] | None = None
    for _ in range(tries):
        log.clear()
        await send()
        if best is None or len(log.statements) < len(best):
            best = list(log.statements)
    assert best is not None
    return len(best), best


@pytest.fixture
def statement_log(sources: Sources) -> Any:
    """Records every statement the three sources execute during a test."""
    log = StatementLog()

    def record(statement: str, _parameters: Any) -> None:
        log.statements.append(statement)

    for source in sources.all():
        source.statement_hooks.append(record)
    yield log
    for source in sources.all():
        source.statement_hooks.remove(record)


class GraphQLClient:
    """Posts GraphQL documents to the app in-process."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a response that must have no errors."""
        body = await self.post(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def settings_for(urls: dict[str, str], audit_url: str = "") -> Settings:
    """Settings pointing at the given source databases (and audit store)."""
    return replace(
        Settings.from_env({}),
        core_db_url=urls["core"],
        wealth_db_url=urls["wealth"],
        crm_db_url=urls["crm"],
        audit_db_url=audit_url,
        sources_configured=True,
    )


@pytest.fixture(scope="session")
async def audit(bank: Bank) -> AsyncIterator[AuditTrail]:
    """The gateway's audit trail over the bank's audit database."""
    trail = AuditTrail(bank.audit_url)
    await trail.start()
    yield trail
    await trail.close()


@pytest.fixture(scope="session")
async def app(bank: Bank, sources: Sources, audit: AuditTrail) -> Any:
    # One app serves the whole session, mostly as subject "tester": rate limits off here, so
    # a fast machine cannot trip them (tests/test_rate_limits.py tests them on their own app).
    unlimited = RateLimits(requests_per_minute=0, customers_per_minute=0)
    return create_app(
        settings_for(bank.urls, bank.audit_url), sources, audit=audit, rate_limits=unlimited
    )


def token(role: str, subject: str = "tester", **claims: Any) -> str:
    """A demo token for a role (``branch=``, ``rm_id=``, ``scopes=`` as the role needs)."""
    return mint_token(AuthSettings(), role=Role(role), subject=subject, **claims)


def wait_until_healthy(base: str, seconds: float = 60) -> None:
    """Wait for a served c360 at ``base`` to answer ``/healthz``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"c360 did not answer /healthz within {seconds:.0f} s")


def caller_headers(role: str, purpose: str, **claims: Any) -> dict[str, str]:
    """Headers of an authenticated request with a declared purpose."""
    return {"authorization": f"Bearer {token(role, **claims)}", "x-access-purpose": purpose}


@asynccontextmanager
async def client_for(app: Any, headers: dict[str, str]) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client that sends the given headers with every request."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://c360.test", headers=headers
    ) as http:
        yield GraphQLClient(http)


@asynccontextmanager
async def auditor_over(sources: Sources, folder: Path) -> AsyncIterator[GraphQLClient]:
    """A compliance officer's client of a gateway over other sources (a hand-built bank),
    with its own audit trail in ``folder``."""
    urls = {s.name: s.engine.url.render_as_string(hide_password=False) for s in sources.all()}
    audit = AuditTrail(f"sqlite:///{folder}/audit.db")
    await audit.start()
    app = create_app(settings_for(urls), sources, audit=audit)
    try:
        async with client_for(app, caller_headers("COMPLIANCE_OFFICER", "AUDIT")) as client:
            yield client
    finally:
        await audit.close()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[GraphQLClient]:
    """A compliance officer auditing: every value in the clear, for tests of the merged view."""
    async with client_for(app, caller_headers("COMPLIANCE_OFFICER", "AUDIT")) as c:
        yield c
