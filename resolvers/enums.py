"""Enumerations of the schema: the codes the three systems use, named for readers."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers.survivorship import MergedAttribute, SourceSystem
from resolvers.tiers import RmGrade, Tier

# The domain enums stay plain Python; registering them adds their schema descriptions.
strawberry.enum(
    Tier,
    description="Customer tier by total assets in CNY (lower bounds inclusive): BLACK_GOLD "
    "≥ 10M, DIAMOND ≥ 5M, PREMIER_PLATINUM ≥ 3M, PLATINUM ≥ 1M, PREMIER_GOLD ≥ 500K, "
    "GOLD ≥ 200K, MASS below.",
)
strawberry.enum(RmGrade, description="Relationship manager grade, from SENIOR down to TRAINEE.")
strawberry.enum(
    SourceSystem,
    description="A back-end system: CORE banking (DCC), WEALTH management (WMS) or the CRM.",
)
strawberry.enum(
    MergedAttribute,
    description="A customer attribute kept by more than one system and merged by a rule.",
)


@strawberry.enum(description="Sex as recorded in the party master.")
class Gender(Enum):
    MALE = "M"
    FEMALE = "F"


@strawberry.enum(description="Kind of identity document.")
class IdType(Enum):
    RESIDENT_ID = "01"
    PASSPORT = "02"


@strawberry.enum(description="Lifecycle status of a party or an account in the core system.")
class Status(Enum):
    ACTIVE = "ACTIVE"
    DORMANT = "DORMANT"
    CLOSED = "CLOSED"


@strawberry.enum(description="Kind of core-banking account.")
class AccountType(Enum):
    CURRENT = "CURRENT"
    TIME_DEPOSIT = "TIME_DEPOSIT"
    LOAN = "LOAN"
    CREDIT_CARD = "CREDIT_CARD"


@strawberry.enum(description="Direction of a transaction seen from the account.")
class Direction(Enum):
    CREDIT = "C"
    DEBIT = "D"


@strawberry.enum(description="Channel a transaction was made through.")
class Channel(Enum):
    COUNTER = "COUNTER"
    ATM = "ATM"
    MOBILE = "MOBILE"
    ONLINE = "ONLINE"
    POS = "POS"
    HOTLINE = "HOTLINE"


@strawberry.enum(description="Kind of investment product.")
class ProductType(Enum):
    MUTUAL_FUND = "MUTUAL_FUND"
    WEALTH = "WEALTH"
    INSURANCE = "INSURANCE"
    BOND = "BOND"


@strawberry.enum(description="Whether a product can still be bought.")
class ProductStatus(Enum):
    ON_SALE = "ON_SALE"
    CLOSED = "CLOSED"


@strawberry.enum(description="Product risk level, R1 (lowest) to R5 (highest).")
class RiskLevel(Enum):
    R1 = 1
    R2 = 2
    R3 = 3
    R4 = 4
    R5 = 5


@strawberry.enum(
    description="Investor type from the risk assessment, C1 (conservative) to C5 "
    "(aggressive); a type allows products up to the same R level."
)
class InvestorType(Enum):
    C1 = 1
    C2 = 2
    C3 = 3
    C4 = 4
    C5 = 5


@strawberry.enum(description="Channel of a contact between the bank and the customer.")
class ContactChannel(Enum):
    PHONE = "PHONE"
    SMS = "SMS"
    VISIT = "VISIT"
    EVENT = "EVENT"
    WECHAT = "WECHAT"
    EMAIL = "EMAIL"


@strawberry.enum(
    description="ROUTINE maintenance (maturities, products, NAV swings) or KEY care "
    "(birthdays, anniversaries, holidays, period ends)."
)
class CareType(Enum):
    ROUTINE = "ROUTINE"
    KEY = "KEY"


@strawberry.enum(description="What a complaint is about.")
class ComplaintCategory(Enum):
    SERVICE = "SERVICE"
    FEES = "FEES"
    PRODUCT = "PRODUCT"
    WAIT_TIME = "WAIT_TIME"
    SYSTEM = "SYSTEM"
    MIS_SELLING = "MIS_SELLING"


@strawberry.enum(description="Where a complaint stands.")
class ComplaintStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


__all__ = [
    "AccountType",
    "CareType",
    "Channel",
    "ComplaintCategory",
    "ComplaintStatus",
    "ContactChannel",
    "Direction",
    "Gender",
    "IdType",
    "InvestorType",
    "MergedAttribute",
    "ProductStatus",
    "ProductType",
    "RiskLevel",
    "RmGrade",
    "SourceSystem",
    "Status",
    "Tier",
]
