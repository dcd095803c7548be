"""The limits applied where strawberry parses and validates, before any resolver runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from gateway.limits import refusals
from gateway.limits.analysis import CircularFragment, Measure, measure_document
from gateway.limits.config import QueryLimits

# graphql-core's parser stops at the first character or token over its limits; these are the
# beginnings of the messages it stops with (tokens and comments alike count as tokens here).
_SOURCE_TOO_LONG = "Syntax Error: Source contains more than"
_TOO_MANY_TOKENS = "Syntax Error: Document contains more than"


class DocumentLimits(SchemaExtension):
    """Refuses a document over any of the limits with a GraphQL error carrying the limit's
    code: size and tokens while parsing (the parser stops at the first token over), depth,
    aliases, root fields, directives and cost on the AST before validation, so a refused
    document costs neither validation nor execution."""

    def __init__(self, limits: QueryLimits) -> None:
        self.limits = limits

    @classmethod
    def factory(cls, limits: QueryLimits) -> Callable[[], DocumentLimits]:
        """What ``strawberry.Schema(extensions=[...])`` takes: a fresh instance per request."""
        return lambda: cls(limits)

    def on_parse(self) -> Iterator[None]:
        options = cast(dict[str, Any], self.execution_context.parse_options)
        options.update(parse_options(self.limits))
        yield
        for error in self.execution_context.pre_execution_errors or ():
            if isinstance(error, GraphQLSyntaxError):
                self._name_parser_refusal(error)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            errors = self.check(context.graphql_document, context.variables)
            if errors:
                # Set before strawberry validates: it then skips validation altogether.
                context.pre_execution_errors = errors
        yield

    def check(self, document: Any, variables: dict[str, Any] | None) -> list[GraphQLError]:
        """The refusals of a parsed document, empty when it is within every limit."""
        return refusals_of(document, self.execution_context.schema._schema, variables, self.limits)

    def _name_parser_refusal(self, error: GraphQLSyntaxError) -> None:
        # Strawberry has already captured this error object, so it is annotated in place.
        if error.message.startswith(_SOURCE_TOO_LONG):
            error.message = (
                f"The document is longer than {self.limits.max_document_chars} characters."
            )
            error.extensions = {
                "code": refusals.DOCUMENT_TOO_LARGE,
                "limit": self.limits.max_document_chars,
            }
        elif error.message.startswith(_TOO_MANY_TOKENS):
            error.message = f"The document has more than {self.limits.max_tokens} tokens."
            error.extensions = {"code": refusals.TOO_MANY_TOKENS, "limit": self.limits.max_tokens}


def refusals_of(
    document: Any, schema: Any, variables: dict[str, Any] | None, limits: QueryLimits
) -> list[GraphQLError]:
    """The refusals of a parsed document under the limits, empty when within every one."""
    return refusals_and_cost(document, schema, variables, limits)[0]


def refusals_and_cost(
    document: Any, schema: Any, variables: dict[str, Any] | None, limits: QueryLimits
) -> tuple[list[GraphQLError], int]:
    """:func:`refusals_of`, and the estimated cost of the document's costliest operation
    (0 when it was refused before it could be measured)."""
    try:
        measures = measure_document(document, schema, variables, list_estimate=limits.list_estimate)
    except CircularFragment as circular:
        refused = refusals.refusal(
            refusals.CIRCULAR_FRAGMENT,
            f"Fragment {circular.name!r} spreads itself.",
            fragment=circular.name,
        )
        return [refused], 0
    errors = [error for measure in measures for error in _over(measure, limits)]
    return errors, max((measure.cost for measure in measures), default=0)


def _over(measure: Measure, limits: QueryLimits) -> Iterator[GraphQLError]:
    checks = (
        (measure.depth, limits.max_depth, refusals.QUERY_TOO_DEEP, "nests fields", "deep"),
        (measure.aliases, limits.max_aliases, refusals.TOO_MANY_ALIASES, "has aliases", ""),
        (
            measure.root_fields,
            limits.max_root_fields,
            refusals.TOO_MANY_ROOT_FIELDS,
            "selects root fields",
            "",
        ),
        (
            measure.directives,
            limits.max_directives,
            refusals.TOO_MANY_DIRECTIVES,
            "uses directives",
            "",
        ),
        (measure.cost, limits.max_cost, refusals.QUERY_TOO_COSTLY, "costs", ""),
    )
    for value, limit, code, what, unit in checks:
        if value > limit:
            figure = f"{value} {unit}".strip()
            yield refusals.refusal(
                code,
                f"The operation {what} {figure}; at most {limit} allowed.",
                limit=limit,
                measured=value,
            )


def parse_options(limits: QueryLimits) -> dict[str, Any]:
    """graphql-core's parser options that enforce the size and token limits."""
    return {
        "max_source_length": limits.max_document_chars,
        "max_lexical_tokens": limits.max_tokens,
        "max_comments": limits.max_tokens,
    }
