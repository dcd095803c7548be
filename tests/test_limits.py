"""Query limits: each one at its boundary (just under passes, just over is refused with its
code), and hostile documents refused while other requests keep being served."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from importlib.metadata import version
from typing import Any

import pytest
from graphql import parse
from graphql.language import Lexer, Source, TokenKind

from bench.limits import fragment_bomb
from gateway.app import create_app
from gateway.audit import AuditTrail
from gateway.limits import QueryLimits, measure_document
from resolvers.ids import global_id
from resolvers.schema import schema
from sources import Sources
from tests.conftest import Bank, caller_headers, client_for, settings_for

CUSTOMER = "8800000001"
TIER = "query ($id: ID!) { customer(id: $id) { tier } }"
HEADERS = caller_headers("COMPLIANCE_OFFICER", "AUDIT", subject="limits-tester")


CIRCULAR = "query{...a} fragment a on Query{...b} fragment b on Query{__typename ...a}"
REPEATED = "{" + " __typename" * 5000 + "}"
REPEATED_SHORT = "{" + " a" * 5000 + "}"  # within the size limit: the tokens refuse it


def tokens(document: str) -> int:
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def app_with(bank: Bank, sources: Sources, audit: AuditTrail, **limits: int) -> Any:
    return create_app(
        settings_for(bank.urls, bank.audit_url),
        sources,
        audit=audit,
        limits=replace(QueryLimits(), **limits),
    )


async def answer(app: Any, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with client_for(app, HEADERS) as client:
        return await client.post(query, variables)


def codes(body: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in body.get("errors", [])}


def test_graphql_core_bounds_duplicate_field_validation_and_parser_input() -> None:
    major, minor, patch = (int(p) for p in version("graphql-core").split(".")[:3])
    assert (major, minor, patch) >= (3, 3, 2)


# (limit, document just within it, document just over it, code); documents use real fields.
BOUNDARIES = [
    (
        {"max_depth": 3},
        "query ($id: ID!) { customer(id: $id) { relationshipManager { name } } }",
        "query ($id: ID!) { customer(id: $id) { relationshipManager { branch { name } } } }",
        "QUERY_TOO_DEEP",
    ),
    (
        {"max_aliases": 2},
        "{ a: __typename b: __typename }",
        "{ a: __typename b: __typename c: __typename }",
        "TOO_MANY_ALIASES",
    ),
    (
        {"max_root_fields": 2},
        "query ($id: ID!) { customer(id: $id) { name } __typename }",
        "query ($id: ID!) { customer(id: $id) { name } __typename t: __typename }",
        "TOO_MANY_ROOT_FIELDS",
    ),
    (
        {"max_directives": 2},
        "{ __typename @skip(if: false) t: __typename @include(if: true) }",
        "{ __typename @skip(if: false) t: __typename @include(if: true) @skip(if: false) }",
        "TOO_MANY_DIRECTIVES",
    ),
    ({"max_document_chars": 14}, "{ __typename }", "{ __typename } ", "DOCUMENT_TOO_LARGE"),
    (
        # customers: 1 + first x (nodes: 1 + customerNumber: 1) = 1 + 2 x first
        {"max_cost": 11},
        "{ customers(first: 5) { nodes { customerNumber } } }",
        "{ customers(first: 6) { nodes { customerNumber } } }",
        "QUERY_TOO_COSTLY",
    ),
    (
        # customer: 1 + (accounts: 1 + 10 assumed x accountNumber: 1) = 12
        {"max_cost": 12},
        "query ($id: ID!) { customer(id: $id) { accounts { accountNumber } } }",
        "query ($id: ID!) { customer(id: $id) { accounts { accountNumber type } } }",
        "QUERY_TOO_COSTLY",
    ),
]


@pytest.mark.parametrize(("limit", "within", "over", "code"), BOUNDARIES)
async def test_each_limit_lets_its_boundary_through_and_refuses_one_more(
    bank: Bank,
    sources: Sources,
    audit: AuditTrail,
    limit: dict[str, int],
    within: str,
    over: str,
    code: str,
) -> None:
    app = app_with(bank, sources, audit, **limit)
    variables = {"id": global_id("Customer", CUSTOMER)} if "$id" in within else None
    passed = await answer(app, within, variables)
    assert "errors" not in passed, passed
    refused = await answer(app, over, variables)
    assert codes(refused) == {code}
    assert "data" not in refused, "nothing ran"
    (error,) = refused["errors"]
    assert error["extensions"]["limit"] == next(iter(limit.values()))


async def test_the_cost_reads_first_from_variables(
    bank: Bank, sources: Sources, audit: AuditTrail
) -> None:
    app = app_with(bank, sources, audit, max_cost=11)
    query = "query ($n: Int!) { customers(first: $n) { nodes { customerNumber } } }"
    assert "errors" not in await answer(app, query, {"n": 5})
    assert codes(await answer(app, query, {"n": 6})) == {"QUERY_TOO_COSTLY"}


async def test_the_token_limit_stops_the_parser_at_the_first_token_over(
    bank: Bank, sources: Sources, audit: AuditTrail
) -> None:
    within = "{ __typename t: __typename }"
    app = app_with(bank, sources, audit, max_tokens=tokens(within))
    assert "errors" not in await answer(app, within)
    # Comments are not tokens, but as many comments as tokens are allowed, and no more.
    padded = "{ __typename t: __typename " + "#\n" * (tokens(within) + 1) + "}"
    assert "errors" not in await answer(app, within.replace("{", "{ #\n"))
    for over in ("{ __typename t: __typename u }", padded):
        refused = await answer(app, over)
        assert codes(refused) == {"TOO_MANY_TOKENS"}, over


def test_a_fragment_counts_once_per_use() -> None:
    document = parse(
        "{ ...f ...f } fragment f on Query { a: __typename b: __typename @skip(if: false) }"
    )
    (measure,) = measure_document(document, schema._schema)
    assert (measure.aliases, measure.directives, measure.root_fields, measure.cost) == (4, 2, 4, 4)


DEEPEST_THROUGH_EDGES = """
{ customers(first: 100) { edges { node { accounts {
    transactions(first: 20) { edges { node { branch { city } } } } } } } } }
