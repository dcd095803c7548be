"""The planner answers the maintenance agenda exactly as the resolver tree does: same items,
masking, disclosure notes, audit records and errors, for every role and window, and when a
source is down."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bench.agenda import AGENDA as W4
from resolvers.ids import global_id
from sources import Sources
from tests.conftest import Bank, caller_headers, fewest_statements
from tests.expected import RawBank
from tests.test_fast_path import audited
from tests.test_planner import both_paths, compare, one_source_down, planned_count
from tests.test_practice_statements import AGENDA as WITH_RM

ALIASED = """
fragment Who on Customer {
  number: customerNumber name tier relationshipManager { __typename name }
}
fragment Why on AgendaItem { why: reason dueOn careType }
query Aliased($from: Date!, $to: Date!, $rm: ID) {
  agenda: maintenanceAgenda(from: $from, to: $to, relationshipManager: $rm) {
    __typename ...Why
    ... on AgendaItem { how: channel done occasion }
    customer { ...Who id mobile totalAssets }
    account { id type accountNumber balance maturityDate }
    product { id code name riskLevel latestNav { date nav } }
  }
  firstDay: maintenanceAgenda(from: $from, to: $from) { dueOn customer { name } }
}
"""


def windows(today: date) -> list[dict[str, str]]:
    """A month and a year (both with contacts logged since their first day, so some items
    are done), a reversed window and one over the limit."""
    spans = [(-20, 10), (-100, 265), (5, 0), (0, 400)]
    return [
        {"from": (today + timedelta(a)).isoformat(), "to": (today + timedelta(b)).isoformat()}
        for a, b in spans
    ]


def rm_id(rm: str) -> str:
    """An RM's global id, as `relationshipManager` takes it."""
    return global_id("RelationshipManager", rm)


def callers(raw: RawBank) -> list[tuple[str, dict[str, str], list[str | None]]]:
    """(label, headers, the relationshipManager arguments to ask for) per role: an RM with
    a colleague in their branch, their branch's manager, and roles that see all or none."""
    by_branch: dict[str, set[str]] = {}
    for a in raw.assignments.values():
        by_branch.setdefault(a.branch_code, set()).add(a.rm_id)
    branch = min(b for b, rms in by_branch.items() if len(rms) > 1)
    own, colleague = sorted(by_branch[branch])[:2]
    elsewhere = min(rm for b, rms in by_branch.items() if b != branch for rm in rms)
    return [
        (
            "relationship manager",
            caller_headers("RELATIONSHIP_MANAGER", "RELATIONSHIP_REVIEW", branch=branch, rm_id=own),
            [None, rm_id(own), rm_id(colleague)],
        ),
        (
            "branch manager",
            caller_headers("BRANCH_MANAGER", "RELATIONSHIP_REVIEW", branch=branch),
            [None, rm_id(colleague), rm_id(elsewhere), rm_id("RM9999")],
        ),
        (
            "compliance",
            caller_headers("COMPLIANCE_OFFICER", "AUDIT"),
            [None, rm_id(elsewhere), "not-an-id"],
        ),
        ("call centre", caller_headers("CALL_CENTRE_AGENT", "CUSTOMER_SERVICE"), [None]),
        ("marketing", caller_headers("MARKETING_ANALYST", "MARKETING"), [None]),
    ]


async def test_the_planner_answers_the_agenda_like_the_resolver_tree_for_every_role(
    bank: Bank, sources: Sources
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    spans = windows(bank.as_of)
    codes: set[str] = set()
    items = 0
    for label, headers, rms in callers(raw):
        async with both_paths(bank, sources, headers) as (a, b, planned_audit, reference_audit):
            before, sent = planned_count(), 0
            for window in spans:
                for query in (W4, WITH_RM):
                    got = await compare(a, b, query, window)
                    items += len((got["data"] or {}).get("maintenanceAgenda") or [])
                    codes |= {e["extensions"]["code"] for e in got.get("errors", [])}
                    sent += 1
                for rm in rms:
                    await compare(a, b, ALIASED, {**window, "rm": rm})
                    sent += 1
            assert planned_count() - before == sent, label
        assert audited(planned_audit) == audited(reference_audit), label
    assert items > 100
    assert codes == {"BAD_USER_INPUT", "FORBIDDEN"}


async def test_the_planned_agenda_costs_no_more_statements_than_the_resolver_tree(
    bank: Bank, sources: Sources, statement_log: Any
) -> None:
    raw = await RawBank.read(sources, bank.as_of)
    [(_label, headers, _rms), *_] = callers(raw)
    [_month, year, *_] = windows(bank.as_of)
    async with both_paths(bank, sources, headers) as (a, b, _audit, _reference):
        await compare(a, b, WITH_RM, year)  # today's reference snapshot, on both
        planned, _ = await fewest_statements(statement_log, lambda: a.data(WITH_RM, year))
        reference, _ = await fewest_statements(statement_log, lambda: b.data(WITH_RM, year))
    assert planned <= reference, (planned, reference)


async def test_the_planner_answers_the_agenda_like_the_resolver_tree_when_a_source_is_down(
    bank: Bank,
) -> None:
    [month, *_] = windows(bank.as_of)
    for down in ("wealth", "crm", "core"):
        headers = caller_headers("COMPLIANCE_OFFICER", "AUDIT")
        async with (
            one_source_down(bank, down) as broken,
            both_paths(bank, broken, headers) as (a, b, _audit, _reference),
        ):
            body: dict[str, Any] = await compare(a, b, W4, month)
            assert body["data"] is None, down
            assert [e["extensions"] for e in body["errors"]] == [
                {"code": "SOURCE_UNAVAILABLE", "source": down}
            ], body["errors"]
