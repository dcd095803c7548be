"""The whole policy, walked through real GraphQL requests on the demo bank.

For every role, relation to the customer (own, same branch, any) and allowed purpose, one
request reads every customer-data field of a customer; each returned value is compared with
the value the test computes from the raw database row under the policy's treatment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.auth import Role
from gateway.masks import amount_band, mask
from gateway.policy import BANDS, FIELDS, PURPOSES, Ownership, Purpose, Rule, Treatment, decide
from resolvers.ids import global_id
from tests.conftest import Bank, caller_headers, client_for
from tests.expected import RawBank

EVERY_FIELD = """
query ($id: ID!, $today: Date!) { customer(id: $id) {
  name mobile address idNumber birthDate email totalAssets totalAssetsBand
  tierChange(since: $today) { assetsThen }
  accounts { id accountNumber cardNumber balance balanceBand
    transactions(first: 100) { nodes { id amount amountBand counterparty } } }
  holdings { id units costAmount marketValue marketValueCny marketValueBand }
  profile { employer incomeBand weddingAnniversary lifeExperiences businessScale }
  familyMembers { name birthDate }
  interactions(first: 100) { nodes { id summary } }
  complaints { id summary }
} }
"""
ALL_SCOPES = "customer:identity customer:contact customer:finance customer:relationship"


@dataclass(frozen=True)
class Case:
    role: Role
    ownership: Ownership
    purpose: Purpose
    scopes: str = ""

    @property
    def label(self) -> str:
        scoped = f" scopes={self.scopes or '-'}" if self.role is Role.SERVICE else ""
        return f"{self.role.value}/{self.ownership.value}/{self.purpose.value}{scoped}"


def reachable_cases() -> list[Case]:
    cases = []
    for role, ownerships in (
        (Role.RELATIONSHIP_MANAGER, (Ownership.OWN, Ownership.BRANCH)),
        (Role.BRANCH_MANAGER, (Ownership.BRANCH,)),
        (Role.CALL_CENTRE_AGENT, (Ownership.ANY,)),
        (Role.COMPLIANCE_OFFICER, (Ownership.ANY,)),
        (Role.SERVICE, (Ownership.ANY,)),
    ):
        for ownership in ownerships:
            for purpose in sorted(PURPOSES[role]):
                if role is Role.SERVICE:
                    cases.append(Case(role, ownership, purpose, "customer:contact"))
                    cases.append(Case(role, ownership, purpose, ALL_SCOPES))
                else:
                    cases.append(Case(role, ownership, purpose))
    return cases


@dataclass
class Cast:
    """An RM, their branch, and a well-documented customer for each relation to them."""

    rm_id: str
    branch: str
    own: str
    same_branch: str
    other_branch: str


def pick_cast(raw: RawBank) -> Cast:
    rich = (
        {t.cust_no for t in raw.transactions}
        & {h.cust_no for h in raw.holdings}
        & {c.cust_no for c in raw.contacts}
        & {c.cust_no for c in raw.complaints}
        & {f.cust_no for f in raw.family}
    )
    for cust_no in sorted(rich):
        a = raw.assignments[cust_no]
        same = sorted(
            c
            for c in rich
            if raw.assignments[c].branch_code == a.branch_code
            and raw.assignments[c].rm_id != a.rm_id
        )
        other = sorted(c for c in rich if raw.assignments[c].branch_code != a.branch_code)
        if same and other:
            return Cast(a.rm_id, a.branch_code, cust_no, same[0], other[0])
    raise AssertionError("the demo bank has no customers rich enough for the walk")


def headers_for(case: Case, cast: Cast) -> dict[str, str]:
    claims: dict[str, Any] = {}
    if case.role is Role.RELATIONSHIP_MANAGER:
        claims = {"branch": cast.branch, "rm_id": cast.rm_id}
    elif case.role is Role.BRANCH_MANAGER:
        claims = {"branch": cast.branch}
    elif case.role is Role.SERVICE:
        claims = {"scopes": case.scopes.split()}
    return caller_headers(case.role.value, case.purpose.value, **claims)


def expected(rule: Rule, raw: Any) -> Any:
    """The value a field should carry under a rule, from the raw stored value."""
    if raw is None or raw == "":
        return raw
    if rule.treatment is Treatment.CLEAR:
        return raw
    if rule.treatment is Treatment.MASKED:
        return mask(rule.form or "", raw if isinstance(raw, str) else raw.isoformat())
    return None


def expected_band(rule: Rule, amount: Decimal | None, currency: str) -> str | None:
    if amount is None or rule.treatment not in (Treatment.CLEAR, Treatment.BANDED):
        return None
    return amount_band(amount, currency)


class Walk:
    """Compares one response against the raw rows, field by field, counting cases."""

    def __init__(self, case: Case, raw: RawBank) -> None:
        self.case, self.raw = case, raw
        self.checked: set[str] = set()

    def rule(self, field: str) -> Rule:
        return decide(
            field,
            self.case.role,
            self.case.ownership,
            self.case.purpose,
            frozenset(self.case.scopes.split()),
        )

    def same(self, field: str, got: Any, raw: Any, *, parse: Callable[[Any], Any] = str) -> None:
        want = expected(self.rule(field), raw)
        got_value = None if got is None else parse(got)
        want_value = None if want is None else parse(want)
        assert got_value == want_value, (self.case.label, field, got, want)
        self.checked.add(field)

    def band(self, band_field: str, got: Any, amount: Any, currency: str) -> None:
        rule = self.rule(BANDS[band_field])
        want = expected_band(rule, None if amount is None else Decimal(amount), currency)
        assert got == want, (self.case.label, band_field, got, want)
        self.checked.add(band_field)


def check_customer(walk: Walk, cust_no: str, customer: dict[str, Any]) -> None:
    raw = walk.raw
    party, profile = raw.parties[cust_no], raw.profiles[cust_no]
    walk.same("Customer.name", customer["name"], party.legal_name)
    walk.same("Customer.mobile", customer["mobile"], raw.merged(cust_no, "mobile"))
    walk.same("Customer.address", customer["address"], raw.merged(cust_no, "address"))
    walk.same("Customer.idNumber", customer["idNumber"], party.id_no)
    walk.same("Customer.birthDate", customer["birthDate"], party.birth_date.isoformat())
    walk.same("Customer.email", customer["email"], profile.email)
    total = raw.total_assets().get(cust_no, Decimal("0.00"))
    walk.same("Customer.totalAssets", customer["totalAssets"], total, parse=Decimal)
    walk.band("Customer.totalAssetsBand", customer["totalAssetsBand"], total, "CNY")
    # Compared with today itself, the assets then are today's.
    then = customer["tierChange"]["assetsThen"]
    walk.same("TierChange.assetsThen", then, total, parse=Decimal)

    accounts = {global_id("Account", a.acct_id): a for a in raw.accounts if a.cust_no == cust_no}
    txns = {global_id("Transaction", t.txn_id): t for t in raw.transactions}
    for account in customer["accounts"]:
        row = accounts[account["id"]]
        walk.same("Account.accountNumber", account["accountNumber"], row.acct_no)
        walk.same("Account.cardNumber", account["cardNumber"], row.card_no)
        walk.same("Account.balance", account["balance"], row.balance, parse=Decimal)
        walk.band("Account.balanceBand", account["balanceBand"], row.balance, row.currency)
        for txn in account["transactions"]["nodes"]:
            t = txns[txn["id"]]
            walk.same("Transaction.amount", txn["amount"], t.amount, parse=Decimal)
            walk.band("Transaction.amountBand", txn["amountBand"], t.amount, t.currency)
            walk.same("Transaction.counterparty", txn["counterparty"], t.counterparty)
    assert len(customer["accounts"]) == len(accounts)

    holdings = {global_id("Holding", h.holding_id): h for h in raw.holdings}
    for holding in customer["holdings"]:
        h = holdings[holding["id"]]
        walk.same("Holding.units", holding["units"], h.units, parse=Decimal)
        walk.same("Holding.costAmount", holding["costAmount"], h.cost_amount, parse=Decimal)
        walk.same("Holding.marketValue", holding["marketValue"], raw.market_value(h), parse=Decimal)
        walk.same(
            "Holding.marketValueCny",
            holding["marketValueCny"],
            raw.market_value_cny(h),
            parse=Decimal,
        )
        walk.band(
            "Holding.marketValueBand", holding["marketValueBand"], raw.market_value_cny(h), "CNY"
        )

    p = customer["profile"]
    walk.same("CustomerProfile.employer", p["employer"], profile.employer)
    walk.same("CustomerProfile.incomeBand", p["incomeBand"], profile.income_band)
    walk.same(
        "CustomerProfile.weddingAnniversary",
        p["weddingAnniversary"],
        profile.wedding_anniversary.isoformat() if profile.wedding_anniversary else None,
    )
    walk.same("CustomerProfile.lifeExperiences", p["lifeExperiences"], profile.life_experiences)
    walk.same("CustomerProfile.businessScale", p["businessScale"], profile.business_scale)

    family = sorted((f for f in raw.family if f.cust_no == cust_no), key=lambda f: f.member_id)
    assert len(customer["familyMembers"]) == len(family)
    for member, f in zip(customer["familyMembers"], family, strict=True):
        walk.same("FamilyMember.name", member["name"], f.name)
        walk.same(
            "FamilyMember.birthDate",
            member["birthDate"],
            f.birth_date.isoformat() if f.birth_date else None,
        )

    contacts = {global_id("Interaction", c.contact_id): c for c in raw.contacts}
    for node in customer["interactions"]["nodes"]:
        walk.same("Interaction.summary", node["summary"], contacts[node["id"]].summary)
    complaints = {global_id("Complaint", c.complaint_id): c for c in raw.complaints}
    for node in customer["complaints"]:
        walk.same("Complaint.summary", node["summary"], complaints[node["id"]].summary)


async def test_every_role_relation_and_purpose_sees_each_field_as_the_policy_says(
    app: Any, bank: Bank, raw: RawBank
) -> None:
    cast = pick_cast(raw)
    customer_for = {
        Ownership.OWN: cast.own,
        Ownership.BRANCH: cast.same_branch,
        Ownership.ANY: cast.other_branch,
    }
    walked = 0
    for case in reachable_cases():
        cust_no = customer_for[case.ownership]
        async with client_for(app, headers_for(case, cast)) as client:
            body = await client.post(
                EVERY_FIELD,
                {"id": global_id("Customer", cust_no), "today": bank.as_of.isoformat()},
            )
        assert "errors" not in body, (case.label, body.get("errors"))
        walk = Walk(case, raw)
        check_customer(walk, cust_no, body["data"]["customer"])
        assert walk.checked == set(FIELDS) - {"Account.cardExpiry"} | set(BANDS), case.label
        walked += len(walk.checked)
    # 20 reachable role/relation/purpose cases x 30 fields.
    assert walked == len(reachable_cases()) * 30 == 600


async def test_customers_outside_the_scope_are_absent_from_every_entry_point(
    app: Any, raw: RawBank
) -> None:
    cast = pick_cast(raw)
    account = next(a for a in raw.accounts if a.cust_no == cast.other_branch)
    outsiders = [
        (Role.RELATIONSHIP_MANAGER, {"branch": cast.branch, "rm_id": cast.rm_id}),
        (Role.BRANCH_MANAGER, {"branch": cast.branch}),
        (Role.MARKETING_ANALYST, {}),
    ]
    for role, claims in outsiders:
        for purpose in sorted(PURPOSES[role]):
            headers = caller_headers(role.value, purpose.value, **claims)
            async with client_for(app, headers) as client:
                data = await client.data(
                    "query ($c: ID!, $a: ID!) { customer(id: $c) { name } node(id: $a) { id } }",
                    {
                        "c": global_id("Customer", cast.other_branch),
                        "a": global_id("Account", account.acct_id),
                    },
                )
                assert data == {"customer": None, "node": None}, (role, purpose)
                listed = await client.data(
                    "{ customers(first: 100) { totalCount nodes { customerNumber } } }"
                )
                numbers = {n["customerNumber"] for n in listed["customers"]["nodes"]}
                assert cast.other_branch not in numbers
                in_branch = {c for c, a in raw.assignments.items() if a.branch_code == cast.branch}
                want = set() if role is Role.MARKETING_ANALYST else in_branch
                assert listed["customers"]["totalCount"] == len(want)
                assert numbers <= want
