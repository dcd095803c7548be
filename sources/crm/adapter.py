"""CRM (OCRM) adapter: profiles, risk assessments, RMs, assignments, contacts and complaints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import or_, select, union

from sources.base import Source
from sources.crm import tables as t
from sources.keys import key_count, key_page
from sources.reads import Read, Record, row_part
from sources.window import Pages, Window

PROFILES = Read(lambda keys_in: select(t.profile).where(keys_in(t.profile.c.cust_no)))
FAMILY_BY_CUSTOMER = Read(
    lambda keys_in: (
        select(t.family_member)
        .where(keys_in(t.family_member.c.cust_no))
        .order_by(t.family_member.c.member_id)
    )
)
# Ascending order: the last row per customer is the latest.
RISK_ASSESSMENTS_BY_CUSTOMER = Read(
    lambda keys_in: (
        select(t.risk_assessment)
        .where(keys_in(t.risk_assessment.c.cust_no))
        .order_by(
            t.risk_assessment.c.cust_no,
            t.risk_assessment.c.assessed_on,
            t.risk_assessment.c.assessment_id,
        )
    )
)
ASSIGNMENTS = Read(lambda keys_in: select(t.assignment).where(keys_in(t.assignment.c.cust_no)))
RELATIONSHIP_MANAGERS = Read(
    lambda keys_in: select(t.relationship_manager).where(keys_in(t.relationship_manager.c.rm_id))
)
ALL_RELATIONSHIP_MANAGERS = Read(
    lambda _keys_in: select(t.relationship_manager).order_by(t.relationship_manager.c.rm_id)
)
CONTACT_PAGES = Pages(t.contact, "cust_no", "contacted_at", "contact_id")
CONTACTS = Read(lambda keys_in: select(t.contact).where(keys_in(t.contact.c.contact_id)))
COMPLAINTS_BY_CUSTOMER = Read(
    lambda keys_in: (
        select(t.complaint)
        .where(keys_in(t.complaint.c.cust_no))
        .order_by(
            t.complaint.c.cust_no, t.complaint.c.opened_at.desc(), t.complaint.c.complaint_id.desc()
        )
    )
)
COMPLAINTS = Read(lambda keys_in: select(t.complaint).where(keys_in(t.complaint.c.complaint_id)))


def _profiles_and_assignments(keys_in: Any) -> Any:
    p, a = t.profile, t.assignment
    known = union(
        select(p.c.cust_no).where(keys_in(p.c.cust_no)),
        select(a.c.cust_no).where(keys_in(a.c.cust_no)),
    ).subquery("known")
    return select(
        *(c.label(f"p_{c.name}") for c in p.c), *(c.label(f"a_{c.name}") for c in a.c)
    ).select_from(
        known.outerjoin(p, p.c.cust_no == known.c.cust_no).outerjoin(
            a, a.c.cust_no == known.c.cust_no
        )
    )


PROFILES_AND_ASSIGNMENTS = Read(_profiles_and_assignments)
PROFILE_PART = row_part([c.name for c in t.profile.c], 0, "CrmProfile")
ASSIGNMENT_PART = row_part([c.name for c in t.assignment.c], len(t.profile.c), "CrmAssignment")
_PROFILE_KEY_AT = list(t.profile.c).index(t.profile.c.cust_no)
_ASSIGNMENT_KEY_AT = len(t.profile.c) + list(t.assignment.c).index(t.assignment.c.cust_no)


def _profile_or_assignment_key(row: Any) -> Any:
    """The customer a row of :data:`PROFILES_AND_ASSIGNMENTS` belongs to."""
    key = row[_PROFILE_KEY_AT]
    return row[_ASSIGNMENT_KEY_AT] if key is None else key


class Crm(Source):
    """The system that keeps the relationship: who the customer is and who serves them."""

    name: ClassVar[str] = "crm"
    metadata = t.metadata
    # A request that needs both for the same customers reads them in one statement.
    fusions: ClassVar[dict[tuple[str, ...], str]] = {
        ("profiles", "assignments"): "profiles_and_assignments"
    }

    async def profiles(self, cust_nos: Sequence[str]) -> list[Record | None]:
        """CRM profiles by customer number."""
        return await self.row_per_key(PROFILES, cust_nos, "cust_no")

    async def profiles_and_assignments(
        self, cust_nos: Sequence[str]
    ) -> list[tuple[Record | None, Record | None]]:
        """:meth:`profiles` and :meth:`assignments` at once: (profile, assignment) per key."""
        found = {}
        for row in await self.read_keys(
            PROFILES_AND_ASSIGNMENTS, cust_nos, key_of=_profile_or_assignment_key
        ):
            profile, assignment = PROFILE_PART(row), ASSIGNMENT_PART(row)
            found[profile.cust_no or assignment.cust_no] = (
                profile if profile.cust_no is not None else None,
                assignment if assignment.cust_no is not None else None,
            )
        return [found.get(key, (None, None)) for key in cust_nos]

    async def family_by_customer(self, cust_nos: Sequence[str]) -> list[list[Record]]:
        """Each customer's recorded family members."""
        return await self.rows_per_key(FAMILY_BY_CUSTOMER, cust_nos, "cust_no")

    async def latest_risk_assessments(self, cust_nos: Sequence[str]) -> list[Record | None]:
        """Each customer's most recent risk assessment, valid or not."""
        return await self.row_per_key(RISK_ASSESSMENTS_BY_CUSTOMER, cust_nos, "cust_no")

    async def assignments(self, cust_nos: Sequence[str]) -> list[Record | None]:
        """Each customer's RM assignment."""
        return await self.row_per_key(ASSIGNMENTS, cust_nos, "cust_no")

    async def relationship_managers(self, rm_ids: Sequence[str]) -> list[Record | None]:
        """RMs by id."""
        return await self.row_per_key(RELATIONSHIP_MANAGERS, rm_ids, "rm_id")

    async def all_relationship_managers(self) -> list[Record]:
        """Every RM, by id."""
        return await self.read(ALL_RELATIONSHIP_MANAGERS)

    async def assigned_customer_numbers(
        self,
        *,
        branch_code: str | None,
        rm_id: str | None,
        after: str | None,
        limit: int | None,
    ) -> list[str]:
        """Customer numbers assigned to a branch and/or an RM, ascending, after a given one."""
        a = t.assignment
        filters = {a.c.branch_code: branch_code, a.c.rm_id: rm_id}
        read, params = key_page(a.c.cust_no, filters, after, limit)
        return [row[0] for row in await self.read(read, **params)]

    async def count_assigned(self, *, branch_code: str | None, rm_id: str | None) -> int:
        """How many customers are assigned to a branch and/or an RM."""
        a = t.assignment
        read, params = key_count(a.c.cust_no, {a.c.branch_code: branch_code, a.c.rm_id: rm_id})
        rows = await self.read(read, **params)
        return int(rows[0][0])

    async def contacts_by_customer(
        self, cust_nos: Sequence[str], window: Window
    ) -> list[list[Record]]:
        """A newest-first page of each customer's contact log."""
        read, params = CONTACT_PAGES.read(window)
        return await self.rows_per_key(read, cust_nos, "cust_no", **params)

    async def contacts(self, contact_ids: Sequence[int]) -> list[Record | None]:
        """Contacts by id."""
        return await self.row_per_key(CONTACTS, contact_ids, "contact_id")

    async def complaints_by_customer(self, cust_nos: Sequence[str]) -> list[list[Record]]:
        """Each customer's complaints, newest first."""
        return await self.rows_per_key(COMPLAINTS_BY_CUSTOMER, cust_nos, "cust_no")

    async def complaints(self, complaint_ids: Sequence[int]) -> list[Record | None]:
        """Complaints by id."""
        return await self.row_per_key(COMPLAINTS, complaint_ids, "complaint_id")

    async def contacts_between(
        self, cust_nos: Sequence[str] | None, start: datetime, end: datetime
    ) -> list[Record]:
        """Contacts made in ``[start, end)``, of some customers or of all, oldest first."""
        c = t.contact
        stmt = (
            select(c.c.cust_no, c.c.rm_id, c.c.care_type, c.c.channel, c.c.contacted_at)
            .where(c.c.contacted_at >= start, c.c.contacted_at < end)
            .order_by(c.c.contacted_at, c.c.contact_id)
        )
        if cust_nos is None:
            return await self.fetch(stmt)
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(c.c.cust_no.in_(keys)))

    async def complaints_touching(
        self, cust_nos: Sequence[str], start: datetime, end: datetime
    ) -> list[Record]:
        """Complaints opened or resolved in ``[start, end)`` (no summaries)."""
        c = t.complaint
        stmt = select(c.c.cust_no, c.c.opened_at, c.c.resolved_at, c.c.status).where(
            or_(
                (c.c.opened_at >= start) & (c.c.opened_at < end),
                (c.c.resolved_at >= start) & (c.c.resolved_at < end),
            )
        )
        return await self.fetch_for_keys(cust_nos, lambda keys: stmt.where(c.c.cust_no.in_(keys)))

    async def all_assignments(self, *, branch_code: str | None = None) -> list[Record]:
        """Every assignment (of one branch when given), by customer number."""
        a = t.assignment
        stmt = select(a).order_by(a.c.cust_no)
        if branch_code is not None:
            stmt = stmt.where(a.c.branch_code == branch_code)
        return await self.fetch(stmt)

    async def all_latest_investor_types(self) -> list[Record]:
        """Every customer's risk assessments' investor type and expiry, oldest first."""
        ra = t.risk_assessment
        return await self.fetch(
            select(ra.c.cust_no, ra.c.investor_type, ra.c.expires_on).order_by(
                ra.c.cust_no, ra.c.assessed_on, ra.c.assessment_id
            )
        )
