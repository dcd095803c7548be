"""The one gate every customer-data value passes on its way to the response.

A field that carries customer data resolves through :meth:`Disclosure.disclose` with its
catalogue key, the customer it belongs to and its response path. The policy decides; this
class applies the decision once, notes why a value is not shown in the clear (for the
response's ``extensions``), and collects every clear C2 read and every withheld attempt for
the audit trail: :meth:`Disclosure.close`, once the response is complete, hands them over as
one record per customer, treatment and reason, naming every field and path. A customer the
request's scope did not admit gets nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from gateway.auth import Principal
from gateway.masks import amount_band, mask
from gateway.policy import (
    BANDS,
    FIELDS,
    Ownership,
    Purpose,
    Rule,
    Sensitivity,
    Treatment,
    decide,
    withheld,
)

AUDIT_UNAVAILABLE = "AUDIT_UNAVAILABLE"
WRITE = "WRITE"  # the treatment an audit record of a write carries
_AUDIT_DOWN = withheld("the audit trail cannot be written, so clear values are withheld")
_CLEAR, _WITHHELD = Treatment.CLEAR.value, Treatment.WITHHELD.value
# The treatments as module names: an enum member read through its class (Treatment.CLEAR),
# or its .value, costs a few hundred nanoseconds, and the gate runs a thousand times a page.
_IS_CLEAR, _IS_MASKED, _IS_WITHHELD = Treatment.CLEAR, Treatment.MASKED, Treatment.WITHHELD
_SHOWN_AS_BAND = (Treatment.CLEAR, Treatment.BANDED)
_TREATMENT_TEXT = {treatment: treatment.value for treatment in Treatment}


_Group = tuple[dict[str, None], list[str]]  # the fields (ordered, once each) and the paths
_Gates = dict[str, tuple[Rule, bool]]  # field -> the policy's rule, and whether to audit it

# The policy's decisions are a pure function of the field and of who asks and why (role,
# ownership, purpose, scopes), never of a value, so they are shared by every request asking
# on the same grounds: a one-customer 360 decided each of its ten gated fields afresh.
_DECIDED: dict[tuple[Any, ...], _Gates] = {}
_DECIDED_KEPT = 1024  # distinct grounds: roles x ownerships x purposes (x service scopes)


class AuditSink(Protocol):
    """Where audit records go (``gateway.audit.AuditTrail``)."""

    @property
    def available(self) -> bool: ...

    def record(self, record: Any) -> None: ...


class Disclosure:
    """Per-request application of the policy; never shared between requests."""

    def __init__(
        self,
        principal: Principal,
        purpose: Purpose,
        audit: AuditSink,
        request_id: str,
        records_of: Any,
    ) -> None:
        self.principal = principal
        self.purpose = purpose
        self.audit = audit
        self.request_id = request_id
        self._records_of = records_of  # gateway.audit.records_of
        self._ownership: dict[str, Ownership] = {}
        self.notes: list[dict[str, Any]] = []
        # Every record of a request carries the moment it first audited and the same caller.
        self._records: Any = None
        # The reads to audit: per (customer, treatment, reason), the fields and the paths.
        self._reads: dict[tuple[str, str, str | None], _Group] = {}
        # The policy's decisions, made once per ownership: field -> the rule, and whether a
        # release is a clear C2 read to audit. A page of 50 customers passes the gate some
        # thousand times, most of its fields once per customer, so per customer it keeps
        # the gates of its ownership and the group its clear reads join.
        self._gates: dict[Ownership | None, _Gates] = {}
        self._customers: dict[str, tuple[_Gates, _Group]] = {}

    def admit(self, customer_number: str, ownership: Ownership) -> None:
        """Record that the request's scope reaches a customer, and how."""
        if self._ownership.get(customer_number) is not ownership:
            self._customers.pop(customer_number, None)  # its gates decided on other grounds
        self._ownership[customer_number] = ownership

    def rule(self, field: str, customer_number: str) -> Rule:
        """The policy's decision for one field of one customer, for this caller."""
        ownership = self._ownership.get(customer_number)
        gates = self._gates_of(ownership)
        return (gates.get(field) or self._gate(gates, field, ownership))[0]

    def disclose(self, field: str, customer_number: str, value: Any, path: Any) -> Any:
        """The value as this request may see it (None when not shown). ``path``: the
        response path, written with dots (the planner's) or as graphql-core's."""
        if value is None or (type(value) is str and not value):
            return value
        customer = self._customers.get(customer_number)
        if customer is None:
            customer = self._customer(customer_number)
        gates, group = customer
        gate = gates.get(field)
        if gate is None:
            gate = self._gate(gates, field, self._ownership.get(customer_number))
        rule, audited = gate
        if audited:  # clear, and C2: every release is audited
            if not self.audit.available:
                self._note(path, _AUDIT_DOWN, code=AUDIT_UNAVAILABLE)
                return None
            group[0][field] = None
            group[1].append(path if type(path) is str else _dotted(path))
            return value
        treatment = rule.treatment
        if treatment is _IS_CLEAR:
            return value
        self._note(path, rule)
        if treatment is _IS_MASKED:
            return mask(rule.form or "", value if isinstance(value, str) else str(value))
        if treatment is _IS_WITHHELD:
            self._read(field, customer_number, path, _WITHHELD, rule.reason)
        return None

    def _customer(self, customer_number: str) -> tuple[_Gates, _Group]:
        found = self._customers[customer_number] = (
            self._gates_of(self._ownership.get(customer_number)),
            self._group((customer_number, _CLEAR, None)),
        )
        return found

    def _gates_of(self, ownership: Ownership | None) -> _Gates:
        gates = self._gates.get(ownership)
        if gates is None:
            principal = self.principal
            grounds = (principal.role, ownership, self.purpose, principal.scopes)
            gates = _DECIDED.get(grounds)
            if gates is None:
                if len(_DECIDED) >= _DECIDED_KEPT:
                    _DECIDED.clear()
                gates = _DECIDED[grounds] = {}
            self._gates[ownership] = gates
        return gates

    def _gate(self, gates: _Gates, field: str, ownership: Ownership | None) -> tuple[Rule, bool]:
        principal = self.principal
        rule = decide(field, principal.role, ownership, self.purpose, principal.scopes)
        audited = rule.treatment is Treatment.CLEAR and FIELDS[field][0] is Sensitivity.C2
        gate = gates[field] = (rule, audited)
        return gate

    def _group(self, key: tuple[str, str, str | None]) -> _Group:
        group = self._reads.get(key)
        if group is None:
            group = self._reads[key] = ({}, [])
        return group

    def disclose_band(
        self,
        band_field: str,
        customer_number: str,
        amount: Decimal | None,
        currency: str,
        path: Any,
    ) -> str | None:
        """An amount as a band, wherever the amount itself may be seen clear or banded."""
        if amount is None:
            return None
        rule = self.rule(BANDS[band_field], customer_number)
        if rule.treatment in _SHOWN_AS_BAND:
            return amount_band(amount, currency)
        self._note(path, rule)
        return None

    def ownership(self, customer_number: str) -> Ownership | None:
        """How the request's scope reaches a customer; None if it was not admitted."""
        return self._ownership.get(customer_number)

    def audit_write(self, field: str, customer_number: str, path: Any) -> None:
        """Record a write to a customer's data (``field``: the mutation, e.g. Mutation.x)."""
        self._audit(field, customer_number, path, WRITE, None)

    def audit_query(self, customer_number: str | None, path: Any) -> None:
        """Record a read of the audit trail itself."""
        self._audit("Query.auditEvents", customer_number, path, _CLEAR, None)

    def close(self) -> None:
        """The response is complete: hand its reads to the audit trail, one record per
        customer, treatment and reason (fields sorted, paths in the order the values were
        released); idempotent."""
        reads, self._reads = self._reads, {}
        self._customers.clear()  # their groups are handed over
        released = [item for item in reads.items() if item[1][1]]
        if not released:  # nothing clear released (or the audit trail was down then)
            return
        make = self._maker()
        for (customer, treatment, reason), (fields, paths) in sorted(
            released, key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
        ):
            self.audit.record(
                make(customer, " ".join(sorted(fields)), " ".join(paths), treatment, reason)
            )

    def _read(
        self,
        field: str,
        customer_number: str,
        path: Any,
        treatment: str,
        reason: str | None,
    ) -> None:
        group = self._group((customer_number, treatment, reason))
        group[0][field] = None
        group[1].append(_dotted(path))

    def _maker(self) -> Any:
        make = self._records
        if make is None:
            principal = self.principal
            make = self._records = self._records_of(
                self.request_id,
                datetime.now(UTC),
                principal.subject,
                principal.role.value,
                self.purpose.value,
            )
        return make

    def _note(self, path: Any, rule: Rule, code: str | None = None) -> None:
        treatment = _TREATMENT_TEXT[rule.treatment]
        note: dict[str, Any] = {"path": _path_list(path), "treatment": treatment}
        if rule.form:
            note["form"] = rule.form
        if rule.reason:
            note["reason"] = rule.reason
        if code:
            note["code"] = code
        self.notes.append(note)

    def _audit(
        self,
        field: str,
        customer_number: str | None,
        path: Any,
        treatment: str,
        reason: str | None,
    ) -> None:
        self.audit.record(self._maker()(customer_number, field, _dotted(path), treatment, reason))


