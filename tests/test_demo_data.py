"""The demo bank, checked the way a user would notice: straight from the raw rows."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from sources.demo import DemoSummary, load_demo_bank

AS_OF = dt.date(2025, 6, 30)
CUSTOMERS = 200
TIERS = (
    ("BLACK_GOLD", 10_000_000),
    ("DIAMOND", 5_000_000),
    ("PREMIER_PLATINUM", 3_000_000),
    ("PLATINUM", 1_000_000),
    ("PREMIER_GOLD", 500_000),
    ("GOLD", 200_000),
    ("MASS", 0),
)
GRADES = ("SENIOR", "LEVEL_1", "LEVEL_2", "LEVEL_3", "LEVEL_4", "TRAINEE")
REQUIRED_GRADE = dict(zip((name for name, _ in TIERS), GRADES, strict=False))
MAINLAND_PREFIXES = {
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SYSTEMS = ("core", "wealth", "crm")


def urls_in(folder: Path) -> dict[str, str]:
    return {name: f"sqlite:///{folder}/{name}.db" for name in SYSTEMS}


def open_bank(folder: Path) -> sqlite3.Connection:
    db = sqlite3.connect(folder / "core.db")
    db.execute(f"ATTACH DATABASE '{folder / 'wealth.db'}' AS wealth")
    db.execute(f"ATTACH DATABASE '{folder / 'crm.db'}' AS crm")
    return db


@pytest.fixture(scope="module")
async def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    folder = tmp_path_factory.mktemp("bank")
    summary = await load_demo_bank(urls_in(folder), customers=CUSTOMERS, seed=360, as_of=AS_OF)
    return folder, summary


@pytest.fixture
def db(loaded: tuple[Path, DemoSummary]) -> Iterator[sqlite3.Connection]:
    connection = open_bank(loaded[0])
    yield connection
    connection.close()


def rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    return db.execute(sql).fetchall()


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def latest_by_key(db: sqlite3.Connection, sql: str) -> dict[str, float]:
    """The last value per key of (key, date, value) rows dated on or before AS_OF."""
    latest: dict[str, tuple[str, float]] = {}
    for key, day, value in rows(db, sql):
        if day <= AS_OF.isoformat() and (key not in latest or day > latest[key][0]):
            latest[key] = (day, value)
    return {key: value for key, (_, value) in latest.items()}


def total_assets(db: sqlite3.Connection) -> dict[str, float]:
    fx = latest_by_key(db, "SELECT currency, rate_date, cny_per_unit FROM dcc_fx_rate")
    fx["CNY"] = 1.0
    nav = latest_by_key(db, "SELECT product_code, nav_date, nav FROM wealth.wms_nav")
    currency = dict(rows(db, "SELECT product_code, currency FROM wealth.wms_product"))
    assets: dict[str, float] = defaultdict(float)
    for cust_no, _ in rows(db, "SELECT cust_no, 1 FROM dcc_party"):
        assets[cust_no] += 0.0
    for cust_no, ccy, balance in rows(
        db,
        "SELECT cust_no, currency, balance FROM dcc_account "
        "WHERE product_type IN ('CURRENT', 'TIME_DEPOSIT')",
    ):
        assets[cust_no] += balance * fx[ccy]
    for cust_no, code, units in rows(db, "SELECT cust_no, product_code, units FROM wms_holding"):
        assets[cust_no] += units * nav[code] * fx[currency[code]]
    return assets


def tier_of(amount: float) -> str:
    return next(name for name, floor in TIERS if amount >= floor)


def test_every_customer_is_in_core_and_crm_with_an_rm_of_their_branch(db):
    cust_nos = [c for (c,) in rows(db, "SELECT cust_no FROM dcc_party ORDER BY cust_no")]
    assert cust_nos == [f"88{n:08d}" for n in range(1, CUSTOMERS + 1)]
    assert [c for (c,) in rows(db, "SELECT cust_no FROM crm.crm_customer ORDER BY 1")] == cust_nos
    mismatched = rows(
        db,
        "SELECT a.cust_no FROM crm.crm_assignment a JOIN crm.crm_rm r ON r.rm_id = a.rm_id "
        "WHERE a.branch_code <> r.branch_code",
    )
    assert len(rows(db, "SELECT * FROM crm.crm_assignment")) == CUSTOMERS
    assert mismatched == []


def test_resident_ids_have_valid_check_characters_birth_dates_and_genders(db):
    checked = 0
    for id_no, birth, gender in rows(
        db, "SELECT id_no, birth_date, gender FROM dcc_party WHERE id_type = '01'"
    ):
        if len(id_no) == 15:
            assert id_no[6:12] == birth.replace("-", "")[2:]
            assert int(id_no[14]) % 2 == (gender == "M")
            continue
        assert re.fullmatch(r"\d{17}[\dX]", id_no)
        total = sum(int(d) * w for d, w in zip(id_no[:17], ID_WEIGHTS, strict=True))
        assert id_no[17] == "10X98765432"[total % 11]
        assert id_no[6:14] == birth.replace("-", "")
        assert int(id_no[16]) % 2 == (gender == "M")
        checked += 1
    assert checked > CUSTOMERS * 0.9


def test_a_few_customers_have_legacy_ids_or_passports(db):
    legacy = rows(db, "SELECT id_no FROM dcc_party WHERE id_type = '01' AND length(id_no) = 15")
    passports = rows(db, "SELECT id_no, mobile FROM dcc_party WHERE id_type = '02'")
    assert legacy
    assert len(passports) >= 2
    assert any(mobile.startswith("+852") for _, mobile in passports)


def test_resident_id_area_codes_match_the_city_of_the_address(db):
    city_of_area = {"31": "上海市", "11": "北京市", "44": "深圳市"}
    for id_no, address in rows(db, "SELECT id_no, address FROM dcc_party WHERE id_type = '01'"):
        assert city_of_area[id_no[:2]] in address


def test_mobiles_are_mainland_numbers_with_real_prefixes_or_hong_kong(db):
    for (mobile,) in rows(
        db, "SELECT mobile FROM dcc_party UNION ALL SELECT mobile FROM crm.crm_customer"
    ):
        if mobile.startswith("+852"):
            assert re.fullmatch(r"\+852[569]\d{7}", mobile)
        else:
            assert re.fullmatch(r"1\d{10}", mobile) and mobile[:3] in MAINLAND_PREFIXES


def test_cards_pass_luhn_with_19_digit_debit_and_16_digit_credit_cards(db):
    cards = rows(
        db, "SELECT product_type, card_no, card_expiry FROM dcc_account WHERE card_no IS NOT NULL"
    )
    kinds = Counter(kind for kind, _, _ in cards)
    assert kinds["CURRENT"] and kinds["CREDIT_CARD"]
    for kind, card_no, expiry in cards:
        assert len(card_no) == (19 if kind == "CURRENT" else 16)
        assert luhn_valid(card_no)
        assert re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", expiry)
    assert (
        rows(db, "SELECT 1 FROM dcc_account WHERE card_no IS NULL AND card_expiry IS NOT NULL")
        == []
    )
    assert len({card for _, card, _ in cards}) == len(cards)


def test_every_tier_has_at_least_two_customers(db):
    tiers = Counter(tier_of(amount) for amount in total_assets(db).values())
    assert all(tiers[name] >= 2 for name, _ in TIERS), tiers
    assert tiers["MASS"] > CUSTOMERS / 2


def test_every_branch_has_rms_of_every_grade_in_at_least_two_cities(db):
    posts = set(rows(db, "SELECT branch_code, grade FROM crm.crm_rm"))
    branches = rows(db, "SELECT branch_code, city FROM dcc_branch")
    assert len(branches) >= 6
    assert len({city for _, city in branches}) >= 2
    assert posts == {(code, grade) for code, _ in branches for grade in GRADES}


def test_some_high_tier_customers_have_an_rm_below_the_required_grade(db):
    assets = total_assets(db)
    grade_of = dict(
        rows(
            db,
            "SELECT a.cust_no, r.grade FROM crm.crm_assignment a "
            "JOIN crm.crm_rm r ON r.rm_id = a.rm_id",
        )
    )
    below = [
        cust_no
        for cust_no, amount in assets.items()
        if tier_of(amount) in ("BLACK_GOLD", "DIAMOND", "PLATINUM")
        and GRADES.index(grade_of[cust_no]) > GRADES.index(REQUIRED_GRADE[tier_of(amount)])
    ]
    fitting = [
        cust_no
        for cust_no, amount in assets.items()
        if tier_of(amount) != "MASS" and grade_of[cust_no] == REQUIRED_GRADE[tier_of(amount)]
    ]
    assert below
    assert len(fitting) > len(below)


def test_transactions_use_every_channel_and_every_branch(db):
    channels = {c for (c,) in rows(db, "SELECT DISTINCT channel FROM dcc_transaction")}
    assert channels == {"COUNTER", "ATM", "MOBILE", "ONLINE", "POS", "HOTLINE"}
    used = {b for (b,) in rows(db, "SELECT DISTINCT branch_code FROM dcc_transaction")}
    assert used == {b for (b,) in rows(db, "SELECT branch_code FROM dcc_branch")}
    assert (
        rows(
            db,
            "SELECT 1 FROM dcc_transaction WHERE amount <= 0 OR direction NOT IN ('C','D')"
            f" OR booked_at >= '{AS_OF + dt.timedelta(days=1)}'"
            f" OR booked_at < '{AS_OF - dt.timedelta(days=365)}'",
        )
        == []
    )


def branch_counts(db: sqlite3.Connection) -> dict[str, dict[str, tuple[int, str]]]:
    """Per customer, per branch: (transactions, latest booked_at)."""
    out: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for cust_no, branch, count, latest in rows(
        db,
        "SELECT cust_no, branch_code, count(*), max(booked_at) FROM dcc_transaction "
        "GROUP BY cust_no, branch_code",
    ):
        out[cust_no][branch] = (count, latest)
    return out


def test_some_customers_bank_mostly_outside_their_assigned_branch(db):
    assigned = dict(rows(db, "SELECT cust_no, branch_code FROM crm.crm_assignment"))
    counts = branch_counts(db)
    away = [
        c
        for c, per_branch in counts.items()
        if max(per_branch, key=lambda b: per_branch[b]) != assigned[c]
    ]
    assert 0.04 * len(counts) <= len(away) <= 0.25 * len(counts)


def test_some_branch_ties_are_broken_by_the_most_recent_transaction(db):
    assigned = dict(rows(db, "SELECT cust_no, branch_code FROM crm.crm_assignment"))
    decided_elsewhere = decided_at_home = 0
    for cust_no, per_branch in branch_counts(db).items():
        top = max(count for count, _ in per_branch.values())
        tied = [b for b, (count, _) in per_branch.items() if count == top]
        if len(tied) > 1:
            winner = max(tied, key=lambda b: per_branch[b][1])
            decided_elsewhere += winner != assigned[cust_no]
            decided_at_home += winner == assigned[cust_no]
    assert decided_elsewhere >= 1 and decided_at_home >= 1


def test_time_deposits_mature_soon_and_exactly_thirty_days_out(db):
    due = [
        d
        for (d,) in rows(
            db,
            "SELECT maturity_date FROM dcc_account WHERE "
            "product_type = 'TIME_DEPOSIT' AND status <> 'CLOSED'",
        )
    ]
    in_30 = (AS_OF + dt.timedelta(days=30)).isoformat()
    assert in_30 in due
    assert sum(AS_OF.isoformat() < d < in_30 for d in due) >= 2
    assert all(d > AS_OF.isoformat() for d in due)


def test_balances_are_positive_and_currencies_include_foreign_ones(db):
    assert rows(db, "SELECT 1 FROM dcc_account WHERE balance < 0") == []
    assert rows(db, "SELECT 1 FROM dcc_account WHERE product_type = 'LOAN' AND balance <= 0") == []
    currencies = {c for (c,) in rows(db, "SELECT DISTINCT currency FROM dcc_account")}
    assert "CNY" in currencies and currencies & {"USD", "HKD", "EUR"}
    statuses = {s for (s,) in rows(db, "SELECT DISTINCT status FROM dcc_account")}
    assert {"ACTIVE", "DORMANT"} <= statuses


def test_fx_rates_are_daily_for_a_year_up_to_as_of(db):
    for currency in ("USD", "HKD", "EUR", "GBP", "JPY"):
        days = rows(
            db,
            f"SELECT min(rate_date), max(rate_date), count(*) FROM dcc_fx_rate "
            f"WHERE currency = '{currency}'",
        )
        assert days == [((AS_OF - dt.timedelta(days=365)).isoformat(), AS_OF.isoformat(), 366)]
    usd = latest_by_key(db, "SELECT currency, rate_date, cny_per_unit FROM dcc_fx_rate")["USD"]
    assert 6.5 < usd < 7.9


def test_products_cover_every_type_and_risk_level_with_new_maturing_and_swinging_ones(db):
    products = rows(
        db,
        "SELECT product_code, product_type, risk_level, launch_date, "
        "maturity_date FROM wealth.wms_product",
    )
    assert 40 <= len(products) <= 80
    assert {p[1] for p in products} == {"MUTUAL_FUND", "WEALTH", "INSURANCE", "BOND"}
    assert {p[2] for p in products} == {1, 2, 3, 4, 5}
    two_weeks_ago = (AS_OF - dt.timedelta(days=14)).isoformat()
    next_month = (AS_OF + dt.timedelta(days=30)).isoformat()
    assert any(p[3] > two_weeks_ago for p in products)
    assert any(p[4] and AS_OF.isoformat() < p[4] <= next_month for p in products)
    now = latest_by_key(db, "SELECT product_code, nav_date, nav FROM wealth.wms_nav")
    month_ago = dict(
        rows(
            db,
            "SELECT product_code, nav FROM wealth.wms_nav WHERE nav_date = "
            f"'{(AS_OF - dt.timedelta(days=30)).isoformat()}'",
        )
    )
    swings = [code for code, nav in month_ago.items() if abs(now[code] / nav - 1) > 0.05]
    assert 1 <= len(swings) < len(products) / 2


def test_holdings_equal_filled_buys_minus_filled_redemptions(db):
    net: dict[tuple[str, str], float] = defaultdict(float)
    for cust_no, code, side, units in rows(
        db,
        "SELECT cust_no, product_code, side, units FROM wealth.wms_order WHERE status = 'FILLED'",
    ):
        net[cust_no, code] += units if side == "BUY" else -units
    held = {
        (c, p): u for c, p, u in rows(db, "SELECT cust_no, product_code, units FROM wms_holding")
    }
    assert held
    for key, units in net.items():
        assert units == pytest.approx(held.get(key, 0.0), abs=1e-6)
    holders = {c for c, _ in held}
    assert 0.25 * CUSTOMERS <= len(holders) <= 0.6 * CUSTOMERS


def test_some_risk_assessments_have_expired_and_some_expire_today(db):
    latest = latest_by_key(
        db, "SELECT cust_no, assessed_on, expires_on FROM crm.crm_risk_assessment"
    )
    assert any(expires < AS_OF.isoformat() for expires in latest.values())
    assert AS_OF.isoformat() in latest.values()
    assert len(latest) < CUSTOMERS


def test_some_crm_contact_details_are_stale_and_some_are_newer_than_core(db):
    compared = rows(
        db,
        "SELECT p.mobile, p.mobile_updated_at, c.mobile, c.mobile_updated_at, "
        "p.address, p.address_updated_at, c.address, c.address_updated_at "
        "FROM dcc_party p JOIN crm.crm_customer c ON c.cust_no = p.cust_no",
    )
    stale = newer = 0
    for core_m, core_m_at, crm_m, crm_m_at, core_a, core_a_at, crm_a, crm_a_at in compared:
        for core, core_at, crm, crm_at in (
            (core_m, core_m_at, crm_m, crm_m_at),
            (core_a, core_a_at, crm_a, crm_a_at),
        ):
            if crm is not None and crm != core:
                stale += crm_at < core_at
                newer += crm_at > core_at
    assert stale >= 0.05 * CUSTOMERS
    assert newer >= 2


def test_crm_names_usually_match_the_legal_name(db):
    pairs = rows(
        db,
        "SELECT p.legal_name, c.name FROM dcc_party p "
        "JOIN crm.crm_customer c ON c.cust_no = p.cust_no",
    )
    differ = [pair for pair in pairs if pair[0] != pair[1]]
    assert 2 <= len(differ) <= 0.05 * CUSTOMERS


def test_crm_profiles_range_from_nearly_empty_to_complete(db):
    filled = []
    for row in rows(db, "SELECT * FROM crm.crm_customer"):
        filled.append(sum(value is not None for value in row[6:18]))
    assert min(filled) == 0
    assert max(filled) >= 10


def test_birthdays_fall_in_every_month(db):
    months = {m for (m,) in rows(db, "SELECT substr(birth_date, 6, 2) FROM dcc_party")}
    assert len(months) == 12


def test_complaints_cover_every_status_with_satisfaction_once_resolved(db):
    complaints = rows(db, "SELECT status, resolved_at, satisfaction FROM crm.crm_complaint")
    assert {s for s, _, _ in complaints} == {"OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"}
    for status, resolved_at, satisfaction in complaints:
        assert (resolved_at is not None) == (status in ("RESOLVED", "CLOSED"))
        assert satisfaction is None or status in ("RESOLVED", "CLOSED")


def test_summary_counts_the_rows_written(db, loaded):
    _, summary = loaded
    assert summary.rows["dcc_party"] == CUSTOMERS
    for table in ("dcc_transaction", "crm.crm_contact", "wealth.wms_nav"):
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert summary.rows[table.split(".")[-1]] == count
    assert summary.elapsed_seconds > 0


def dump(folder: Path) -> dict[str, list[tuple]]:
    db = open_bank(folder)
    tables = [
        (schema, name)
        for schema in ("main", "wealth", "crm")
        for (name,) in db.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type='table'")
    ]
    dumped = {
        name: rows(db, f"SELECT * FROM {schema}.{name} ORDER BY 1, 2") for schema, name in tables
    }
    db.close()
    return dumped


async def test_the_same_seed_gives_identical_rows_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        await load_demo_bank(urls_in(tmp_path / name), customers=100, seed=seed, as_of=AS_OF)
    first, again, other = (dump(tmp_path / name) for name in "abc")
    assert first == again
    assert first["dcc_party"] != other["dcc_party"]
    assert first["dcc_transaction"] != other["dcc_transaction"]


def test_a_few_customers_are_documented_in_full_across_two_branches_and_several_rms(db):
    documented = set.intersection(
        *(
            {c for (c,) in rows(db, f"SELECT DISTINCT cust_no FROM {table}")}
            for table in (
                "dcc_transaction",
                "wealth.wms_holding",
                "crm.crm_contact",
                "crm.crm_complaint",
                "crm.crm_family_member",
            )
        )
    )
    posts = {
        c: (branch, rm)
        for c, branch, rm in rows(db, "SELECT cust_no, branch_code, rm_id FROM crm.crm_assignment")
        if c in documented
    }
    by_branch = Counter(branch for branch, _ in posts.values())
    assert len(by_branch) >= 2
    assert max(by_branch.values()) >= 2
    assert len({rm for _, rm in posts.values()}) >= 3
