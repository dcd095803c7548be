"""Core banking (DCC) adapter: batch reads over the party master, accounts and money movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar

from sqlalchemy import bindparam, case, func, select

from sources.base import Source, many_per_key
from sources.core import tables as t
from sources.keys import key_count, key_page
from sources.reads import Read, Record, row_part
from sources.window import KeyedOwnedPages, OwnedPages, Pages, Window

DEPOSIT_TYPES = ("CURRENT", "TIME_DEPOSIT")

PARTIES = Read(lambda keys_in: select(t.party).where(keys_in(t.party.c.cust_no)))
ACCOUNTS_BY_CUSTOMER = Read(
    lambda keys_in: (
        select(t.account)
        .where(keys_in(t.account.c.cust_no))
        .order_by(t.account.c.cust_no, t.account.c.acct_id)
    )
)
ACCOUNTS = Read(lambda keys_in: select(t.account).where(keys_in(t.account.c.acct_id)))
TRANSACTIONS = Read(lambda keys_in: select(t.transaction).where(keys_in(t.transaction.c.txn_id)))
BRANCHES = Read(lambda _keys_in: select(t.branch).order_by(t.branch.c.branch_code))
ACCOUNT_PAGES = Pages(t.transaction, "acct_id", "booked_at", "txn_id")
ACCOUNTS_WITH_PAGES = OwnedPages(t.account, "cust_no", ("acct_id",), ACCOUNT_PAGES)
# A row of it reads as the transaction; the account's columns follow, then the party's.
_ACCOUNT_PART = row_part([c.name for c in t.account.c], len(t.transaction.c) + 1, "Account")
PARTIES_WITH_PAGES = KeyedOwnedPages(t.party, ACCOUNTS_WITH_PAGES)
_PARTY_PART = row_part(
    [c.name for c in t.party.c], len(t.transaction.c) + 1 + len(t.account.c), "Party"
)
CUSTOMER_PAGES = Pages(t.transaction, "cust_no", "booked_at", "txn_id")


def _fx_rates_on(_keys_in: Any) -> Any:
    day = bindparam("day", type_=t.fx_rate.c.rate_date.type)
    latest = (
        select(t.fx_rate.c.currency, func.max(t.fx_rate.c.rate_date).label("rate_date"))
        .where(t.fx_rate.c.rate_date <= day)
        .group_by(t.fx_rate.c.currency)
        .subquery()
    )
    return select(t.fx_rate.c.currency, t.fx_rate.c.cny_per_unit).join(
        latest,
        (t.fx_rate.c.currency == latest.c.currency) & (t.fx_rate.c.rate_date == latest.c.rate_date),
    )


FX_RATES_ON = Read(_fx_rates_on)


class CoreBanking(Source):
    """The bank's system of record for who the customer is and what they hold in deposits."""

    name: ClassVar[str] = "core"
    metadata = t.metadata

    async def parties(self, cust_nos: Sequence[str]) -> list[Record | None]:
        """Party master records by customer number."""
        return await self.row_per_key(PARTIES, cust_nos, "cust_no")

    async def customer_numbers(self, *, after: str | None, limit: int | None) -> list[str]:
        """Customer numbers in ascending order, after a given one."""
        read, params = key_page(t.party.c.cust_no, {}, after, limit)
        return [row[0] for row in await self.read(read, **params)]

    async def count_parties(self) -> int:
        """How many parties the master holds."""
        read, params = key_count(t.party.c.cust_no, {})
        rows = await self.read(read, **params)
        return int(rows[0][0])

    async def accounts_by_customer(self, cust_nos: Sequence[str]) -> list[list[Record]]:
        """Each customer's accounts, oldest first."""
        return await self.rows_per_key(ACCOUNTS_BY_CUSTOMER, cust_nos, "cust_no")

    async def accounts_with_transactions(
        self, cust_nos: Sequence[str], window: Window
    ) -> list[tuple[list[Record], dict[int, list[Record]]]]:
        """:meth:`accounts_by_customer` and :meth:`transactions_by_account` of those accounts
        in one statement: per customer, the accounts and each account's page."""
        read, params = ACCOUNTS_WITH_PAGES.read(window)
        rows = await self.read_keys(read, cust_nos, **params)
        found = _owned_pages(rows, _OWNER)
        return [found[key][1:] if key in found else ([], {}) for key in cust_nos]

    async def parties_with_accounts_and_transactions(
        self, cust_nos: Sequence[str], window: Window
    ) -> list[tuple[Record | None, list[Record], dict[int, list[Record]]]]:
        """:meth:`parties` and :meth:`accounts_with_transactions` in one statement: per
        customer, the party (None when unknown), its accounts and each account's page."""
        read, params = PARTIES_WITH_PAGES.read(window)
        rows = await self.read_keys(read, cust_nos, key_of=_KEY_OF_KEYED, **params)
        found = _owned_pages(rows, _KEYED)
        return [
            (_PARTY_PART(found[key][0]), *found[key][1:]) if key in found else (None, [], {})
            for key in cust_nos
        ]

    async def accounts(self, acct_ids: Sequence[int]) -> list[Record | None]:
        """Accounts by id."""
        return await self.row_per_key(ACCOUNTS, acct_ids, "acct_id")

    async def transactions_by_account(
        self, acct_ids: Sequence[int], window: Window
    ) -> list[list[Record]]:
        """A newest-first page of each account's transactions."""
        read, params = ACCOUNT_PAGES.read(window)
        return await self.rows_per_key(read, acct_ids, "acct_id", **params)

    async def transactions_by_customer(
        self, cust_nos: Sequence[str], window: Window
    ) -> list[list[Record]]:
        """A newest-first page of each customer's transactions over all their accounts."""
        read, params = CUSTOMER_PAGES.read(window)
        return await self.rows_per_key(read, cust_nos, "cust_no", **params)

    async def transactions(self, txn_ids: Sequence[int]) -> list[Record | None]:
        """Transactions by id."""
        return await self.row_per_key(TRANSACTIONS, txn_ids, "txn_id")

    async def all_branches(self) -> list[Record]:
        """Every branch, by code."""
        return await self.read(BRANCHES)

    async def fx_rates(self, days: Sequence[date]) -> list[dict[str, Decimal]]:
        """For each day, CNY per unit of each currency at the latest rate on or before it."""
        results = []
        for day in days:
            rows = await self.read(FX_RATES_ON, day=day)
            rates = {row.currency: Decimal(row.cny_per_unit) for row in rows}
            rates["CNY"] = Decimal(1)
            results.append(rates)
        return results

    async def deposit_balances(self, cust_nos: Sequence[str] | None = None) -> list[Record]:
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
    ) -> list[Record]:
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
    ) -> list[list[Record]]:
        """:meth:`branch_activity` grouped per customer, in key order."""
        return many_per_key(await self.branch_activity(cust_nos, since), cust_nos, "cust_no")

    async def deposit_flows_since(
        self, cust_nos: Sequence[str] | None, since: datetime
    ) -> list[Record]:
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

    async def last_transaction_days(self, cust_nos: Sequence[str] | None = None) -> list[Record]:
        """Each customer's latest transaction moment (customers without any are absent)."""
        tx = t.transaction
        stmt = select(tx.c.cust_no, func.max(tx.c.booked_at).label("latest")).group_by(tx.c.cust_no)
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(tx.c.cust_no.in_(keys)))

    async def all_parties_brief(self) -> list[Record]:
        """Every party's number, opening day and status (no personal field)."""
        p = t.party
        return await self.fetch(
            select(p.c.cust_no, p.c.opened_on, p.c.status).order_by(p.c.cust_no)
        )


