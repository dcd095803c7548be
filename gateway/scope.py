"""Row scoping: which customers a caller reaches at all, and as what.

An RM reaches their own book (OWN) and the other customers of their branch (BRANCH); a branch
manager their branch; call-centre agents, compliance officers and service clients every
customer (ANY); marketing analysts no individual customer. A customer outside the scope is
treated exactly as if absent. Ownership comes from the CRM's assignments, read in batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gateway.auth import Principal, Role
from gateway.disclosure import Disclosure
from gateway.policy import Ownership
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from gateway.ratelimit import CustomerBudget

EVERYONE = {Role.CALL_CENTRE_AGENT, Role.COMPLIANCE_OFFICER, Role.SERVICE}
BY_BRANCH = {Role.RELATIONSHIP_MANAGER, Role.BRANCH_MANAGER}


class Scope:
    """The customers one request may reach."""

    def __init__(
        self,
        principal: Principal,
        loaders: Loaders,
        disclosure: Disclosure,
        budget: CustomerBudget | None = None,
    ) -> None:
        self.principal = principal
        self.loaders = loaders
        self.disclosure = disclosure
        self.budget = budget

    @property
    def reaches_nobody(self) -> bool:
        return self.principal.role not in EVERYONE | BY_BRANCH

    @property
    def branch_limit(self) -> str | None:
        """The one branch whose assigned customers bound the scope, if any."""
        return self.principal.branch if self.principal.role in BY_BRANCH else None

    @property
    def needs_assignments(self) -> bool:
        """Whether the CRM's assignments decide who is in scope (branch-bound roles)."""
        return self.principal.role in BY_BRANCH

    async def admit(self, customer_numbers: Sequence[str]) -> list[bool]:
        """Whether each customer is in scope; those that are are admitted to the disclosure.

        Customers in scope count against the subject's distinct-customer rate limit, which
        raises RateLimitExceeded (admitting nobody) when they would exceed it.
        """
        assignments: Sequence[Any] = ()
        if self.needs_assignments:
            assignments = await self.loaders.many(
                self.loaders.sources.crm.assignments, list(customer_numbers)
            )
        return self.admit_assigned(customer_numbers, assignments)

    def admit_assigned(
        self, customer_numbers: Sequence[str], assignments: Sequence[Any]
    ) -> list[bool]:
        """:meth:`admit` with the customers' assignments already read (in key order; they
        are looked at only when :attr:`needs_assignments`)."""
        ownerships = self._ownerships(customer_numbers, assignments)
        reached = [n for n, o in zip(customer_numbers, ownerships, strict=True) if o is not None]
        if self.budget is not None and reached:
            self.budget.spend(reached)
        for number, ownership in zip(customer_numbers, ownerships, strict=True):
            if ownership is not None:
                self.disclosure.admit(number, ownership)
        return [ownership is not None for ownership in ownerships]

    def _ownerships(
        self, customer_numbers: Sequence[str], assignments: Sequence[Any]
    ) -> list[Ownership | None]:
        if self.reaches_nobody:
            return [None] * len(customer_numbers)
        if self.principal.role in EVERYONE:
            return [Ownership.ANY] * len(customer_numbers)
        return [self._ownership(assignment) for assignment in assignments]

    async def admits(self, customer_number: str) -> bool:
        """Whether one customer is in scope (admitting them if so)."""
        [admitted] = await self.admit([customer_number])
        return admitted

    def _ownership(self, assignment: Any) -> Ownership | None:
        if assignment is None or assignment.branch_code != self.principal.branch:
            return None
        if self.principal.role is _RM:
            return _OWN if assignment.rm_id == self.principal.rm_id else _BRANCH
        return _BRANCH


# Read once: an enum member read through its class costs a few hundred nanoseconds, and a
# page admits every one of its customers.
_RM, _OWN, _BRANCH = Role.RELATIONSHIP_MANAGER, Ownership.OWN, Ownership.BRANCH
