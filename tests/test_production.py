"""Production mode: only trusted documents run, no introspection, no field suggestions,
internal errors as a message and a request id (details in the log); automatic persisted
queries outside production."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import ProductionMisconfigured, create_app
from gateway.audit import AuditTrail
from gateway.auth import AuthSettings, Role, mint_token
from gateway.documents import TrustedDocuments, document_hash
from gateway.logs import JsonFormatter
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, settings_for

SECRET = "a-production-secret-of-at-least-32-bytes"
GRAPHQL_RESPONSE = "application/graphql-response+json"
TIER = "query Tier($id: ID!) {\n  customer(id: $id) {\n    tier\n  }\n}\n"
INTROSPECT = "{ __schema { types { name } } }\n"
TYPO = "{ customr { name } }\n"
CUSTOMER_ID = global_id("Customer", "8800000001")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three documents registered with the `c360 documents register` command."""
    folder = tmp_path_factory.mktemp("documents")
    (folder / "workbench").mkdir()
    (folder / "workbench" / "tier.graphql").write_text(TIER, encoding="utf-8")
    (folder / "introspect.graphql").write_text(INTROSPECT, encoding="utf-8")
    (folder / "typo.graphql").write_text(TYPO, encoding="utf-8")
    target = folder / "out" / "trusted.json"
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "documents", "register", str(folder)],
        env={"C360_TRUSTED_DOCUMENTS": str(target), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"sha256:{document_hash(TIER)}  workbench/tier.graphql" in done.stdout
    assert "3 trusted documents" in done.stdout
    return target


def production_app(bank: Bank, sources: Sources, audit: AuditTrail, manifest: Path) -> Any:
    return create_app(
        replace(settings_for(bank.urls, bank.audit_url), environment="production"),
        sources,
        auth=AuthSettings(jwt_secret=SECRET),
        audit=audit,
        documents=TrustedDocuments.load(manifest),
    )


@pytest.fixture
async def production(
    bank: Bank, sources: Sources, audit: AuditTrail, manifest: Path
) -> AsyncIterator[httpx.AsyncClient]:
    app = production_app(bank, sources, audit, manifest)
    token = mint_token(AuthSettings(jwt_secret=SECRET), role=Role.COMPLIANCE_OFFICER, subject="co")
    headers = {"authorization": f"Bearer {token}", "x-access-purpose": "AUDIT"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.test", headers=headers
    ) as http:
        yield http


@pytest.fixture
async def development(bank: Bank, sources: Sources, audit: AuditTrail) -> AsyncIterator[Any]:
    app = create_app(settings_for(bank.urls, bank.audit_url), sources, audit=audit)
    headers = caller_headers("COMPLIANCE_OFFICER", "AUDIT", subject="apq-tester")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.test", headers=headers
    ) as http:
        yield http


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_production_runs_a_registered_document_by_id_hash_or_text(
    production: httpx.AsyncClient,
) -> None:
    digest = document_hash(TIER)
    variables = {"id": CUSTOMER_ID}
    for request in (
        {"documentId": f"sha256:{digest}", "variables": variables},
        {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
            "variables": variables,
        },
        {"query": TIER, "variables": variables},
    ):
        response = await production.post("/graphql", json=request)
        assert response.status_code == 200, request
        assert response.json()["data"]["customer"]["tier"], request


async def test_production_refuses_documents_nobody_registered(
    production: httpx.AsyncClient,
) -> None:
    other = "query Tier($id: ID!) { customer(id: $id) { name } }"
    text = await production.post(
        "/graphql",
        json={"query": other, "variables": {"id": CUSTOMER_ID}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert text.status_code == 400 and code_of(text) == "TRUSTED_DOCUMENT_REQUIRED"
    assert "data" not in text.json()
    unknown = await production.post(
        "/graphql", json={"documentId": f"sha256:{document_hash(other)}"}
    )
    assert code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    # Registering by APQ is a development convenience only.
    apq = await production.post(
        "/graphql",
        json={
            "query": other,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(other)}},
            "variables": {"id": CUSTOMER_ID},
        },
    )
    assert code_of(apq) == "TRUSTED_DOCUMENT_REQUIRED"


