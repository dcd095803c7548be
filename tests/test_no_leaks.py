"""Generated queries for each role never bring back a clear value the role may not see,
anywhere in the response: data, errors or extensions."""

from __future__ import annotations

import json
from typing import Any

from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from resolvers.schema import schema
from tests.conftest import caller_headers, client_for
from tests.expected import RawBank

SCALARS = {
    "Date": st.dates().map(lambda d: StringValueNode(value=d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: StringValueNode(value=d.isoformat())),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False).map(
        lambda d: StringValueNode(value=str(d))
    ),
}
GENERATED = queries(schema.as_str(), fields=["customers"], custom_scalars=SCALARS)


def identifiers(raw: RawBank, customers: set[str]) -> set[str]:
    """ID, card and account numbers of some customers."""
    values = {raw.parties[c].id_no for c in customers}
    for a in raw.accounts:
        if a.cust_no in customers:
            values |= {a.acct_no, a.card_no or ""}
    return values - {""}


def contacts(raw: RawBank, customers: set[str]) -> set[str]:
    """Every system's mobile, address and e-mail of some customers."""
    values: set[str] = set()
    for c in customers:
        party, profile = raw.parties[c], raw.profiles[c]
        values |= {
            party.mobile or "",
            party.address or "",
            profile.mobile or "",
            profile.address or "",
            profile.email or "",
        }
    return values - {""}


def callers(raw: RawBank) -> list[tuple[str, dict[str, str], set[str]]]:
    """(label, headers, values that must never appear in the clear) per role."""
    everyone = set(raw.parties)
    some = raw.assignments[sorted(raw.assignments)[0]]
    book = {c for c, a in raw.assignments.items() if a.rm_id == some.rm_id}
    return [
        (
            "call centre",
            caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE"),
            identifiers(raw, everyone) | contacts(raw, everyone),
        ),
        (
            "relationship manager",
            caller_headers(
                "RELATIONSHIP_MANAGER",
                "RELATIONSHIP_REVIEW",
                branch=some.branch_code,
                rm_id=some.rm_id,
            ),
            identifiers(raw, everyone) | contacts(raw, everyone - book),
        ),
        (
            "branch manager",
            caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=some.branch_code),
            identifiers(raw, everyone) | contacts(raw, everyone),
        ),
        (
            "marketing analyst",
            caller_headers("MARKETING_ANALYST", "MARKETING"),
            identifiers(raw, everyone) | contacts(raw, everyone),
        ),
        (
            "service with contact scope",
            caller_headers("SERVICE", "CUSTOMER_SERVICE", scopes=["customer:contact"]),
            identifiers(raw, everyone),
        ),
    ]


def generated_queries(count: int, strategy: Any = GENERATED) -> list[str]:
    """Queries drawn by hypothesis-graphql from the schema (the app runs on the test's event
    loop, which hypothesis cannot drive, so the queries are drawn first and sent after)."""
    drawn: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(query=strategy)
    def draw(query: str) -> None:
        drawn.append(query)

    draw()
    return drawn


async def test_generated_queries_leak_no_clear_value_to_any_role(app: Any, raw: RawBank) -> None:
    cases = callers(raw)
    drawn = generated_queries(40)
    assert len(set(drawn)) > 20
    answered_with_data = 0
    for label, headers, forbidden in cases:
        assert forbidden, label
        async with client_for(app, headers) as client:
            for query in drawn:
                response = await client.http.post("/graphql", json={"query": query})
                body = response.json()
                text = json.dumps(body, ensure_ascii=False)
                leaked = [v for v in forbidden if v in text]
                assert not leaked, (label, query, leaked[:3])
                answered_with_data += bool((body.get("data") or {}).get("customers"))
    # The generated queries must reach real customers, not just fail validation.
    assert answered_with_data > len(cases) * 5
