"""The merged customer on the demo bank: survivorship, provenance, disagreements, assets."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from resolvers.ids import global_id
from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.conftest import Bank, GraphQLClient
from tests.raw import rows

MERGED = """
query ($first: Int!, $after: String) {
  customers(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      customerNumber name mobile address totalAssets tier
      provenance { attribute source updatedAt }
      discrepancies { attribute chosenSource values { source value } }
    }
  }
}
"""


async def all_customers(client: GraphQLClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await client.data(MERGED, {"first": 100, "after": after}))["customers"]
        found.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def newest(
    core_value: Any, core_at: datetime | None, crm_value: Any, crm_at: datetime | None
) -> tuple[Any, str]:
    """Most recent non-empty value; on a tie or unknown times, core's."""
    if not crm_value:
        return core_value, "CORE"
    if not core_value:
        return crm_value, "CRM"
    if crm_at is not None and (core_at is None or crm_at > core_at):
        return crm_value, "CRM"
    return core_value, "CORE"


async def test_every_customer_merges_name_mobile_and_address_by_the_declared_rules(
    bank: Bank, sources: Sources, client: GraphQLClient
) -> None:
    parties = {p.cust_no: p for p in await rows(sources, core.party)}
    profiles = {p.cust_no: p for p in await rows(sources, crm.profile)}
    customers = await all_customers(client)
    assert [c["customerNumber"] for c in customers] == sorted(parties)

    stale_crm = fresher_crm = 0
    for customer in customers:
        party, profile = (
            parties[customer["customerNumber"]],
            profiles.get(customer["customerNumber"]),
        )
        sources_of = {p["attribute"]: p["source"] for p in customer["provenance"]}
        # The legal name from the core system always wins.
        assert customer["name"] == party.legal_name
        assert sources_of["NAME"] == "CORE"
        for attr, column in (("MOBILE", "mobile"), ("ADDRESS", "address")):
            want, source = newest(
                getattr(party, column),
                getattr(party, f"{column}_updated_at"),
                getattr(profile, column),
                getattr(profile, f"{column}_updated_at"),
            )
            assert customer[column] == want
            assert sources_of[attr] == source
        if profile.mobile != party.mobile:
            if profile.mobile_updated_at < party.mobile_updated_at:
                stale_crm += 1
            else:
                fresher_crm += 1
    # The demo bank must show both kinds of disagreement.
    assert stale_crm > 0 and fresher_crm > 0


async def test_disagreements_list_each_systems_value(
    sources: Sources, client: GraphQLClient
) -> None:
    parties = {p.cust_no: p for p in await rows(sources, core.party)}
    profiles = {p.cust_no: p for p in await rows(sources, crm.profile)}
    for customer in await all_customers(client):
        party, profile = parties[customer["customerNumber"]], profiles[customer["customerNumber"]]
        disputed = {d["attribute"]: d for d in customer["discrepancies"]}
        for attr, core_value, crm_value in (
            ("NAME", party.legal_name, profile.name),
            ("MOBILE", party.mobile, profile.mobile),
            ("ADDRESS", party.address, profile.address),
        ):
            differs = (
                bool(core_value)
                and bool(crm_value)
                and "".join(core_value.split()) != "".join(crm_value.split())
            )
            assert (attr in disputed) == differs, (customer["customerNumber"], attr)
            if differs:
                values = {v["source"]: v["value"] for v in disputed[attr]["values"]}
                assert values == {"CORE": core_value, "CRM": crm_value}


