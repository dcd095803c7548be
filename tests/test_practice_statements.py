"""The agenda and the ownership review are set-based: a big book or page costs the same
statements as a small one."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from resolvers.ids import key_cursor
from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.conftest import Bank, caller_headers, client_for, fewest_statements
from tests.raw import rows

AGENDA = """
query ($from: Date!, $to: Date!) {
  maintenanceAgenda(from: $from, to: $to) {
    customer { customerNumber name tier relationshipManager { name } }
    reason dueOn done account { accountNumber } product { name }
  }
}
"""
OWNERSHIP = """
query ($first: Int!) {
  ownershipReview(first: $first) {
    nodes {
      customer { customerNumber name totalAssets }
      assignedBranch { name }
      suggestion { branch { name } evidence { transactions branch { code } } }
    }
  }
}
"""


async def test_the_agenda_of_the_biggest_book_costs_the_same_statements_as_the_smallest(
    app: Any, bank: Bank, sources: Sources, statement_log: Any
) -> None:
    assignments = await rows(sources, crm.assignment)
    books = Counter(a.rm_id for a in assignments)
    branch = {a.rm_id: a.branch_code for a in assignments}
    smallest, biggest = min(books, key=books.__getitem__), max(books, key=books.__getitem__)
    assert books[biggest] > books[smallest]
    # A whole year: every customer has a birthday in it, so every batch runs for both books.
    window = {"from": bank.as_of.isoformat(), "to": (bank.as_of + timedelta(days=365)).isoformat()}
    counts = {}
    for rm_id in (smallest, biggest, smallest):
        headers = caller_headers(
            "RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=branch[rm_id], rm_id=rm_id
        )
        async with client_for(app, headers) as rm:

            async def agenda(rm: Any = rm, rm_id: str = rm_id) -> None:
                data = await rm.data(AGENDA, window)
                customers = {i["customer"]["customerNumber"] for i in data["maintenanceAgenda"]}
                assert len(customers) == books[rm_id]

            counts[rm_id], _statements = await fewest_statements(statement_log, agenda)
    assert counts[smallest] == counts[biggest], counts


async def test_an_ownership_review_page_of_fifty_costs_the_same_statements_as_a_page_of_one(
    app: Any, statement_log: Any
) -> None:
    async with client_for(app, caller_headers("COMPLIANCE_OFFICER", "AUDIT")) as compliance:
        await compliance.data(OWNERSHIP, {"first": 1})  # today's reference snapshot
        counts, tables = {}, {}
        for first in (1, 50):

            async def review(first: int = first) -> None:
                data = await compliance.data(OWNERSHIP, {"first": first})
                nodes = data["ownershipReview"]["nodes"]
                assert len(nodes) == 1 if first == 1 else len(nodes) > 10

            counts[first], statements = await fewest_statements(statement_log, review)
            tables[first] = Counter(" ".join(x.split())[:70] for x in statements)
    assert counts[1] == counts[50], (counts, tables[50] - tables[1])


PRACTICE_PAGE = """
query ($first: Int!, $after: String, $since: Date!) {
  customers(first: $first, after: $after) {
    nodes {
      customerNumber
      rmGradeFit { belowRequired }
      tierChange(since: $since) { tierThen assetsThen }
      suggestedHomeBranch { branch { code } evidence { transactions } }
      profileCompleteness { score missing }
      suitableProducts(first: 3) { reason products { code } }
    }
  }
}
"""


async def test_the_practice_fields_of_fifty_customers_cost_the_same_statements_as_of_one(
    client: Any, bank: Bank, sources: Sources, statement_log: Any
) -> None:
    # The page of one starts at a customer with a valid assessment, holdings, family and
    # transactions, so every batch the page of fifty runs runs for it too.
    valid = {
        a.cust_no for a in await rows(sources, crm.risk_assessment) if a.expires_on >= bank.as_of
    }
    having = [
        {r.cust_no for r in await rows(sources, table)}
        for table in (core.transaction, wealth.holding, crm.family_member)
    ]
    full = min(valid.intersection(*having))
    before = str(int(full) - 1).zfill(len(full))
    since = (bank.as_of - timedelta(days=30)).isoformat()
    await client.data(PRACTICE_PAGE, {"first": 1, "since": since})  # today's reference snapshot
    counts, tables = {}, {}
    for first, after in ((1, key_cursor(before)), (50, None)):

        async def page(first: int = first, after: str | None = after) -> None:
            variables = {"first": first, "after": after, "since": since}
            data = await client.data(PRACTICE_PAGE, variables)
            assert len(data["customers"]["nodes"]) == first

        counts[first], statements = await fewest_statements(statement_log, page)
        tables[first] = Counter(" ".join(x.split())[:70] for x in statements)
    assert counts[1] == counts[50], (counts, tables[50] - tables[1])
