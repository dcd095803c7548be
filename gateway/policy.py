"""The disclosure policy: for every field that carries customer data, who sees what.

Read top to bottom: each field's class and category; which purposes each role may declare;
what each role sees of each category, by its relation to the customer; what each purpose
takes away; who may write what to the CRM (``WRITES``). A purpose only ever narrows. Nothing
here knows about GraphQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gateway.auth import Role
from gateway.masks import MaskedForm as M


class Sensitivity(StrEnum):
    """Personal financial information classes after JR/T 0171-2020."""

    C1 = "C1"  # internal, low sensitivity
    C2 = "C2"  # identifies the person or the account, or shows their finances
    C3 = "C3"  # authentication data: never leaves the gateway


class Category(StrEnum):
    """Kinds of customer data the matrix speaks of."""

    ACCOUNT_NUMBER = "ACCOUNT_NUMBER"
    ID_NUMBER = "ID_NUMBER"
    MOBILE = "MOBILE"
    NAME = "NAME"
    ADDRESS = "ADDRESS"
    EMAIL = "EMAIL"
    BIRTH_DATE = "BIRTH_DATE"
    AMOUNT = "AMOUNT"  # balances, holdings, transaction amounts, total assets
    TRANSACTION_DETAIL = "TRANSACTION_DETAIL"  # counterparties
    PROFILE = "PROFILE"  # employer, income, family, life events
    CONTACT_NOTES = "CONTACT_NOTES"  # what was said in a contact
    COMPLAINT_NOTES = "COMPLAINT_NOTES"
    AUTHENTICATION = "AUTHENTICATION"  # C3: PINs, CVV, card expiry, OTPs


class Purpose(StrEnum):
    """Why a request reads customer data (header X-Access-Purpose)."""

    CUSTOMER_SERVICE = "CUSTOMER_SERVICE"
    RELATIONSHIP_REVIEW = "RELATIONSHIP_REVIEW"
    COMPLAINT_HANDLING = "COMPLAINT_HANDLING"
    MARKETING = "MARKETING"
    AUDIT = "AUDIT"
    RISK_CONTROL = "RISK_CONTROL"


class Ownership(StrEnum):
    """The caller's relation to the customer a value belongs to."""

    OWN = "OWN"  # the RM's own book
    BRANCH = "BRANCH"  # a customer of the caller's branch
    ANY = "ANY"  # roles that serve every customer


class Treatment(StrEnum):
    """How a value leaves the gateway, from least to most restrictive."""

    CLEAR = "CLEAR"
    MASKED = "MASKED"
    BANDED = "BANDED"
    WITHHELD = "WITHHELD"


@dataclass(frozen=True)
class Rule:
    treatment: Treatment
    form: str | None = None
    reason: str | None = None


CLEAR = Rule(Treatment.CLEAR)
BAND = Rule(Treatment.BANDED, form="AMOUNT_BAND")


def masked(form: M) -> Rule:
    return Rule(Treatment.MASKED, form=form.value)


def withheld(reason: str) -> Rule:
    return Rule(Treatment.WITHHELD, reason=reason)


C = Category
FIELDS: dict[str, tuple[Sensitivity, Category]] = {
    "Customer.name": (Sensitivity.C2, C.NAME),
    "Customer.mobile": (Sensitivity.C2, C.MOBILE),
    "Customer.address": (Sensitivity.C2, C.ADDRESS),
    "Customer.idNumber": (Sensitivity.C2, C.ID_NUMBER),
    "Customer.birthDate": (Sensitivity.C2, C.BIRTH_DATE),
    "Customer.email": (Sensitivity.C2, C.EMAIL),
    "Customer.totalAssets": (Sensitivity.C2, C.AMOUNT),
    "TierChange.assetsThen": (Sensitivity.C2, C.AMOUNT),
    "Account.accountNumber": (Sensitivity.C2, C.ACCOUNT_NUMBER),
    "Account.cardNumber": (Sensitivity.C2, C.ACCOUNT_NUMBER),
    "Account.cardExpiry": (Sensitivity.C3, C.AUTHENTICATION),
    "Account.balance": (Sensitivity.C2, C.AMOUNT),
    "Transaction.amount": (Sensitivity.C2, C.AMOUNT),
    "Transaction.counterparty": (Sensitivity.C2, C.TRANSACTION_DETAIL),
    "Holding.units": (Sensitivity.C2, C.AMOUNT),
    "Holding.costAmount": (Sensitivity.C2, C.AMOUNT),
    "Holding.marketValue": (Sensitivity.C2, C.AMOUNT),
    "Holding.marketValueCny": (Sensitivity.C2, C.AMOUNT),
    "CustomerProfile.employer": (Sensitivity.C2, C.PROFILE),
    "CustomerProfile.incomeBand": (Sensitivity.C2, C.PROFILE),
    "CustomerProfile.weddingAnniversary": (Sensitivity.C2, C.PROFILE),
    "CustomerProfile.lifeExperiences": (Sensitivity.C2, C.PROFILE),
    "CustomerProfile.businessScale": (Sensitivity.C2, C.PROFILE),
    "FamilyMember.name": (Sensitivity.C2, C.PROFILE),
    "FamilyMember.birthDate": (Sensitivity.C2, C.PROFILE),
    "Interaction.summary": (Sensitivity.C2, C.CONTACT_NOTES),
    "Complaint.summary": (Sensitivity.C2, C.COMPLAINT_NOTES),
}

