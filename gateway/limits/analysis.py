"""What a parsed document would cost, measured on its AST before anything executes.

Each fragment is measured once (per the two contexts it can appear in) and its figures are
multiplied by its uses, so a document whose fragments each spread the previous one twice
costs linear time to measure, not exponential; a fragment that spreads itself is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionNode,
    SelectionSetNode,
    TypeMetaFieldDef,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.type.definition import GraphQLNamedType

PAGE_ARGUMENT = "first"
INTROSPECTION = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


class CircularFragment(Exception):
    """A fragment that spreads itself, directly or through others."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Shape:
    """Figures of a selection set. ``fields`` counts the fields at its own level (what a
    fragment adds to the level it is spread into); the rest cover everything beneath."""

    depth: int = 0
    cost: int = 0
    aliases: int = 0
    directives: int = 0
    fields: int = 0

    def beside(self, other: Shape) -> Shape:
        """Two selections of the same selection set."""
        return Shape(
            depth=max(self.depth, other.depth),
            cost=self.cost + other.cost,
            aliases=self.aliases + other.aliases,
            directives=self.directives + other.directives,
            fields=self.fields + other.fields,
        )

    def plus_directives(self, count: int) -> Shape:
        return Shape(self.depth, self.cost, self.aliases, self.directives + count, self.fields)


@dataclass(frozen=True)
class Measure:
    """Figures of one operation, fragments expanded."""

    operation: str | None
    depth: int
    cost: int
    aliases: int
    directives: int
    root_fields: int


def measure_document(
    document: DocumentNode,
    schema: GraphQLSchema,
    variables: Mapping[str, Any] | None = None,
    *,
    list_estimate: int = 10,
) -> list[Measure]:
    """One measure per operation of the document. Raises CircularFragment."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(schema, fragments, variables or {}, list_estimate)
    measures = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        walker.defaults = {
            v.variable.name.value: value_from_ast_untyped(v.default_value)
            for v in definition.variable_definitions or ()
            if v.default_value is not None
        }
        root = schema.get_root_type(definition.operation)
        shape = walker.selection_set(definition.selection_set, root, sized=False)
        shape = shape.plus_directives(len(definition.directives or ()))
        measures.append(
            Measure(
                operation=definition.name.value if definition.name else None,
                depth=shape.depth,
                cost=shape.cost,
                aliases=shape.aliases,
                directives=shape.directives,
                root_fields=shape.fields,
            )
        )
    return measures


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        list_estimate: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults: dict[str, Any] = {}
        self.list_estimate = list_estimate
        self.memo: dict[tuple[str, bool], Shape] = {}
        self.visiting: set[str] = set()

    def selection_set(
        self, node: SelectionSetNode, parent: GraphQLNamedType | None, *, sized: bool
    ) -> Shape:
        shape = Shape()
        for selection in node.selections:
            shape = shape.beside(self.selection(selection, parent, sized=sized))
        return shape

    def selection(
        self, node: SelectionNode, parent: GraphQLNamedType | None, *, sized: bool
    ) -> Shape:
        directives = len(node.directives or ())
        if isinstance(node, FieldNode):
            return self.field(node, parent, sized=sized).plus_directives(directives)
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            inner_type = self._type(condition.name.value) if condition else parent
            inner = self.selection_set(node.selection_set, inner_type, sized=sized)
            return inner.plus_directives(directives)
        assert isinstance(node, FragmentSpreadNode)
        return self.fragment(node.name.value, sized=sized).plus_directives(directives)

    def fragment(self, name: str, *, sized: bool) -> Shape:
        key = (name, sized)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        if definition is None:
            return Shape()  # validation names the unknown fragment
        if name in self.visiting:
            raise CircularFragment(name)
        self.visiting.add(name)
        try:
            parent = self._type(definition.type_condition.name.value)
            shape = self.selection_set(definition.selection_set, parent, sized=sized)
            shape = shape.plus_directives(len(definition.directives or ()))
        finally:
            self.visiting.discard(name)
        self.memo[key] = shape
        return shape

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, *, sized: bool) -> Shape:
        alias = 1 if node.alias else 0
        if node.selection_set is None:
            return Shape(depth=1, cost=1, aliases=alias, fields=1)
        definition = _field_definition(parent, node.name.value)
        field_type = definition.type if definition is not None else None
        multiplier, inner_sized = 1, False
        if definition is not None and PAGE_ARGUMENT in definition.args:
            multiplier = self._page_size(node, definition.args[PAGE_ARGUMENT].default_value)
            inner_sized = True
        elif _is_list(field_type):
            # `edges` and `nodes` of a connection hold the `first` already counted above.
            multiplier = 1 if sized else self.list_estimate
        inner_type = get_named_type(field_type) if field_type is not None else None
        inner = self.selection_set(node.selection_set, inner_type, sized=inner_sized)
        return Shape(
            # Introspection nests `ofType` deeply but harmlessly (as graphql-armor, its depth is
            # not counted); its lists still count towards the cost.
            depth=1 if node.name.value in INTROSPECTION else 1 + inner.depth,
            cost=1 + multiplier * inner.cost,
            aliases=alias + inner.aliases,
            directives=inner.directives,
            fields=1,
        )

    def _page_size(self, node: FieldNode, default: Any) -> int:
        value: Any = default
        for argument in node.arguments or ():
            if argument.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                name = argument.value.name.value
                value = self.variables.get(name, self.defaults.get(name, default))
        if isinstance(value, bool) or not isinstance(value, int):
            value = default if isinstance(default, int) else self.list_estimate
        return max(value, 0)

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


def _field_definition(parent: GraphQLNamedType | None, name: str) -> Any:
    if name in INTROSPECTION:
        return INTROSPECTION[name]
    fields = getattr(parent, "fields", None)
    if fields is None:
        return None
    if name in fields:
        return fields[name]
    return None


def _is_list(field_type: Any) -> bool:
    while isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)