"""


def test_the_deepest_and_costliest_real_queries_are_within_the_defaults() -> None:
    from tests.test_statement_count import CUSTOMER_360_PAGE

    limits = QueryLimits()
    measured = [
        measure_document(parse(document), schema._schema, variables)[0]
        for document, variables in (
            (CUSTOMER_360_PAGE, {"first": 100}),
            (DEEPEST_THROUGH_EDGES, {}),
        )
    ]
    assert [m.depth for m in measured] == [7, 9]
    assert all(m.depth <= limits.max_depth and m.cost <= limits.max_cost for m in measured)


HOSTILE = {
    "fragment bomb": (fragment_bomb(), {"TOO_MANY_ROOT_FIELDS", "QUERY_TOO_COSTLY"}),
    "circular fragment": (CIRCULAR, {"CIRCULAR_FRAGMENT"}),
    "one field 5,000 times": (REPEATED, {"DOCUMENT_TOO_LARGE"}),
    "one short field 5,000 times": (REPEATED_SHORT, {"TOO_MANY_TOKENS"}),
}


async def test_hostile_documents_are_refused_while_other_requests_are_served(
    bank: Bank, sources: Sources, audit: AuditTrail
) -> None:
    app = create_app(settings_for(bank.urls, bank.audit_url), sources, audit=audit)
    assert 800 <= len(fragment_bomb()) <= 1000
    rounds = 3
    answered: list[str] = []

    async def keep_asking() -> None:
        # As many ordinary requests as hostile ones, interleaved with them on one event loop:
        # each is answered in full while the attack goes on.
        async with client_for(app, caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE")) as c:
            for _ in range(rounds * len(HOSTILE)):
                body = await c.post(TIER, {"id": global_id("Customer", CUSTOMER)})
                answered.append(body["data"]["customer"]["tier"])

    async def attack() -> dict[str, float]:
        timings: dict[str, float] = {}
        async with client_for(app, HEADERS) as client:
            for _ in range(rounds):
                for label, (document, expected) in HOSTILE.items():
                    started = time.perf_counter()
                    refused = await client.post(document)
                    ms = (time.perf_counter() - started) * 1000
                    timings[label] = max(timings.get(label, 0.0), ms)
                    assert codes(refused) and codes(refused) <= expected, (label, refused)
                    assert "data" not in refused
        return timings

    timings, _ = await asyncio.gather(attack(), keep_asking())
    for label, ms in timings.items():
        print(f"{label}: refused in {ms:.1f} ms at worst")
    assert len(answered) == rounds * len(HOSTILE) and all(answered)
