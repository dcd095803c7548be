"""From a validated query to a plan: each selection set compiled once for its type.

Fields are collected as graphql-core collects them (fragments and inline fragments whose
type condition holds, fields of one response key merged); each is compiled from its type's
table (``resolvers.plan.tables``) with its own response key, arguments, nullability and
serializer. Anything the tables do not declare, a directive, or an abstract type raises
:class:`Unsupported`: the document then runs on the reference path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from resolvers.plan.codegen import builder
from resolvers.plan.fields import (
    Banded,
    Child,
    Children,
    Disclosed,
    Field,
    Leaf,
    Selection,
    Typename,
)
from resolvers.plan.specs import Band, Gated, Plain, Related, Root, Spec, Table

NO_VARIABLES = VariableValues({}, {})
_IDENTITY_SCALARS = {"String", "ID", "Int", "Float", "Boolean"}
_SCALARS: dict[str, Callable[[Any], Any]] = {
    "Decimal": str,
    "Date": date.isoformat,
    "DateTime": datetime.isoformat,
}


class Unsupported(Exception):
    """The document asks for something the planner does not plan."""


@dataclass(frozen=True)
class RootCall:
    """One root field to resolve before the levels below it load."""

    key: str
    resolve: Any
    arguments: Callable[[Any], dict[str, Any]]
    selection: Selection | None


@dataclass
class Plan:
    """A compiled operation: its root calls and the root selection they feed."""

    selection: Selection
    calls: list[RootCall]
    operation_name: str | None = None
    variable_definitions: Sequence[Any] = field(default_factory=tuple)


class Compiler:
    """Compiles one operation of a validated document against the tables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        tables: dict[str, Table],
        fragments: dict[str, FragmentDefinitionNode],
        uses_reference: Callable[[Spec], bool],
    ) -> None:
        self.schema = schema
        self.tables = tables
        self.fragments = fragments
        self.uses_reference = uses_reference
        self.calls: list[RootCall] = []

    def operation(self, operation: OperationDefinitionNode) -> Plan:
        if operation.operation is not OperationType.QUERY or operation.directives:
            raise Unsupported("only queries without directives are planned")
        root = self.schema.query_type
        assert root is not None
        selection = self.selection(root, [operation.selection_set], at_root=True)
        return Plan(
            selection,
            self.calls,
            operation.name.value if operation.name else None,
            operation.variable_definitions or (),
        )

    def selection(
        self, parent: GraphQLObjectType, sets: Sequence[SelectionSetNode], at_root: bool = False
    ) -> Selection:
        table = self.tables.get(parent.name)
        if table is None:
            raise Unsupported(f"type {parent.name}")
        fields: list[Field] = []
        loads: list[Any] = []
        nested: list[Any] = []
        reference = False
        for key, nodes in self.collect(parent, sets).items():
            node = nodes[0]
            name = node.name.value
            if name == "__typename":
                fields.append(Typename(key, node, parent.name))
                continue
            spec = table.get(name)
            definition = parent.fields.get(name)
            if spec is None or definition is None:
                raise Unsupported(f"field {parent.name}.{name}")
            reference |= self.uses_reference(spec)
            arguments = self.arguments(definition, node)
            compiled, child = self.field(parent, key, nodes, definition, spec, arguments, at_root)
            compiled.arguments = arguments
            fields.append(compiled)
            needs = getattr(spec, "needs", None)
            if isinstance(spec, Related) and spec.prefetch is not None and child is not None:
                needs = spec.prefetch(child) or needs
            if needs is not None:
                loads.append(_loader(needs, arguments))
            if child is not None:
                nested.append((_children(compiled.read), child))  # type: ignore[attr-defined]
        return Selection(
            parent.name, fields, loads, nested, reference, builder(tuple(fields), _same)
        )

    def field(
        self,
        parent: GraphQLObjectType,
        key: str,
        nodes: list[FieldNode],
        definition: GraphQLField,
        spec: Spec,
        arguments: Callable[[Any], dict[str, Any]],
        at_root: bool,
    ) -> tuple[Field, Selection | None]:
        node = nodes[0]
        label = f"{parent.name}.{node.name.value}"
        nonnull, listed, items_nonnull, named = _shape(definition.type)
        child: Selection | None = None
        if isinstance(named, GraphQLObjectType):
            child = self.selection(named, [n.selection_set for n in nodes if n.selection_set])
        elif not isinstance(named, GraphQLScalarType | GraphQLEnumType):
            raise Unsupported(f"abstract type {named}")
        if isinstance(spec, Gated | Band):
            if child is not None or listed:
                raise Unsupported(f"{label}: customer data must be a single leaf")
            if isinstance(spec, Gated):
                serialize = _serializer(named)
                return Disclosed(
                    key, label, node, spec.catalogue, spec.read, spec.owner, serialize,
                    spec.attribute,
                ), None  # fmt: skip
            return Banded(
                key, label, node, spec.catalogue, spec.amount, spec.owner, spec.currency
            ), None
        read: Callable[[Any, Any], Any]
        if isinstance(spec, Root):
            if not at_root:
                raise Unsupported(f"root field {label} below the root")
            self.calls.append(RootCall(key, spec.resolve, arguments, child))
            read = _root_value(key)
        elif isinstance(spec, Related):
            read = _with_arguments(spec.read, arguments)
            if not spec.at_hand:
                read = _kept(read)
        else:
            read = spec.read
        if child is None:
            if listed:
                raise Unsupported(f"{label}: lists of leaves")
            attribute = spec.attribute if isinstance(spec, Plain) else None
            serialize = (spec.serialize if isinstance(spec, Plain) else None) or _serializer(named)
            return Leaf(key, label, node, nonnull, read, serialize, attribute), None
        if listed:
            return Children(key, label, node, nonnull, read, child, items_nonnull), child
        return Child(key, label, node, nonnull, read, child), child

    def arguments(
        self, definition: GraphQLField, node: FieldNode
    ) -> Callable[[Any], dict[str, Any]]:
        """The field's arguments: computed once now, or per request when they use variables."""
        if not definition.args:
            return _no_arguments
        if not _uses_variables(node):
            return _Fixed(get_argument_values(definition, node, NO_VARIABLES))
        slot = id(node)
        return lambda run: run.arguments(
            slot, lambda variables: get_argument_values(definition, node, variables)
        )

    def collect(
        self, parent: GraphQLObjectType, sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key in document order, fragments spread in."""
        fields: dict[str, list[FieldNode]] = {}
        for selection_set in sets:
            self._collect(parent, selection_set, fields)
        return fields

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, parent):
                    self._collect(parent, selection.selection_set, fields)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(fragment.type_condition, parent):
                    self._collect(parent, fragment.selection_set, fields)

    def _applies(self, condition: Any, parent: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        if named is parent:
            return True
        return (
            named is not None
            and not isinstance(named, GraphQLObjectType)
            and (
                self.schema.is_sub_type(named, parent)  # type: ignore[arg-type]
            )
        )


def _shape(output: GraphQLOutputType) -> tuple[bool, bool, bool, Any]:
    """(non-null, a list, items non-null, the named type) of a field's type."""
    nonnull = isinstance(output, GraphQLNonNull)
    inner = output.of_type if nonnull else output  # type: ignore[union-attr]
    if not isinstance(inner, GraphQLList):
        return nonnull, False, False, inner
    item = inner.of_type
    items_nonnull = isinstance(item, GraphQLNonNull)
    named = item.of_type if items_nonnull else item
    if isinstance(named, GraphQLList):
        raise Unsupported("lists of lists")
    return nonnull, True, items_nonnull, named


def _serializer(named: Any) -> Callable[[Any], Any]:
    if isinstance(named, GraphQLEnumType):
        names: dict[Any, str] = {value.value: name for name, value in named.values.items()}
        wrapped = getattr(named, "wrapped_cls", None)
        if wrapped is not None:
            names.update({member: names[member.value] for member in wrapped})
        return names.__getitem__
    if named.name in _IDENTITY_SCALARS:
        return _same
    return _SCALARS.get(named.name, named.serialize)


def _same(value: Any) -> Any:
    return value


class _Fixed:
    """Arguments that use no variables: the same for every request (``value``)."""

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any]) -> None:
        self.value = value

    def __call__(self, _run: Any) -> dict[str, Any]:
        return self.value


