"""The audit trail as the gateway writes it: per response, one record per customer and
treatment naming every clear read or withheld attempt, never a value; a store that cannot be
written withholds clear values; the trail is readable by compliance and verifiable by
`c360 audit verify`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.audit import AuditTrail
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, client_for, settings_for, wait_until_healthy
from tests.expected import RawBank

READ = "query ($id: ID!) { customer(id: $id) { name mobile profile { employer } } }"


def rm_of(raw: RawBank, cust_no: str) -> dict[str, str]:
    a = raw.assignments[cust_no]
    return {"branch": a.branch_code, "rm_id": a.rm_id}


async def test_each_clear_read_and_each_withheld_attempt_is_recorded_without_the_value(
    app: Any, audit: AuditTrail, bank: Bank, sources: Sources
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    cust_no = next(c for c, p in raw.profiles.items() if p.employer)
    gid = global_id("Customer", cust_no)
    headers = caller_headers(
        "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", subject="rm-audit-1", **rm_of(raw, cust_no)
    )
    async with client_for(app, headers) as client:
        await client.data(READ, {"id": gid})
    events = await audit.events(customer_number=cust_no, subject="rm-audit-1")
    assert [(e.fields, e.field_paths, e.treatment) for e in events] == [
        (
            "Customer.mobile Customer.name CustomerProfile.employer",
            "customer.name customer.mobile customer.profile.employer",
            "CLEAR",
        )
    ]
    assert {(e.role, e.purpose) for e in events} == {
        ("RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW")
    }
    assert len({e.request_id for e in events}) == 1
    secrets = {
        raw.parties[cust_no].legal_name,
        raw.merged(cust_no, "mobile"),
        raw.profiles[cust_no].employer,
    }
    for event in events:
        assert not secrets & {str(v) for v in vars(event).values()}

    # A call-centre agent sees name and mobile masked (no record) and is refused the
    # employer (one WITHHELD record with the policy's reason).
    headers = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE", subject="cc-audit-1")
    async with client_for(app, headers) as client:
        body = await client.post(READ, {"id": gid})
    assert body["data"]["customer"]["profile"]["employer"] is None
    notes = {tuple(n["path"]): n for n in body["extensions"]["disclosure"]}
    assert notes[("customer", "mobile")]["form"] == "MOBILE_FIRST3_LAST4"
    assert notes[("customer", "profile", "employer")]["treatment"] == "WITHHELD"
    events = await audit.events(customer_number=cust_no, subject="cc-audit-1")
    assert [(e.fields, e.treatment) for e in events] == [("CustomerProfile.employer", "WITHHELD")]
    assert events[0].reason


async def test_compliance_reads_the_trail_and_that_read_is_audited_too(
    app: Any, audit: AuditTrail, bank: Bank, sources: Sources
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    cust_no = raw.complaints[0].cust_no
    gid = global_id("Customer", cust_no)
    async with client_for(
        app, caller_headers("CALL_CENTRE_AGENT", "COMPLAINT_HANDLING", subject="cc-audit-2")
    ) as client:
        await client.data(
            "query ($id: ID!) { customer(id: $id) { complaints { summary } } }", {"id": gid}
        )
        refused = await client.post("{ auditEvents { nodes { sequence } } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    query = (
        "query ($c: ID, $s: String) { auditEvents(customer: $c, subject: $s, first: 100) "
        "{ nodes { subject role purpose customerNumber fields fieldPaths treatment hash } } }"
    )
    async with client_for(
        app, caller_headers("COMPLIANCE_OFFICER", "AUDIT", subject="co-audit-2")
    ) as client:
        data = await client.data(query, {"c": gid, "s": "cc-audit-2"})
        assert data["auditEvents"]["nodes"]
        assert {n["subject"] for n in data["auditEvents"]["nodes"]} == {"cc-audit-2"}
        assert {n["customerNumber"] for n in data["auditEvents"]["nodes"]} == {cust_no}
        assert ["Complaint.summary"] in [n["fields"] for n in data["auditEvents"]["nodes"]]
    own = await audit.events(subject="co-audit-2")
    assert [(e.fields, e.customer_number) for e in own] == [("Query.auditEvents", cust_no)]


async def test_an_unwritable_audit_store_withholds_clear_values(
    bank: Bank, sources: Sources
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    cust_no = sorted(raw.parties)[0]
    broken = AuditTrail("postgresql://postgres@127.0.0.1:9/nowhere", write_timeout=1)
    await broken.start()
    assert not broken.available
    app = create_app(settings_for(bank.urls), sources, audit=broken)
    headers = caller_headers("RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", **rm_of(raw, cust_no))
    async with client_for(app, headers) as client:
        body = await client.post(READ, {"id": global_id("Customer", cust_no)})
    customer = body["data"]["customer"]
    assert customer["name"] is None and customer["mobile"] is None
    codes = {n.get("code") for n in body["extensions"]["disclosure"]}
    assert codes == {"AUDIT_UNAVAILABLE"}
    assert raw.parties[cust_no].legal_name not in str(body)
    assert raw.merged(cust_no, "mobile") not in str(body)
    await broken.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gateway_env(bank: Bank, tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a ``c360`` command over the bank, its audit trail in
    ``tmp_path/audit.db``."""
    return dict(
        os.environ,
        C360_CORE_DB_URL=bank.urls["core"],
        C360_WEALTH_DB_URL=bank.urls["wealth"],
        C360_CRM_DB_URL=bank.urls["crm"],
        C360_AUDIT_DB_URL=f"sqlite:///{tmp_path / 'audit.db'}",
        C360_DATA_DIR=str(tmp_path),
        **settings,
    )