def _dotted(path: Any) -> str:
    """A response path written with dots, as the audit trail names it."""
    if type(path) is str:
        return path
    return ".".join(map(str, path if type(path) is tuple else _path_list(path)))


def _path_list(path: Any) -> list[str | int]:
    """A response path as a list: from the planner's dotted text, a tuple of steps or
    graphql-core's Path."""
    if type(path) is str:
        return path_steps(path)
    if type(path) is tuple:
        return list(path)
    return list(path.as_list()) if hasattr(path, "as_list") else list(path or [])


def path_steps(dotted: str) -> list[str | int]:
    """The steps of a dotted response path: list indices as numbers, keys as text (a
    response key is a GraphQL name: it never holds a dot, and it starts with a letter or an
    underscore, all of which sort after the digits and ``:``)."""
    steps = _steps.get(dotted)
    if steps is None:
        steps = (
            tuple(int(step) if step < ":" else step for step in dotted.split(".")) if dotted else ()
        )
        if len(_steps) >= _STEPS_KEPT:
            _steps.clear()
        _steps[dotted] = steps
    return list(steps)


# A document's paths are the same on every request (names and positions, never a value), and
# a page of 50 customers notes some 150 masked values: their steps are worked out once.
_STEPS_KEPT = 8192
_steps: dict[str, tuple[str | int, ...]] = {}
