"""Running a plan for one request: the root fields, then each level's loads, then the
response in one synchronous walk."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from resolvers.plan.fields import Bubble, Selection
from resolvers.plan.memo import Failed, Memo, concurrently

if TYPE_CHECKING:
    from gateway.context import Context
    from resolvers.plan.compile import Plan, RootCall
    from resolvers.reference import ReferenceData


class Run:
    """The state of one planned request; never shared between requests."""

    __slots__ = (
        "_args",
        "_roots",
        "ctx",
        "disclosure",
        "errors",
        "kept",
        "memo",
        "reference",
        "sources",
        "variables",
    )  # fmt: skip

    def __init__(self, ctx: Context, variables: Any) -> None:
        self.ctx = ctx
        self.sources = ctx.sources
        self.disclosure = ctx.disclosure
        self.memo = Memo()
        self.errors: list[GraphQLError] = []
        self.variables = variables  # graphql-core's coerced VariableValues
        self.reference: ReferenceData | None = None
        self._args: dict[int, dict[str, Any]] = {}
        self.kept: dict[tuple[object, int], Any] = {}  # related reads, by field and object
        self._roots: dict[str, Any] = {}

    def arguments(self, key: int, compute: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        """A field's arguments under this request's variables, computed once."""
        found = self._args.get(key)
        if found is None:
            found = self._args[key] = compute(self.variables)
        return found

    def root(self, key: str) -> Any:
        """A root field's resolved value; raises what its resolver raised."""
        found = self._roots[key]
        if type(found) is Failed:
            raise found.error
        return found

    async def execute(self, plan: Plan) -> dict[str, Any] | None:
        """The response data (None when a non-null root field failed); errors in
        ``self.errors``."""
        await concurrently([self._resolve(call) for call in plan.calls])
        await self.load(plan.selection, [None])
        try:
            return plan.selection.build(None, self, "")
        except Bubble:
            return None

    async def _resolve(self, call: RootCall) -> None:
        try:
            value = await call.resolve(self, call.arguments(self), call.selection)
        except Exception as error:
            value = Failed(error)
        self._roots[call.key] = value

    async def load(self, selection: Selection, objs: Sequence[Any]) -> None:
        """Load what a selection's fields need for all its objects, then the levels below,
        level by level: each level's needs, from every branch of the response at that depth,
        in one memo load (one batch per source and argument set)."""
        wave: list[tuple[Selection, Sequence[Any]]] = [(selection, objs)] if objs else []
        while wave:
            if self.reference is None and any(level.reference for level, _objs in wave):
                # Read (nearly always from the process's cache) once a level has objects
                # that show reference data, as the resolver tree reads it.
                self.reference = await self.ctx.reference_data()
            needs = [
                need
                for level, level_objs in wave
                for load in level.loads
                for need in load(level_objs, self)
            ]
            if needs:
                await self.memo.load(needs)
            wave = [
                (child, found)
                for level, level_objs in wave
                for children, child in level.nested
                if (found := children(level_objs, self))
            ]