async def test_total_assets_equal_deposits_plus_holdings_computed_from_raw_rows(
    bank: Bank, sources: Sources, client: GraphQLClient
) -> None:
    rates: dict[str, tuple[Any, Decimal]] = {}
    for r in await rows(sources, core.fx_rate, core.fx_rate.c.rate_date <= bank.as_of):
        if r.currency not in rates or r.rate_date > rates[r.currency][0]:
            rates[r.currency] = (r.rate_date, Decimal(r.cny_per_unit))
    rate = {c: v for c, (_d, v) in rates.items()} | {"CNY": Decimal(1)}
    navs: dict[str, tuple[Any, Decimal]] = {}
    for n in await rows(sources, wealth.nav, wealth.nav.c.nav_date <= bank.as_of):
        if n.product_code not in navs or n.nav_date > navs[n.product_code][0]:
            navs[n.product_code] = (n.nav_date, Decimal(n.nav))
    currency = {p.product_code: p.currency for p in await rows(sources, wealth.product)}

    expected: dict[str, Decimal] = defaultdict(Decimal)
    for a in await rows(sources, core.account):
        if a.product_type in ("CURRENT", "TIME_DEPOSIT") and a.status != "CLOSED":
            expected[a.cust_no] += Decimal(a.balance) * rate[a.currency]
    for h in await rows(sources, wealth.holding):
        value = (Decimal(h.units) * navs[h.product_code][1]).quantize(Decimal("0.01"))
        expected[h.cust_no] += (value * rate[currency[h.product_code]]).quantize(Decimal("0.01"))

    tiers_seen = set()
    for customer in await all_customers(client):
        want = expected[customer["customerNumber"]].quantize(Decimal("0.01"))
        assert Decimal(customer["totalAssets"]) == want, customer["customerNumber"]
        tiers_seen.add(customer["tier"])
    assert tiers_seen == {
        "BLACK_GOLD",
        "DIAMOND",
        "PREMIER_PLATINUM",
        "PLATINUM",
        "PREMIER_GOLD",
        "GOLD",
        "MASS",
    }


async def test_a_customer_reads_with_accounts_transactions_holdings_and_rm(
    sources: Sources, client: GraphQLClient
) -> None:
    holder = (await rows(sources, wealth.holding))[0].cust_no
    assignment = (await rows(sources, crm.assignment, crm.assignment.c.cust_no == holder))[0]
    data = await client.data(
        """query ($id: ID!) { customer(id: $id) {
             id customerNumber assignedBranch { code }
             relationshipManager { id grade branch { code } }
             accounts { id type transactions(first: 5) { nodes { id amount bookedAt } } }
             holdings { product { code riskLevel latestNav { date nav } } units }
        } }""",
        {"id": global_id("Customer", holder)},
    )
    customer = data["customer"]
    assert customer["id"] == global_id("Customer", holder)
    assert customer["assignedBranch"]["code"] == assignment.branch_code
    assert customer["relationshipManager"]["id"] == global_id(
        "RelationshipManager", assignment.rm_id
    )
    accounts = await rows(sources, core.account, core.account.c.cust_no == holder)
    assert len(customer["accounts"]) == len(accounts)
    assert customer["holdings"]
    for account in customer["accounts"]:
        times = [t["bookedAt"] for t in account["transactions"]["nodes"]]
        assert times == sorted(times, reverse=True) and len(times) <= 5


async def test_versions_for_optimistic_writes_are_readable(
    sources: Sources, client: GraphQLClient
) -> None:
    complaint = (await rows(sources, crm.complaint))[0]
    assignment = (
        await rows(sources, crm.assignment, crm.assignment.c.cust_no == complaint.cust_no)
    )[0]
    data = await client.data(
        "query ($id: ID!) { customer(id: $id) { assignment { version assignedOn "
        "relationshipManager { id } } complaints { id version } } }",
        {"id": global_id("Customer", complaint.cust_no)},
    )
    customer = data["customer"]
    assert customer["assignment"] == {
        "version": assignment.version,
        "assignedOn": assignment.assigned_on.isoformat(),
        "relationshipManager": {"id": global_id("RelationshipManager", assignment.rm_id)},
    }
    versions = {c["id"]: c["version"] for c in customer["complaints"]}
    assert versions[global_id("Complaint", complaint.complaint_id)] == complaint.version
