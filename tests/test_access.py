"""Who may ask: tokens, purposes, and what a refusal looks like over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from gateway.auth import DEMO_SECRET, AuthSettings, Role, mint_token
from tests.conftest import caller_headers, client_for

QUERY = {"query": "{ customers(first: 1) { totalCount } }"}


async def post(app: Any, headers: dict[str, str], body: dict[str, Any] = QUERY) -> Any:
    async with client_for(app, headers) as client:
        return await client.http.post("/graphql", json=body)


async def test_a_request_without_a_token_gets_401_and_nothing_runs(
    app: Any, statement_log: Any
) -> None:
    response = await post(app, {"x-access-purpose": "AUDIT"})
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "reason": "TOKEN_MISSING"}
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert len(statement_log) == 0


async def test_expired_forged_and_unsigned_tokens_get_401(app: Any) -> None:
    now = datetime.now(UTC)
    expired = mint_token(
        AuthSettings(),
        role=Role.COMPLIANCE_OFFICER,
        subject="x",
        ttl_seconds=60,
        now=now - timedelta(hours=2),
    )
    forged = jwt.encode(
        {
            "sub": "x",
            "role": "COMPLIANCE_OFFICER",
            "iss": "c360-demo",
            "aud": "c360",
            "exp": int((now + timedelta(hours=1)).timestamp()),
        },
        "not-the-secret-but-long-enough-to-sign-with-it",
        algorithm="HS256",
    )
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = jwt.utils.base64url_encode(
        b'{"sub":"x","role":"COMPLIANCE_OFFICER","iss":"c360-demo","aud":"c360","exp":9999999999}'
    ).decode()
    unsigned = f"{header}.{payload}."
    for bad, reason in (
        (expired, "TOKEN_EXPIRED"),
        (forged, "TOKEN_INVALID"),
        (unsigned, "TOKEN_INVALID"),
    ):
        response = await post(app, {"authorization": f"Bearer {bad}", "x-access-purpose": "AUDIT"})
        assert response.status_code == 401, reason
        assert response.json()["errors"][0]["extensions"]["reason"] == reason
        assert bad not in response.text
    assert DEMO_SECRET not in response.text


async def test_a_purpose_the_role_may_not_use_gets_403(app: Any) -> None:
    response = await post(app, caller_headers("CALL_CENTRE_AGENT", "AUDIT"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_NOT_ALLOWED"
    response = await post(app, caller_headers("CALL_CENTRE_AGENT", "SIGHTSEEING"))
    assert response.status_code == 403
    missing = caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE")
    del missing["x-access-purpose"]
    response = await post(app, missing)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"


async def test_an_allowed_purpose_runs_the_query(app: Any) -> None:
    response = await post(app, caller_headers("CALL_CENTRE_AGENT", "customer_service"))
    assert response.status_code == 200
    assert response.json()["data"]["customers"]["totalCount"] > 0
