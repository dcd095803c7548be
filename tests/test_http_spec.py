"""GraphQL over HTTP: graphql-http's audit suite against `c360 serve`, the spec's media types
and status codes, and the transport rules (CSRF, body size, CORS)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.transport import TransportSettings
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, settings_for

AUDIT_DIR = Path(__file__).resolve().parent.parent / ".ci" / "http-audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"
HEADERS = caller_headers("COMPLIANCE_OFFICER", "AUDIT", subject="http-spec-tester")
WORKBENCH = "https://workbench.bank.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`c360 serve` over a small demo bank of its own, on a free port."""
    data = tmp_path_factory.mktemp("served")
    env = dict(os.environ, C360_DATA_DIR=str(data), C360_ENV="development")
    for variable in ("C360_CORE_DB_URL", "C360_WEALTH_DB_URL", "C360_CRM_DB_URL"):
        env.pop(variable, None)
    cli = [sys.executable, "-m", "gateway.cli"]
    subprocess.run([*cli, "demo-data", "--customers", "5"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "c360 serve did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_served_gateway_passes_every_graphql_over_http_audit(served: str) -> None:
    node = shutil.which("node")
    assert node, "node (v20) is needed for the graphql-http audit"
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), (
        "run `make test` (it installs .ci/http-audit with npm) first"
    )
    token = HEADERS["authorization"].removeprefix("Bearer ")
    done = subprocess.run(
        [node, "audit.mjs", served],
        cwd=AUDIT_DIR,
        env=dict(os.environ, C360_AUDIT_TOKEN=token, C360_AUDIT_PURPOSE="AUDIT"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    tally = done.stdout.strip().splitlines()[-1]
    passed = int(tally.split()[0])
    assert passed >= 50 and tally.endswith(" 0 failed"), tally


@pytest.fixture(scope="module")
async def spec_app(bank: Bank, sources: Sources, audit: AuditTrail) -> Any:
    return create_app(
        settings_for(bank.urls, bank.audit_url),
        sources,
        audit=audit,
        transport=TransportSettings(max_body_bytes=2_048),
    )


@pytest.fixture
async def http(spec_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=spec_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://c360.test", headers=HEADERS
    ) as client:
        yield client


async def test_graphql_response_json_is_negotiated_and_request_errors_are_400(
    http: httpx.AsyncClient,
) -> None:
    accept = {"accept": GRAPHQL_RESPONSE}
    ok = await http.post("/graphql", json={"query": "{ __typename }"}, headers=accept)
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert ok.json() == {"data": {"__typename": "Query"}}
    for query in ("{", "{ nosuchfield }", "query ($n: Int!) { __typename }"):
        refused = await http.post("/graphql", json={"query": query}, headers=accept)
        assert refused.status_code == 400, query
        assert "data" not in refused.json() and refused.json()["errors"], query


async def test_legacy_json_answers_request_errors_with_200_and_no_data(
    http: httpx.AsyncClient,
) -> None:
    refused = await http.post("/graphql", json={"query": "{ nosuchfield }"})
    assert refused.status_code == 200
    assert refused.headers["content-type"].startswith("application/json")
    assert "data" not in refused.json()


async def test_a_field_error_is_200_with_data_in_either_media_type(
    http: httpx.AsyncClient,
) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json"):
        response = await http.post(
            "/graphql",
            json={"query": '{ customer(id: "not-an-id") { name } }'},
            headers={"accept": accept},
        )
        assert response.status_code == 200, accept
        body = response.json()
        assert body["data"] == {"customer": None}
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_refused_limit_is_a_request_error(http: httpx.AsyncClient) -> None:
    query = "{" + " a: __typename" * 16 + "}"
    response = await http.post(
        "/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"


async def test_a_mutation_by_get_is_405_and_names_post(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_get_runs_queries_with_json_variables(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={
            "query": "query ($id: ID!) { customer(id: $id) { customerNumber } }",
            "variables": f'{{"id": "{global_id("Customer", "8800000001")}"}}',
        },
    )
    assert response.status_code == 200
    assert response.json()["data"]["customer"]["customerNumber"] == "8800000001"


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=%7B__typename%7D"),
        ("text/plain", '{"query": "{ __typename }"}'),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="query"'),
        (None, '{"query": "{ __typename }"}'),
        ("application/xml", "<query/>"),
    ],
)
async def test_posts_a_browser_could_send_cross_site_are_415(
    http: httpx.AsyncClient, content_type: str | None, body: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await http.post("/graphql", content=body.encode(), headers=headers)
    assert response.status_code == 415, content_type
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_a_body_over_the_limit_is_413_declared_or_streamed(
    http: httpx.AsyncClient,
) -> None:
    big = ('{"query": "{ __typename }", "variables": {"pad": "' + "x" * 3_000 + '"}}').encode()
    declared = await http.post(
        "/graphql", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 500):
            yield big[start : start + 500]

    streamed = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    small = await http.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200


async def test_an_unacceptable_accept_is_406(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406


PREFLIGHT = {
    "origin": WORKBENCH,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type, x-access-purpose",
}


async def test_cors_is_closed_unless_origins_are_configured(
    bank: Bank, sources: Sources, audit: AuditTrail
) -> None:
    closed = create_app(settings_for(bank.urls, bank.audit_url), sources, audit=audit)
    opened = create_app(
        settings_for(bank.urls, bank.audit_url),
        sources,
        audit=audit,
        transport=TransportSettings(cors_origins=(WORKBENCH,)),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=closed), base_url="http://c360.test"
    ) as http:
        preflight = await http.options("/graphql", headers=PREFLIGHT)
        assert preflight.status_code >= 400
        assert "access-control-allow-origin" not in preflight.headers
        simple = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={**HEADERS, "origin": WORKBENCH}
        )
        assert "access-control-allow-origin" not in simple.headers
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=opened), base_url="http://c360.test"
    ) as http:
        allowed = await http.options("/graphql", headers=PREFLIGHT)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == WORKBENCH
        elsewhere = await http.options(
            "/graphql", headers={**PREFLIGHT, "origin": "https://evil.example"}
        )
        assert elsewhere.status_code == 400
        assert "access-control-allow-origin" not in elsewhere.headers