# Fields that show an amount as a band: shown wherever the amount is clear or banded.
BANDS: dict[str, str] = {
    "Customer.totalAssetsBand": "Customer.totalAssets",
    "Account.balanceBand": "Account.balance",
    "Transaction.amountBand": "Transaction.amount",
    "Holding.marketValueBand": "Holding.marketValueCny",
}

PURPOSES: dict[Role, frozenset[Purpose]] = {
    Role.RELATIONSHIP_MANAGER: frozenset(
        {
            Purpose.RELATIONSHIP_REVIEW,
            Purpose.CUSTOMER_SERVICE,
            Purpose.COMPLAINT_HANDLING,
            Purpose.MARKETING,
        }
    ),
    Role.BRANCH_MANAGER: frozenset(
        {Purpose.RELATIONSHIP_REVIEW, Purpose.COMPLAINT_HANDLING, Purpose.RISK_CONTROL}
    ),
    Role.CALL_CENTRE_AGENT: frozenset({Purpose.CUSTOMER_SERVICE, Purpose.COMPLAINT_HANDLING}),
    Role.COMPLIANCE_OFFICER: frozenset(
        {Purpose.AUDIT, Purpose.COMPLAINT_HANDLING, Purpose.RISK_CONTROL}
    ),
    Role.MARKETING_ANALYST: frozenset({Purpose.MARKETING}),
    Role.SERVICE: frozenset({Purpose.CUSTOMER_SERVICE, Purpose.RISK_CONTROL}),
}

NOT_NEEDED = "not needed for this role's work"
FRONT_LINE = {  # what a front-line role sees of a customer who is not its own
    C.ACCOUNT_NUMBER: masked(M.CARD_FIRST6_LAST4),
    C.ID_NUMBER: masked(M.ID_FIRST1_LAST1),
    C.MOBILE: masked(M.MOBILE_FIRST3_LAST4),
    C.NAME: masked(M.NAME_SURNAME),
    C.ADDRESS: masked(M.ADDRESS_DISTRICT),
    C.EMAIL: masked(M.EMAIL_FIRST_CHAR),
    C.BIRTH_DATE: masked(M.BIRTH_MONTH_DAY),
    C.AMOUNT: BAND,
    C.TRANSACTION_DETAIL: withheld(NOT_NEEDED),
    C.PROFILE: withheld(NOT_NEEDED),
    C.CONTACT_NOTES: withheld(NOT_NEEDED),
    C.COMPLAINT_NOTES: withheld(NOT_NEEDED),
}
ALL_CLEAR = {category: CLEAR for category in FRONT_LINE}

MATRIX: dict[tuple[Role, Ownership], dict[Category, Rule]] = {
    (Role.RELATIONSHIP_MANAGER, Ownership.OWN): ALL_CLEAR
    | {
        C.ACCOUNT_NUMBER: masked(M.CARD_FIRST6_LAST4),
        C.ID_NUMBER: masked(M.ID_FIRST6_LAST4),
    },
    (Role.RELATIONSHIP_MANAGER, Ownership.BRANCH): FRONT_LINE,
    (Role.BRANCH_MANAGER, Ownership.BRANCH): ALL_CLEAR
    | {
        C.ACCOUNT_NUMBER: masked(M.CARD_FIRST6_LAST4),
        C.ID_NUMBER: masked(M.ID_FIRST6_LAST4),
        C.MOBILE: masked(M.MOBILE_FIRST3_LAST4),
        C.ADDRESS: masked(M.ADDRESS_DISTRICT),
        C.EMAIL: masked(M.EMAIL_FIRST_CHAR),
    },
    (Role.CALL_CENTRE_AGENT, Ownership.ANY): FRONT_LINE | {C.COMPLAINT_NOTES: CLEAR},
    (Role.COMPLIANCE_OFFICER, Ownership.ANY): ALL_CLEAR,
    # SERVICE clients: each category needs the scope SCOPES names, else it is withheld.
    (Role.SERVICE, Ownership.ANY): ALL_CLEAR
    | {
        C.ACCOUNT_NUMBER: masked(M.CARD_FIRST6_LAST4),
        C.ID_NUMBER: masked(M.ID_FIRST6_LAST4),
    },
}
# Marketing analysts reach no individual customer (row scoping), so they have no entry.

