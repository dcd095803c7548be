"""What production turns off in the schema: introspection and "Did you mean …?" suggestions,
both of which map the schema for someone who has not been given it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from graphql import GraphQLError, validate
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """Validates with graphql-core's ``hide_suggestions`` (strawberry cannot pass it), and
    strips suggestions from errors raised later, such as variable coercion."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            # Set before strawberry validates, which then does not validate again.
            context.pre_execution_errors = validate(
                context.schema._schema,
                context.graphql_document,
                (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule),
                hide_suggestions=True,
            )
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors: list[GraphQLError] = list(self.execution_context.pre_execution_errors or ())
        errors += list(getattr(result, "errors", None) or ())
        for error in errors:
            error.message = _SUGGESTION.sub("", error.message)


def production_extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """The schema extensions C360_ENV=production adds."""
    return [DisableIntrospection, HideSuggestions]