# Where a row of those reads holds what _owned_pages files it by, read by position (some
# thousand rows for a page of customers; each property read is a call). A row is the
# transaction's columns and its rank, then the account's (o_…), then the party's (k_…).
_ACCOUNT_COLUMNS = len(t.transaction.c) + 1
_OWNER = _ACCOUNT_COLUMNS + list(t.account.c).index(t.account.c.cust_no)  # o_cust_no
_ACCOUNT_AT = _ACCOUNT_COLUMNS + list(t.account.c).index(t.account.c.acct_id)  # o_acct_id
_KEYED = _ACCOUNT_COLUMNS + len(t.account.c) + list(t.party.c).index(t.party.c.cust_no)
_TXN_AT = list(t.transaction.c).index(t.transaction.c.txn_id)
_KEY_OF_KEYED = itemgetter(_KEYED)


def _owned_pages(
    rows: Sequence[Record], key_at: int
) -> dict[str, tuple[Record, list[Record], dict[int, list[Record]]]]:
    """The rows of an accounts-with-pages read, ordered by key, account and rank, filed per
    key: its first row, its accounts (each from the account's first row) and each
    account's page (the rows that hold a transaction; each reads as that transaction)."""
    found: dict[str, tuple[Record, list[Record], dict[int, list[Record]]]] = {}
    key = acct_id = None
    accounts: list[Record] = []
    pages: dict[int, list[Record]] = {}
    page: list[Record] = []
    for row in rows:
        if row[key_at] != key:
            key, acct_id, accounts, pages = row[key_at], None, [], {}
            found[key] = (row, accounts, pages)
        row_account = row[_ACCOUNT_AT]
        if row_account is None:
            continue  # the one row of a party without accounts
        if row_account != acct_id:
            acct_id = row_account
            accounts.append(_ACCOUNT_PART(row))
            page = pages[acct_id] = []
        if row[_TXN_AT] is not None:
            page.append(row)
    return found
