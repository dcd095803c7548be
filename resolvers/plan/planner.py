"""Plan each distinct document once, and run the plan instead of the resolver tree.

A plain resolver tree costs tens of microseconds per field and re-parses and re-validates
every document. The planner parses, limits, validates and compiles a document the first
time it sees it (keyed by its text and operation name; nothing in a plan depends on the
caller), then answers each request for it by loading one batch per source and level and
building the response directly, with the same masking, disclosure notes, audit records and
errors as the schema's resolvers (``tests/test_planner.py`` compares them over generated
queries for every role).

Whatever the planner does not cover runs on the reference path, strawberry's executor
over the same schema: a document that does not parse or validate, is over a limit, has
variables that do not coerce, asks for a field no table declares, or is not a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    VariableNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource, get_variable_values
from graphql.pyutils import Undefined
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.utils.logging import StrawberryLogger

from gateway.context import Context
from gateway.errors import is_internal, masked_internal
from gateway.limits import Admission, QueryLimits, parse_options, refusals_and_cost
from gateway.limits.analysis import PAGE_ARGUMENT
from resolvers.plan.compile import Compiler, Plan, Unsupported
from resolvers.plan.run import Run
from resolvers.plan.tables import TABLES, uses_reference

PLANS_KEPT = 1000
RULES = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)


@dataclass(frozen=True)
class Prepared:
    """A planned operation of one document."""

    document: DocumentNode
    plan: Plan
    sized_by_variables: bool  # a page size comes from a variable: limits depend on them
    cost: int  # the estimated cost (measured again per request when sized by variables)
    text_variables: tuple[tuple[str, Any, bool], ...] | None = None  # see _text_variables

    def variables(self, schema: GraphQLSchema, given: dict[str, Any] | None) -> Any:
        """The request's variables coerced as graphql-core coerces them (a list of errors
        when they do not coerce). When every variable is an ID or a String without a
        default, and each is given as text or left out where it may be, the values are
        what graphql-core would make of them, and graphql-core is not asked."""
        given = given or {}
        simple = self.text_variables
        if simple is not None:
            sources: dict[str, Any] = {}
            coerced: dict[str, Any] = {}
            for name, signature, required in simple:
                value = given.get(name, Undefined)
                if value is Undefined:
                    if required:
                        break
                    sources[name] = VariableValueSource(signature)
                    continue
                if type(value) is not str and (value is not None or required):
                    break
                sources[name] = VariableValueSource(signature, value)
                coerced[name] = value
            else:
                return VariableValues(sources, coerced)
        return get_variable_values(schema, self.plan.variable_definitions, given)


@dataclass
class Answer:
    """A planned request's response body, and what telemetry wants to know of it."""

    body: dict[str, Any]
    operation_name: str | None
    outcome: str


class Planner:
    """The plans of one schema (one per process; plans hold nothing of any request)."""

    def __init__(
        self, schema: GraphQLSchema, limits: QueryLimits, admission: Admission | None = None
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.admission = admission or Admission()
        self._prepared: LRUCache[tuple[str, str | None], Prepared | None] = LRUCache(PLANS_KEPT)

    def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        """The plan of a document's operation, None if it must take the reference path."""
        key = (query, operation_name)
        try:
            return self._prepared[key]
        except KeyError:
            pass
        prepared = self._plan(query, operation_name)
        self._prepared[key] = prepared
        return prepared

    def _plan(self, query: str, operation_name: str | None) -> Prepared | None:
        try:
            document = parse(query, **parse_options(self.limits))
        except GraphQLError:
            return None
        sized = _sized_by_variables(document)
        cost = 0  # measured per request, under its variables
        if not sized:
            refused, cost = refusals_and_cost(document, self.schema, None, self.limits)
            if refused:
                return None
        if validate(self.schema, document, RULES):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        try:
            plan = Compiler(self.schema, TABLES, fragments, uses_reference).operation(operation)
        except Unsupported:
            return None
        if operation_name is None and operation.name is not None:
            plan.operation_name = operation.name.value
        return Prepared(document, plan, sized, cost, _text_variables(self.schema, plan))

    async def answer(
        self, prepared: Prepared, context: Context, variables: dict[str, Any] | None
    ) -> Answer | None:
        """Run a plan; None when the request must take the reference path after all (its
        variables do not coerce, or they put it over a limit) — nothing has run then."""
        cost = prepared.cost
        if prepared.sized_by_variables:
            refused, cost = refusals_and_cost(
                prepared.document, self.schema, variables, self.limits
            )
            if refused:
                return None
        coerced = prepared.variables(self.schema, variables)
        if isinstance(coerced, list):
            return None
        async with self.admission.admitted(cost):
            run = Run(context, coerced)
            data = await run.execute(prepared.plan)
            errors = [_reported(error, context.request_id) for error in run.errors]
            context.disclosure.close()
        await context.audit.settle()  # type: ignore[attr-defined]
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = [error.formatted for error in errors]
        extensions: dict[str, Any] = {}
        if context.disclosure.notes:
            extensions["disclosure"] = context.disclosure.notes
        sources = context.sources_report.as_extension()
        if sources:
            extensions["sources"] = sources
        if extensions:
            body["extensions"] = extensions
        outcome = "ok" if not errors else "partial" if data else "error"
        return Answer(body, prepared.plan.operation_name, outcome)


def _reported(error: GraphQLError, request_id: str) -> GraphQLError:
    """Log an error as strawberry does (gateway.logs keeps only internal ones, without
    their message) and mask an internal one for the client."""
    StrawberryLogger.error(error)
    return masked_internal(error, request_id) if is_internal(error) else error


_TEXT_SCALARS = frozenset({"ID", "String"})


def _text_variables(schema: GraphQLSchema, plan: Plan) -> tuple[tuple[str, Any, bool], ...] | None:
    """Each variable's name, signature and whether it is required, when every one is an ID
    or a String without a default: what ``Prepared.variables`` coerces by itself."""
    found = []
    for definition in plan.variable_definitions:
        type_node, required = definition.type, False
        if isinstance(type_node, NonNullTypeNode):
            type_node, required = type_node.type, True
        if (
            definition.default_value is not None
            or not isinstance(type_node, NamedTypeNode)
            or type_node.name.value not in _TEXT_SCALARS
        ):
            return None
        signature = get_variable_signature(schema, definition)
        if isinstance(signature, GraphQLError):
            return None
        found.append((signature.name, signature, required))
    return tuple(found)


def _sized_by_variables(document: DocumentNode) -> bool:
    """Whether some field's page size (``first``) is a variable."""
    stack: list[Any] = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            for argument in node.arguments or ():
                if argument.name.value == PAGE_ARGUMENT and isinstance(
                    argument.value, VariableNode
                ):
                    return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False
