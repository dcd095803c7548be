"""CRM types: relationship managers, risk assessments, profiles, contacts and complaints."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.context import Info
from resolvers.banking import Branch, load_branch
from resolvers.enums import (
    CareType,
    ComplaintCategory,
    ComplaintStatus,
    ContactChannel,
    InvestorType,
    RiskLevel,
    RmGrade,
)
from resolvers.ids import global_id
from resolvers.node import Node, local
from resolvers.sensitive import customer_data
from resolvers.tiers import RmGrade as Grade

if TYPE_CHECKING:
    from resolvers.customer import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("resolvers.customer")]


@strawberry.type(description="A relationship manager: bank staff who owns a book of customers.")
class RelationshipManager(Node):
    row: strawberry.Private[Any]
    employee_number: str = strawberry.field(description="Staff number.")
    name: str = strawberry.field(description="The RM's name.")
    grade: RmGrade = strawberry.field(description="Grade, which bounds the tiers they may serve.")
    hired_on: date = strawberry.field(description="Day the RM joined the bank.")

    @classmethod
    def from_row(cls, row: Any) -> RelationshipManager:
        return cls(
            id=global_id("RelationshipManager", row.rm_id),
            row=row,
            employee_number=row.employee_no,
            name=row.name,
            grade=Grade(row.grade),
            hired_on=row.hired_on,
        )

    @strawberry.field(description="Branch the RM works at.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.row.branch_code)


async def load_rm(info: Info, rm_id: str | None) -> RelationshipManager | None:
    """The RM with an id, None for none."""
    if rm_id is None:
        return None
    row = (await info.context.reference_data()).relationship_managers.get(rm_id)
    return RelationshipManager.from_row(row) if row else None


@strawberry.type(description="A customer's investor risk assessment, as the CRM records it.")
class RiskAssessment:
    investor_type: InvestorType = strawberry.field(description="Investor type C1 to C5.")
    assessed_on: date = strawberry.field(description="Day the assessment was made.")
    expires_on: date = strawberry.field(
        description="Last day the assessment is valid (valid through this day)."
    )
    is_valid: bool = strawberry.field(description="Whether it is still valid today.")
    max_risk_level: RiskLevel = strawberry.field(
        description="Highest product risk level this investor type allows."
    )

    @classmethod
    def from_row(cls, row: Any, today: date) -> RiskAssessment:
        return cls(
            investor_type=InvestorType(row.investor_type),
            assessed_on=row.assessed_on,
            expires_on=row.expires_on,
            is_valid=row.expires_on >= today,
            max_risk_level=RiskLevel(row.investor_type),
        )


@strawberry.type(description="What the CRM knows of a customer beyond identity and contact.")
class CustomerProfile:
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    occupation: str | None = strawberry.field(description="Occupation.")
    education: str | None = strawberry.field(description="Highest education.")
    marital_status: str | None = strawberry.field(description="Marital status.")
    hobbies: str | None = strawberry.field(description="Hobbies, as the RM noted them.")
    product_preferences: list[str] = strawberry.field(
        description="Product types the customer prefers (ProductType names)."
    )
    potential_needs: str | None = strawberry.field(description="Needs the RM has spotted.")
    marketing_consent: bool = strawberry.field(
        description="Whether the customer agreed to marketing contact."
    )
    updated_at: datetime = strawberry.field(description="When the CRM profile last changed.")
    version: int = strawberry.field(description="Version, for optimistic concurrency.")
    employer: str | None = customer_data(
        "CustomerProfile.employer", "row.employer", description="Employer."
    )
    income_band: str | None = customer_data(
        "CustomerProfile.incomeBand", "row.income_band", description="Annual income band."
    )
    wedding_anniversary: date | None = customer_data(
        "CustomerProfile.weddingAnniversary",
        "row.wedding_anniversary",
        description="Wedding anniversary, for key care.",
    )
    life_experiences: str | None = customer_data(
        "CustomerProfile.lifeExperiences",
        "row.life_experiences",
        description="Life experiences the customer shared.",
    )
    business_scale: str | None = customer_data(
        "CustomerProfile.businessScale",
        "row.business_scale",
        description="Scale of the customer's business, for business owners.",
    )

    @classmethod
    def from_row(cls, row: Any) -> CustomerProfile:
        preferences = [p.strip() for p in (row.product_preferences or "").split(",") if p.strip()]
        return cls(
            row=row,
            owner=row.cust_no,
            occupation=row.occupation,
            education=row.education,
            marital_status=row.marital_status,
            hobbies=row.hobbies,
            product_preferences=preferences,
            potential_needs=row.potential_needs,
            marketing_consent=bool(row.marketing_consent),
            updated_at=local(row.updated_at),  # type: ignore[arg-type]
            version=row.version,
        )


@strawberry.type(description="A member of the customer's family recorded in the CRM.")
class FamilyMember:
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    relation: str = strawberry.field(description="SPOUSE, CHILD, PARENT or SIBLING.")
    name: str | None = customer_data("FamilyMember.name", "row.name", description="Name.")
    birth_date: str | None = customer_data(
        "FamilyMember.birthDate",
        "birth_date_text",
        description="Birth date, if known: YYYY-MM-DD, or --MM-DD when masked.",
    )

    @classmethod
    def from_row(cls, row: Any) -> FamilyMember:
        return cls(row=row, owner=row.cust_no, relation=row.relation)

    @property
    def birth_date_text(self) -> str | None:
        return self.row.birth_date.isoformat() if self.row.birth_date else None


@strawberry.type(description="A contact between the bank and the customer, from the CRM log.")
class Interaction(Node):
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    channel: ContactChannel = strawberry.field(description="How the contact was made.")
    care_type: CareType = strawberry.field(description="Routine maintenance or key care.")
    contacted_at: datetime = strawberry.field(description="When the contact happened.")
    follow_up_on: date | None = strawberry.field(description="Day a follow-up is due, if any.")
    summary: str | None = customer_data(
        "Interaction.summary", "row.summary", description="What was discussed."
    )

    @classmethod
    def from_row(cls, row: Any) -> Interaction:
        return cls(
            id=global_id("Interaction", row.contact_id),
            row=row,
            owner=row.cust_no,
            channel=ContactChannel(row.channel),
            care_type=CareType(row.care_type),
            contacted_at=local(row.contacted_at),  # type: ignore[arg-type]
            follow_up_on=row.follow_up_on,
        )

    @strawberry.field(description="The RM who made the contact, if an RM did.")
    async def relationship_manager(self, info: Info) -> RelationshipManager | None:
        return await load_rm(info, self.row.rm_id)


@strawberry.type(description="A complaint or piece of feedback the customer raised.")
class Complaint(Node):
    row: strawberry.Private[Any]
    owner: strawberry.Private[str]
    category: ComplaintCategory = strawberry.field(description="What it is about.")
    status: ComplaintStatus = strawberry.field(description="Where it stands.")
    opened_at: datetime = strawberry.field(description="When it was raised.")
    resolved_at: datetime | None = strawberry.field(description="When it was resolved, if it was.")
    satisfaction: int | None = strawberry.field(
        description="Satisfaction 1 (poor) to 5 (excellent) after resolution."
    )
    version: int = strawberry.field(
        description="Version of the complaint, for optimistic concurrency (resolveComplaint)."
    )
    summary: str | None = customer_data(
        "Complaint.summary", "row.summary", description="The customer's account of it."
    )

    @classmethod
    def from_row(cls, row: Any) -> Complaint:
        return cls(
            id=global_id("Complaint", row.complaint_id),
            row=row,
            owner=row.cust_no,
            category=ComplaintCategory(row.category),
            status=ComplaintStatus(row.status),
            opened_at=local(row.opened_at),  # type: ignore[arg-type]
            resolved_at=local(row.resolved_at),
            satisfaction=row.satisfaction,
            version=row.version,
        )


@strawberry.type(description="Which RM of which branch looks after a customer, since when.")
class Assignment:
    row: strawberry.Private[Any]
    assigned_on: date = strawberry.field(description="Day the current RM took the customer on.")
    version: int = strawberry.field(
        description="Version of the assignment, for optimistic concurrency."
    )

    @strawberry.field(description="The customer assigned.")
    async def customer(self, info: Info) -> CustomerRef | None:
        from resolvers.customer import load_customer

        return await load_customer(info, self.row.cust_no)

    @strawberry.field(description="The RM the customer is assigned to.")
    async def relationship_manager(self, info: Info) -> RelationshipManager | None:
        return await load_rm(info, self.row.rm_id)

    @strawberry.field(description="The branch the customer is assigned to.")
    async def branch(self, info: Info) -> Branch | None:
        return await load_branch(info, self.row.branch_code)

    @classmethod
    def from_row(cls, row: Any) -> Assignment:
        return cls(row=row, assigned_on=row.assigned_on, version=row.version)
