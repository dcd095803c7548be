"""What every source adapter shares: a read lane, batched fetches and results in key order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cache
from itertools import groupby
from operator import attrgetter
from typing import Any, ClassVar, Self, TypeVar

from sqlalchemy import MetaData, Select, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sources.engine import create_read_engine, create_source_engine, create_tables, read_only
from sources.guarded import Resilience, SourceGuard
from sources.reads import (
    KEYS,
    AsyncpgLane,
    EngineLane,
    Read,
    StatementHook,
    closed,
    on_connection,
)
from sources.shared_reads import KeyOf, SharedReads, sharing

K = TypeVar("K", bound=Hashable)

# Larger batches are split so no engine meets its bound-parameter limit.
MAX_KEYS_PER_STATEMENT = 2000


class Source:
    """One back-end system over its own database.

    Reads run on the source's lane (``sources.reads``): declared :class:`Read` statements
    on asyncpg's own pool for PostgreSQL, on the autocommit read engine otherwise; each
    batch takes its own connection, so concurrent batches never share one. Every read goes
    through the source's guard (time limit, retries, circuit breaker; see
    ``sources.guarded``). ``statement_hooks`` are told every statement the source sends.
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
        self.statement_hooks: list[StatementHook] = []
        engines = (engine.sync_engine, self.reads.sync_engine)
        for pooled in {id(e.pool): e for e in engines}.values():
            event.listen(pooled, "before_cursor_execute", self._observe)
        self.lane: AsyncpgLane | EngineLane = (
            AsyncpgLane(self.reads.url, hooks=self.statement_hooks)
            if self.reads.url.get_backend_name() == "postgresql"
            else EngineLane(self.reads)
        )
        self.shared = (
            SharedReads(lambda read, params: self.lane.fetch(read, params), MAX_KEYS_PER_STATEMENT)
            if sharing()
            else None
        )

    @classmethod
    def from_url(cls, url: str, resilience: Resilience | None = None) -> Self:
        """An adapter over the database at ``url``: a write pool and a read lane."""
        return cls(create_source_engine(url), resilience, reads=create_read_engine(url))

    def _observe(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        for hook in self.statement_hooks:
            hook(statement, parameters)

    async def read(self, statement: Read, **params: Any) -> list[Any]:
        """All rows of a declared read."""
        return await self.guard.read(lambda: self.lane.fetch(statement, params))

    async def read_keys(
        self, statement: Read, keys: Sequence[K], *, key_of: KeyOf | None = None, **params: Any
    ) -> list[Any]:
        """Rows of a declared read for a batch of keys: one statement per
        ``MAX_KEYS_PER_STATEMENT`` distinct keys.

        With ``key_of`` (the key a row belongs to), the read joins the same statement's
        reads of other requests started in the same loop turn (``sources.shared_reads``)
        and returns the rows of these keys only."""
        distinct = list(dict.fromkeys(keys))
        if not distinct:
            return []
        shared = self.shared
        if shared is not None and key_of is not None and len(distinct) <= MAX_KEYS_PER_STATEMENT:
            return await self.guard.read(lambda: shared.read(statement, distinct, params, key_of))
        if len(distinct) <= MAX_KEYS_PER_STATEMENT:
            params[KEYS] = distinct
            return await self.guard.read(lambda: self.lane.fetch(statement, params))
        return await self.guard.read(lambda: self._read_chunks(statement, distinct, params))

    async def row_per_key(
        self, statement: Read, keys: Sequence[K], attr: str, **params: Any
    ) -> list[Any | None]:
        """A keyed read's row per key, in key order (None where a key has none), the row's
        ``attr`` being its key; the read is shared as with ``read_keys(key_of=…)``."""
        rows = await self.read_keys(statement, keys, key_of=_getter(attr), **params)
        return one_per_key(rows, keys, attr)

    async def rows_per_key(
        self, statement: Read, keys: Sequence[K], attr: str, **params: Any
    ) -> list[list[Any]]:
        """A keyed read's rows grouped per key, in key order, as :func:`many_per_key`; the
        read is shared as with ``read_keys(key_of=…)``."""
        rows = await self.read_keys(statement, keys, key_of=_getter(attr), **params)
        return many_per_key(rows, keys, attr)

    async def _read_chunks(
        self, statement: Read, distinct: list[K], params: dict[str, Any]
    ) -> list[Any]:
        rows: list[Any] = []
        for start in range(0, len(distinct), MAX_KEYS_PER_STATEMENT):
            chunk = distinct[start : start + MAX_KEYS_PER_STATEMENT]
            rows.extend(await self.lane.fetch(statement, {**params, KEYS: chunk}))
        return rows

    async def fetch(self, statement: Select[Any]) -> list[Any]:
        """All rows of a statement built for this call (through SQLAlchemy's engine)."""
        return await self.guard.read(lambda: self._fetch(statement))

    async def _fetch(self, statement: Select[Any]) -> list[Any]:
        async def work(conn: AsyncConnection) -> list[Any]:
            return list((await conn.execute(statement)).all())

        return await on_connection(self.reads, work)

    async def fetch_for_keys(
        self, keys: Sequence[K], build: Callable[[list[K]], Select[Any]]
    ) -> list[Any]:
        """Rows for a batch of keys of a statement built per call, chunked as
        :meth:`read_keys`."""
        distinct = list(dict.fromkeys(keys))
        if not distinct:
            return []
        return await self.guard.read(lambda: self._fetch_chunks(distinct, build))

    async def _fetch_chunks(
        self, distinct: list[K], build: Callable[[list[K]], Select[Any]]
    ) -> list[Any]:
        async def work(conn: AsyncConnection) -> list[Any]:
            rows: list[Any] = []
            for start in range(0, len(distinct), MAX_KEYS_PER_STATEMENT):
                chunk = distinct[start : start + MAX_KEYS_PER_STATEMENT]
                rows.extend((await conn.execute(build(chunk))).all())
            return rows

        return await on_connection(self.reads, work)

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.reads.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def create_tables(self, *, drop: bool = False) -> None:
        """Create this system's tables."""
        await create_tables(self.engine, self.metadata, drop=drop)

    async def dispose(self) -> None:
        await closed()
        if isinstance(self.lane, AsyncpgLane):
            await self.lane.dispose()
        if self.reads.pool is not self.engine.pool:
            await self.reads.dispose()
        await self.engine.dispose()


@cache
def _getter(attr: str) -> KeyOf:
    return attrgetter(attr)


def one_per_key(rows: Iterable[Any], keys: Sequence[K], attr: str) -> list[Any | None]:
    """Rows in key order, None where a key has no row."""
    key_of = attrgetter(attr)
    found = {key_of(row): row for row in rows}
    return [found.get(key) for key in keys]


def many_per_key(rows: Iterable[Any], keys: Sequence[K], attr: str) -> list[list[Any]]:
    """Rows grouped in key order, [] where a key has none; each group keeps the rows' order.

    The statements return each parent's rows together (ordered by parent), so a run of
    equal keys is one group; a parent seen again later still joins its group."""
    groups: dict[Any, list[Any]] = {}
    for key, run in groupby(rows, attrgetter(attr)):
        found = groups.get(key)
        if found is None:
            groups[key] = list(run)
        else:
            found.extend(run)
    return [groups.get(key, []) for key in keys]
