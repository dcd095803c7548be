"""What every source adapter shares: a read pool, batched fetches and results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, ClassVar, Self, TypeVar

from sqlalchemy import MetaData, Select, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from sources.engine import create_read_engine, create_source_engine, create_tables, read_only
from sources.guarded import Resilience, SourceGuard

K = TypeVar("K", bound=Hashable)

# Larger batches are split so no engine meets its bound-parameter limit.
MAX_KEYS_PER_STATEMENT = 2000


class Source:
    """One back-end system over its own database.

    Reads go through an autocommit view of the pool, and each batch opens its own
    connection: concurrent batches never share one. Every read goes through the source's
    guard (time limit, retries, circuit breaker; see ``sources.guarded``).
    """

    name: ClassVar[str]
    metadata: ClassVar[MetaData]

    def __init__(
        self,
        engine: AsyncEngine,
        resilience: Resilience | None = None,
        reads: AsyncEngine | None = None,
    ) -> None:
        self.engine = engine
        self.reads = reads or read_only(engine)
        self.guard = SourceGuard(self.name, resilience)

    @classmethod
    def from_url(cls, url: str, resilience: Resilience | None = None) -> Self:
        """An adapter over the database at ``url``: a write pool and a read pool."""
        return cls(create_source_engine(url), resilience, reads=create_read_engine(url))

    async def fetch(self, statement: Select[Any]) -> list[Row[Any]]:
        """All rows of one read statement."""
        return await self.guard.read(lambda: self._fetch(statement))

    async def _fetch(self, statement: Select[Any]) -> list[Row[Any]]:
        async with self.reads.connect() as conn:
            result = await conn.execute(statement)
            return list(result.all())

    async def fetch_for_keys(
        self, keys: Sequence[K], build: Callable[[list[K]], Select[Any]]
    ) -> list[Row[Any]]:
        """Rows for a batch of keys: one statement per ``MAX_KEYS_PER_STATEMENT`` distinct keys."""
        distinct = list(dict.fromkeys(keys))
        if not distinct:
            return []
        return await self.guard.read(lambda: self._fetch_chunks(distinct, build))

    async def _fetch_chunks(
        self, distinct: list[K], build: Callable[[list[K]], Select[Any]]
    ) -> list[Row[Any]]:
        rows: list[Row[Any]] = []
        async with self.reads.connect() as conn:
            for start in range(0, len(distinct), MAX_KEYS_PER_STATEMENT):
                chunk = distinct[start : start + MAX_KEYS_PER_STATEMENT]
                rows.extend((await conn.execute(build(chunk))).all())
        return rows

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.reads.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def create_tables(self, *, drop: bool = False) -> None:
        """Create this system's tables."""
        await create_tables(self.engine, self.metadata, drop=drop)

    async def dispose(self) -> None:
        if self.reads.pool is not self.engine.pool:
            await self.reads.dispose()
        await self.engine.dispose()


def one_per_key(rows: Iterable[Row[Any]], keys: Sequence[K], attr: str) -> list[Row[Any] | None]:
    """Rows in key order, None where a key has no row."""
    found = {getattr(row, attr): row for row in rows}
    return [found.get(key) for key in keys]


def many_per_key(rows: Iterable[Row[Any]], keys: Sequence[K], attr: str) -> list[list[Row[Any]]]:
    """Rows grouped in key order, [] where a key has none; each group keeps the rows' order."""
    groups: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, attr)].append(row)
    return [groups.get(key, []) for key in keys]
