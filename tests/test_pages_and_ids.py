"""Pagination, date ranges, global ids and bad input."""

from __future__ import annotations

import base64
from datetime import timedelta

from resolvers.ids import global_id, parse_global_id
from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.conftest import Bank, GraphQLClient
from tests.raw import rows

ACCOUNT_TXNS = """
query ($id: ID!, $first: Int!, $after: String, $from: Date, $to: Date) {
  node(id: $id) { ... on Account {
    transactions(first: $first, after: $after, from: $from, to: $to) {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id bookedAt } }
    } } }
}
"""


async def busiest_account(sources: Sources) -> int:
    counts: dict[int, int] = {}
    for t in await rows(sources, core.transaction):
        counts[t.acct_id] = counts.get(t.acct_id, 0) + 1
    return max(counts, key=lambda a: counts[a])


async def test_transaction_pages_cover_every_transaction_once_newest_first(
    sources: Sources, client: GraphQLClient
) -> None:
    acct_id = await busiest_account(sources)
    raw = await rows(sources, core.transaction, core.transaction.c.acct_id == acct_id)
    want = [
        global_id("Transaction", t.txn_id)
        for t in sorted(raw, key=lambda t: (t.booked_at, t.txn_id), reverse=True)
    ]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await client.data(
            ACCOUNT_TXNS, {"id": global_id("Account", acct_id), "first": 3, "after": after}
        )
        page = data["node"]["transactions"]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen.extend(e["node"]["id"] for e in page["edges"])
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == want
    assert pages == -(-len(want) // 3)


async def test_a_date_range_keeps_only_transactions_on_those_days(
    sources: Sources, client: GraphQLClient, bank: Bank
) -> None:
    acct_id = await busiest_account(sources)
    raw = await rows(sources, core.transaction, core.transaction.c.acct_id == acct_id)
    days = sorted({t.booked_at.date() for t in raw})
    start, end = days[len(days) // 4], days[3 * len(days) // 4]
    want = {global_id("Transaction", t.txn_id) for t in raw if start <= t.booked_at.date() <= end}
    data = await client.data(
        ACCOUNT_TXNS,
        {
            "id": global_id("Account", acct_id),
            "first": 100,
            "from": start.isoformat(),
            "to": end.isoformat(),
        },
    )
    got = {e["node"]["id"] for e in data["node"]["transactions"]["edges"]}
    assert got == want and want


async def test_nav_history_and_interactions_page_newest_first_within_a_range(
    sources: Sources, client: GraphQLClient, bank: Bank
) -> None:
    product = (await rows(sources, wealth.product))[0]
    navs = await rows(sources, wealth.nav, wealth.nav.c.product_code == product.product_code)
    start = bank.as_of - timedelta(days=9)
    want = sorted(
        (n.nav_date.isoformat() for n in navs if start <= n.nav_date <= bank.as_of), reverse=True
    )
    data = await client.data(
        "query ($id: ID!, $from: Date, $to: Date) { node(id: $id) { ... on Product { "
        "navHistory(first: 50, from: $from, to: $to) { nodes { date nav } } } } }",
        {
            "id": global_id("Product", product.product_code),
            "from": start.isoformat(),
            "to": bank.as_of.isoformat(),
        },
    )
    assert [n["date"] for n in data["node"]["navHistory"]["nodes"]] == want

    contact = (await rows(sources, crm.contact))[0]
    logged = await rows(sources, crm.contact, crm.contact.c.cust_no == contact.cust_no)
    data = await client.data(
        "query ($id: ID!) { customer(id: $id) { interactions(first: 100) "
        "{ nodes { id contactedAt } } } }",
        {"id": global_id("Customer", contact.cust_no)},
    )
    got = [n["id"] for n in data["customer"]["interactions"]["nodes"]]
    assert got == [
        global_id("Interaction", c.contact_id)
        for c in sorted(logged, key=lambda c: (c.contacted_at, c.contact_id), reverse=True)
    ]


async def test_customers_filter_by_branch_and_relationship_manager(
    sources: Sources, client: GraphQLClient
) -> None:
    assignments = await rows(sources, crm.assignment)
    some = assignments[0]
    for filter_, want in (
        (
            {"branch": global_id("Branch", some.branch_code)},
            sorted(a.cust_no for a in assignments if a.branch_code == some.branch_code),
        ),
        (
            {"relationshipManager": global_id("RelationshipManager", some.rm_id)},
            sorted(a.cust_no for a in assignments if a.rm_id == some.rm_id),
        ),
    ):
        data = await client.data(
            "query ($f: CustomerFilter) { customers(first: 100, filter: $f) "
            "{ totalCount nodes { customerNumber } } }",
            {"f": filter_},
        )
        assert [n["customerNumber"] for n in data["customers"]["nodes"]] == want
        assert data["customers"]["totalCount"] == len(want)


async def test_node_fetches_every_kind_of_object_by_global_id(
    sources: Sources, client: GraphQLClient
) -> None:
    samples = {
        "Customer": (await rows(sources, core.party))[0].cust_no,
        "Account": (await rows(sources, core.account))[0].acct_id,
        "Transaction": (await rows(sources, core.transaction))[0].txn_id,
        "Branch": (await rows(sources, core.branch))[0].branch_code,
        "Holding": (await rows(sources, wealth.holding))[0].holding_id,
        "Product": (await rows(sources, wealth.product))[0].product_code,
        "RelationshipManager": (await rows(sources, crm.relationship_manager))[0].rm_id,
        "Interaction": (await rows(sources, crm.contact))[0].contact_id,
        "Complaint": (await rows(sources, crm.complaint))[0].complaint_id,
    }
    for type_name, key in samples.items():
        gid = global_id(type_name, key)
        data = await client.data(
            "query ($id: ID!) { node(id: $id) { __typename id } }", {"id": gid}
        )
        assert data["node"] == {"__typename": type_name, "id": gid}


async def test_an_unknown_customer_is_null_without_an_error(client: GraphQLClient) -> None:
    body = await client.post(
        "query ($id: ID!) { customer(id: $id) { name } }",
        {"id": global_id("Customer", "8899999999")},
    )
    assert body["data"] == {"customer": None} and "errors" not in body


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_malformed_global_ids_are_bad_user_input(client: GraphQLClient) -> None:
    wrong_type = global_id("Account", 1)
    not_int = base64.urlsafe_b64encode(b"Account:12x").decode()
    for bad in (
        "not-base64-!!",
        "",
        base64.b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b"Nope:1").decode(),
        not_int,
    ):
        body = await client.post("query ($id: ID!) { node(id: $id) { id } }", {"id": bad})
        assert codes(body) == ["BAD_USER_INPUT"], bad
        assert "Traceback" not in str(body)
    body = await client.post("query ($id: ID!) { customer(id: $id) { name } }", {"id": wrong_type})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_malformed_cursors_are_bad_user_input(client: GraphQLClient) -> None:
    acct = global_id("Account", 1)
    for bad in (
        "garbage",
        base64.urlsafe_b64encode(b"m:yesterday|1").decode(),
        base64.urlsafe_b64encode(b"k:").decode(),
    ):
        body = await client.post(
            "query ($a: String) { customers(after: $a) { totalCount } }", {"a": bad}
        )
        assert codes(body) == ["BAD_USER_INPUT"], bad
        body = await client.post(ACCOUNT_TXNS, {"id": acct, "first": 1, "after": bad})
        assert codes(body) == ["BAD_USER_INPUT"], bad


async def test_a_page_larger_than_the_maximum_is_refused(client: GraphQLClient) -> None:
    body = await client.post("{ customers(first: 101) { totalCount } }")
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "100" in body["errors"][0]["message"]
    body = await client.post("{ customers(first: -1) { totalCount } }")
    assert codes(body) == ["BAD_USER_INPUT"]
    data = await client.data("{ customers(first: 100) { nodes { id } } }")
    assert len(data["customers"]["nodes"]) == 100


async def test_a_reversed_date_range_is_bad_user_input(
    sources: Sources, client: GraphQLClient
) -> None:
    body = await client.post(
        ACCOUNT_TXNS,
        {"id": global_id("Account", 1), "first": 1, "from": "2025-02-01", "to": "2025-01-01"},
    )
    assert codes(body) == ["BAD_USER_INPUT"]


def test_global_ids_are_unpadded_url_safe_base64_and_stay_what_clients_stored() -> None:
    assert global_id("Customer", "8800000006") == "Q3VzdG9tZXI6ODgwMDAwMDAwNg"
    # Standard base64 of this key has "+" and "/"; the id has "-" and "_" in their place.
    odd = global_id("Product", "~~~?>>")
    assert odd == "UHJvZHVjdDp-fn4_Pj4"
    assert parse_global_id(odd) == ("Product", "~~~?>>")
