"""Core banking types: branches, accounts and transactions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.context import Info
from resolvers.enums import AccountType, Channel, Direction, Status
from resolvers.ids import global_id
from resolvers.node import Node, local
from resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    DateRange,
    connection,
    moment_cursor_of,
    moment_window,
)
from resolvers.sensitive import band_field, customer_data, row_value

if TYPE_CHECKING:
    from resolvers.customer import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("resolvers.customer")]


@strawberry.type(description="A branch of the bank, as the core system keeps it.")
class Branch(Node):
    code: str = strawberry.field(description="Branch code, e.g. SH001.")
    name: str = strawberry.field(description="Branch name.")
    city: str = strawberry.field(description="City the branch is in.")
    address: str = strawberry.field(description="Street address of the branch.")

    @classmethod
    def from_row(cls, row: Any) -> Branch:
        return cls(
            id=global_id("Branch", row.branch_code),
            code=row.branch_code,
            name=row.branch_name,
            city=row.city,
            address=row.address,
        )


async def load_branch(info: Info, code: str | None) -> Branch | None:
    """The branch with a code, None for none."""
    if code is None:
        return None
    row = (await info.context.reference_data()).branches.get(code)
    return Branch.from_row(row) if row else None


@strawberry.type(description="A movement of money on an account, newest first in lists.")
class Transaction(Node):
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    currency: str = strawberry.field(description="ISO 4217 currency of the amount.")
    direction: Direction = strawberry.field(description="Money in (CREDIT) or out (DEBIT).")
    channel: Channel = strawberry.field(description="Channel the transaction was made through.")
    booked_at: datetime = strawberry.field(description="When the core system booked it.")
    amount: Decimal | None = customer_data(
        "Transaction.amount", "row.amount", description="Amount, always positive."
    )
    counterparty: str | None = customer_data(
        "Transaction.counterparty", "row.counterparty", description="The other party, if known."
    )
    amount_band: str | None = band_field(
        "Transaction.amountBand",
        row_value("row.amount"),
        lambda root: root.row.currency,
        description="The amount as a band in its currency, e.g. 10K–50K CNY.",
    )

    @classmethod
    def from_row(cls, row: Any) -> Transaction:
        return cls(
            id=global_id("Transaction", row.txn_id),
            row=row,
            owner=row.cust_no,
            currency=row.currency,
            direction=Direction(row.direction),
            channel=Channel(row.channel),
            booked_at=local(row.booked_at),  # type: ignore[arg-type]
        )

    @strawberry.field(description="Branch where the transaction was made or booked.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.row.branch_code)

    @strawberry.field(description="The account the transaction moved money on.")
    async def account(self, info: Info) -> Account | None:
        row = await info.context.loaders.one(info.context.sources.core.accounts, self.row.acct_id)
        return Account.from_row(row) if row else None


TransactionConnection = Connection[Transaction]


@strawberry.type(description="A deposit, loan or card account in the core banking system.")
class Account(Node):
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    type: AccountType = strawberry.field(description="Kind of account.")
    currency: str = strawberry.field(description="ISO 4217 currency the account is kept in.")
    interest_rate: Decimal | None = strawberry.field(
        description="Annual interest rate in percent, for deposits and loans."
    )
    opened_on: date = strawberry.field(description="Day the account was opened.")
    maturity_date: date | None = strawberry.field(description="Maturity day of a time deposit.")
    status: Status = strawberry.field(description="Whether the account is active.")
    account_number: str | None = customer_data(
        "Account.accountNumber", "row.acct_no", description="Account number."
    )
    card_number: str | None = customer_data(
        "Account.cardNumber", "row.card_no", description="Number of the card on the account."
    )
    balance: Decimal | None = customer_data(
        "Account.balance",
        "row.balance",
        description="Balance in the account's currency; for loans and credit cards, the "
        "amount owed.",
    )
    balance_band: str | None = band_field(
        "Account.balanceBand",
        row_value("row.balance"),
        lambda root: root.row.currency,
        description="The balance as a band in the account's currency, e.g. 50K–200K CNY.",
    )

    @classmethod
    def from_row(cls, row: Any) -> Account:
        return cls(
            id=global_id("Account", row.acct_id),
            row=row,
            owner=row.cust_no,
            type=AccountType(row.product_type),
            currency=row.currency,
            interest_rate=row.interest_rate,
            opened_on=row.opened_on,
            maturity_date=row.maturity_date,
            status=Status(row.status),
        )

    @strawberry.field(description="Branch that keeps the account.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.row.branch_code)

    @strawberry.field(description="The customer who owns the account.")
    async def customer(self, info: Info) -> CustomerRef | None:
        from resolvers.customer import load_customer

        return await load_customer(info, self.row.cust_no)

    @strawberry.field(
        description="The account's transactions, newest first, optionally within a range of "
        "days (both ends inclusive)."
    )
    async def transactions(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
    ) -> TransactionConnection:
        ctx = info.context
        window = moment_window(first, after, DateRange(from_, to), ctx.settings.max_page_size)
        rows = await ctx.loaders.one(
            ctx.sources.core.transactions_by_account, self.row.acct_id, window
        )
        return connection(
            [Transaction.from_row(r) for r in rows],
            first,
            moment_cursor_of("booked_at", "txn_id"),
            after_given=after is not None,
        )
