"""W4, the RM's maintenance agenda for a month, once the schema has it.

The agenda is another issue's work: the document below runs when it validates against the
schema of the code under test, and W4 is skipped with the validation errors otherwise.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json

from graphql import parse, validate

AGENDA = """
query W4($from: Date!, $to: Date!) {
  maintenanceAgenda(from: $from, to: $to) {
    reason dueOn careType channel occasion done
    customer { customerNumber name mobile tier }
    account { type accountNumber maturityDate }
    product { code name riskLevel }
  }
}
"""


def agenda_body(today: dt.date) -> tuple[str | None, str]:
    """(request body, note) for this month's agenda of the caller's own book; the body is
    None when the schema cannot answer it yet."""
    from resolvers.schema import schema

    problems = validate(schema._schema, parse(AGENDA))
    if problems:
        return None, "W4 skipped: " + "; ".join(p.message for p in problems)[:300]
    first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    variables = {"from": first.isoformat(), "to": last.isoformat()}
    body = json.dumps({"query": AGENDA, "variables": variables}, separators=(",", ":"))
    return body, f"W4: maintenanceAgenda of the RM's own book from {first} to {last}"
