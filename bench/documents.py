"""The GraphQL documents each workload sends, to c360 and to PostGraphile, and their bodies.

W1 and W2 ask both systems for the same core-banking shape (identity, accounts, each
account's five newest transactions); c360 adds what only it can serve (holdings with their
product, the RM, total assets and tier from three systems, masked and audited).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bench.bank import Book
from resolvers.ids import global_id

C360_CUSTOMER = """
fragment Customer360 on Customer {
  id customerNumber name mobile idNumber gender birthDate tier totalAssets
  relationshipManager { employeeNumber name grade }
  accounts {
    type accountNumber currency balance
    transactions(first: 5) { nodes { amount currency direction channel bookedAt } }
  }
  holdings { units marketValueCny product { code name riskLevel } }
}
"""

C360_W1 = "query W1($id: ID!) { customer(id: $id) { ...Customer360 } }" + C360_CUSTOMER
C360_W2 = (
    "query W2($rm: ID!) { customers(first: 50, filter: {relationshipManager: $rm}) "
    "{ nodes { ...Customer360 } } }" + C360_CUSTOMER
)
TYPENAME = "{ __typename }"

PG_PARTY = """
fragment Party on DccParty {
  custNo legalName mobile idNo gender birthDate
  dccAccountsByCustNo(orderBy: ACCT_ID_ASC) {
    nodes {
      productType acctNo currency balance
      dccTransactionsByAcctId(first: 5, orderBy: BOOKED_AT_DESC) {
        nodes { amount currency direction channel bookedAt }
      }
    }
  }
}
"""
PG_W1 = "query W1($custNo: String!) { dccPartyByCustNo(custNo: $custNo) { ...Party } }" + PG_PARTY
PG_W2 = "query W2 { allDccParties(first: 50, orderBy: CUST_NO_ASC) { nodes { ...Party } } }" + (
    PG_PARTY
)

# W1 rotates through this many of the RM's customers (every one is a distinct request).
W1_ROTATION = 200


@dataclass(frozen=True)
class Workload:
    """One workload as one system receives it: the request bodies it rotates through."""

    name: str
    title: str
    bodies: tuple[str, ...]


def _body(query: str, variables: dict[str, str] | None = None) -> str:
    payload: dict[str, object] = {"query": query}
    if variables:
        payload["variables"] = variables
    return json.dumps(payload, separators=(",", ":"))


TITLES = {
    "W1": "one customer 360",
    "W2": "a page of 50 customers",
    "W3": "{ __typename }",
    "W4": "an RM's maintenance agenda for a month",
}


def c360_workloads(book: Book, agenda: str | None) -> list[Workload]:
    """W1–W3 (and W4 when the schema has an agenda) as c360 receives them."""
    rotation = book.customers[:W1_ROTATION]
    rm = global_id("RelationshipManager", book.rm_id)
    loads = [
        Workload(
            "W1",
            TITLES["W1"],
            tuple(_body(C360_W1, {"id": global_id("Customer", c)}) for c in rotation),
        ),
        Workload("W2", TITLES["W2"], (_body(C360_W2, {"rm": rm}),)),
        Workload("W3", TITLES["W3"], (_body(TYPENAME),)),
    ]
    if agenda is not None:
        loads.append(Workload("W4", TITLES["W4"], (agenda,)))
    return loads


def postgraphile_workloads(book: Book) -> list[Workload]:
    """W1–W3 as PostGraphile receives them: the core-banking part only."""
    rotation = book.customers[:W1_ROTATION]
    return [
        Workload("W1", TITLES["W1"], tuple(_body(PG_W1, {"custNo": c}) for c in rotation)),
        Workload("W2", TITLES["W2"], (_body(PG_W2),)),
        Workload("W3", TITLES["W3"], (_body(TYPENAME),)),
    ]
