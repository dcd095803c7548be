"""Declaring a field that carries customer data: its class shows in the SDL, its value goes
through the request's disclosure gate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

import strawberry
from strawberry.schema_directive import Location

from gateway.context import Info
from gateway.policy import BANDS, FIELDS, Sensitivity

strawberry.enum(
    Sensitivity,
    name="SensitivityClass",
    description=(
        "Personal financial information class (JR/T 0171-2020): C1 internal, C2 identifies "
        "the person or shows their finances, C3 authentication data (never returned)."
    ),
)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The field carries customer data of this sensitivity class; what a caller "
    "sees of it depends on their role, their relation to the customer and their purpose.",
)
class Sensitive:
    level: Sensitivity


def _described(field: str, description: str) -> dict[str, Any]:
    level = FIELDS[field][0]
    return {
        "description": f"{description} Sensitivity {level.value}: may be masked or withheld "
        "(see extensions.disclosure).",
        "directives": [Sensitive(level=level)],
    }


# Plain graphql-core resolvers for the customer_data fields, by "Type.field": the same
# disclosure as strawberry's resolver, without its per-call argument and Info wrapping.
PLAIN_RESOLVERS: dict[str, Callable[..., Any]] = {}


def customer_data(field: str, attribute: str, *, description: str) -> Any:
    """A field whose value is ``root.<attribute>``, released through the disclosure gate.

    ``field`` is the policy's catalogue key ("Type.fieldName"); ``attribute`` a dotted path on
    the object (``"row.balance"``); ``root.owner`` the customer the value belongs to.
    """
    read = attrgetter(attribute)

    def resolve(root: Any, info: Info) -> Any:
        return info.context.disclosure.disclose(field, root.owner, read(root), info.path)

    def plain(root: Any, info: Any, **_arguments: Any) -> Any:
        return info.context.disclosure.disclose(field, root.owner, read(root), info.path)

    PLAIN_RESOLVERS[field] = plain
    return strawberry.field(resolver=resolve, **_described(field, description))


def computed_customer_data(
    field: str, compute: Callable[[Any, Info], Awaitable[Any]], *, description: str
) -> Any:
    """Like :func:`customer_data` for a value computed by ``await compute(root, info)``."""

    async def resolve(root: Any, info: Info) -> Any:
        value = await compute(root, info)
        return info.context.disclosure.disclose(field, root.owner, value, info.path)

    return strawberry.field(resolver=resolve, **_described(field, description))


def band_field(
    key: str,
    amount: Callable[[Any, Info], Awaitable[Decimal | None]],
    currency: Callable[[Any], str],
    *,
    description: str,
) -> Any:
    """A band (e.g. "1M–3M CNY") of an amount field, for callers who may not see the figure."""
    base = BANDS[key]

    async def resolve(root: Any, info: Info) -> str | None:
        value = await amount(root, info)
        return info.context.disclosure.disclose_band(
            key, root.owner, value, currency(root), info.path
        )

    return strawberry.field(
        resolver=resolve,
        description=f"{description} Shown wherever `{base.split('.')[1]}` may be seen in the "
        "clear or as a band.",
        directives=[Sensitive(level=FIELDS[base][0])],
    )


def row_value(attribute: str) -> Callable[[Any, Info], Awaitable[Any]]:
    """An async reader of a row attribute, for :func:`band_field`."""
    read = attrgetter(attribute)

    async def value(root: Any, _info: Info) -> Any:
        return read(root)

    return value
