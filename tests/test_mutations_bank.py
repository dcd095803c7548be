"""A hand-built bank for the mutation tests, fresh per test module and engine, so writes never
disturb the demo bank other tests read. Each module that imports ``world`` gets its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.audit import AuditTrail
from resolvers.ids import global_id
from sources import Sources
from sources.crm import tables as crm
from tests.conftest import GraphQLClient, caller_headers, client_for, settings_for
from tests.engines import drop_databases, engines_under_test, fresh_databases
from tests.handmade import HandmadeBank
from tests.raw import rows

MASS = "8800000001"  # RM0001's, SH001, small deposits
PLATINUM = "8800000002"  # RM0001's, SH001, 1.5M CNY: needs LEVEL_3 or above
OTHER_BRANCH = "8800000003"  # RM0002's, BJ001
COLLEAGUES = "8800000004"  # RM0003's, SH001: same branch, not RM0001's book
ABSENT = "8800009999"
OPEN_COMPLAINT = 1  # MASS's
SETTLED_COMPLAINT = 2  # MASS's, RESOLVED
FAR_COMPLAINT = 3  # OTHER_BRANCH's


@dataclass
class World:
    """The hand-built bank on one engine, the app over it, and its audit trail."""

    engine: str
    sources: Sources
    app: Any
    audit: AuditTrail
    today: date

    def client(self, role: str, purpose: str, **claims: Any) -> Any:
        return client_for(self.app, caller_headers(role, purpose, **claims))

    def rm(self, purpose: str = "RELATIONSHIP_REVIEW", rm: str = "RM0001") -> Any:
        return self.client(
            "RELATIONSHIP_MANAGER", purpose, subject=f"rm-{rm}", branch="SH001", rm_id=rm
        )

    def branch_manager(self, purpose: str = "RELATIONSHIP_REVIEW", branch: str = "SH001") -> Any:
        return self.client("BRANCH_MANAGER", purpose, subject=f"bm-{branch}", branch=branch)

    def agent(self, purpose: str = "CUSTOMER_SERVICE") -> Any:
        return self.client("CALL_CENTRE_AGENT", purpose, subject="agent-007")

    async def crm_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every CRM table's rows, sorted: a refused write must leave them all as they were."""
        return {
            table.name: sorted(tuple(r) for r in await rows(self.sources, table))
            for table in crm.metadata.sorted_tables
        }


def build(today: date) -> HandmadeBank:
    bank = HandmadeBank(today).with_reference_data()
    for rm_id, grade in (("RM0003", "TRAINEE"), ("RM0004", "LEVEL_3")):
        bank.add(
            crm.relationship_manager,
            rm_id=rm_id,
            employee_no=f"E{rm_id[2:]}",
            name="赵经理",
            grade=grade,
            branch_code="SH001",
            hired_on=date(2020, 1, 1),
        )
    bank.account(bank.customer(MASS), "5000.00")
    bank.account(bank.customer(PLATINUM, name="钱多多"), "1500000.00")
    bank.customer(OTHER_BRANCH, name="孙远", rm="RM0002", branch="BJ001")
    bank.customer(COLLEAGUES, name="周同", rm="RM0003")
    opened = datetime.combine(today - timedelta(days=3), datetime.min.time())
    for complaint_id, cust_no, status in (
        (OPEN_COMPLAINT, MASS, "OPEN"),
        (SETTLED_COMPLAINT, MASS, "RESOLVED"),
        (FAR_COMPLAINT, OTHER_BRANCH, "OPEN"),
    ):
        bank.add(
            crm.complaint,
            complaint_id=complaint_id,
            cust_no=cust_no,
            category="FEES",
            status=status,
            summary="年费扣收未提前告知",
            opened_at=opened,
            resolved_at=opened + timedelta(days=1) if status == "RESOLVED" else None,
            satisfaction=None,
        )
    bank.add(
        crm.contact,
        contact_id=1,
        cust_no=MASS,
        rm_id="RM0001",
        channel="PHONE",
        care_type="ROUTINE",
        summary="到期提醒",
        contacted_at=opened,
        follow_up_on=None,
    )
    return bank


@pytest.fixture(scope="module", params=engines_under_test())
async def world(request: pytest.FixtureRequest, tmp_path_factory: Any) -> AsyncIterator[World]:
    """The hand-built bank on each engine under test, with its own audit trail."""
    engine = request.param
    folder: Path = tmp_path_factory.mktemp(f"mutations-{engine}")
    urls = await fresh_databases(engine, folder)
    today = date.today()
    sources = Sources.from_urls(urls)
    await build(today).write(sources)
    audit_url = f"sqlite:///{folder / 'audit.db'}"
    trail = AuditTrail(audit_url)
    await trail.start()
    app = create_app(settings_for(urls, audit_url), sources, audit=trail)
    yield World(engine, sources, app, trail, today)
    await trail.close()
    await sources.dispose()
    await drop_databases(engine, urls)


def key() -> str:
    """A fresh idempotency key."""
    return uuid.uuid4().hex


def customer_id(cust_no: str) -> str:
    return str(global_id("Customer", cust_no))


async def mutate(client: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    """The payload of a one-mutation document whose only variable is ``input``."""
    data = await client.data(document, {"input": input})
    [payload] = data.values()
    return payload  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    """(field, code) of each error in a payload."""
    return [(e["field"], e["code"]) for e in payload["errors"]]
