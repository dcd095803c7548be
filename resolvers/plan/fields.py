"""The compiled fields of a plan, and how an object's response is built from them.

A :class:`Selection` is the compiled selection set of one object type: its fields in
response order, each knowing how to produce its response value from a loaded object.
Building the response is one synchronous walk (every read happened in the load phase), with
graphql-core's semantics: a field that fails gets a located error and null; a null where the
schema forbids one spreads to the nearest nullable field above it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, located_error

from gateway.disclosure import path_steps

if TYPE_CHECKING:
    from resolvers.plan.run import Run

# A response path written with dots ("customers.nodes.3.name"; "" at the root), as the audit
# trail names it: response keys are GraphQL names, never numbers and never dotted, so the
# steps come back out of it exactly (``path_steps``) on the rare error that needs them.
Path = str
Read = Callable[[Any, "Run"], Any]


def at(path: Path, key: str) -> Path:
    """The path of a field below an object's path."""
    return f"{path}.{key}" if path else key


class Bubble(Exception):
    """A non-null field came out null: its error is recorded, its parent must be null too."""


class Field:
    """One response key of a selection."""

    __slots__ = ("arguments", "key", "label", "node", "nonnull")

    def __init__(self, key: str, label: str, node: FieldNode, nonnull: bool) -> None:
        self.key = key
        self.label = label  # "Type.field", for the non-null error
        self.node = node
        self.nonnull = nonnull
        self.arguments: Callable[[Any], dict[str, Any]] | None = None  # set by the compiler

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        raise NotImplementedError

    def fail(self, error: Exception, run: Run, path: Path) -> None:
        """Record a located error for this field; Bubble if it may not be null."""
        run.errors.append(located_error(error, [self.node], path_steps(path)))
        if self.nonnull:
            raise Bubble

    def missing(self, run: Run, path: Path) -> None:
        """A null where the schema allows none (graphql-core reports it as a TypeError)."""
        self.fail(TypeError(f"Cannot return null for non-nullable field {self.label}."), run, path)


class Leaf(Field):
    """A scalar or enum value read from the object and serialized."""

    __slots__ = ("attribute", "read", "serialize")

    def __init__(
        self,
        key: str,
        label: str,
        node: FieldNode,
        nonnull: bool,
        read: Read,
        serialize: Callable[[Any], Any],
        attribute: str | None = None,
    ) -> None:
        super().__init__(key, label, node, nonnull)
        self.read = read
        self.serialize = serialize
        self.attribute = attribute  # read is obj.<attribute>

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        try:
            raw = self.read(obj, run)
        except Exception as error:
            self.fail(error, run, at(path, self.key))
            return None
        if raw is None:
            if self.nonnull:
                self.missing(run, at(path, self.key))
            return None
        return self.serialize(raw)


class Disclosed(Field):
    """A customer-data value, released through the request's disclosure gate."""

    __slots__ = ("attribute", "catalogue", "owner", "read", "serialize")

    def __init__(
        self,
        key: str,
        label: str,
        node: FieldNode,
        catalogue: str,
        read: Read,
        owner: Callable[[Any], str],
        serialize: Callable[[Any], Any],
        attribute: str | None = None,
    ) -> None:
        super().__init__(key, label, node, False)
        self.catalogue = catalogue
        self.read = read
        self.owner = owner
        self.serialize = serialize
        self.attribute = attribute

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        here = at(path, self.key)
        try:
            shown = run.disclosure.disclose(
                self.catalogue, self.owner(obj), self.read(obj, run), here
            )
        except Exception as error:
            self.fail(error, run, here)
            return None
        return None if shown is None else self.serialize(shown)


class Banded(Disclosed):
    """An amount as a band, wherever the amount itself may be seen clear or banded
    (``read`` is the amount, ``serialize`` gives its currency)."""

    __slots__ = ()

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        here = at(path, self.key)
        try:
            return run.disclosure.disclose_band(
                self.catalogue, self.owner(obj), self.read(obj, run), self.serialize(obj), here
            )
        except Exception as error:
            self.fail(error, run, here)
            return None


class Typename(Field):
    __slots__ = ("name",)

    def __init__(self, key: str, node: FieldNode, name: str) -> None:
        super().__init__(key, "__typename", node, True)
        self.name = name

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        return self.name


class Child(Field):
    """An object-typed field: the object, built from its own selection."""

    __slots__ = ("read", "selection")

    def __init__(
        self, key: str, label: str, node: FieldNode, nonnull: bool, read: Read, selection: Selection
    ) -> None:
        super().__init__(key, label, node, nonnull)
        self.read = read
        self.selection = selection

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        here = at(path, self.key)
        try:
            child = self.read(obj, run)
        except Exception as error:
            self.fail(error, run, here)
            return None
        if child is None:
            if self.nonnull:
                self.missing(run, here)
            return None
        try:
            return self.selection.build(child, run, here)
        except Bubble:
            if self.nonnull:
                raise
            return None


class Children(Field):
    """A list of objects, each built from the same selection."""

    __slots__ = ("items_nonnull", "read", "selection")

    def __init__(
        self,
        key: str,
        label: str,
        node: FieldNode,
        nonnull: bool,
        read: Read,
        selection: Selection,
        items_nonnull: bool,
    ) -> None:
        super().__init__(key, label, node, nonnull)
        self.read = read
        self.selection = selection
        self.items_nonnull = items_nonnull

    def value(self, obj: Any, run: Run, path: Path) -> Any:
        here = at(path, self.key)
        try:
            children = self.read(obj, run)
        except Exception as error:
            self.fail(error, run, here)
            return None
        if children is None:
            if self.nonnull:
                self.missing(run, here)
            return None
        build = self.selection.build
        built: list[dict[str, Any] | None] = []
        item = here + "."
        try:
            for index, child in enumerate(children):
                try:
                    built.append(build(child, run, f"{item}{index}"))
                except Bubble:
                    if self.items_nonnull:
                        raise
                    built.append(None)
        except Bubble:
            if self.nonnull:
                raise
            return None
        return built


class Selection:
    """The compiled selection set of one object type."""

    __slots__ = ("build", "fields", "loads", "nested", "reference", "type_name")

    def __init__(
        self,
        type_name: str,
        fields: Sequence[Field],
        loads: Sequence[Any],
        nested: Sequence[Any],
        reference: bool = False,
        build: Callable[[Any, Run, Path], dict[str, Any]] | None = None,
    ) -> None:
        self.type_name = type_name
        self.fields = tuple(fields)
        self.loads = tuple(loads)  # what the fields need loaded for a batch of objects
        self.nested = tuple(nested)  # (child objects of a batch, their selection)
        self.reference = reference  # some field reads the reference snapshot
        # The response object for one object; Bubble when a non-null field came out null.
        self.build = build or self.walk

    def selects(self, field_name: str) -> bool:
        """Whether the selection asks for a field (under any response key)."""
        return self.field(field_name) is not None

    def field(self, field_name: str) -> Field | None:
        """The first compiled field of that schema field (under any response key)."""
        label = f"{self.type_name}.{field_name}"
        return next((f for f in self.fields if f.label == label), None)

    def walk(self, obj: Any, run: Run, path: Path) -> dict[str, Any]:
        """The response object, field by field (what the written builder does at once)."""
        out: dict[str, Any] = {}
        failed = False
        for field in self.fields:
            try:
                out[field.key] = field.value(obj, run, path)
            except Bubble:
                failed = True
                break
        if failed:
            raise Bubble
        return out
