"""The planner answers exactly as the resolver tree does: same data, same errors, same
masking notes, same audit records, for every role, over generated queries of the part of
the schema it plans, and when a source is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    print_schema,
)
from hypothesis_graphql import queries

from gateway.app import create_app
from gateway.metrics import REGISTRY
from gateway.ratelimit import RateLimits
from resolvers.ids import global_id
from resolvers.plan.tables import TABLES
from resolvers.schema import schema
from sources import CoreBanking, Crm, Sources, WealthManagement
from sources.guarded import Resilience
from tests.conftest import Bank, caller_headers, client_for, settings_for
from tests.expected import RawBank
from tests.test_fast_path import RecordingAudit, audited
from tests.test_no_leaks import SCALARS, callers, generated_queries

UNLIMITED = RateLimits(requests_per_minute=0, customers_per_minute=0)

CUSTOMER_360 = """
fragment Money on Account { balance balanceBand currency }
query One($id: ID!) {
  customer(id: $id) {
    id customerNumber name mobile address idNumber gender idType birthDate email status
    openedOn tier requiredRmGrade totalAssets totalAssetsBand
    provenance { attribute source updatedAt rule }
    openingBranch { code name } assignedBranch { id code city address }
    relationshipManager { id employeeNumber name grade hiredOn branch { name } }
    accounts {
      id type accountNumber cardNumber interestRate maturityDate status ...Money
      branch { code }
      recent: transactions(first: 2) {
        edges { cursor node { id amount amountBand direction channel bookedAt counterparty } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
    holdings {
      id openedOn units costAmount marketValue marketValueCny marketValueBand
      product { id code name type riskLevel currency termDays launchDate maturityDate status
                latestNav { date nav } }
    }
    transactions(first: 3, from: "2020-01-01") { nodes { __typename id amount } }
    __typename
  }
}
"""
PAGES = """
query Page($after: String, $first: Int!) {
  customers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { customerNumber name ... on Customer { mobile tier } } }
    nodes { accounts { accountNumber transactions(first: 1) { nodes { amount } } } }
  }
  branches { code name city }
}
"""
BAD_INPUT = [
    '{ customer(id: "not-an-id") { name } }',
    "{ customers(first: 500) { nodes { name } } }",
    '{ customers(after: "garbage") { nodes { name } } }',
    "{ customers(first: 2) { nodes { accounts { transactions(first: -1) { nodes { amount } } } } }"
    " }",
    '{ customers(first: 2) { nodes { transactions(from: "2026-02-01", to: "2026-01-01") '
    "{ nodes { amount } } } } }",
    '{ customers(filter: {branch: "eA"}) { totalCount nodes { name } } }',
]


def planned_schema() -> GraphQLSchema:
    """The schema cut down to what the planner's tables declare."""
    full = schema._schema
    made: dict[str, Any] = {}

    def of(kind: Any) -> Any:
        if isinstance(kind, GraphQLNonNull):
            return GraphQLNonNull(of(kind.of_type))
        if isinstance(kind, GraphQLList):
            return GraphQLList(of(kind.of_type))
        if isinstance(kind, GraphQLScalarType | GraphQLEnumType | GraphQLInputObjectType):
            return kind
        if kind.name not in made:
            table = TABLES[kind.name]
            made[kind.name] = GraphQLObjectType(
                kind.name,
                lambda kind=kind, table=table: {
                    name: GraphQLField(of(f.type), args=f.args, description=f.description)
                    for name, f in kind.fields.items()
                    if name in table
                },
            )
        return made[kind.name]

    assert full.query_type is not None
    return GraphQLSchema(query=of(full.query_type))


def planned_queries(count: int) -> list[str]:
    strategy = queries(
        print_schema(planned_schema()),
        fields=["customers", "customer", "branches"],
        custom_scalars=SCALARS,
    )
    return generated_queries(count, strategy)


def planned_count() -> float:
    return REGISTRY.get_sample_value("c360_executions_total", {"path": "planned"}) or 0.0


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A response without what legitimately differs between the two paths: which reads had
    finished when the answer was sent (the tree answers as soon as a failure decides it),
    their latencies and counts, and the order of errors and of disclosure notes (the tree
    resolves fields concurrently, the plan in document order)."""
    extensions = dict(body.get("extensions") or {})
    sources = extensions.pop("sources", {})
    if "disclosure" in extensions:
        extensions["disclosure"] = sorted(extensions["disclosure"], key=repr)
    errors = sorted(body.get("errors") or [], key=repr)
    down = {name for name, use in sources.items() if use["status"] != "ok"}
    return {"data": body.get("data"), "errors": errors, "extensions": extensions, "down": down}


@asynccontextmanager
async def both_paths(
    bank: Bank, sources: Sources, headers: dict[str, str], audit_available: bool = True
) -> AsyncIterator[tuple[Any, Any, RecordingAudit, RecordingAudit]]:
    settings = settings_for(bank.urls)
    planned_audit = RecordingAudit(available=audit_available)
    reference_audit = RecordingAudit(available=audit_available)
    planned = create_app(settings, sources, audit=planned_audit, rate_limits=UNLIMITED)  # type: ignore[arg-type]
    reference = create_app(
        settings,
        sources,
        audit=reference_audit,  # type: ignore[arg-type]
        rate_limits=UNLIMITED,
        plain_resolvers=False,
        planned=False,
    )
    async with client_for(planned, headers) as a, client_for(reference, headers) as b:
        yield a, b, planned_audit, reference_audit


async def compare(
    a: Any, b: Any, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    got, want = await a.post(query, variables), await b.post(query, variables)
    assert comparable(got) == comparable(want), query
    return got


async def test_the_planner_answers_generated_queries_like_the_resolver_tree_for_every_role(
    bank: Bank, sources: Sources, raw: RawBank
) -> None:
    drawn = planned_queries(40)
    assert len(set(drawn)) > 20
    roles = [*callers(raw), ("compliance", caller_headers("COMPLIANCE_OFFICER", "AUDIT"), set())]
    with_data = 0
    for label, headers, _forbidden in roles:
        async with both_paths(bank, sources, headers) as (a, b, planned_audit, reference_audit):
            for query in drawn:
                before = planned_count()
                got = await compare(a, b, query)
                with_data += bool((got.get("data") or {}).get("customers"))
                # Every generated query that runs at all (one over a limit is refused
                # before execution) is one the planner plans: none fell back to the tree.
                assert planned_count() - before == ("data" in got), (label, query)
        assert audited(planned_audit) == audited(reference_audit), label
    assert with_data > len(roles) * 5


def first_rm_book(raw: RawBank) -> tuple[Any, list[str]]:
    """The first assignment's RM (as that assignment) and every customer of that RM."""
    some = raw.assignments[sorted(raw.assignments)[0]]
    return some, sorted(c for c, a in raw.assignments.items() if a.rm_id == some.rm_id)


def value_at(data: Any, path: list[str | int]) -> Any:
    for step in path:
        data = data[step]
    return data


async def test_the_planner_answers_a_full_customer_and_pages_like_the_resolver_tree(
    bank: Bank, sources: Sources, raw: RawBank
) -> None:
    some, book = first_rm_book(raw)
    roles = [
        caller_headers(
            "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=some.branch_code, rm_id=some.rm_id
        ),
        caller_headers(
            "RELATIONSHIP_MANAGER", "MARKETING", branch=some.branch_code, rm_id=some.rm_id
        ),
        caller_headers("BRANCH_MANAGER", "RISK_CONTROL", branch=some.branch_code),
        caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE"),
        caller_headers("COMPLIANCE_OFFICER", "AUDIT"),
        caller_headers("MARKETING_ANALYST", "MARKETING"),
        caller_headers("SERVICE", "RISK_CONTROL", scopes=["customer:finance"]),
    ]
    others = [c for c in sorted(raw.parties) if c not in book][:3]
    for headers in roles:
        async with both_paths(bank, sources, headers) as (a, b, planned_audit, reference_audit):
            before = planned_count()
            for cust_no in [*book[:3], *others]:
                await compare(a, b, CUSTOMER_360, {"id": global_id("Customer", cust_no)})
            first = await compare(a, b, PAGES, {"first": 7})
            cursor = (first["data"]["customers"]["pageInfo"] or {}).get("endCursor")
            await compare(a, b, PAGES, {"first": 5, "after": cursor})
            for query in BAD_INPUT:
                await compare(a, b, query)
            assert planned_count() - before == len(book[:3]) + len(others) + 2 + len(BAD_INPUT)
        assert audited(planned_audit) == audited(reference_audit)


async def test_the_planner_withholds_like_the_resolver_tree_while_the_audit_trail_is_down(
    bank: Bank, sources: Sources, raw: RawBank
) -> None:
    some, book = first_rm_book(raw)
    headers = caller_headers(
        "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=some.branch_code, rm_id=some.rm_id
    )
    variables = {"id": global_id("Customer", book[0])}
    async with both_paths(bank, sources, headers) as (a, _b, _pa, _ra):
        shown = await a.post(CUSTOMER_360, variables)
    async with both_paths(bank, sources, headers, audit_available=False) as (a, b, pa, ra):
        one = await compare(a, b, CUSTOMER_360, variables)
        await compare(a, b, PAGES, {"first": 7})
    # The values shown in the clear while the trail is up come back null, each with the
    # reason, on both paths, and nothing is audited.
    withheld = [
        note["path"]
        for note in one["extensions"]["disclosure"]
        if note.get("code") == "AUDIT_UNAVAILABLE"
    ]
    assert withheld
    for path in withheld:
        assert value_at(shown["data"], path) is not None, path
        assert value_at(one["data"], path) is None, path
    assert pa.records == [] and ra.records == []


@asynccontextmanager
async def one_source_down(bank: Bank, down: str) -> AsyncIterator[Sources]:
    """Sources over the bank with one of them refusing every connection."""
    quick = Resilience(timeout_seconds=2, retries=0)
    urls = dict(bank.urls)
    urls[down] = "postgresql://nobody@127.0.0.1:9/nowhere"  # refused at once
    broken = Sources(
        core=CoreBanking.from_url(urls["core"], quick),
        wealth=WealthManagement.from_url(urls["wealth"], quick),
        crm=Crm.from_url(urls["crm"], quick),
    )
    try:
        yield broken
    finally:
        await reads_left_running()
        await broken.dispose()


async def reads_left_running() -> None:
    """Wait for the reads still running on the healthy sources: where reads run gathered
    (the agenda's), the first to fail answers the request while the others go on, and
    closing their pools under them would leave connections open to the bank's databases.
    None may be left waiting for good (a load whose batch was abandoned must fail)."""
    others = {
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task() and task.get_name() != "audit-flusher"
    }
    if others:
        _done, pending = await asyncio.wait(others, timeout=10)
        assert not pending, [task.get_coro() for task in pending]


async def test_the_planner_answers_like_the_resolver_tree_when_a_source_is_down(
    bank: Bank, raw: RawBank
) -> None:
    for down in ("wealth", "crm", "core"):
        headers = caller_headers("COMPLIANCE_OFFICER", "AUDIT")
        async with (
            one_source_down(bank, down) as broken,
            both_paths(bank, broken, headers) as (a, b, _audit, _reference),
        ):
            cust_no = sorted(raw.parties)[0]
            body = await compare(a, b, CUSTOMER_360, {"id": global_id("Customer", cust_no)})
            assert body["errors"], down
            assert all(
                e["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": down}
                for e in body["errors"]
            ), body["errors"]
            await compare(a, b, PAGES, {"first": 3})
