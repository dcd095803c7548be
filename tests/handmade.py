"""A tiny bank built by hand, row by row, so tests know every answer in advance."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.engines import drop_databases, fresh_databases


@dataclass
class HandmadeBank:
    """Rows to write, per table; helpers add a customer with sensible defaults."""

    today: date
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    _ids: int = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add(self, table: Table, **row: Any) -> dict[str, Any]:
        self.rows.setdefault(table, []).append(row)
        return row

    def with_reference_data(self) -> HandmadeBank:
        self.add(
            core.branch,
            branch_code="SH001",
            branch_name="上海浦东支行",
            city="上海",
            address="上海市浦东新区世纪大道1号",
        )
        self.add(
            core.branch,
            branch_code="BJ001",
            branch_name="北京朝阳支行",
            city="北京",
            address="北京市朝阳区建国路2号",
        )
        for currency, rate in (("USD", "7.100000"), ("HKD", "0.910000")):
            # An older rate that must not be used, and the rate of the day.
            self.add(
                core.fx_rate,
                currency=currency,
                rate_date=self.today - timedelta(days=3),
                cny_per_unit=Decimal("1.000000"),
            )
            self.add(
                core.fx_rate, currency=currency, rate_date=self.today, cny_per_unit=Decimal(rate)
            )
        self.add(
            crm.relationship_manager,
            rm_id="RM0001",
            employee_no="E0001",
            name="王经理",
            grade="SENIOR",
            branch_code="SH001",
            hired_on=date(2015, 3, 1),
        )
        self.add(
            crm.relationship_manager,
            rm_id="RM0002",
            employee_no="E0002",
            name="李经理",
            grade="TRAINEE",
            branch_code="BJ001",
            hired_on=date(2024, 7, 1),
        )
        self.add(
            wealth.product,
            product_code="WM001",
            product_name="稳健理财1号",
            product_type="WEALTH",
            risk_level=2,
            currency="CNY",
            term_days=180,
            launch_date=self.today - timedelta(days=100),
            maturity_date=None,
            status="ON_SALE",
        )
        self.add(
            wealth.product,
            product_code="FD001",
            product_name="美元债基金",
            product_type="MUTUAL_FUND",
            risk_level=3,
            currency="USD",
            term_days=None,
            launch_date=self.today - timedelta(days=400),
            maturity_date=None,
            status="ON_SALE",
        )
        for code, old, latest in (("WM001", "1.0000", "1.2500"), ("FD001", "1.0000", "2.0000")):
            self.add(
                wealth.nav,
                product_code=code,
                nav_date=self.today - timedelta(days=1),
                nav=Decimal(old),
            )
            self.add(wealth.nav, product_code=code, nav_date=self.today, nav=Decimal(latest))
            # A NAV dated in the future must not count as the latest.
            self.add(
                wealth.nav,
                product_code=code,
                nav_date=self.today + timedelta(days=1),
                nav=Decimal("99.0000"),
            )
        return self

    def customer(
        self,
        cust_no: str,
        *,
        name: str = "张三",
        rm: str = "RM0001",
        branch: str = "SH001",
        mobile: str = "13812345678",
        mobile_updated: datetime = datetime(2025, 1, 1, 9, 0),
        crm_profile: dict[str, Any] | None = None,
    ) -> str:
        """A party with a CRM profile and an assignment, and nothing else yet."""
        self.add(
            core.party,
            cust_no=cust_no,
            legal_name=name,
            gender="M",
            id_type="01",
            id_no="310101199001011234",
            birth_date=date(1990, 1, 1),
            mobile=mobile,
            mobile_updated_at=mobile_updated,
            address="上海市浦东新区世纪大道100号",
            address_updated_at=datetime(2024, 6, 1, 10, 0),
            open_branch=branch,
            opened_on=date(2020, 1, 1),
            status="ACTIVE",
            updated_at=datetime(2025, 1, 1, 9, 0),
        )
        profile: dict[str, Any] = {
            "cust_no": cust_no,
            "name": name,
            "mobile": mobile,
            "mobile_updated_at": mobile_updated,
            "address": "上海市浦东新区世纪大道100号",
            "address_updated_at": datetime(2024, 6, 1, 10, 0),
            "marketing_consent": False,
            "updated_at": datetime(2025, 2, 1, 9, 0),
            "version": 1,
        }
        profile.update(crm_profile or {})
        self.add(crm.profile, **profile)
        self.add(
            crm.assignment,
            cust_no=cust_no,
            rm_id=rm,
            branch_code=branch,
            assigned_on=date(2021, 1, 1),
        )
        return cust_no

    def account(
        self,
        cust_no: str,
        balance: str,
        *,
        currency: str = "CNY",
        product_type: str = "CURRENT",
        status: str = "ACTIVE",
    ) -> int:
        acct_id = self.next_id()
        self.add(
            core.account,
            acct_id=acct_id,
            cust_no=cust_no,
            acct_no=f"31001{acct_id:011d}",
            card_no=None,
            card_expiry=None,
            product_type=product_type,
            currency=currency,
            balance=Decimal(balance),
            interest_rate=None,
            opened_on=date(2020, 1, 1),
            maturity_date=None,
            branch_code="SH001",
            status=status,
        )
        return acct_id

    def holding(self, cust_no: str, product_code: str, units: str) -> int:
        holding_id = self.next_id()
        self.add(
            wealth.holding,
            holding_id=holding_id,
            cust_no=cust_no,
            product_code=product_code,
            units=Decimal(units),
            cost_amount=Decimal("1.00"),
            opened_on=date(2024, 1, 1),
            updated_at=datetime(2024, 1, 1, 10, 0),
        )
        return holding_id

    def transaction(
        self,
        cust_no: str,
        acct_id: int,
        booked_at: datetime,
        amount: str = "100.00",
        branch: str = "SH001",
    ) -> int:
        txn_id = self.next_id()
        self.add(
            core.transaction,
            txn_id=txn_id,
            acct_id=acct_id,
            cust_no=cust_no,
            amount=Decimal(amount),
            currency="CNY",
            direction="C",
            channel="MOBILE",
            branch_code=branch,
            counterparty="某某公司",
            booked_at=booked_at,
        )
        return txn_id

    async def write(self, sources: Sources) -> None:
        """Create the three systems' tables afresh and insert every row."""
        for source in sources.all():
            await source.create_tables(drop=True)
            async with source.engine.begin() as conn:
                for table in source.metadata.sorted_tables:
                    if self.rows.get(table):
                        await conn.execute(table.insert(), self.rows[table])


@asynccontextmanager
async def written(bank: HandmadeBank, engine: str, folder: Path) -> AsyncIterator[Sources]:
    """The bank in fresh databases of one engine, as sources; the databases are dropped
    afterwards."""
    urls = await fresh_databases(engine, folder)
    sources = Sources.from_urls(urls)
    try:
        await bank.write(sources)
        yield sources
    finally:
        await sources.dispose()
        await drop_databases(engine, urls)
