"""The HTTP surface: /graphql over GET and POST, the IDE, /healthz, /readyz, and `c360 serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import ProductionMisconfigured, create_app
from gateway.audit import AuditTrail
from gateway.auth import AuthSettings
from gateway.documents import TrustedDocuments
from sources import Sources
from tests.conftest import Bank, caller_headers, settings_for

UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:9/c360_nowhere"


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``c360 serve`` in a process of its own, under ``env``; expected to exit on its own."""
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def get(app: Any, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://c360.test"
    ) as http:
        return await http.get(path, **kwargs)


async def test_healthz_says_the_process_is_up(app: Any) -> None:
    response = await get(app, "/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_reports_each_source_up(app: Any) -> None:
    response = await get(app, "/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "sources": {name: {"status": "up"} for name in ("core", "wealth", "crm")},
    }


async def test_readyz_names_the_source_that_is_down(bank: Bank, audit: AuditTrail) -> None:
    urls = dict(bank.urls, core=UNREACHABLE_PG)
    sources = Sources.from_urls(urls)
    try:
        response = await get(create_app(settings_for(urls), sources, audit=audit), "/readyz")
    finally:
        await sources.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["sources"]["core"]["status"] == "down"
    assert body["sources"]["wealth"] == {"status": "up"}
    assert "127.0.0.1" not in response.text


async def test_graphql_answers_get_and_serves_the_ide_to_a_browser(app: Any) -> None:
    response = await get(
        app,
        "/graphql",
        params={"query": "{ __typename }"},
        headers=caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE"),
    )
    assert response.json() == {"data": {"__typename": "Query"}}
    page = await get(app, "/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_graphql_answers_alike_at_the_root_and_under_a_root_path(app: Any) -> None:
    """GET and POST /graphql skip Starlette's router; under a root path (a proxy's prefix)
    they take it, and the answers are the same. Other methods are still refused."""
    headers = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE")
    body = {"query": "{ __typename }"}
    answers = []
    for root_path in ("", "/c360"):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, root_path=root_path),
            base_url="http://c360.test",
        ) as http:
            posted = await http.post(f"{root_path}/graphql", json=body, headers=headers)
            refused = await http.put(f"{root_path}/graphql", json=body, headers=headers)
        answers.append((posted.status_code, posted.json(), refused.status_code))
    assert answers == [(200, {"data": {"__typename": "Query"}}, 405)] * 2


async def test_production_serves_no_ide(bank: Bank, sources: Sources, audit: AuditTrail) -> None:
    app = create_app(
        replace(settings_for(bank.urls), environment="production"),
        sources,
        auth=AuthSettings(jwt_secret="a-real-secret-of-at-least-32-bytes-long"),
        audit=audit,
        documents=TrustedDocuments.none(),
    )
    page = await get(app, "/graphql", headers={"accept": "text/html"})
    assert page.status_code == 401
    assert "graphiql" not in page.text.lower()


async def test_production_refuses_to_start_on_the_demo_secret(
    bank: Bank, sources: Sources, tmp_path: Path
) -> None:
    with pytest.raises(ProductionMisconfigured):
        create_app(replace(settings_for(bank.urls), environment="production"), sources)
    env = dict(os.environ, C360_ENV="production", C360_DATA_DIR=str(tmp_path))
    env.pop("C360_JWT_SECRET", None)
    done = serve(env)
    assert done.returncode != 0 and "demo JWT secret" in done.stderr
    assert not list(tmp_path.iterdir()), "nothing is created before the refusal"


def test_serve_refuses_an_unknown_plan_cache_mode_before_it_starts(tmp_path: Any) -> None:
    env = dict(os.environ, C360_PG_PLAN_CACHE_MODE="sometimes", C360_DATA_DIR=str(tmp_path))
    done = serve(env)
    assert done.returncode == 2
    assert "refusing to serve: C360_PG_PLAN_CACHE_MODE must be one of" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir()), "nothing is created before the refusal"


def test_serve_names_an_unreachable_source_and_exits_non_zero(tmp_path: Any) -> None:
    env = dict(os.environ, C360_CORE_DB_URL=UNREACHABLE_PG, C360_DATA_DIR=str(tmp_path))
    done = serve(env)
    assert done.returncode != 0
    assert "cannot reach the core source" in done.stderr
    assert "wealth" not in done.stderr and "crm" not in done.stderr
