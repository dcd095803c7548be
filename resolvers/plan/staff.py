"""Planned fields of the CRM's relationship managers."""

from __future__ import annotations

from typing import Any

from resolvers.ids import global_id
from resolvers.plan.banking import branch_of
from resolvers.plan.run import Run
from resolvers.plan.specs import Plain, Related, Table, column, reference_row


def rm_of(rm_id: str | None, run: Run) -> Any:
    """The RM row with an id from the reference snapshot, None for none."""
    return reference_row(run, "relationship_managers", rm_id)


RELATIONSHIP_MANAGER: Table = {
    "id": Plain(lambda rm, _run: global_id("RelationshipManager", rm.rm_id)),
    "employeeNumber": column("employee_no"),
    "name": column("name"),
    "grade": column("grade"),
    "hiredOn": column("hired_on"),
    "branch": Related(lambda rm, run, _args: branch_of(rm.branch_code, run), reference=True),
}
