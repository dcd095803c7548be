"""The GraphQL schema: every type of the merged view, built once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from gateway.errors import is_internal, masked_internal
from gateway.limits import DocumentLimits, QueryLimits
from gateway.observe import RequestTelemetry
from gateway.production import production_extensions
from resolvers.banking import Account, Branch, Transaction
from resolvers.customer import Customer
from resolvers.mutations import Mutation
from resolvers.query import Query
from resolvers.relationship import Complaint, Interaction, RelationshipManager
from resolvers.sensitive import PLAIN_RESOLVERS
from resolvers.wealth import Holding, Product

NODE_TYPES = [
    Customer,
    Account,
    Transaction,
    Holding,
    Product,
    RelationshipManager,
    Branch,
    Interaction,
    Complaint,
]


class MaskInternalErrors(MaskErrors):
    """Errors we did not raise on purpose reach the client as a code, never as details."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        # Strawberry has already logged the original error before this masks it; the
        # filter in gateway/logs.py keeps its type, path, frames and request id, and drops
        # its message, which may hold a customer's value.
        request_id = getattr(self.execution_context.context, "request_id", None)
        return masked_internal(error, request_id)


class DisclosureReport(SchemaExtension):
    """Says why values are not in the clear (``extensions.disclosure``: per path, masked with
    its form, banded, or withheld with the policy's reason), and lets the audit trail settle
    once the operation is done."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        context.disclosure.close()
        await context.audit.settle()

    def get_results(self) -> dict[str, Any]:
        notes = self.execution_context.context.disclosure.notes
        return {"disclosure": notes} if notes else {}


def build_schema(
    limits: QueryLimits | None = None,
    *,
    production: bool = False,
    plain_resolvers: bool = True,
) -> strawberry.Schema:
    """The schema served at /graphql and exported to schema.graphql: document limits first
    (nothing over them is validated or run), and in production no introspection and no
    field suggestions.

    ``plain_resolvers`` lets fields that only read an attribute and pass it through the
    disclosure gate resolve as plain graphql-core functions; without it every field goes
    through strawberry's own resolver wrapper (the reference path the tests compare with).
    """
    extensions: list[Any] = [DocumentLimits.factory(limits or QueryLimits())]
    if production:
        extensions += production_extensions()
    built = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[*extensions, MaskInternalErrors, DisclosureReport, RequestTelemetry],
    )
    if plain_resolvers:
        install_plain_resolvers(built)
    return built


def install_plain_resolvers(built: strawberry.Schema) -> None:
    """Point each customer_data field of this schema at its plain resolver."""
    for key, resolve in PLAIN_RESOLVERS.items():
        type_name, field_name = key.split(".")
        graphql_type = built._schema.get_type(type_name)
        graphql_type.fields[field_name].resolve = resolve  # type: ignore[union-attr]


schema = build_schema()
