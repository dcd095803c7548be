"""The relationship practice on the demo bank, each figure checked against the raw rows."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from resolvers.ids import global_id
from resolvers.practice.completeness import BUSINESS_OWNERS, CHECKLIST
from sources import Sources
from tests.conftest import Bank, caller_headers, client_for
from tests.practice_expected import PracticeBank

AGENDA = """
query ($from: Date!, $to: Date!, $rm: ID) {
  maintenanceAgenda(from: $from, to: $to, relationshipManager: $rm) {
    customer { customerNumber name idNumber }
    reason dueOn careType channel done occasion
    account { id } product { code }
  }
}
"""


@pytest.fixture(scope="module")
async def practice(bank: Bank, sources: Sources) -> PracticeBank:
    return await PracticeBank.read(sources, bank.as_of)


def rm_headers(practice: PracticeBank, rm_id: str) -> dict[str, str]:
    branch = next(a.branch_code for a in practice.raw.assignments.values() if a.rm_id == rm_id)
    return caller_headers("RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=branch, rm_id=rm_id)


def item_key(i: dict[str, Any]) -> tuple[str, str, str, str | None]:
    ref = (i["account"] or {}).get("id") or (i["product"] or {}).get("code") or i["occasion"]
    return (i["customer"]["customerNumber"], i["reason"], i["dueOn"], ref)


def want_keys(
    items: set[tuple[str, str, Any, str | None]],
) -> set[tuple[str, str, str, str | None]]:
    return {(c, r, d.isoformat(), ref) for c, r, d, ref in items}


def rm_with_deposit_maturing_on(practice: PracticeBank, day: Any) -> tuple[str, str]:
    """(RM, customer) of a time deposit maturing exactly on a day."""
    for a in practice.raw.accounts:
        if a.product_type == "TIME_DEPOSIT" and a.status != "CLOSED" and a.maturity_date == day:
            return practice.raw.assignments[a.cust_no].rm_id, a.cust_no
    raise AssertionError("the demo bank guarantees a deposit maturing in 30 days")


async def test_an_rms_agenda_for_the_coming_month_is_every_item_the_raw_rows_call_for(
    app: Any, practice: PracticeBank
) -> None:
    start, end = practice.today, practice.today + timedelta(days=30)
    rm_id, edge_customer = rm_with_deposit_maturing_on(practice, end)
    async with client_for(app, rm_headers(practice, rm_id)) as rm:
        data = await rm.data(AGENDA, {"from": start.isoformat(), "to": end.isoformat()})
    items = data["maintenanceAgenda"]
    got = [item_key(i) for i in items]
    assert len(got) == len(set(got))
    assert set(got) == want_keys(practice.agenda(rm_id, start, end))
    # The maturity exactly on the window's last day is in.
    assert any(k[:3] == (edge_customer, "TIME_DEPOSIT_MATURING", end.isoformat()) for k in got)
    for i in items:
        cust_no = i["customer"]["customerNumber"]
        assert practice.raw.assignments[cust_no].rm_id == rm_id
        assert i["done"] == practice.contacted(cust_no, i["careType"], start)
        routine = i["careType"] == "ROUTINE"
        assert i["channel"] in (("PHONE", "SMS") if routine else ("VISIT", "EVENT"))
        # The RM's own customers: names clear, ID numbers masked 6+4 as everywhere else.
        assert i["customer"]["name"] == practice.raw.parties[cust_no].legal_name
        assert "*" in i["customer"]["idNumber"]
    assert [i["dueOn"] for i in items] == sorted(i["dueOn"] for i in items)


async def test_a_maturity_the_day_after_the_window_is_left_out(
    app: Any, practice: PracticeBank
) -> None:
    end = practice.today + timedelta(days=30)
    rm_id, edge_customer = rm_with_deposit_maturing_on(practice, end)
    async with client_for(app, rm_headers(practice, rm_id)) as rm:
        data = await rm.data(
            AGENDA,
            {"from": practice.today.isoformat(), "to": (end - timedelta(days=1)).isoformat()},
        )
    assert not any(
        i["customer"]["customerNumber"] == edge_customer and i["dueOn"] == end.isoformat()
        for i in data["maintenanceAgenda"]
    )


async def test_a_branch_manager_sees_an_rms_agenda_of_their_branch_only(
    app: Any, practice: PracticeBank
) -> None:
    start, end = practice.today, practice.today + timedelta(days=30)
    rm_id, _ = rm_with_deposit_maturing_on(practice, end)
    branch = next(a.branch_code for a in practice.raw.assignments.values() if a.rm_id == rm_id)
    variables = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "rm": global_id("RelationshipManager", rm_id),
    }
    own = caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=branch)
    async with client_for(app, own) as manager:
        items = (await manager.data(AGENDA, variables))["maintenanceAgenda"]
    assert {item_key(i) for i in items} == want_keys(practice.agenda(rm_id, start, end))
    other = "BJ003" if branch != "BJ003" else "SH001"
    away = caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=other)
    async with client_for(app, away) as stranger:
        assert (await stranger.data(AGENDA, variables))["maintenanceAgenda"] == []


OWNERSHIP = """
query ($first: Int!, $after: String) {
  ownershipReview(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      customer { customerNumber name mobile }
      assignedBranch { code }
      suggestion { branch { code } differsFromAssigned
                   evidence { branch { code } transactions latestAt } }
    }
  }
}
"""


async def test_the_ownership_review_lists_exactly_the_branch_customers_banking_elsewhere(
    app: Any, practice: PracticeBank
) -> None:
    for branch in sorted({a.branch_code for a in practice.raw.assignments.values()}):
        mine = [c for c, a in practice.raw.assignments.items() if a.branch_code == branch]
        want = sorted(c for c in mine if practice.suggested_branch(c) not in (None, branch))
        headers = caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=branch)
        got: list[str] = []
        after = None
        async with client_for(app, headers) as manager:
            while True:
                page = (await manager.data(OWNERSHIP, {"first": 3, "after": after}))[
                    "ownershipReview"
                ]
                assert page["totalCount"] == len(want)
                for node in page["nodes"]:
                    cust_no = node["customer"]["customerNumber"]
                    got.append(cust_no)
                    assert node["assignedBranch"]["code"] == branch
                    assert node["suggestion"]["branch"]["code"] == practice.suggested_branch(
                        cust_no
                    )
                    counts = practice.branch_counts(cust_no)
                    evidence = {
                        e["branch"]["code"]: e["transactions"]
                        for e in node["suggestion"]["evidence"]
                    }
                    assert evidence == {b: n for b, (n, _latest) in counts.items()}
                    assert "*" in node["customer"]["mobile"]  # masked 3+4 for branch managers
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
        assert got == want, branch


HOME = """
query ($id: ID!) { customer(id: $id) {
  assignedBranch { code }
  suggestedHomeBranch {
    branch { code } differsFromAssigned evidence { branch { code } transactions }
  }
} }
"""


async def test_a_tie_between_branches_goes_to_the_most_recent_transaction(
    client: Any, practice: PracticeBank
) -> None:
    ties = []
    for cust_no in practice.raw.parties:
        counts = practice.branch_counts(cust_no)
        ranked = sorted(counts.values(), reverse=True)
        if len(ranked) >= 2 and ranked[0][0] == ranked[1][0]:
            ties.append(cust_no)
    assert ties, "the demo bank guarantees tie_away and tie_home customers"
    outcomes = set()
    for cust_no in ties:
        counts = practice.branch_counts(cust_no)
        top = max(n for n, _ in counts.values())
        latest = max((at, b) for b, (n, at) in counts.items() if n == top)[1]
        data = await client.data(HOME, {"id": global_id("Customer", cust_no)})
        suggestion = data["customer"]["suggestedHomeBranch"]
        assert suggestion["branch"]["code"] == latest
        assigned = data["customer"]["assignedBranch"]["code"]
        assert suggestion["differsFromAssigned"] == (latest != assigned)
        outcomes.add(latest == assigned)
    assert outcomes == {True, False}  # a tie kept at home, and a tie pointing away


COMPLETENESS = """
query { customers(first: 100) { nodes { customerNumber profileCompleteness { score missing } } } }
"""
COLUMNS = {
    "OCCUPATION": "occupation",
    "EMPLOYER": "employer",
    "INCOME_BAND": "income_band",
    "EDUCATION": "education",
    "MARITAL_STATUS": "marital_status",
    "HOBBIES": "hobbies",
    "PRODUCT_PREFERENCES": "product_preferences",
    "LIFE_EXPERIENCES": "life_experiences",
    "BUSINESS_SCALE": "business_scale",
    "POTENTIAL_NEEDS": "potential_needs",
    "EMAIL": "email",
}


async def test_profile_completeness_names_exactly_the_empty_items(
    client: Any, practice: PracticeBank
) -> None:
    weights = {c.item.value: c.weight for c in CHECKLIST}
    data = await client.data(COMPLETENESS)
    scores = set()
    for node in data["customers"]["nodes"]:
        c = node["customerNumber"]
        profile = practice.raw.profiles.get(c)
        missing = {item for item, col in COLUMNS.items() if not getattr(profile, col, None)}
        if not any(f.cust_no == c for f in practice.raw.family):
            missing.add("FAMILY_MEMBERS")
        a = practice.assessments.get(c)
        if a is None or a.expires_on < practice.today:
            missing.add("RISK_ASSESSMENT")
        applicable = set(weights)
        if getattr(profile, "occupation", None) not in BUSINESS_OWNERS:
            missing.discard("BUSINESS_SCALE")
            applicable.discard("BUSINESS_SCALE")
        assert set(node["profileCompleteness"]["missing"]) == missing, c
        total = sum(weights[i] for i in applicable)
        present = total - sum(weights[i] for i in missing)
        expected = int((Decimal(present) * 100 / total).quantize(Decimal(1), "ROUND_HALF_UP"))
        assert node["profileCompleteness"]["score"] == expected, c
        scores.add(expected)
    assert len(scores) > 3  # the demo bank has profiles of every degree of completeness


SUITABLE = """
query ($id: ID!) { customer(id: $id) {
  suitableProducts(first: 100) { reason products { code riskLevel status type } }
} }
"""


async def test_suitable_products_follow_the_valid_assessment_and_none_when_expired(
    client: Any, practice: PracticeBank
) -> None:
    seen = set()
    for c in sorted(practice.raw.parties)[:60] + [
        c for c, a in practice.assessments.items() if a.expires_on <= practice.today
    ]:
        data = await client.data(SUITABLE, {"id": global_id("Customer", c)})
        result = data["customer"]["suitableProducts"]
        a = practice.assessments.get(c)
        if a is None:
            assert result == {"reason": "ASSESSMENT_MISSING", "products": []}
            seen.add("missing")
            continue
        if a.expires_on < practice.today:
            assert result == {"reason": "ASSESSMENT_EXPIRED", "products": []}
            seen.add("expired")
            continue
        if a.expires_on == practice.today:
            seen.add("expires today")
        eligible = {
            p.product_code
            for p in practice.products.values()
            if p.status == "ON_SALE" and p.risk_level <= a.investor_type
        }
        assert result["reason"] is None
        assert {p["code"] for p in result["products"]} == eligible
        # Stated preferences come first.
        prefs = [
            x.strip()
            for x in (practice.raw.profiles[c].product_preferences or "").split(",")
            if x.strip()
        ]
        ranks = [
            prefs.index(p["type"]) if p["type"] in prefs else len(prefs) for p in result["products"]
        ]
        assert ranks == sorted(ranks)
    assert seen == {"missing", "expired", "expires today"}


PERFORMANCE = """
query ($from: Date!, $to: Date!) {
  relationshipManagerPerformance(from: $from, to: $to) {
    relationshipManager { id name }
    bookSize assetsFrom assetsTo assetsChange contactsMade agendaItemsDue agendaItemsDone
    complaintsOpened complaintsResolved
  }
}
"""


async def test_a_branch_manager_sees_each_rm_of_the_branch_with_figures_from_the_raw_rows(
    app: Any, practice: PracticeBank
) -> None:
    start, end = practice.today - timedelta(days=90), practice.today
    totals = practice.raw.total_assets()
    branch = "SH001"
    headers = caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=branch)
    async with client_for(app, headers) as manager:
        rows = (
            await manager.data(PERFORMANCE, {"from": start.isoformat(), "to": end.isoformat()})
        )["relationshipManagerPerformance"]
    rms = {a.rm_id for a in practice.raw.assignments.values() if a.branch_code == branch}
    got_rms = {r["relationshipManager"]["id"] for r in rows}
    assert {global_id("RelationshipManager", rm) for rm in rms} <= got_rms
    for r in rows:
        rm_id = (
            next(
                rm
                for rm in rms | {""}
                if global_id("RelationshipManager", rm) == r["relationshipManager"]["id"]
            )
            if r["bookSize"]
            else None
        )
        if rm_id is None:
            continue
        book = practice.book(rm_id)
        assert r["bookSize"] == len(book)
        assert Decimal(r["assetsTo"]) == sum((totals.get(c, Decimal(0)) for c in book), Decimal(0))
        assert Decimal(r["assetsChange"]) == Decimal(r["assetsTo"]) - Decimal(r["assetsFrom"])
        made = [
            c
            for c in practice.raw.contacts
            if c.cust_no in book and c.rm_id == rm_id and start <= c.contacted_at.date() <= end
        ]
        assert r["contactsMade"] == len(made)
        opened = [
            c
            for c in practice.raw.complaints
            if c.cust_no in book and start <= c.opened_at.date() <= end
        ]
        resolved = [
            c
            for c in practice.raw.complaints
            if c.cust_no in book and c.resolved_at and start <= c.resolved_at.date() <= end
        ]
        assert (r["complaintsOpened"], r["complaintsResolved"]) == (len(opened), len(resolved))
        assert r["agendaItemsDue"] == len(practice.agenda(rm_id, start, end))
        assert 0 <= r["agendaItemsDone"] <= r["agendaItemsDue"]


async def test_an_rm_sees_only_their_own_performance(app: Any, practice: PracticeBank) -> None:
    rm_id = sorted({a.rm_id for a in practice.raw.assignments.values()})[0]
    async with client_for(app, rm_headers(practice, rm_id)) as rm:
        rows = (
            await rm.data(
                PERFORMANCE,
                {"from": practice.today.isoformat(), "to": practice.today.isoformat()},
            )
        )["relationshipManagerPerformance"]
    assert [r["relationshipManager"]["id"] for r in rows] == [
        global_id("RelationshipManager", rm_id)
    ]
    assert rows[0]["bookSize"] == len(practice.book(rm_id))


SEGMENTS = """
query ($by: [SegmentDimension!]!, $min: Int! = 10) {
  segments(by: $by, minimumCellSize: $min) {
    values { dimension value } customers totalAssets suppressed
  }
}
"""


async def test_marketing_segments_count_customers_and_suppress_small_cells(
    app: Any, practice: PracticeBank
) -> None:
    totals = practice.raw.total_assets()
    headers = caller_headers("MARKETING_ANALYST", "MARKETING")
    async with client_for(app, headers) as marketing:
        body = await marketing.post(SEGMENTS, {"by": ["BRANCH", "TIER"]})
    assert "errors" not in body, body
    want: dict[tuple[str, str], list[str]] = {}
    tiers = (
        (10_000_000, "BLACK_GOLD"),
        (5_000_000, "DIAMOND"),
        (3_000_000, "PREMIER_PLATINUM"),
        (1_000_000, "PLATINUM"),
        (500_000, "PREMIER_GOLD"),
        (200_000, "GOLD"),
        (0, "MASS"),
    )
    for c in practice.raw.parties:
        total = totals.get(c, Decimal(0))
        tier = next(name for floor, name in tiers if total >= floor)
        a = practice.raw.assignments.get(c)
        want.setdefault((a.branch_code if a else "UNASSIGNED", tier), []).append(c)
    cells = body["data"]["segments"]
    assert len(cells) == len(want)
    suppressed = 0
    for cell in cells:
        key = tuple(v["value"] for v in cell["values"])
        members = want[key]  # type: ignore[index]
        if len(members) < 10:
            assert cell == {**cell, "customers": None, "totalAssets": None, "suppressed": True}
            suppressed += 1
        else:
            assert cell["customers"] == len(members)
            assert Decimal(cell["totalAssets"]) == sum(totals.get(c, Decimal(0)) for c in members)
    assert 0 < suppressed < len(cells)
    text = json.dumps(body, ensure_ascii=False)
    for c, party in practice.raw.parties.items():
        assert c not in text and party.legal_name not in text


async def test_segments_refuse_a_minimum_cell_size_below_ten(app: Any) -> None:
    headers = caller_headers("MARKETING_ANALYST", "MARKETING")
    async with client_for(app, headers) as marketing:
        body = await marketing.post(SEGMENTS, {"by": ["TIER"], "min": 1})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


REFUSALS = {
    "maintenanceAgenda": '{ maintenanceAgenda(from: "2026-01-01", to: "2026-01-31") { dueOn } }',
    "ownershipReview": "{ ownershipReview { totalCount } }",
    "performance": '{ relationshipManagerPerformance(from: "2026-01-01", to: "2026-01-31") '
    "{ bookSize } }",
    "segments": "{ segments(by: [TIER]) { customers } }",
}


@pytest.mark.parametrize(
    ("role", "purpose", "claims", "refused"),
    [
        (
            "MARKETING_ANALYST",
            "MARKETING",
            {},
            ["maintenanceAgenda", "ownershipReview", "performance"],
        ),
        ("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE", {}, list(REFUSALS)),
        ("SERVICE", "RISK_CONTROL", {"scopes": ["customer:finance"]}, list(REFUSALS)),
        (
            "RELATIONSHIP_MANAGER",
            "RELATIONSHIP_REVIEW",
            {"branch": "SH001", "rm_id": "RM0001"},
            ["ownershipReview", "segments"],
        ),
        ("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", {"branch": "SH001"}, ["segments"]),
    ],
)
async def test_roles_outside_a_practice_view_are_refused_with_no_data(
    app: Any, role: str, purpose: str, claims: dict[str, Any], refused: list[str]
) -> None:
    async with client_for(app, caller_headers(role, purpose, **claims)) as caller:
        for name in refused:
            body = await caller.post(REFUSALS[name])
            assert body["data"] is None, name
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", name


async def test_an_rm_may_not_ask_for_another_rms_agenda(app: Any, practice: PracticeBank) -> None:
    rms = sorted({a.rm_id for a in practice.raw.assignments.values()})
    async with client_for(app, rm_headers(practice, rms[0])) as rm:
        body = await rm.post(
            AGENDA,
            {
                "from": practice.today.isoformat(),
                "to": practice.today.isoformat(),
                "rm": global_id("RelationshipManager", rms[1]),
            },
        )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
