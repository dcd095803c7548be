"""Planned fields of the core-banking types: accounts, transactions and branches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.ids import global_id, moment_cursor
from resolvers.node import local_text
from resolvers.pagination import DateRange, moment_window
from resolvers.plan.memo import Need
from resolvers.plan.pages import Page
from resolvers.plan.run import Run
from resolvers.plan.specs import Band, Plain, Related, Table, column, gated, reference_row, row
from sources.window import Window


def window_of(run: Run, args: dict[str, Any]) -> Window:
    """The source window of a newest-first page's arguments (BAD_USER_INPUT if invalid),
    worked out once per field and request (the arguments are one dict for both)."""
    key = ("window", id(args))
    found = run.kept.get(key)
    if found is None:
        found = run.kept[key] = moment_window(
            args["first"],
            args["after"],
            DateRange(args["from"], args["to"]),
            run.ctx.settings.max_page_size,
        )
    return found  # type: ignore[no-any-return]


def transaction_cursor(txn: Any) -> str:
    return moment_cursor(txn.booked_at, txn.txn_id)


def transactions_page(rows: Sequence[Any], args: dict[str, Any]) -> Page:
    return Page(rows, args["first"], transaction_cursor, after_given=args["after"] is not None)


def _account_transactions(account: Any, run: Run, args: dict[str, Any]) -> Page:
    window = window_of(run, args)
    rows = run.memo.get(run.sources.core.transactions_by_account, account.acct_id, window)
    return transactions_page(rows, args)


def _account_transaction_needs(accounts: Sequence[Any], run: Run, args: dict[str, Any]) -> Any:
    window = window_of(run, args)
    return [
        Need(run.sources.core.transactions_by_account, [a.acct_id for a in accounts], (window,))
    ]


def branch_of(code: str | None, run: Run) -> Any:
    return reference_row(run, "branches", code)


BRANCH: Table = {
    "id": Plain(lambda b, _run: global_id("Branch", b.branch_code)),
    "code": column("branch_code"),
    "name": column("branch_name"),
    "city": column("city"),
    "address": column("address"),
}

ACCOUNT: Table = {
    "id": Plain(lambda a, _run: global_id("Account", a.acct_id)),
    "type": column("product_type"),
    "currency": column("currency"),
    "interestRate": column("interest_rate"),
    "openedOn": column("opened_on"),
    "maturityDate": column("maturity_date"),
    "status": column("status"),
    "accountNumber": gated("Account.accountNumber", "acct_no"),
    "cardNumber": gated("Account.cardNumber", "card_no"),
    "balance": gated("Account.balance", "balance"),
    "balanceBand": Band("Account.balanceBand", lambda a, _run: a.balance, lambda a: a.currency),
    "branch": Related(lambda a, run, _args: branch_of(a.branch_code, run), reference=True),
    "transactions": Related(_account_transactions, needs=_account_transaction_needs),
}

TRANSACTION: Table = {
    "id": Plain(lambda t, _run: global_id("Transaction", t.txn_id)),
    "currency": column("currency"),
    "direction": column("direction"),
    "channel": column("channel"),
    "bookedAt": Plain(row("booked_at"), attribute="booked_at", serialize=local_text),
    "amount": gated("Transaction.amount", "amount"),
    "counterparty": gated("Transaction.counterparty", "counterparty"),
    "amountBand": Band("Transaction.amountBand", lambda t, _run: t.amount, lambda t: t.currency),
    "branch": Related(lambda t, run, _args: branch_of(t.branch_code, run), reference=True),
}
