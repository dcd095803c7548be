"""Pages of planned lists: the Relay connection, edge and page-info fields over a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from resolvers.plan.specs import Plain, Related, Table


class Page:
    """Up to ``first`` items of a list read with one extra, which only says more follow."""

    __slots__ = ("cursor_of", "has_next", "has_previous", "items", "total")

    def __init__(
        self,
        items: Sequence[Any],
        first: int,
        cursor_of: Callable[[Any], str],
        *,
        after_given: bool,
        total: int | None = None,
    ) -> None:
        self.items = list(items[:first])
        self.has_next = len(items) > first
        self.has_previous = after_given
        self.cursor_of = cursor_of
        self.total = total

    def edges(self) -> list[Edge]:
        return [Edge(item, self.cursor_of) for item in self.items]

    @property
    def start_cursor(self) -> str | None:
        return self.cursor_of(self.items[0]) if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor_of(self.items[-1]) if self.items else None


class Edge:
    __slots__ = ("_cursor_of", "node")

    def __init__(self, node: Any, cursor_of: Callable[[Any], str]) -> None:
        self.node = node
        self._cursor_of = cursor_of

    @property
    def cursor(self) -> str:
        return self._cursor_of(self.node)


def connection_tables(connection: str, edge: str) -> dict[str, Table]:
    """The tables of one connection type and its edge type."""
    return {
        connection: {
            "nodes": Related(lambda page, _run, _args: page.items, at_hand=True),
            # New edges on every call: kept, so the edges loaded are the edges built.
            "edges": Related(lambda page, _run, _args: page.edges()),
            "pageInfo": Related(lambda page, _run, _args: page, at_hand=True),
        },
        edge: {
            "cursor": Plain(lambda edge, _run: edge.cursor),
            "node": Related(lambda edge, _run, _args: edge.node, at_hand=True),
        },
    }


PAGE_INFO: Table = {
    "hasNextPage": Plain(lambda page, _run: page.has_next),
    "hasPreviousPage": Plain(lambda page, _run: page.has_previous),
    "startCursor": Plain(lambda page, _run: page.start_cursor),
    "endCursor": Plain(lambda page, _run: page.end_cursor),
}
