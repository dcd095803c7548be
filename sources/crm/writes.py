"""The CRM's write side: each write is one transaction that also records its idempotency key.

The key's row is claimed first, so a concurrent duplicate waits on it and then fails on the
primary key instead of writing twice; the written row is stored on the key's row before the
commit, so a retry can be answered with the first result. Versioned rows are changed only
where the version still matches (compare-and-set), never overwritten blindly.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Table, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sources.crm import tables as t

T = TypeVar("T")
ATTEMPTS = 3
LOCK_SECONDS = 10
# Deadlock or serialisation failure: the database rolled the transaction back; run it again.
RETRYABLE_CODES = {"1213", "40P01", "40001"}


class KeyTaken(Exception):
    """Another write already holds this idempotency key."""


class RowMissing(Exception):
    """The row to change does not exist."""


class StaleVersion(Exception):
    """The row's version is not the one the caller expected."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


@dataclass(frozen=True)
class WriteKey:
    """Who writes, under which idempotency key, which mutation, with which input."""

    subject: str
    key: str
    mutation: str
    fingerprint: str


class CrmWrites:
    """Writes to the CRM database over the adapter's engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def find_key(self, subject: str, key: str) -> Row[Any] | None:
        """The record of an earlier write under this key, if one was committed."""
        i = t.idempotency
        async with self.engine.connect() as conn:
            result = await conn.execute(
                select(i).where(i.c.subject == subject, i.c.idem_key == key)
            )
            row = result.first()
            await conn.rollback()
            return row

    async def run(self, body: Callable[[CrmTransaction], Awaitable[T]]) -> T:
        """``body`` in one transaction, run again (up to three times in all) when the database
        chose it as a deadlock's victim, as InnoDB may under concurrent inserts."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self.transaction() as tx:
                    return await body(tx)
            except DBAPIError as error:
                if attempt == ATTEMPTS or not _retryable(error):
                    raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[CrmTransaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        async with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # The driver's own BEGIN is DEFERRED: two writers could read the same state.
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield CrmTransaction(conn)
                except BaseException:
                    with suppress(Exception):
                        await conn.exec_driver_sql("ROLLBACK")
                    raise
                await conn.exec_driver_sql("COMMIT")
                return
            tx = CrmTransaction(conn)
            try:
                async with conn.begin():
                    yield tx
            finally:
                await tx.release_named_locks()


class CrmTransaction:
    """The operations a write may combine inside its transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._named_locks: list[str] = []

    async def release_named_locks(self) -> None:
        """Release MariaDB's named locks: they belong to the connection, not the transaction,
        so they are released only once the transaction has ended."""
        try:
            for name in self._named_locks:
                await self.conn.execute(select(func.release_lock(name)))
            if self._named_locks:
                await self.conn.rollback()
        except Exception:
            # A pooled connection must never keep a lock: drop it rather than return it.
            await self.conn.invalidate()
            raise

    async def claim(self, key: WriteKey, at: datetime) -> None:
        """Take the idempotency key for this write; :class:`KeyTaken` if it is taken."""
        try:
            await self.conn.execute(
                insert(t.idempotency).values(
                    subject=key.subject,
                    idem_key=key.key,
                    mutation=key.mutation,
                    fingerprint=key.fingerprint,
                    result=None,
                    created_at=at,
                )
            )
        except IntegrityError:
            raise KeyTaken(key.key) from None

    async def keep_result(self, key: WriteKey, result: str) -> None:
        """Store the write's result on its key, for retries to be answered with."""
        i = t.idempotency
        await self.conn.execute(
            update(i)
            .where(i.c.subject == key.subject, i.c.idem_key == key.key)
            .values(result=result)
        )

    async def row(self, table: Table, key_column: str, key: Any) -> Row[Any] | None:
        """One row by its key, as this transaction sees it."""
        result = await self.conn.execute(select(table).where(table.c[key_column] == key))
        return result.first()

    async def insert(self, table: Table, id_column: str, values: Mapping[str, Any]) -> Row[Any]:
        """A new row under the next id of ``id_column``; the row as stored."""
        new_id = await self._next_id(table.c[id_column])
        await self.conn.execute(insert(table).values({id_column: new_id, **values}))
        row = await self.row(table, id_column, new_id)
        assert row is not None
        return row

    async def update_versioned(
        self,
        table: Table,
        key_column: str,
        key: Any,
        expected_version: int,
        values: Mapping[str, Any],
    ) -> Row[Any]:
        """Change a row only if its version is still ``expected_version``, bumping it.

        :class:`RowMissing` when there is no such row, :class:`StaleVersion` (with the
        current version) when someone changed it since.
        """
        changed = await self.conn.execute(
            update(table)
            .where(table.c[key_column] == key, table.c.version == expected_version)
            .values({**values, "version": table.c.version + 1})
        )
        row = await self.row(table, key_column, key)
        if row is None:
            raise RowMissing(key)
        if changed.rowcount != 1:
            raise StaleVersion(row.version)
        return row

    async def _next_id(self, column: Column[Any]) -> int:
        # Ids are assigned here, not by the database (the demo bank writes its own), so the
        # writers of a table take turns until they commit: SQLite by BEGIN IMMEDIATE,
        # PostgreSQL by a transaction's advisory lock, MariaDB by a named lock (a locking read
        # of the top row alone deadlocks on InnoDB's gap locks) and then a locking read, which
        # sees the latest commit whatever the transaction's snapshot.
        stmt = select(column).order_by(column.desc()).limit(1)
        dialect = self.conn.dialect.name
        if dialect == "postgresql":
            lock = zlib.crc32(str(column).encode())
            await self.conn.execute(select(func.pg_advisory_xact_lock(lock)))
        elif dialect == "mysql":
            # Named locks are server-wide and at most 64 characters: name one per database.
            place = f"{self.conn.engine.url.database}.{column}".encode()
            name = f"c360.next_id.{zlib.crc32(place):08x}"
            self._named_locks.append(name)
            taken = (await self.conn.execute(select(func.get_lock(name, LOCK_SECONDS)))).scalar()
            if taken != 1:
                raise TimeoutError(f"waited {LOCK_SECONDS}s for the lock on {column}")
            stmt = stmt.with_for_update()
        top = (await self.conn.execute(stmt)).scalar()
        return int(top or 0) + 1


def _retryable(error: DBAPIError) -> bool:
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if code is None and original is not None and original.args:
        code = original.args[0]
    return str(code) in RETRYABLE_CODES