_no_arguments = _Fixed({})  # never changed: no read writes into its arguments


def _uses_variables(node: FieldNode) -> bool:
    return any(_has_variable(argument.value) for argument in node.arguments or ())


def _has_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_has_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_has_variable(f.value) for f in value.fields)
    return False


def _with_arguments(read: Any, arguments: Callable[[Any], dict[str, Any]]) -> Any:
    if type(arguments) is _Fixed:
        fixed = arguments.value
        return lambda obj, run: read(obj, run, fixed)
    return lambda obj, run: read(obj, run, arguments(run))


def _kept(read: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A related field's read, done once per object: the load phase reads it to find the
    next level's objects, the response is built from the same value."""
    slot = object()

    def kept(obj: Any, run: Any) -> Any:
        key = (slot, id(obj))
        found = run.kept.get(key, _MISSING)
        if found is _MISSING:
            found = run.kept[key] = read(obj, run)
        return found

    return kept


_MISSING = object()


def _root_value(key: str) -> Callable[[Any, Any], Any]:
    return lambda _obj, run: run.root(key)


def _loader(needs: Any, arguments: Callable[[Any], dict[str, Any]]) -> Any:
    def load(objs: Sequence[Any], run: Any) -> Any:
        try:
            return needs(objs, run, arguments(run))
        except Exception:
            return ()  # the fields report it, each at its own path, when the response is built

    return load


def _gather(read: Callable[[Any, Any], Any], objs: Sequence[Any], run: Any) -> list[Any]:
    found: list[Any] = []
    for obj in objs:
        try:
            value = read(obj, run)
        except Exception:
            continue  # reported by the field itself when the response is built
        if value is None:
            continue
        if isinstance(value, list | tuple):
            found.extend(v for v in value if v is not None)
        else:
            found.append(value)
    return found


def _children(read: Callable[[Any, Any], Any]) -> Any:
    return lambda objs, run: _gather(read, objs, run)
