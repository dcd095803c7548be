"""Planned fields of the merged customer, and the root fields that find customers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from resolvers.customer import provenance_of
from resolvers.customer_filter import CustomerFilter, CustomerSelection
from resolvers.enums import MergedAttribute
from resolvers.ids import global_id, key_cursor, parse_global_id, parse_key_cursor
from resolvers.pagination import check_first
from resolvers.plan.banking import branch_of, transactions_page, window_of
from resolvers.plan.fields import Children, Selection
from resolvers.plan.memo import Batch, Failed, Memo, Need
from resolvers.plan.pages import Page
from resolvers.plan.run import Run
from resolvers.plan.specs import Band, Gated, Plain, Related, Table, column, gated
from resolvers.plan.staff import rm_of
from resolvers.survivorship import Merged, merge_one
from resolvers.tiers import required_grade, tier_of
from resolvers.wealth import total_assets_cny
from sources import Sources
from sources.window import Window


class CustomerRecord:
    """A customer as a planned request holds it: the party, the CRM profile, and what is
    computed from them at most once."""

    __slots__ = ("_assets", "_merged", "cust_no", "party", "profile")

    def __init__(self, party: Any, profile: Any | None) -> None:
        self.cust_no: str = party.cust_no
        self.party = party
        self.profile = profile
        self._merged: dict[MergedAttribute, Merged] | None = None
        self._assets: Any = None

    @property
    def merged(self) -> dict[MergedAttribute, Merged]:
        """Every merged attribute."""
        return {attribute: self.merged_one(attribute) for attribute in MergedAttribute}

    def merged_one(self, attribute: MergedAttribute) -> Merged:
        """One merged attribute, merged at most once."""
        if self._merged is None:
            self._merged = {}
        found = self._merged.get(attribute)
        if found is None:
            found = self._merged[attribute] = merge_one(self.party, self.profile, attribute)
        return found


def _merged(attribute: MergedAttribute) -> Any:
    def value(c: CustomerRecord, _run: Any) -> Any:
        chosen = c.merged_one(attribute).chosen  # Merged.value, without its property call
        return chosen.value if chosen else None

    return value


def _assignment(c: CustomerRecord, run: Run) -> Any:
    return run.memo.get(run.sources.crm.assignments, c.cust_no)


def _assets(c: CustomerRecord, run: Run) -> Any:
    if c._assets is None:
        core, wealth = run.sources.core, run.sources.wealth
        accounts = run.memo.get(core.accounts_by_customer, c.cust_no)
        holdings = run.memo.get(wealth.holdings_by_customer, c.cust_no)
        assert run.reference is not None
        c._assets = total_assets_cny(accounts, holdings, run.reference)
    return c._assets


def _numbers(customers: Sequence[CustomerRecord]) -> list[str]:
    return [c.cust_no for c in customers]


def _asset_needs(customers: Sequence[CustomerRecord], run: Run, _args: Any) -> list[Need]:
    numbers = _numbers(customers)
    return [
        Need(run.sources.core.accounts_by_customer, numbers),
        Need(run.sources.wealth.holdings_by_customer, numbers),
    ]


def _assignment_needs(customers: Sequence[CustomerRecord], run: Run, _args: Any) -> list[Need]:
    return [Need(run.sources.crm.assignments, _numbers(customers))]


def _rm(c: CustomerRecord, run: Run, _args: Any) -> Any:
    assignment = _assignment(c, run)
    return rm_of(assignment.rm_id if assignment else None, run)


def _assigned_branch(c: CustomerRecord, run: Run, _args: Any) -> Any:
    assignment = _assignment(c, run)
    return branch_of(assignment.branch_code if assignment else None, run)


def _transactions(c: CustomerRecord, run: Run, args: dict[str, Any]) -> Page:
    window = window_of(run, args)
    rows = run.memo.get(run.sources.core.transactions_by_customer, c.cust_no, window)
    return transactions_page(rows, args)


def _transaction_needs(customers: Sequence[CustomerRecord], run: Run, args: Any) -> list[Need]:
    batch = run.sources.core.transactions_by_customer
    return [Need(batch, _numbers(customers), (window_of(run, args),))]


def _rows_of(pick: Callable[[Sources], Batch]) -> Related:
    """A field that is a customer's rows of one batch (accounts, holdings)."""

    def needs(customers: Sequence[CustomerRecord], run: Run, _args: Any) -> list[Need]:
        return [Need(pick(run.sources), _numbers(customers))]

    def read(c: CustomerRecord, run: Run, _args: Any) -> Any:
        return run.memo.get(pick(run.sources), c.cust_no)

    return Related(read, needs=needs)


