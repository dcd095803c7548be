"""The practice's rules on hand-built rows with known answers: no database needed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace as Row

from resolvers.practice.agenda import (
    AgendaReason,
    AgendaRules,
    CustomerFacts,
    Market,
    Window,
    agenda,
)
from resolvers.practice.calendar import Holiday, PeriodEnd, period_ends
from resolvers.practice.completeness import ProfileFacts, ProfileItem, completeness
from resolvers.practice.home_branch import suggested
from resolvers.practice.segments import Lifecycle, Member, SegmentDimension, cells, lifecycle
from resolvers.practice.suitability import SuitabilityReason, valid_investor_type

TODAY = date(2026, 3, 10)
RULES = AgendaRules(Decimal("0.05"), 30, (Holiday.parse("05-01:劳动节"),))


def test_an_empty_profile_scores_zero_and_misses_every_item_but_business_scale() -> None:
    result = completeness(ProfileFacts(None, 0, None, TODAY))
    assert result.score == 0
    assert ProfileItem.BUSINESS_SCALE not in result.missing
    assert len(result.missing) == len(ProfileItem) - 1


COMPLETE = Row(
    occupation="企业主",
    employer="某某公司",
    income_band="1M+",
    education="MASTER",
    marital_status="MARRIED",
    hobbies="高尔夫",
    product_preferences="WEALTH",
    life_experiences="2019年创业",
    business_scale="员工约50人",
    potential_needs="子女教育金",
    email="a@example.cn",
)


def test_a_complete_business_owners_profile_scores_one_hundred() -> None:
    valid = Row(expires_on=TODAY, investor_type=3)  # expiring today is still valid
    result = completeness(ProfileFacts(COMPLETE, 2, valid, TODAY))
    assert (result.score, result.missing) == (100, [])


def test_a_business_owner_without_business_scale_loses_its_weight() -> None:
    profile = Row(**{**COMPLETE.__dict__, "business_scale": " "})
    valid = Row(expires_on=TODAY, investor_type=3)
    result = completeness(ProfileFacts(profile, 2, valid, TODAY))
    assert result.missing == [ProfileItem.BUSINESS_SCALE]
    assert result.score == round(100 * 100 / 108)


def test_an_assessment_expiring_today_is_valid_and_yesterday_is_not() -> None:
    assert valid_investor_type(Row(expires_on=TODAY, investor_type=4), TODAY) == 4
    expired = Row(expires_on=date(2026, 3, 9), investor_type=4)
    assert valid_investor_type(expired, TODAY) is SuitabilityReason.ASSESSMENT_EXPIRED
    assert valid_investor_type(None, TODAY) is SuitabilityReason.ASSESSMENT_MISSING


def activity(branch: str, n: int, at: datetime) -> Row:
    return Row(branch_code=branch, transactions=n, latest=at)


def test_a_tie_in_counts_goes_to_the_branch_of_the_latest_transaction() -> None:
    rows = [
        activity("SH001", 5, datetime(2026, 1, 1, 9)),
        activity("BJ001", 5, datetime(2026, 2, 1, 9)),
        activity("SZ001", 2, datetime(2026, 3, 1, 9)),
    ]
    assert suggested(rows).branch_code == "BJ001"  # type: ignore[union-attr]
    rows[0] = activity("SH001", 6, datetime(2026, 1, 1, 9))
    assert suggested(rows).branch_code == "SH001"  # type: ignore[union-attr]
    assert suggested([]) is None


def test_period_ends_are_named_by_their_largest_period() -> None:
    assert period_ends(date(2026, 11, 15), date(2027, 1, 31)) == [
        (date(2026, 11, 30), PeriodEnd.MONTH_END),
        (date(2026, 12, 31), PeriodEnd.YEAR_END),
        (date(2027, 1, 31), PeriodEnd.MONTH_END),
    ]
    assert period_ends(date(2026, 3, 31), date(2026, 3, 31)) == [
        (date(2026, 3, 31), PeriodEnd.QUARTER_END)
    ]


def facts(total: str, **rows: object) -> CustomerFacts:
    party = Row(birth_date=date(1980, 4, 30))
    return CustomerFacts(
        cust_no="8800000001",
        party=party,
        profile=rows.get("profile"),
        accounts=list(rows.get("accounts", [])),  # type: ignore[call-overload]
        held_codes=frozenset(rows.get("held", ())),  # type: ignore[arg-type]
        assessment=rows.get("assessment"),
        total_assets=Decimal(total),
    )


def test_window_edges_are_inclusive_and_key_care_follows_the_tier() -> None:
    deposit = Row(
        acct_id=1, product_type="TIME_DEPOSIT", status="ACTIVE", maturity_date=date(2026, 4, 30)
    )
    late = Row(
        acct_id=2, product_type="TIME_DEPOSIT", status="ACTIVE", maturity_date=date(2026, 5, 2)
    )
    window = Window(date(2026, 4, 1), date(2026, 5, 1), TODAY)
    market = Market({}, {}, {})
    contacts = [Row(cust_no="8800000001", care_type="KEY", contacted_at=datetime(2026, 4, 1, 9))]
    top = agenda([facts("3000000", accounts=[deposit, late])], market, contacts, window, RULES)
    assert [(i.reason, i.due_on, i.done) for i in top] == [
        (AgendaReason.TIME_DEPOSIT_MATURING, date(2026, 4, 30), False),
        (AgendaReason.BIRTHDAY, date(2026, 4, 30), True),
        (AgendaReason.MONTH_END, date(2026, 4, 30), True),
        (AgendaReason.HOLIDAY, date(2026, 5, 1), True),
    ]
    mass = agenda([facts("199999.99", accounts=[deposit])], market, [], window, RULES)
    assert [i.reason for i in mass] == [
        AgendaReason.TIME_DEPOSIT_MATURING,
        AgendaReason.BIRTHDAY,
    ]


def test_a_nav_swing_counts_only_above_the_threshold() -> None:
    window = Window(TODAY, TODAY, TODAY)
    market = Market(
        {"F1": Row(maturity_date=None), "F2": Row(maturity_date=None)},
        {"F1": Decimal("1.0500"), "F2": Decimal("0.9400")},
        {"F1": Decimal("1.0000"), "F2": Decimal("1.0000")},
    )
    items = agenda([facts("0", held=("F1", "F2"))], market, [], window, RULES)
    assert [(i.reason, i.product_code) for i in items] == [(AgendaReason.NAV_SWING, "F2")]


def test_small_segment_cells_are_suppressed_count_and_total_alike() -> None:
    def member(tier: str, assets: str) -> Member:
        return Member({SegmentDimension.TIER: (tier,)}, Decimal(assets))

    members = [member("GOLD", "300000")] * 10 + [member("DIAMOND", "6000000")] * 9
    result = cells(members, [SegmentDimension.TIER], 10)
    assert [(c.values[0][1], c.customers, c.total_assets) for c in result] == [
        ("DIAMOND", None, None),
        ("GOLD", 10, Decimal("3000000")),
    ]


def test_lifecycle_stages_in_their_declared_order() -> None:
    old = date(2020, 1, 1)
    assert lifecycle(date(2026, 1, 1), "DORMANT", None, Decimal(0), Decimal(0), TODAY) is (
        Lifecycle.NEW
    )
    assert lifecycle(old, "ACTIVE", date(2025, 9, 11), Decimal(1), Decimal(1), TODAY) is (
        Lifecycle.DORMANT
    )
    recent = date(2026, 3, 1)
    assert lifecycle(old, "ACTIVE", recent, Decimal(79), Decimal(100), TODAY) is (
        Lifecycle.DECLINING
    )
    assert lifecycle(old, "ACTIVE", recent, Decimal(80), Decimal(100), TODAY) is (Lifecycle.ACTIVE)


def product(code: str, kind: str, risk: int, launched: date) -> Row:
    return Row(
        product_code=code,
        product_type=kind,
        risk_level=risk,
        status="ON_SALE",
        launch_date=launched,
        maturity_date=None,
    )


def test_one_new_product_per_customer_the_preferred_type_first_and_never_above_their_risk() -> None:
    window = Window(TODAY, TODAY, TODAY)
    products = {
        "W1": product("W1", "WEALTH", 2, date(2026, 3, 1)),
        "F1": product("F1", "MUTUAL_FUND", 3, date(2026, 3, 5)),  # newer, but not preferred
        "F5": product("F5", "MUTUAL_FUND", 5, date(2026, 3, 9)),  # above C3
        "OLD": product("OLD", "WEALTH", 1, date(2026, 2, 1)),  # launched 37 days ago
    }
    profile = Row(product_preferences="WEALTH", wedding_anniversary=None)
    valid = Row(expires_on=TODAY, investor_type=3)
    customer = facts("0", profile=profile, assessment=valid)
    items = agenda([customer], Market(products, {}, {}), [], window, RULES)
    assert [(i.reason, i.product_code) for i in items] == [
        (AgendaReason.NEW_SUITABLE_PRODUCT, "W1")
    ]
    expired = facts(
        "0", profile=profile, assessment=Row(expires_on=date(2026, 3, 9), investor_type=5)
    )
    assert agenda([expired], Market(products, {}, {}), [], window, RULES) == []
