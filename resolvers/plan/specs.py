"""How a planned field gets its value: the declarations each type's table is written in.

A type's table maps schema field names to one of these. The compiler turns each selected
field into a compiled field (``resolvers.plan.fields``) with the field's own type, response
key and arguments; a field absent from its type's table is not planned, and its document runs
on the reference path instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from resolvers.plan.memo import Need

if TYPE_CHECKING:
    from resolvers.plan.fields import Selection
    from resolvers.plan.run import Run

Needs = Callable[[Sequence[Any], "Run", dict[str, Any]], Iterable[Need]]
owner_of = attrgetter("cust_no")


@dataclass(frozen=True)
class Plain:
    """A value of the object (``read(obj, run)``), serialized as the field's type says."""

    read: Callable[[Any, Run], Any]
    needs: Needs | None = None
    reference: bool = False  # reads the request's reference snapshot (run.reference)
    attribute: str | None = None  # read is obj.<attribute>: the compiled code reads it inline
    serialize: Callable[[Any], Any] | None = None  # instead of the field type's serializer


@dataclass(frozen=True)
class Gated:
    """Customer data: ``read(obj, run)`` released through the disclosure gate under the
    policy's catalogue key, for the customer ``owner(obj)``."""

    catalogue: str
    read: Callable[[Any, Run], Any]
    owner: Callable[[Any], str] = owner_of
    needs: Needs | None = None
    reference: bool = False
    attribute: str | None = None


@dataclass(frozen=True)
class Band:
    """An amount's band (catalogue key of the band field), in ``currency(obj)``."""

    catalogue: str
    amount: Callable[[Any, Run], Any]
    currency: Callable[[Any], str]
    owner: Callable[[Any], str] = owner_of
    needs: Needs | None = None
    reference: bool = False


@dataclass(frozen=True)
class Related:
    """An object (or list of objects, or None) of another type: ``read(obj, run, args)``
    from what ``needs(objs, run, args)`` loaded for the whole level."""

    read: Callable[[Any, Run, dict[str, Any]], Any]
    needs: Needs | None = None
    reference: bool = False
    # Given the compiled selection of what the field returns, needs that load it together
    # with what that selection needs in turn (None: ``needs`` as usual).
    prefetch: Callable[[Selection], Needs | None] | None = None
    # The read only hands back what the object already holds (a page's items, the page
    # itself): read again where needed rather than kept per object (``compile._kept``).
    at_hand: bool = False


@dataclass(frozen=True)
class Root:
    """A root field: ``await resolve(run, args, selection)``, its value for the response
    (``selection`` is the compiled selection of what it returns, or None for a leaf)."""

    resolve: Callable[[Run, dict[str, Any], Selection | None], Awaitable[Any]]
    reference: bool = False


Spec = Plain | Gated | Band | Related | Root
Table = dict[str, Spec]


def reference_row(run: Run, table: str, key: Any) -> Any:
    """A row of one of the request's reference tables (``branches``, ``products``, …) by
    key; None for no key or no such row."""
    assert run.reference is not None
    return getattr(run.reference, table).get(key) if key is not None else None


def row(attribute: str) -> Callable[[Any, Run], Any]:
    """A reader of ``obj.<attribute>`` (dotted), for a spec."""
    get = attrgetter(attribute)
    return lambda obj, _run: get(obj)


def column(attribute: str) -> Plain:
    """A plain field that is ``obj.<attribute>`` (dotted)."""
    return Plain(row(attribute), attribute=attribute)


def gated(catalogue: str, attribute: str) -> Gated:
    """Customer data that is ``obj.<attribute>``, owned by ``obj.cust_no``."""
    return Gated(catalogue, row(attribute), attribute=attribute)