def _pages_window(accounts: Selection) -> Callable[[Run], Window | None] | None:
    """The window of the accounts' transaction pages, when their selection pages them (the
    window is None for a request whose page arguments are invalid: the pages report that
    error themselves, each at its own path, and the accounts are read alone)."""
    pages = accounts.field("transactions")
    arguments = pages.arguments if pages is not None else None
    if arguments is None:
        return None

    def window_in(run: Run) -> Window | None:
        try:
            return window_of(run, arguments(run))
        except Exception:
            return None

    return window_in


def _accounts_with_pages(accounts: Selection) -> Any:
    """When the accounts' selection pages their transactions, the customers' accounts and
    those pages are read in one statement (None: the accounts alone, as usual)."""
    window_in = _pages_window(accounts)
    if window_in is None:
        return None

    def needs(customers: Sequence[CustomerRecord], run: Run, _args: Any) -> list[Need]:
        core = run.sources.core
        numbers = _numbers(customers)
        window = window_in(run)
        if window is None:
            return [Need(core.accounts_by_customer, numbers)]
        return [
            Need(
                core.accounts_with_transactions,
                numbers,
                (window,),
                fill=_file_accounts_and_pages,
                covers=((core.accounts_by_customer, ()),),
            )
        ]

    return needs


def _file_accounts_and_pages(
    memo: Memo, batch: Batch, keys: list[Any], results: Sequence[Any], args: tuple[Any, ...]
) -> None:
    """File each customer's accounts, and each account's page, where the two reads would."""
    core = batch.__self__  # type: ignore[attr-defined]
    memo.put_all(
        core.accounts_by_customer,
        ((key, r if type(r) is Failed else r[0]) for key, r in zip(keys, results, strict=True)),
    )
    for result in results:
        if type(result) is not Failed:
            memo.put_all(core.transactions_by_account, result[1].items(), *args)


def _file_parties_accounts_and_pages(
    memo: Memo, batch: Batch, keys: list[Any], results: Sequence[Any], args: tuple[Any, ...]
) -> None:
    """File each customer's party where the parties' read would, and the accounts with
    their pages where the accounts' level will look for them."""
    core = batch.__self__  # type: ignore[attr-defined]
    failed = [type(result) is Failed for result in results]
    memo.put_all(
        core.parties,
        ((k, r if f else r[0]) for k, r, f in zip(keys, results, failed, strict=True)),
    )
    owned = [r if f else r[1:] for r, f in zip(results, failed, strict=True)]
    memo.put_all(core.accounts_with_transactions, zip(keys, owned, strict=True), *args)
    _file_accounts_and_pages(memo, core.accounts_with_transactions, keys, owned, args)


def _party_need(run: Run, numbers: Sequence[str], customer: Selection | None) -> Need:
    """The customers' parties; read with their accounts and those accounts' pages in one
    statement when the customers' selection pages their accounts' transactions, where the
    accounts would otherwise be a second statement to the same system, a level later."""
    core = run.sources.core
    accounts = customer.field("accounts") if customer is not None else None
    window_in = _pages_window(accounts.selection) if isinstance(accounts, Children) else None
    window = window_in(run) if window_in is not None else None
    if window is None:
        return Need(core.parties, numbers)
    return Need(
        core.parties_with_accounts_and_transactions,
        numbers,
        (window,),
        fill=_file_parties_accounts_and_pages,
        covers=((core.parties, ()),),
    )


_HOLDINGS = _rows_of(lambda sources: sources.wealth.holdings_by_customer)

CUSTOMER: Table = {
    "id": Plain(lambda c, _run: global_id("Customer", c.cust_no)),
    "customerNumber": column("cust_no"),
    "gender": column("party.gender"),
    "idType": column("party.id_type"),
    "openedOn": column("party.opened_on"),
    "status": column("party.status"),
    "name": Gated("Customer.name", _merged(MergedAttribute.NAME)),
    "mobile": Gated("Customer.mobile", _merged(MergedAttribute.MOBILE)),
    "address": Gated("Customer.address", _merged(MergedAttribute.ADDRESS)),
    "idNumber": gated("Customer.idNumber", "party.id_no"),
    "birthDate": Gated("Customer.birthDate", lambda c, _run: c.party.birth_date.isoformat()),
    "email": Gated("Customer.email", lambda c, _run: c.profile.email if c.profile else None),
    "totalAssets": Gated("Customer.totalAssets", _assets, needs=_asset_needs, reference=True),
    "totalAssetsBand": Band(
        "Customer.totalAssetsBand", _assets, lambda _c: "CNY", needs=_asset_needs, reference=True
    ),
    "tier": Plain(lambda c, run: tier_of(_assets(c, run)), needs=_asset_needs, reference=True),
    "requiredRmGrade": Plain(
        lambda c, run: required_grade(tier_of(_assets(c, run))), needs=_asset_needs, reference=True
    ),
    "provenance": Related(lambda c, _run, _args: provenance_of(c.merged)),
    "openingBranch": Related(
        lambda c, run, _args: branch_of(c.party.open_branch, run), reference=True
    ),
    "assignedBranch": Related(_assigned_branch, needs=_assignment_needs, reference=True),
    "relationshipManager": Related(_rm, needs=_assignment_needs, reference=True),
    "accounts": replace(
        _rows_of(lambda sources: sources.core.accounts_by_customer), prefetch=_accounts_with_pages
    ),
    "holdings": _HOLDINGS,
    "transactions": Related(_transactions, needs=_transaction_needs),
}

