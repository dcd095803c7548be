"""The planned maintenance agenda: the root field and its items.

The items come from the same domain code as the resolver tree's (``resolvers.agenda``);
their customers are admitted and loaded for the whole agenda at once, and served (masked)
by the customer table.
"""

from __future__ import annotations

from typing import Any

from resolvers.agenda import Scoped, agenda_items, customer_numbers, in_scope
from resolvers.plan.customers import customers_in_scope
from resolvers.plan.fields import Selection
from resolvers.plan.run import Run
from resolvers.plan.specs import Related, Table, column, reference_row


async def maintenance_agenda(
    run: Run, args: dict[str, Any], _selection: Selection | None
) -> list[Scoped]:
    """The agenda's items with their customers in scope, by due day."""
    items = await agenda_items(run.ctx, args["from"], args["to"], args["relationshipManager"])
    numbers = customer_numbers(items)
    return in_scope(items, numbers, await customers_in_scope(run, numbers))


AGENDA_ITEM: Table = {
    "reason": column("item.reason"),
    "dueOn": column("item.due_on"),
    "careType": column("item.care_type"),
    "channel": column("item.channel"),
    "occasion": column("item.occasion"),
    "done": column("item.done"),
    "customer": Related(lambda s, _run, _args: s.customer),
    "account": Related(lambda s, _run, _args: s.item.account),
    "product": Related(
        lambda s, run, _args: reference_row(run, "products", s.item.product_code),
        reference=True,
    ),
}