SCOPES: dict[Category, str] = {
    C.NAME: "customer:identity",
    C.ID_NUMBER: "customer:identity",
    C.BIRTH_DATE: "customer:identity",
    C.MOBILE: "customer:contact",
    C.ADDRESS: "customer:contact",
    C.EMAIL: "customer:contact",
    C.ACCOUNT_NUMBER: "customer:finance",
    C.AMOUNT: "customer:finance",
    C.TRANSACTION_DETAIL: "customer:finance",
    C.PROFILE: "customer:relationship",
    C.CONTACT_NOTES: "customer:relationship",
    C.COMPLAINT_NOTES: "customer:relationship",
}

PURPOSE_LIMITS: dict[Purpose, dict[Category, Rule]] = {
    Purpose.CUSTOMER_SERVICE: {C.PROFILE: withheld("not needed for customer service")},
    Purpose.COMPLAINT_HANDLING: {C.PROFILE: withheld("not needed for complaint handling")},
    Purpose.MARKETING: {
        C.ID_NUMBER: withheld("not needed for marketing"),
        C.ACCOUNT_NUMBER: withheld("not needed for marketing"),
        C.TRANSACTION_DETAIL: withheld("not needed for marketing"),
        C.COMPLAINT_NOTES: withheld("not needed for marketing"),
    },
    Purpose.RISK_CONTROL: {
        C.PROFILE: withheld("not needed for risk control"),
        C.CONTACT_NOTES: withheld("not needed for risk control"),
    },
    Purpose.RELATIONSHIP_REVIEW: {},
    Purpose.AUDIT: {},
}

# Writes to the CRM: who may make each one, to which customers (by relation) and for which
# purposes. Anything not listed is refused; compliance, marketing and service clients write
# nothing. A profile is written only for relationship review: the purposes that may not read
# it may not write it either.
P = Purpose
RM_OWN = (Role.RELATIONSHIP_MANAGER, Ownership.OWN)
BRANCH_MGR = (Role.BRANCH_MANAGER, Ownership.BRANCH)
AGENT = (Role.CALL_CENTRE_AGENT, Ownership.ANY)
WRITES: dict[str, dict[tuple[Role, Ownership], frozenset[Purpose]]] = {
    "recordContact": {
        RM_OWN: frozenset({P.RELATIONSHIP_REVIEW, P.CUSTOMER_SERVICE}),
        AGENT: frozenset({P.CUSTOMER_SERVICE, P.COMPLAINT_HANDLING}),
    },
    "updateProfile": {RM_OWN: frozenset({P.RELATIONSHIP_REVIEW})},
    "openComplaint": {
        RM_OWN: frozenset({P.CUSTOMER_SERVICE, P.COMPLAINT_HANDLING}),
        BRANCH_MGR: frozenset({P.COMPLAINT_HANDLING}),
        AGENT: frozenset({P.CUSTOMER_SERVICE, P.COMPLAINT_HANDLING}),
    },
    "resolveComplaint": {
        RM_OWN: frozenset({P.COMPLAINT_HANDLING}),
        BRANCH_MGR: frozenset({P.COMPLAINT_HANDLING}),
        AGENT: frozenset({P.COMPLAINT_HANDLING}),
    },
    "reassignCustomer": {BRANCH_MGR: frozenset({P.RELATIONSHIP_REVIEW})},
}

NEVER = withheld("authentication data (C3) never leaves the gateway")
OUT_OF_SCOPE = withheld("the customer is outside the caller's scope")
_ORDER = list(Treatment)


def decide(
    field: str,
    role: Role,
    ownership: Ownership | None,
    purpose: Purpose,
    scopes: frozenset[str] = frozenset(),
) -> Rule:
    """How ``field`` of a customer may leave the gateway for this caller and purpose."""
    sensitivity, category = FIELDS[field]
    if sensitivity is Sensitivity.C3:
        return NEVER
    if ownership is None or (role, ownership) not in MATRIX:
        return OUT_OF_SCOPE
    rule = MATRIX[(role, ownership)].get(category, OUT_OF_SCOPE)
    if role is Role.SERVICE and SCOPES.get(category) not in scopes:
        return withheld(f"requires scope {SCOPES.get(category)}")
    limit = PURPOSE_LIMITS[purpose].get(category)
    if limit is not None and _ORDER.index(limit.treatment) > _ORDER.index(rule.treatment):
        return limit
    return rule


def allowed_purposes(role: Role) -> frozenset[Purpose]:
    """The purposes a role may declare."""
    return PURPOSES[role]


def may_write(
    mutation: str, role: Role, purpose: Purpose, ownership: Ownership | None = None
) -> bool:
    """Whether a role may make a write for a purpose: to a customer of this relation, or
    (``ownership`` None) to any customer at all."""
    grants = WRITES[mutation]
    if ownership is None:
        return any(r is role and purpose in p for (r, _o), p in grants.items())
    return purpose in grants.get((role, ownership), frozenset())