ATTRIBUTE_SOURCE: Table = {
    "attribute": column("attribute"),
    "source": column("source"),
    "updatedAt": column("updated_at"),
    "rule": column("rule"),
}


# The customer fields that read the customers' holdings (the list and what it feeds).
_HOLDINGS_LABELS = frozenset(
    f"Customer.{name}"
    for name, spec in CUSTOMER.items()
    if spec is _HOLDINGS or getattr(spec, "needs", None) is _asset_needs
)


async def customers_in_scope(
    run: Run, numbers: Sequence[str], selection: Selection | None = None
) -> list[CustomerRecord | None]:
    """The merged customers with these numbers, None where outside the caller's scope or
    unknown to the core system; the scope, the party and the profile read concurrently
    (``selection``: the customers', to read with the parties what it will need)."""
    sources, scope = run.sources, run.ctx.scope
    needs = [_party_need(run, numbers, selection), Need(sources.crm.profiles, numbers)]
    if scope.needs_assignments:
        needs.append(Need(sources.crm.assignments, numbers))
    if selection is not None and any(f.label in _HOLDINGS_LABELS for f in selection.fields):
        # Keyed by the customer numbers alone, the holdings need not wait for the level
        # below: read beside the scope, one round trip sooner, released only for the admitted.
        needs.append(Need(sources.wealth.holdings_by_customer, numbers))
    await run.memo.load(needs)
    memo = run.memo
    assignments = (
        [memo.get(sources.crm.assignments, n) for n in numbers] if scope.needs_assignments else []
    )
    admitted = scope.admit_assigned(numbers, assignments)
    found: list[CustomerRecord | None] = []
    for number, ok in zip(numbers, admitted, strict=True):
        party = memo.get(sources.core.parties, number)
        profile = memo.get(sources.crm.profiles, number)
        found.append(CustomerRecord(party, profile) if ok and party is not None else None)
    return found


async def customer_by_id(run: Run, args: dict[str, Any], selection: Selection | None) -> Any:
    """``customer(id:)``: the customer in scope with a global id, or None."""
    _type, cust_no = parse_global_id(args["id"], "Customer")
    [customer] = await customers_in_scope(run, [str(cust_no)], selection)
    return customer


async def _count(chosen: CustomerSelection, run: Run) -> Any:
    try:
        return await chosen.count(run.ctx)
    except Exception as error:
        return Failed(error)


def _customer_filter(given: dict[str, Any] | None) -> CustomerFilter | None:
    if given is None:
        return None
    return CustomerFilter(
        branch=given.get("branch"),
        relationship_manager=given.get("relationshipManager"),
        tier=given.get("tier"),
    )


async def customers_page(run: Run, args: dict[str, Any], selection: Selection | None) -> Page:
    """``customers(first:, after:, filter:)``: a page of the customers in scope, with their
    total count when the selection asks for it."""
    ctx = run.ctx
    first, after = args["first"], args["after"]
    check_first(first, ctx.settings.max_page_size)
    after_key = parse_key_cursor(after) if after else None
    scope = ctx.scope
    chosen = CustomerSelection.parse(_customer_filter(args["filter"]), scope.branch_limit)
    if scope.reaches_nobody:
        chosen = CustomerSelection(None, None, None, empty=True)
    numbers = await chosen.customer_numbers(ctx, after_key, first + 1)
    total = None
    nodes = selection.field("nodes") if selection is not None else None
    customer = nodes.selection if isinstance(nodes, Children) else None
    if selection is not None and selection.selects("totalCount"):
        found, total = await asyncio.gather(
            customers_in_scope(run, numbers, customer), _count(chosen, run)
        )
    else:
        found = await customers_in_scope(run, numbers, customer)
    customers = [c for c in found if c is not None]
    return Page(customers, first, _cursor, after_given=after is not None, total=total)


def _cursor(customer: CustomerRecord) -> str:
    return key_cursor(customer.cust_no)


def _total(page: Page, _run: Run) -> Any:
    if type(page.total) is Failed:
        raise page.total.error
    return page.total


async def all_branches(run: Run, _args: dict[str, Any], _selection: Selection | None) -> Any:
    """``branches``: every branch, by code."""
    branches = (await run.ctx.reference_data()).branches
    return [branches[code] for code in sorted(branches)]


CUSTOMER_CONNECTION_EXTRA: Table = {"totalCount": Plain(_total)}
