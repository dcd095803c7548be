"""The adapters' batch reads: results in key order, gaps for missing keys, pages per parent."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sources import Sources
from sources.core import adapter as core_reads
from sources.core import tables as core
from sources.crm import adapter as crm_reads
from sources.crm import tables as crm
from sources.reads import AsyncpgLane, EngineLane, Read
from sources.wealth import adapter as wealth_reads
from sources.wealth import tables as wealth
from sources.window import Window
from tests.conftest import Bank
from tests.raw import rows


async def test_one_per_key_reads_answer_in_key_order_with_none_for_unknown_keys(
    sources: Sources,
) -> None:
    parties = await rows(sources, core.party)
    first, last = parties[0].cust_no, parties[-1].cust_no
    keys = [last, "8899999999", first, last]
    found = await sources.core.parties(keys)
    assert [p.cust_no if p else None for p in found] == [last, None, first, last]

    profiles = await sources.crm.profiles(keys)
    assert [p.cust_no if p else None for p in profiles] == [last, None, first, last]
    rms = [r.rm_id for r in await rows(sources, crm.relationship_manager)][:2]
    got = await sources.crm.relationship_managers([rms[1], "RM9999", rms[0]])
    assert [r.rm_id if r else None for r in got] == [rms[1], None, rms[0]]


async def test_many_per_key_reads_group_each_parents_rows(sources: Sources) -> None:
    accounts = await rows(sources, core.account)
    owners = sorted({a.cust_no for a in accounts})[:5]
    grouped = await sources.core.accounts_by_customer([*reversed(owners), "8899999999"])
    assert grouped[-1] == []
    for owner, group in zip(reversed(owners), grouped, strict=False):
        want = sorted(a.acct_id for a in accounts if a.cust_no == owner)
        assert [a.acct_id for a in group] == want

    holdings = await rows(sources, wealth.holding)
    holder = holdings[0].cust_no
    [held] = await sources.wealth.holdings_by_customer([holder])
    assert {h.holding_id for h in held} == {h.holding_id for h in holdings if h.cust_no == holder}


async def test_a_window_pages_every_parent_newest_first_in_one_batch(sources: Sources) -> None:
    txns = await rows(sources, core.transaction)
    accounts = sorted({t.acct_id for t in txns})[:10]
    pages = await sources.core.transactions_by_account(accounts, Window(limit=3))
    for acct_id, page in zip(accounts, pages, strict=True):
        mine = sorted(
            (t for t in txns if t.acct_id == acct_id),
            key=lambda t: (t.booked_at, t.txn_id),
            reverse=True,
        )
        assert [t.txn_id for t in page] == [t.txn_id for t in mine[:3]]

    # The next page starts strictly after the cursor (time, id) of the last row seen.
    acct_id = accounts[0]
    [page] = await sources.core.transactions_by_account([acct_id], Window(limit=100))
    cursor = (page[1].booked_at, page[1].txn_id)
    [rest] = await sources.core.transactions_by_account([acct_id], Window(100, before=cursor))
    assert [t.txn_id for t in rest] == [t.txn_id for t in page[2:]]


async def test_a_window_keeps_only_rows_inside_its_time_range(sources: Sources) -> None:
    txns = await rows(sources, core.transaction)
    acct_id = txns[0].acct_id
    mine = [t for t in txns if t.acct_id == acct_id]
    since = min(t.booked_at for t in mine) + timedelta(days=30)
    until = since + timedelta(days=90)
    [page] = await sources.core.transactions_by_account(
        [acct_id], Window(limit=1000, since=since, until=until)
    )
    assert {t.txn_id for t in page} == {t.txn_id for t in mine if since <= t.booked_at < until}


async def test_fx_rates_of_a_day_are_the_latest_on_or_before_it(
    sources: Sources, bank: Bank
) -> None:
    all_rates = await rows(sources, core.fx_rate)
    day = bank.as_of - timedelta(days=40)
    [rates] = await sources.core.fx_rates([day])
    assert rates["CNY"] == Decimal(1)
    for currency in {r.currency for r in all_rates}:
        latest = max(
            (r for r in all_rates if r.currency == currency and r.rate_date <= day),
            key=lambda r: r.rate_date,
        )
        assert rates[currency] == Decimal(latest.cny_per_unit)


async def test_assignments_page_by_branch_and_rm_in_customer_order(sources: Sources) -> None:
    assignments = await rows(sources, crm.assignment)
    branch = assignments[0].branch_code
    mine = sorted(a.cust_no for a in assignments if a.branch_code == branch)
    first = await sources.crm.assigned_customer_numbers(
        branch_code=branch, rm_id=None, after=None, limit=3
    )
    rest = await sources.crm.assigned_customer_numbers(
        branch_code=branch, rm_id=None, after=first[-1], limit=None
    )
    assert first + rest == mine
    assert await sources.crm.count_assigned(branch_code=branch, rm_id=None) == len(mine)

    rm = assignments[0].rm_id
    both = sorted(a.cust_no for a in assignments if a.branch_code == branch and a.rm_id == rm)
    assert (
        await sources.crm.assigned_customer_numbers(
            branch_code=branch, rm_id=rm, after=None, limit=None
        )
        == both
    )
    assert await sources.crm.count_assigned(branch_code=branch, rm_id=rm) == len(both)
    everyone = sorted(a.cust_no for a in assignments)
    assert await sources.crm.count_assigned(branch_code=None, rm_id=None) == len(everyone)


async def test_customer_numbers_page_in_order_and_counted(sources: Sources) -> None:
    parties = sorted(p.cust_no for p in await rows(sources, core.party))
    first = await sources.core.customer_numbers(after=None, limit=2)
    rest = await sources.core.customer_numbers(after=first[-1], limit=None)
    assert first + rest == parties
    assert len(first) == 2
    assert await sources.core.count_parties() == len(parties)


def declared_reads(bank: Bank, keys: dict[str, list[object]]) -> list[tuple[str, Read, dict]]:
    """Every declared read of the three adapters, with parameters that find rows."""
    late = datetime(2100, 1, 1)
    window = Window(limit=3, since=datetime(2000, 1, 1), until=late, before=(late, 10**12))
    far = bank.as_of + timedelta(days=1)
    dated = Window(limit=3, since=bank.as_of - timedelta(days=60), until=far, before=(far, far))
    reads: list[tuple[str, Read, dict]] = [
        ("core", core_reads.PARTIES, {"keys": keys["cust_no"]}),
        ("core", core_reads.ACCOUNTS_BY_CUSTOMER, {"keys": keys["cust_no"]}),
        ("core", core_reads.ACCOUNTS, {"keys": keys["acct_id"]}),
        ("core", core_reads.TRANSACTIONS, {"keys": keys["txn_id"]}),
        ("core", core_reads.BRANCHES, {}),
        ("core", core_reads.FX_RATES_ON, {"day": bank.as_of}),
        ("wealth", wealth_reads.HOLDINGS_BY_CUSTOMER, {"keys": keys["cust_no"]}),
        ("wealth", wealth_reads.HOLDINGS, {"keys": keys["holding_id"]}),
        ("wealth", wealth_reads.PRODUCTS, {}),
        ("wealth", wealth_reads.LATEST_NAVS_ON, {"on": bank.as_of}),
        ("crm", crm_reads.PROFILES, {"keys": keys["cust_no"]}),
        ("crm", crm_reads.FAMILY_BY_CUSTOMER, {"keys": keys["cust_no"]}),
        ("crm", crm_reads.RISK_ASSESSMENTS_BY_CUSTOMER, {"keys": keys["cust_no"]}),
        ("crm", crm_reads.ASSIGNMENTS, {"keys": keys["cust_no"]}),
        ("crm", crm_reads.RELATIONSHIP_MANAGERS, {"keys": keys["rm_id"]}),
        ("crm", crm_reads.ALL_RELATIONSHIP_MANAGERS, {}),
        ("crm", crm_reads.CONTACTS, {"keys": keys["contact_id"]}),
        ("crm", crm_reads.COMPLAINTS_BY_CUSTOMER, {"keys": keys["cust_no"]}),
        ("crm", crm_reads.COMPLAINTS, {"keys": keys["complaint_id"]}),
    ]
    for name, pages, parents, w in (
        ("core", core_reads.ACCOUNT_PAGES, "acct_id", window),
        ("core", core_reads.CUSTOMER_PAGES, "cust_no", window),
        ("core", core_reads.ACCOUNTS_WITH_PAGES, "cust_no", window),
        ("core", core_reads.PARTIES_WITH_PAGES, "cust_no", window),
        ("wealth", wealth_reads.NAV_PAGES, "product_code", dated),
        ("crm", crm_reads.CONTACT_PAGES, "cust_no", window),
    ):
        for shape in (Window(limit=3), w, Window(limit=2, before=w.before)):
            read, params = pages.read(shape)
            reads.append((name, read, {**params, "keys": keys[parents]}))
    return reads


async def test_every_declared_read_answers_on_its_lane_as_sqlalchemy_does(
    sources: Sources, bank: Bank
) -> None:
    keys = {
        "cust_no": [p.cust_no for p in (await rows(sources, core.party))[:20]],
        "acct_id": [a.acct_id for a in (await rows(sources, core.account))[:20]],
        "txn_id": [t.txn_id for t in (await rows(sources, core.transaction))[:20]],
        "holding_id": [h.holding_id for h in (await rows(sources, wealth.holding))[:20]],
        "product_code": [p.product_code for p in await rows(sources, wealth.product)],
        "rm_id": [r.rm_id for r in (await rows(sources, crm.relationship_manager))[:5]],
        "contact_id": [c.contact_id for c in (await rows(sources, crm.contact))[:20]],
        "complaint_id": [c.complaint_id for c in (await rows(sources, crm.complaint))[:20]],
    }
    for name, read, params in declared_reads(bank, keys):
        source = getattr(sources, name)
        expected_lane = AsyncpgLane if bank.engine == "postgresql" else EngineLane
        assert isinstance(source.lane, expected_lane)
        got = await source.lane.fetch(read, params)
        want = await EngineLane(source.reads).fetch(read, params)
        assert got, (name, params)
        assert [tuple(r) for r in got] == [tuple(r) for r in want]
        # repr: the same types, and each Decimal with the same scale
        assert [[repr(v) for v in r] for r in got] == [[repr(v) for v in r] for r in want]
        assert got[0]._fields == tuple(want[0]._fields)


PAGE_FIELDS = [*(c.name for c in core.transaction.c), "page_rank"]


def as_page_row(row: object) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in PAGE_FIELDS)


async def test_accounts_with_their_pages_read_as_the_two_reads_do(sources: Sources) -> None:
    txns = await rows(sources, core.transaction)
    owners = [*sorted({t.cust_no for t in txns})[:15], "8899999999"]
    late = datetime(2100, 1, 1)
    some = min(t.booked_at for t in txns) + timedelta(days=60)
    for window in (
        Window(limit=3),
        Window(limit=2, since=some, until=late),
        Window(limit=4, before=(some + timedelta(days=90), 10**12)),
    ):
        fused = await sources.core.accounts_with_transactions(owners, window)
        accounts = await sources.core.accounts_by_customer(owners)
        for (got_accounts, got_pages), want_accounts in zip(fused, accounts, strict=True):
            assert [tuple(a) for a in got_accounts] == [tuple(a) for a in want_accounts]
            pages = await sources.core.transactions_by_account(
                [a.acct_id for a in want_accounts], window
            )
            for account, page in zip(want_accounts, pages, strict=True):
                # A fused row reads as the transaction (the account's columns follow it).
                got = [
                    tuple(getattr(t, f) for f in PAGE_FIELDS) for t in got_pages[account.acct_id]
                ]
                assert got == [tuple(getattr(t, f) for f in PAGE_FIELDS) for t in page]
    assert fused[-1] == ([], {})


async def test_parties_with_their_accounts_and_pages_read_as_the_three_reads_do(
    sources: Sources,
) -> None:
    # tests/test_fused_reads.py covers a party without accounts, which this bank lacks.
    txns = await rows(sources, core.transaction)
    keys = [*sorted({t.cust_no for t in txns})[:12], "8899999999"]
    some = min(t.booked_at for t in txns) + timedelta(days=60)
    for window in (Window(limit=3), Window(limit=2, since=some, until=datetime(2100, 1, 1))):
        fused = await sources.core.parties_with_accounts_and_transactions(keys, window)
        parties = await sources.core.parties(keys)
        accounts = await sources.core.accounts_with_transactions(keys, window)
        assert len(fused) == len(keys)
        for (party, got_accounts, got_pages), want_party, (want_accounts, want_pages) in zip(
            fused, parties, accounts, strict=True
        ):
            assert (party and tuple(party)) == (want_party and tuple(want_party))
            assert party is None or party._fields == tuple(want_party._fields)
            assert [tuple(a) for a in got_accounts] == [tuple(a) for a in want_accounts]
            assert {k: [as_page_row(t) for t in v] for k, v in got_pages.items()} == {
                k: [as_page_row(t) for t in v] for k, v in want_pages.items()
            }
    assert fused[-1] == (None, [], {})