@contextmanager
def served(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``c360 serve`` in ``env``; yields its base URL; stops it with SIGTERM (as an
    orchestrator does) when the block ends."""
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base)
        yield base
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()


def ask_as_auditor(base: str, subject: str, query: str) -> httpx.Response:
    """A compliance officer's (``subject``) query to the served gateway at ``base``."""
    headers = caller_headers("COMPLIANCE_OFFICER", "AUDIT", subject=subject)
    return httpx.post(f"{base}/graphql", headers=headers, timeout=30, json={"query": query})


def stored_rows(tmp_path: Path, sql: str) -> list[Any]:
    """Rows of ``sql`` over the audit database in ``tmp_path``, read behind the gateway."""
    engine = create_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    with engine.connect() as conn:
        rows = list(conn.execute(text(sql)).all())
    engine.dispose()
    return rows


def test_records_buffered_at_shutdown_are_all_stored_and_the_chain_verifies(
    bank: Bank, tmp_path: Path
) -> None:
    audit_db = tmp_path / "audit.db"
    env = gateway_env(bank, tmp_path)
    with served(env, tmp_path) as base:
        query = "{ customers(first: 20) { nodes { name mobile idNumber } } }"
        body = ask_as_auditor(base, "co-shutdown", query).json()
        clear_values = sum(
            1 for node in body["data"]["customers"]["nodes"] for v in node.values() if v
        )
    stored = stored_rows(
        tmp_path, "SELECT field_paths FROM audit_record WHERE subject = 'co-shutdown'"
    )
    # One record per customer, naming each value it showed.
    assert len(stored) == len(body["data"]["customers"]["nodes"])
    assert sum(len(paths.split(" ")) for (paths,) in stored) == clear_values > 0

    verify = [sys.executable, "-m", "gateway.cli", "audit", "verify"]
    done = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intact" in done.stdout

    # Edit one record's treatment behind the gateway's back: verify names it.
    engine = create_engine(f"sqlite:///{audit_db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_record SET treatment = 'WITHHELD' WHERE seq = 3"))
    engine.dispose()
    done = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "seq 3" in done.stdout


def test_records_wait_in_memory_for_the_configured_flush_interval(
    bank: Bank, tmp_path: Path
) -> None:
    def stored() -> int:
        sql = "SELECT count(*) FROM audit_record WHERE subject = 'co-interval'"
        return int(stored_rows(tmp_path, sql)[0][0])

    with served(gateway_env(bank, tmp_path, C360_AUDIT_FLUSH_SECONDS="60"), tmp_path) as base:
        answer = ask_as_auditor(base, "co-interval", "{ customers(first: 3) { nodes { name } } }")
        assert answer.status_code == 200
        time.sleep(1.5)
        assert stored() == 0  # not written twice a second, nor ten times
    assert stored() == 3  # written at shutdown


def test_a_flush_interval_that_is_not_positive_is_refused() -> None:
    for seconds in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="positive number of seconds"):
            AuditTrail("sqlite+aiosqlite:///unused.db", flush_interval=seconds)
