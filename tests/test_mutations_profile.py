"""updateProfile: only the fields given change, only at the version read, only by the RM."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from sources.crm import tables as crm
from tests.raw import rows
from tests.test_mutations_bank import (
    ABSENT,
    COLLEAGUES,
    MASS,
    OTHER_BRANCH,
    PLATINUM,
    World,
    codes,
    customer_id,
    key,
    mutate,
    world,
)

__all__ = ["world"]

UPDATE = """
mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) {
  errors { field code message currentVersion } replayed
  profile { version occupation employer incomeBand productPreferences marketingConsent
            weddingAnniversary hobbies }
  customer { customerNumber email idNumber }
} }
"""


async def profile_row(world: World, cust_no: str) -> Any:
    [row] = await rows(world.sources, crm.profile, crm.profile.c.cust_no == cust_no)
    return row


async def test_an_rm_updates_the_fields_given_and_only_those(world: World) -> None:
    before = await profile_row(world, PLATINUM)
    async with world.rm() as rm:
        payload = await mutate(
            rm,
            UPDATE,
            customer=customer_id(PLATINUM),
            expectedVersion=before.version,
            idempotencyKey=key(),
            occupation=" 企业主 ",
            employer="多多贸易有限公司",
            incomeBand="1M_TO_5M",
            productPreferences=["BOND", "WEALTH", "BOND"],
            weddingAnniversary="2012-10-01",
            email="qian@example.cn",
            marketingConsent=True,
        )
    after = await profile_row(world, PLATINUM)
    assert payload["errors"] == []
    assert after.version == before.version + 1
    assert (
        after.occupation,
        after.employer,
        after.income_band,
        after.product_preferences,
        after.wedding_anniversary,
        after.email,
        after.marketing_consent,
    ) == (
        "企业主",
        "多多贸易有限公司",
        "1M_TO_5M",
        "BOND,WEALTH",
        date(2012, 10, 1),
        "qian@example.cn",
        True,
    )
    untouched = ("name", "mobile", "address", "hobbies", "education", "life_experiences")
    assert all(getattr(after, c) == getattr(before, c) for c in untouched)
    assert after.updated_at > before.updated_at
    # The RM sees their own customer's profile in the clear, and the ID number masked, as reads.
    assert payload["profile"] == {
        "version": after.version,
        "occupation": "企业主",
        "employer": "多多贸易有限公司",
        "incomeBand": "1M_TO_5M",
        "productPreferences": ["BOND", "WEALTH"],
        "marketingConsent": True,
        "weddingAnniversary": "2012-10-01",
        "hobbies": None,
    }
    assert payload["customer"]["email"] == "qian@example.cn"
    assert payload["customer"]["idNumber"] == "310101********1234"


async def test_null_clears_a_field(world: World) -> None:
    before = await profile_row(world, PLATINUM)
    async with world.rm() as rm:
        payload = await mutate(
            rm,
            UPDATE,
            customer=customer_id(PLATINUM),
            expectedVersion=before.version,
            idempotencyKey=key(),
            employer=None,
        )
    assert payload["errors"] == []
    assert (await profile_row(world, PLATINUM)).employer is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, [(None, "REQUIRED")]),
        ({"occupation": "职" * 41}, [("occupation", "TOO_LONG")]),
        ({"incomeBand": "RICH"}, [("incomeBand", "INVALID_VALUE")]),
        ({"education": "PHD"}, [("education", "INVALID_VALUE")]),
        ({"maritalStatus": "COMPLICATED"}, [("maritalStatus", "INVALID_VALUE")]),
        ({"email": "not-an-address"}, [("email", "INVALID_VALUE")]),
        ({"marketingConsent": None}, [("marketingConsent", "INVALID_VALUE")]),
        ({"weddingAnniversary": "2999-01-01"}, [("weddingAnniversary", "INVALID_VALUE")]),
        (
            {"hobbies": "h" * 201, "lifeExperiences": "l" * 2001, "email": "x@y.cn"},
            [("hobbies", "TOO_LONG"), ("lifeExperiences", "TOO_LONG")],
        ),
        ({"customer": "bm90LWFuLWlk", "occupation": "医生"}, [("customer", "INVALID_VALUE")]),
        ({"idempotencyKey": "", "occupation": "医生"}, [("idempotencyKey", "REQUIRED")]),
    ],
)
async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    world: World, changes: dict[str, Any], expected: list[tuple[str | None, str]]
) -> None:
    before = await world.crm_rows()
    version = (await profile_row(world, MASS)).version
    async with world.rm() as rm:
        payload = await mutate(
            rm,
            UPDATE,
            **{"customer": customer_id(MASS), "expectedVersion": version, "idempotencyKey": key()}
            | changes,
        )
    assert codes(payload) == expected
    assert payload["profile"] is None and payload["customer"] is None
    assert await world.crm_rows() == before


async def test_a_stale_version_is_refused_with_the_current_one_and_nothing_overwritten(
    world: World,
) -> None:
    current = await profile_row(world, MASS)
    before = await world.crm_rows()
    async with world.rm() as rm:
        payload = await mutate(
            rm,
            UPDATE,
            customer=customer_id(MASS),
            expectedVersion=current.version - 1,
            idempotencyKey=key(),
            occupation="律师",
        )
    assert payload["errors"] == [
        {
            "field": "expectedVersion",
            "code": "VERSION_CONFLICT",
            "message": "The record changed since you read it; reload it and try again.",
            "currentVersion": current.version,
        }
    ]
    assert await world.crm_rows() == before


@pytest.mark.parametrize(
    ("caller", "cust_no", "expected"),
    [
        ("rm", OTHER_BRANCH, ("customer", "NOT_FOUND")),
        ("rm", ABSENT, ("customer", "NOT_FOUND")),
        ("rm", COLLEAGUES, (None, "FORBIDDEN")),
        ("rm-service", MASS, (None, "FORBIDDEN")),  # customer service may not read profiles
        ("agent", MASS, (None, "FORBIDDEN")),
        ("branch", MASS, (None, "FORBIDDEN")),
    ],
)
async def test_only_the_rm_of_the_customer_reviewing_the_relationship_may_write(
    world: World, caller: str, cust_no: str, expected: tuple[str | None, str]
) -> None:
    clients = {
        "rm": world.rm,
        "rm-service": lambda: world.rm("CUSTOMER_SERVICE"),
        "agent": world.agent,
        "branch": world.branch_manager,
    }
    before = await world.crm_rows()
    async with clients[caller]() as client:
        payload = await mutate(
            client,
            UPDATE,
            customer=customer_id(cust_no),
            expectedVersion=1,
            idempotencyKey=key(),
            occupation="医生",
        )
    assert codes(payload) == [expected]
    assert await world.crm_rows() == before


async def test_a_wedding_anniversary_of_today_is_accepted(world: World) -> None:
    version = (await profile_row(world, COLLEAGUES)).version
    async with world.rm(rm="RM0003") as rm:
        payload = await mutate(
            rm,
            UPDATE,
            customer=customer_id(COLLEAGUES),
            expectedVersion=version,
            idempotencyKey=key(),
            weddingAnniversary=world.today.isoformat(),
        )
    assert payload["errors"] == []
    assert (await profile_row(world, COLLEAGUES)).wedding_anniversary == world.today
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    async with world.rm(rm="RM0003") as rm:
        refused = await mutate(
            rm,
            UPDATE,
            customer=customer_id(COLLEAGUES),
            expectedVersion=version + 1,
            idempotencyKey=key(),
            weddingAnniversary=tomorrow,
        )
    assert codes(refused) == [("weddingAnniversary", "INVALID_VALUE")]
