"""updateProfile: change what the CRM knows of a customer, against the version last read."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import strawberry

from gateway.context import Info
from resolvers.customer import Customer
from resolvers.enums import ProductType
from resolvers.mutations.errors import MutationError, check_text, problem
from resolvers.mutations.flow import (
    Code,
    Payload,
    WriteSpec,
    bank_now,
    customer,
    parse_id,
    perform,
)
from resolvers.mutations.idempotency import KEY_DESCRIPTION
from resolvers.relationship import CustomerProfile
from sources.crm import tables as t
from sources.crm.writes import CrmTransaction

SPEC = WriteSpec("updateProfile", t.profile, "customer")
UNSET: Any = strawberry.UNSET

# The CRM's codes for the banded attributes.
INCOME_BANDS = ("UNDER_100K", "100K_TO_300K", "300K_TO_1M", "1M_TO_5M", "OVER_5M")
EDUCATION = ("HIGH_SCHOOL", "ASSOCIATE", "BACHELOR", "MASTER", "DOCTORATE")
MARITAL_STATUS = ("SINGLE", "MARRIED", "DIVORCED", "WIDOWED")
CODED = (
    ("incomeBand", "income_band", INCOME_BANDS),
    ("education", "education", EDUCATION),
    ("maritalStatus", "marital_status", MARITAL_STATUS),
)
# Free text: input field, column, longest value.
TEXTS = (
    ("occupation", "occupation", 40),
    ("employer", "employer", 100),
    ("hobbies", "hobbies", 200),
    ("lifeExperiences", "life_experiences", 2000),
    ("businessScale", "business_scale", 40),
    ("potentialNeeds", "potential_needs", 200),
    ("email", "email", 100),
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LEAVE = "Leave it out to keep the current value; null clears it."


def _text(description: str) -> Any:
    return strawberry.field(default=UNSET, description=f"{description} {LEAVE}")


@strawberry.input(
    description="Changes to a customer's CRM profile: only the fields given are changed."
)
class UpdateProfileInput:
    customer: strawberry.ID = strawberry.field(description="Global id of the customer.")
    expected_version: int = strawberry.field(
        description="The profile's version as last read (CustomerProfile.version); a profile "
        "changed since is not overwritten (VERSION_CONFLICT)."
    )
    idempotency_key: str = strawberry.field(description=KEY_DESCRIPTION)
    occupation: str | None = _text("Occupation, at most 40 characters.")
    employer: str | None = _text("Employer, at most 100 characters.")
    income_band: str | None = _text(f"Annual income band: one of {', '.join(INCOME_BANDS)}.")
    education: str | None = _text(f"Highest education: one of {', '.join(EDUCATION)}.")
    marital_status: str | None = _text(f"Marital status: one of {', '.join(MARITAL_STATUS)}.")
    wedding_anniversary: date | None = _text("Wedding day (not in the future), for key care.")
    hobbies: str | None = _text("Hobbies, comma-separated, at most 200 characters.")
    product_preferences: list[ProductType] | None = _text("Product types the customer prefers.")
    life_experiences: str | None = _text("Life experiences shared, at most 2000 characters.")
    business_scale: str | None = _text("Scale of the customer's business, at most 40 characters.")
    potential_needs: str | None = _text("Needs spotted, at most 200 characters.")
    email: str | None = _text("E-mail address, at most 100 characters.")
    marketing_consent: bool | None = strawberry.field(
        default=UNSET,
        description="Whether the customer agrees to marketing contact. Leave it out to keep "
        "the current answer; it cannot be cleared.",
    )


@strawberry.type(description="The answer to updateProfile.")
class UpdateProfilePayload(Payload):
    profile: CustomerProfile | None = strawberry.field(
        description="The profile as written, with its new version; null when refused."
    )
    customer: Customer | None = strawberry.field(
        description="The customer with the profile as written (e.g. for the e-mail address); "
        "null when refused."
    )


def changes(data: UpdateProfileInput, today: date, errors: list[MutationError]) -> dict[str, Any]:
    """The columns to write, checking each given field."""
    values: dict[str, Any] = {}
    for name, column, limit in TEXTS:
        given = getattr(data, column)
        if given is not UNSET:
            values[column] = check_text(name, given, limit, errors)
    email = values.get("email")
    if email and not EMAIL.match(email):
        errors.append(problem("email", Code.INVALID_VALUE, "Not an e-mail address."))
    for name, column, allowed in CODED:
        given = getattr(data, column)
        if given is UNSET:
            continue
        values[column] = given or None
        if given and given not in allowed:
            errors.append(
                problem(name, Code.INVALID_VALUE, f"{name} is one of {', '.join(allowed)}.")
            )
    anniversary = data.wedding_anniversary
    if anniversary is not UNSET:
        values["wedding_anniversary"] = anniversary
        if anniversary is not None and anniversary > today:
            errors.append(
                problem("weddingAnniversary", Code.INVALID_VALUE, "It cannot be in the future.")
            )
    if data.product_preferences is not UNSET:
        chosen = dict.fromkeys(p.value for p in data.product_preferences or [])
        values["product_preferences"] = ",".join(chosen) or None
    if data.marketing_consent is not UNSET:
        values["marketing_consent"] = data.marketing_consent
        if data.marketing_consent is None:
            errors.append(
                problem("marketingConsent", Code.INVALID_VALUE, "Consent is true or false.")
            )
    if not values:
        errors.append(problem(None, Code.REQUIRED, "Give at least one profile field to change."))
    return values


async def update_profile(info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
    """Change profile fields if the profile is still at the version the caller read."""
    errors: list[MutationError] = []
    cust_no = parse_id(input.customer, "Customer", "customer", errors)
    values = changes(input, info.context.today, errors)

    async def write(tx: CrmTransaction, number: str) -> object:
        return await tx.update_versioned(
            t.profile,
            "cust_no",
            number,
            input.expected_version,
            {**values, "updated_at": bank_now()},
        )

    outcome = await perform(info, SPEC, input, errors, customer(info, cust_no), write)
    if outcome.row is None:
        return outcome.payload(UpdateProfilePayload, profile=None, customer=None)  # type: ignore[no-any-return]
    ctx = info.context
    party = await ctx.loaders.one(ctx.sources.core.parties, outcome.row.cust_no)
    return outcome.payload(  # type: ignore[no-any-return]
        UpdateProfilePayload,
        profile=CustomerProfile.from_row(outcome.row),
        customer=Customer.from_rows(party, outcome.row),
    )
