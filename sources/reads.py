"""Read statements declared once, and the lanes that run them on each kind of database.

A :class:`Read` is a SELECT with named bind parameters, built once per process rather than
per call: building, cache-keying and compiling a statement through SQLAlchemy's execution
layer costs several times what the database spends answering it. A read of a batch of keys
names its key column through the ``keys_in`` function the statement is built with, so each
lane can bind the keys its own way: an expanding ``IN`` list through SQLAlchemy, one array
parameter (``= ANY($1)``) on asyncpg.

Two lanes run reads:

* :class:`EngineLane` executes the statement on a SQLAlchemy engine (SQLite, MariaDB, and
  statements built per call).
* :class:`AsyncpgLane` runs the statement, compiled once by SQLAlchemy's asyncpg dialect, on a
  pool of asyncpg connections of its own (PostgreSQL): one round trip per read and no
  per-call work in SQLAlchemy. Rows come back as asyncpg records with a property per
  column, read by attribute like SQLAlchemy's rows, with the same Python types (the
  asyncpg dialect converts none of the column types the sources use). Each session is set
  up by ``sources.sessions``: timestamps and numerics arrive as PostgreSQL's text (the same
  values, read faster), and reads run on generic plans.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import ColumnElement, Select, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sources.connections import ReadConnections
from sources.sessions import open_session, plan_cache_mode

Record = Any
"""A row a source returns: SQLAlchemy's Row or the asyncpg lane's record; both are read
by attribute (``row.cust_no``) and by position."""
KeysIn = Callable[[ColumnElement[Any]], ColumnElement[bool]]
StatementHook = Callable[[str, Sequence[Any]], None]
"""Told the SQL text and parameters of every read a lane sends (tests, the bench's floor)."""

KEYS = "keys"
T = TypeVar("T")


class Read:
    """A read statement with named bind parameters, built by ``build(keys_in)`` once per lane.

    ``keys_in(column)`` is the condition "column is one of the batch's keys" (parameter
    ``keys``); a read without a batch of keys simply does not call it. ``postgresql``, when
    given, builds the statement PostgreSQL runs instead (same parameters, same rows in the
    same order), for a plan only PostgreSQL has.
    """

    def __init__(
        self,
        build: Callable[[KeysIn], Select[Any]],
        postgresql: Callable[[], Select[Any]] | None = None,
    ) -> None:
        self.build = build
        self.postgresql = postgresql


def expanding_in(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return column.in_(bindparam(KEYS, expanding=True))


def array_any(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return column == any_(bindparam(KEYS, type_=ARRAY(column.type)))


@asynccontextmanager
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of the engine's pool, returned to it even when the read is cancelled
    (its time ran out, or its request went away) while it checks the connection out or
    uses it: checkout and close run to their end on their own."""
    conn = await _made(engine.connect(), lambda made: made.close())
    try:
        yield conn
    except BaseException:
        _close(conn)  # in the background: a hung server must not hold the caller
        raise
    await asyncio.shield(_close(conn))


def _close(conn: AsyncConnection) -> asyncio.Future[Any]:
    return _track(asyncio.ensure_future(conn.close()))


async def _made(making: Awaitable[T], undo: Callable[[T], Awaitable[Any]]) -> T:
    """``await making`` (a connection checkout); when the caller is cancelled first, the
    checkout still finishes on its own and ``undo`` gives the connection back."""
    future = asyncio.ensure_future(making)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        _closing.add(future)

        def undo_when_made(done: asyncio.Future[T]) -> None:
            _closing.discard(done)
            if not done.cancelled() and done.exception() is None:
                _track(asyncio.ensure_future(undo(done.result())))

        future.add_done_callback(undo_when_made)
        raise


def _track(closing: asyncio.Future[Any]) -> asyncio.Future[Any]:
    _closing.add(closing)
    closing.add_done_callback(_closing.discard)
    return closing


_closing: set[asyncio.Future[Any]] = set()


async def closed(timeout: float = 5.0) -> None:
    """Wait for the connections of cancelled reads to be back in their pools."""
    deadline = asyncio.get_running_loop().time() + timeout
    while _closing:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return
        await asyncio.wait(set(_closing), timeout=left)


async def on_connection(engine: AsyncEngine, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """``await work(conn)`` on a connection of the engine's pool.

    On SQLite the read runs to its end even when its caller is cancelled (a local read
    cannot hang, and cancelling aiosqlite mid-statement leaves its connection to the
    garbage collector); on a server the read is cancelled with its caller, and the
    connection still goes back to the pool.
    """

    async def read() -> T:
        async with connection(engine) as conn:
            return await work(conn)

    if engine.dialect.name != "sqlite":
        return await read()
    running = asyncio.ensure_future(read())
    _closing.add(running)  # type: ignore[arg-type]
    running.add_done_callback(_closing.discard)  # type: ignore[arg-type]
    return await asyncio.shield(running)


class EngineLane:
    """Reads through a SQLAlchemy engine (autocommit), one connection per read."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._statements: dict[Read, Select[Any]] = {}

    def statement(self, read: Read) -> Select[Any]:
        found = self._statements.get(read)
        if found is None:
            found = self._statements[read] = read.build(expanding_in)
        return found

    async def fetch(self, read: Read, params: Mapping[str, Any]) -> list[Any]:
        statement = self.statement(read)

        async def work(conn: AsyncConnection) -> list[Any]:
            return list((await conn.execute(statement, dict(params))).all())

        return await on_connection(self.engine, work)

    @property
    def checked_out(self) -> int:
        return self.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined,no-any-return]

    async def dispose(self) -> None:
        await self.engine.dispose()


@dataclass(frozen=True)
class _Prepared:
    """A Read compiled for asyncpg: its SQL, its parameters in order, its row type."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    row: type

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [
            params[name] if process is None else process(params[name])
            for name, process in zip(self.names, self.processors, strict=True)
        ]


def row_part(columns: Sequence[str], offset: int, name: str) -> Callable[[Any], Any]:
    """The ``columns`` of a joined row starting at ``offset``, as a row of their own read by
    attribute (a tuple with a property per column and ``_fields``)."""
    body: dict[str, Any] = {"__slots__": (), "_fields": tuple(columns)}
    body.update({column: property(itemgetter(j)) for j, column in enumerate(columns)})
    part = type(name, (tuple,), body)
    end = offset + len(columns)
    new = tuple.__new__

    def cut(row: Any) -> Any:
        return new(part, row[offset:end])

    return cut


def _row_type(columns: Sequence[str]) -> type:
    """asyncpg's record class with a property per column: rows read by attribute like
    SQLAlchemy's, with no per-row conversion (asyncpg builds these records itself)."""
    fields = {name: property(itemgetter(i)) for i, name in enumerate(columns)}
    return type("Row", (asyncpg.Record,), {"__slots__": (), "_fields": tuple(columns), **fields})


class AsyncpgLane:
    """Reads on asyncpg connections of the lane's own (``sources.connections``), opened on
    first use."""

    def __init__(self, url: URL, *, pool_size: int = 10, hooks: list[StatementHook]) -> None:
        # asyncpg reads the URL's own options (sslmode, …) from the DSN.
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._plan_cache_mode = plan_cache_mode()
        self._pool = ReadConnections(self._connect, pool_size, _track)
        self._prepared: dict[Read, _Prepared] = {}
        self._dialect = asyncpg_dialect()
        self._hooks = hooks

    def prepared(self, read: Read) -> _Prepared:
        found = self._prepared.get(read)
        if found is None:
            statement = read.postgresql() if read.postgresql else read.build(array_any)
            compiled = statement.compile(dialect=self._dialect)
            names = tuple(compiled.positiontup or ())
            bind: Mapping[str, Any] = compiled._bind_processors
            columns = [entry.keyname for entry in compiled._result_columns]
            found = self._prepared[read] = _Prepared(
                compiled.string,
                names,
                # The keys go as they are: asyncpg takes a list for an array parameter.
                tuple(None if name == KEYS else bind.get(name) for name in names),
                _row_type(columns),
            )
        return found

    async def _connect(self) -> asyncpg.Connection:
        return await open_session(self._dsn, self._plan_cache_mode)

    async def fetch(self, read: Read, params: Mapping[str, Any]) -> list[Any]:
        prepared = self.prepared(read)
        arguments = prepared.arguments(params)
        for hook in self._hooks:
            hook(prepared.sql, tuple(arguments))
        pool = self._pool
        conn = pool.idle() or await pool.acquire()
        try:
            return await conn.fetch(prepared.sql, *arguments, record_class=prepared.row)
        except BaseException:
            # A read that failed or was cancelled (its time ran out, its request went away)
            # leaves the connection in doubt, and asking a hung server to cancel would wait
            # on it: drop the connection instead, the pool opens another when needed.
            conn.terminate()
            raise
        finally:
            pool.release(conn)

    @property
    def checked_out(self) -> int:
        return self._pool.checked_out

    async def dispose(self) -> None:
        await self._pool.close()