async def test_production_refuses_to_start_without_trusted_documents(
    bank: Bank, sources: Sources, audit: AuditTrail, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("C360_TRUSTED_DOCUMENTS", str(tmp_path / "missing.json"))
    with pytest.raises(ProductionMisconfigured, match="documents register"):
        create_app(
            replace(settings_for(bank.urls, bank.audit_url), environment="production"),
            sources,
            auth=AuthSettings(jwt_secret=SECRET),
            audit=audit,
        )


async def test_production_answers_no_introspection_and_no_suggestions(
    production: httpx.AsyncClient, development: httpx.AsyncClient
) -> None:
    introspection = await production.post("/graphql", json={"query": INTROSPECT})
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    assert "data" not in introspection.json()
    typo = await production.post("/graphql", json={"query": TYPO})
    assert "customr" in typo.json()["errors"][0]["message"]
    assert "Did you mean" not in typo.text
    # The same documents outside production: introspection answers, suggestions help.
    assert (await development.post("/graphql", json={"query": INTROSPECT})).json()["data"]
    assert "Did you mean" in (await development.post("/graphql", json={"query": TYPO})).text


async def test_an_internal_error_reaches_the_client_as_a_request_id_and_the_log_as_details(
    production: httpx.AsyncClient, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_assets: Any) -> Any:
        raise RuntimeError("tier table corrupt at row 42")

    # Both the resolver tree and the planner compute the tier.
    monkeypatch.setattr("resolvers.customer.tier_of", broken)
    monkeypatch.setattr("resolvers.plan.customers.tier_of", broken)
    with caplog.at_level(logging.ERROR):
        response = await production.post(
            "/graphql", json={"query": TIER, "variables": {"id": CUSTOMER_ID}}
        )
    (error,) = response.json()["errors"]
    assert error["message"] == "Internal server error."
    assert set(error["extensions"]) == {"code", "requestId"}
    assert "row 42" not in response.text
    # One log line, under the request id the client was given, says what failed and where;
    # the exception's message (which could hold a customer's value) stays out of it.
    [logged] = [
        JsonFormatter().format(r) for r in caplog.records if r.getMessage() == "internal error"
    ]
    assert error["extensions"]["requestId"] in logged
    assert json.loads(logged)["error"] == "RuntimeError" and "tier" in logged
    assert not [r for r in caplog.records if "row 42" in JsonFormatter().format(r)]


async def test_automatic_persisted_queries_work_outside_production(
    development: httpx.AsyncClient,
) -> None:
    query = "query Name($id: ID!) { customer(id: $id) { customerNumber } }"
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(query)}}
    variables = {"id": CUSTOMER_ID}
    first = await development.post(
        "/graphql", json={"extensions": persisted, "variables": variables}
    )
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code_of(first) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await development.post(
        "/graphql", json={"query": query, "extensions": persisted, "variables": variables}
    )
    assert registered.json()["data"]["customer"]["customerNumber"] == "8800000001"
    again = await development.post(
        "/graphql", json={"extensions": persisted, "variables": variables}
    )
    assert again.json()["data"] == registered.json()["data"]
    forged = await development.post(
        "/graphql",
        json={"query": "{ __typename }", "extensions": persisted},
    )
    assert code_of(forged) == "BAD_DOCUMENT_ID"


def test_the_manifest_keeps_each_document_under_the_hash_of_its_bytes(manifest: Path) -> None:
    entries = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    assert {entry["name"] for entry in entries.values()} == {
        "workbench/tier.graphql",
        "introspect.graphql",
        "typo.graphql",
    }
    assert all(document_hash(entry["body"]) == digest for digest, entry in entries.items())
