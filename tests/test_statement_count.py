"""Loading is set-based: a page of 50 customers costs the same statements as a page of 1."""

from __future__ import annotations

from typing import Any

from resolvers.ids import key_cursor
from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.conftest import GraphQLClient, fewest_statements
from tests.raw import rows

CUSTOMER_360_PAGE = """
query ($first: Int!, $after: String) {
  customers(first: $first, after: $after) {
    nodes {
      customerNumber name mobile idNumber tier totalAssets
      provenance { source }
      relationshipManager { name grade branch { name } }
      assignedBranch { code }
      riskAssessment { investorType isValid }
      accounts {
        accountNumber balance type branch { code }
        transactions(first: 5) { nodes { amount channel bookedAt branch { city } } }
      }
      holdings { units marketValue product { name riskLevel latestNav { nav } } }
      interactions(first: 3) { nodes { summary relationshipManager { name } } }
      complaints { status }
      familyMembers { relation }
    }
  }
}
"""


async def customer_with_everything(sources: Sources) -> str:
    """A customer with transactions, holdings and contacts: every nested batch runs."""
    having = [
        {r.cust_no for r in await rows(sources, table)}
        for table in (core.transaction, wealth.holding, crm.contact)
    ]
    return min(set.intersection(*having))


async def test_a_page_of_fifty_customers_costs_the_same_statements_as_a_page_of_one(
    sources: Sources, client: GraphQLClient, statement_log: Any
) -> None:
    # The page of one starts at a customer who has every kind of related record, so it
    # exercises every batch the page of fifty does.
    full = await customer_with_everything(sources)
    before = str(int(full) - 1).zfill(len(full))
    await client.data(CUSTOMER_360_PAGE, {"first": 1})  # today's reference snapshot
    counts = {}
    for first, after in ((1, key_cursor(before)), (50, None)):

        async def page(first: int = first, after: str | None = after) -> None:
            data = await client.data(CUSTOMER_360_PAGE, {"first": first, "after": after})
            assert len(data["customers"]["nodes"]) == first

        counts[first], _statements = await fewest_statements(statement_log, page)
    assert counts[1] == counts[50], counts
