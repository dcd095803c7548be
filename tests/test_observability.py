"""Logs and metrics: what operators see of a run, and that it holds no customer value."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, Source

from gateway import tracing
from gateway.logs import JsonFormatter, configure_logging
from gateway.metrics import OperationLabels, safe_operation_name
from resolvers.ids import global_id
from sources import Sources
from sources.guarded import SourceUnavailable
from tests.conftest import Bank, caller_headers
from tests.expected import RawBank
from tests.test_no_leaks import contacts, identifiers

FULL_VIEW = """query FullView($after: String) { customers(first: 50, after: $after) {
  pageInfo { endCursor hasNextPage }
  nodes { id customerNumber name mobile idNumber address email birthDate
    totalAssets totalAssetsBand tier
    provenance { attribute source } discrepancies { attribute values { value } }
    accounts { accountNumber balance balanceBand transactions(first: 3) { nodes { amount } } }
    holdings { marketValueCny product { name } }
    relationshipManager { name } profile { occupation }
    interactions(first: 2) { nodes { summary } } complaints { summary } } } }"""

ONE = "query %s($id: ID!) { customer(id: $id) { name mobile idNumber } }"


def personal_values(raw: RawBank) -> set[str]:
    """Every ID number, card and account number, mobile, address, e-mail and name."""
    everyone = set(raw.parties)
    names = {p.legal_name for p in raw.parties.values()}
    names |= {p.name for p in raw.profiles.values() if p.name}
    return identifiers(raw, everyone) | contacts(raw, everyone) | names


async def full_run(app: Any, raw: RawBank) -> None:
    """Every customer, every field, as each role that reaches customers; then lookups whose
    operation names smuggle a customer's mobile, and refused requests."""
    some = raw.assignments[sorted(raw.assignments)[0]]
    roles = [
        caller_headers("COMPLIANCE_OFFICER", "AUDIT"),
        caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE"),
        caller_headers(
            "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=some.branch_code, rm_id=some.rm_id
        ),
        caller_headers("BRANCH_MANAGER", "RISK_CONTROL", branch=some.branch_code),
    ]
    party = raw.parties[sorted(raw.parties)[0]]
    for headers in roles:
        async with _http(app, headers) as http:
            after = None
            while True:
                response = await http.post(
                    "/graphql", json={"query": FULL_VIEW, "variables": {"after": after}}
                )
                page = response.json()["data"]["customers"]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            await http.post(
                "/graphql",
                json={
                    "query": ONE % f"Mobile{party.mobile}",
                    "variables": {"id": global_id("Customer", party.cust_no)},
                    "operationName": f"Mobile{party.mobile}",
                },
            )
    async with _http(app, {"x-access-purpose": "AUDIT"}) as http:
        assert (await http.post("/graphql", json={"query": FULL_VIEW})).status_code == 401


def _http(app: Any, headers: dict[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.test", headers=headers
    )


async def test_logs_and_metrics_of_a_full_run_hold_no_customer_value(
    app: Any, bank: Bank, sources: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    with caplog.at_level(logging.DEBUG):
        await full_run(app, raw)
    async with _http(app, {}) as http:
        scraped = (await http.get("/metrics")).text
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(record) for record in caplog.records)

    requests = [r for r in caplog.records if r.name == "c360.request"]
    assert len(requests) >= 9
    lines = [json.loads(line) for line in logged.splitlines()]
    assert {"FullView"} <= {line.get("operation") for line in lines}
    assert {"unauthenticated"} <= {line.get("outcome") for line in lines}
    assert 'c360_requests_total{operation="FullView",outcome="ok"}' in scraped
    assert "c360_source_read_seconds_count" in scraped and "c360_audit_buffered_records" in scraped
    leaked = {v for v in personal_values(raw) if v in logged or v in scraped}
    assert not leaked


def test_operation_names_that_could_carry_a_value_are_redacted_and_bounded() -> None:
    assert safe_operation_name("CustomerView") == "CustomerView"
    assert safe_operation_name(None) == "anonymous"
    assert safe_operation_name("Lookup13812345678") == "redacted"
    label = OperationLabels(limit=100)
    labels = {label(f"Generated_op_{chr(65 + i % 26)}{i // 26}x") for i in range(500)}
    assert "other" in labels and len(labels) == 101


async def test_traces_have_a_span_per_request_and_source_read_without_personal_data(
    app: Any, bank: Bank, sources: Sources
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    raw = await RawBank.read(sources, bank.as_of)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    try:
        await full_run(app, raw)
    finally:
        tracing.use_provider(None)
    spans = exporter.get_finished_spans()
    requests = [s for s in spans if s.name == "c360.request"]
    reads = [s for s in spans if s.name == "c360.source.read"]
    assert {s.attributes["c360.outcome"] for s in requests} >= {"ok", "unauthenticated"}
    assert {s.attributes["c360.source"] for s in reads} == {"core", "wealth", "crm"}
    request_traces = {s.context.trace_id for s in requests}
    assert all(s.context.trace_id in request_traces for s in reads)
    attributes = "\n".join(f"{s.name} {dict(s.attributes or {})}" for s in spans)
    assert not {v for v in personal_values(raw) if v in attributes}


def test_error_logs_keep_the_kind_of_failure_and_drop_the_query_and_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging()
    secret = "110101199001011234"
    document = Source(f'{{ customer(id: "{secret}") {{ name }} }}')
    try:
        raise KeyError(secret)
    except KeyError as failure:
        internal = GraphQLError(
            str(failure), source=document, positions=[2], path=["customer"], original_error=failure
        )
    expected = GraphQLError(
        "The wealth system is unavailable.",
        source=document,
        positions=[2],
        original_error=SourceUnavailable("wealth"),
    )
    with caplog.at_level(logging.INFO):
        for error in (internal, expected):
            logging.getLogger("strawberry.execution").error(error, exc_info=error.original_error)
    [record] = caplog.records
    line = JsonFormatter().format(record)
    assert secret not in line and "customer(id" not in line
    logged = json.loads(line)
    assert logged["error"] == "KeyError" and logged["path"] == ["customer"]
