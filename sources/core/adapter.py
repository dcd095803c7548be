"""Core banking (DCC) adapter: batch reads over the party master, accounts and money movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import case, func, select
from sqlalchemy.engine import Row

from sources.base import Source, many_per_key, one_per_key
from sources.core import tables as t
from sources.window import Window, windowed

DEPOSIT_TYPES = ("CURRENT", "TIME_DEPOSIT")


class CoreBanking(Source):
    """The bank's system of record for who the customer is and what they hold in deposits."""

    name: ClassVar[str] = "core"
    metadata = t.metadata

    async def parties(self, cust_nos: Sequence[str]) -> list[Row[Any] | None]:
        """Party master records by customer number."""
        rows = await self.fetch_for_keys(
            cust_nos, lambda keys: select(t.party).where(t.party.c.cust_no.in_(keys))
        )
        return one_per_key(rows, cust_nos, "cust_no")

    async def customer_numbers(self, *, after: str | None, limit: int | None) -> list[str]:
        """Customer numbers in ascending order, after a given one."""
        stmt = select(t.party.c.cust_no).order_by(t.party.c.cust_no).limit(limit)
        if after is not None:
            stmt = stmt.where(t.party.c.cust_no > after)
        return [row.cust_no for row in await self.fetch(stmt)]

    async def count_parties(self) -> int:
        """How many parties the master holds."""
        rows = await self.fetch(select(func.count()).select_from(t.party))
        return int(rows[0][0])

    async def accounts_by_customer(self, cust_nos: Sequence[str]) -> list[list[Row[Any]]]:
        """Each customer's accounts, oldest first."""
        rows = await self.fetch_for_keys(
            cust_nos,
            lambda keys: (
                select(t.account)
                .where(t.account.c.cust_no.in_(keys))
                .order_by(t.account.c.cust_no, t.account.c.acct_id)
            ),
        )
        return many_per_key(rows, cust_nos, "cust_no")

    async def accounts(self, acct_ids: Sequence[int]) -> list[Row[Any] | None]:
        """Accounts by id."""
        rows = await self.fetch_for_keys(
            acct_ids, lambda keys: select(t.account).where(t.account.c.acct_id.in_(keys))
        )
        return one_per_key(rows, acct_ids, "acct_id")

    async def transactions_by_account(
        self, acct_ids: Sequence[int], window: Window
    ) -> list[list[Row[Any]]]:
        """A newest-first page of each account's transactions."""
        tx = t.transaction
        rows = await self.fetch_for_keys(
            acct_ids,
            lambda keys: windowed(tx, tx.c.acct_id, tx.c.booked_at, tx.c.txn_id, keys, window),
        )
        return many_per_key(rows, acct_ids, "acct_id")

    async def transactions_by_customer(
        self, cust_nos: Sequence[str], window: Window
    ) -> list[list[Row[Any]]]:
        """A newest-first page of each customer's transactions over all their accounts."""
        tx = t.transaction
        rows = await self.fetch_for_keys(
            cust_nos,
            lambda keys: windowed(tx, tx.c.cust_no, tx.c.booked_at, tx.c.txn_id, keys, window),
        )
        return many_per_key(rows, cust_nos, "cust_no")

    async def transactions(self, txn_ids: Sequence[int]) -> list[Row[Any] | None]:
        """Transactions by id."""
        rows = await self.fetch_for_keys(
            txn_ids, lambda keys: select(t.transaction).where(t.transaction.c.txn_id.in_(keys))
        )
        return one_per_key(rows, txn_ids, "txn_id")

    async def all_branches(self) -> list[Row[Any]]:
        """Every branch, by code."""
        return await self.fetch(select(t.branch).order_by(t.branch.c.branch_code))

    async def fx_rates(self, days: Sequence[date]) -> list[dict[str, Decimal]]:
        """For each day, CNY per unit of each currency at the latest rate on or before it."""
        results = []
        for day in days:
            latest = (
                select(t.fx_rate.c.currency, func.max(t.fx_rate.c.rate_date).label("rate_date"))
                .where(t.fx_rate.c.rate_date <= day)
                .group_by(t.fx_rate.c.currency)
                .subquery()
            )
            stmt = select(t.fx_rate.c.currency, t.fx_rate.c.cny_per_unit).join(
                latest,
                (t.fx_rate.c.currency == latest.c.currency)
                & (t.fx_rate.c.rate_date == latest.c.rate_date),
            )
            rates = {row.currency: Decimal(row.cny_per_unit) for row in await self.fetch(stmt)}
            rates["CNY"] = Decimal(1)
            results.append(rates)
        return results

    async def deposit_balances(self, cust_nos: Sequence[str] | None = None) -> list[Row[Any]]:
        """Deposit balance sums per customer and currency (all customers when none are given)."""
        acct = t.account
        stmt = (
            select(acct.c.cust_no, acct.c.currency, func.sum(acct.c.balance).label("balance"))
            .where(acct.c.product_type.in_(DEPOSIT_TYPES), acct.c.status != "CLOSED")
            .group_by(acct.c.cust_no, acct.c.currency)
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(
            cust_nos, lambda keys: stmt.where(acct.c.cust_no.in_(keys))
        )

    async def branch_activity(
        self, cust_nos: Sequence[str] | None, since: datetime
    ) -> list[Row[Any]]:
        """Per customer and branch: transactions booked since a moment, and the latest of them.

        One grouped statement (per key chunk); every customer with activity when none are given.
        """
        tx = t.transaction
        stmt = (
            select(
                tx.c.cust_no,
                tx.c.branch_code,
                func.count().label("transactions"),
                func.max(tx.c.booked_at).label("latest"),
            )
            .where(tx.c.booked_at >= since)
            .group_by(tx.c.cust_no, tx.c.branch_code)
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(tx.c.cust_no.in_(keys)))

    async def branch_activity_by_customer(
        self, cust_nos: Sequence[str], since: datetime
    ) -> list[list[Row[Any]]]:
        """:meth:`branch_activity` grouped per customer, in key order."""
        return many_per_key(await self.branch_activity(cust_nos, since), cust_nos, "cust_no")

    async def deposit_flows_since(
        self, cust_nos: Sequence[str] | None, since: datetime
    ) -> list[Row[Any]]:
        """Net credits (credits minus debits) booked since a moment on deposit accounts that
        are not closed, per customer and account currency."""
        tx, acct = t.transaction, t.account
        signed = case((tx.c.direction == "C", tx.c.amount), else_=-tx.c.amount)
        stmt = (
            select(acct.c.cust_no, acct.c.currency, func.sum(signed).label("net"))
            .select_from(tx.join(acct, tx.c.acct_id == acct.c.acct_id))
            .where(
                tx.c.booked_at >= since,
                acct.c.product_type.in_(DEPOSIT_TYPES),
                acct.c.status != "CLOSED",
            )
            .group_by(acct.c.cust_no, acct.c.currency)
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(
            cust_nos, lambda keys: stmt.where(acct.c.cust_no.in_(keys))
        )

    async def last_transaction_days(self, cust_nos: Sequence[str] | None = None) -> list[Row[Any]]:
        """Each customer's latest transaction moment (customers without any are absent)."""
        tx = t.transaction
        stmt = select(tx.c.cust_no, func.max(tx.c.booked_at).label("latest")).group_by(tx.c.cust_no)
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(tx.c.cust_no.in_(keys)))

    async def all_parties_brief(self) -> list[Row[Any]]:
        """Every party's number, opening day and status (no personal field)."""
        p = t.party
        return await self.fetch(
            select(p.c.cust_no, p.c.opened_on, p.c.status).order_by(p.c.cust_no)
        )
