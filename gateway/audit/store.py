"""The audit store: serialised appends to ``audit_record`` and reads of it, SQLite or PostgreSQL.

On PostgreSQL the appends go over one asyncpg connection the store keeps for them, in four
round trips (``BEGIN``, lock timeout and lock in one; the tail; ``COPY``; ``COMMIT``). Through
SQLAlchemy's engine (checkout ping, begin, each statement through its greenlet bridge) one
append cost some 5 ms of CPU on our 2-core machines at every flush of every worker, and
held the event loop in pieces of a millisecond or more while requests waited.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg
from sqlalchemy import Row, func, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.audit.chain import COLUMNS, START, Anchor
from gateway.audit.record import StoredEvent
from gateway.audit.table import audit_record, metadata
from sources.engine import async_url, create_source_engine

BACKENDS = ("sqlite", "postgresql")
# pg_advisory_xact_lock key every audit writer takes: "c360audt" in ASCII.
LOCK_KEY = 0x6333_3630_6175_6474
LOCK_TIMEOUT = "10s"
PAGE = 1000
CLOSE_TIMEOUT = 2.0
_columns = audit_record.c
# One simple-protocol round trip: the transaction, its lock timeout and the append lock.
_BEGIN_LOCKED = (
    f"BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'; SELECT pg_advisory_xact_lock({LOCK_KEY})"
)
_TAIL = f"SELECT seq, hash FROM {audit_record.name} ORDER BY seq DESC LIMIT 1"
_HASH_AT = f"SELECT hash FROM {audit_record.name} WHERE seq = $1"
_PROBE = f"UPDATE {audit_record.name} SET seq = seq WHERE seq < 0"


class AuditStore:
    """``audit_record`` in one database.

    Appends are serialised across every process writing the same database (SQLite:
    ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so each writer reads
    a tail no one else is extending. The engine is made on first use, so a store that cannot
    even be opened fails a write rather than the constructor.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.backend = async_url(url).get_backend_name()
        if self.backend not in BACKENDS:
            raise ValueError(f"the audit store runs on SQLite or PostgreSQL, not {self.backend}")
        self._engine: AsyncEngine | None = None
        self._table_ready = False
        self._writer: asyncpg.Connection | None = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_source_engine(self.url)
        return self._engine

    async def dispose(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with suppress(Exception):
                await asyncio.wait_for(writer.close(), CLOSE_TIMEOUT)
            writer.terminate()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @asynccontextmanager
    async def appending(self) -> AsyncIterator[Appender]:
        """One write transaction holding the store's append lock; commits on leaving."""
        appending = self._sqlite_appending if self.backend == "sqlite" else self._pg_appending
        try:
            async with appending() as appender:
                yield appender
        except BaseException:
            # The table may be what went missing: look again next time.
            self._table_ready = False
            raise
        self._table_ready = True

    @asynccontextmanager
    async def _sqlite_appending(self) -> AsyncIterator[Appender]:
        async with _immediate(self.engine) as conn:
            if not self._table_ready:
                await conn.run_sync(metadata.create_all)
            yield EngineAppender(conn)

    @asynccontextmanager
    async def _pg_appending(self) -> AsyncIterator[Appender]:
        if not self._table_ready:
            async with self.engine.begin() as made:
                await made.run_sync(metadata.create_all)
        conn = await self._locked_writer()
        try:
            yield AsyncpgAppender(conn)
            await conn.execute("COMMIT")
        except BaseException:
            # Failed, cancelled, or its COMMIT unanswered: the transaction is in doubt, and
            # closing the connection ends it on the server. The next append opens another.
            self._drop_writer(conn)
            raise

    async def _locked_writer(self) -> asyncpg.Connection:
        """The writer connection in a transaction holding the append lock. A kept connection
        that fails to begin (the server closed it since: a restart, an idle timeout; asyncpg
        then raises one of several errors) is replaced, once: nothing was written on it yet.
        A lock that timed out is not tried again."""
        kept = self._writer
        if kept is not None and not kept.is_closed():
            try:
                await kept.execute(_BEGIN_LOCKED)
                return kept
            except BaseException as error:
                self._drop_writer(kept)
                if not isinstance(error, Exception) or isinstance(
                    error, asyncpg.LockNotAvailableError
                ):
                    raise
        dsn = async_url(self.url).set(drivername="postgresql")
        conn = self._writer = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            await conn.execute(_BEGIN_LOCKED)
        except BaseException:
            self._drop_writer(conn)
            raise
        return conn

    def _drop_writer(self, conn: asyncpg.Connection) -> None:
        if self._writer is conn:
            self._writer = None
        conn.terminate()

    async def has_table(self) -> bool:
        async with self.engine.connect() as conn:
            found: bool = await conn.run_sync(
                lambda sync: inspect(sync).has_table(audit_record.name)
            )
            return found

    async def events(
        self,
        *,
        customer_number: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_seq: int | None = None,
        limit: int = 100,
    ) -> list[StoredEvent]:
        """Stored events in ascending seq; ``since`` inclusive, ``until`` exclusive."""
        query = select(audit_record).order_by(_columns.seq).limit(limit)
        if customer_number is not None:
            query = query.where(_columns.customer_number == customer_number)
        if subject is not None:
            query = query.where(_columns.subject == subject)
        if since is not None:
            query = query.where(_columns.occurred_at >= _utc(since))
        if until is not None:
            query = query.where(_columns.occurred_at < _utc(until))
        if after_seq is not None:
            query = query.where(_columns.seq > after_seq)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [stored_event(row) for row in rows]

    async def chain(self) -> AsyncIterator[StoredEvent]:
        """Every stored event in seq order, a page at a time."""
        after = 0
        async with self.engine.connect() as conn:
            while True:
                query = (
                    select(audit_record)
                    .where(_columns.seq > after)
                    .order_by(_columns.seq)
                    .limit(PAGE)
                )
                rows = (await conn.execute(query)).all()
                for row in rows:
                    yield stored_event(row)
                if len(rows) < PAGE:
                    return
                after = rows[-1].seq

    async def seqs_by_hash(self, hashes: Iterable[str]) -> dict[str, int]:
        """Which seq holds each of these hashes (the lowest, should one be copied)."""
        wanted = sorted(set(hashes))
        found: dict[str, int] = {}
        async with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(_columns.hash, func.min(_columns.seq)).where(
                    _columns.hash.in_(chunk)
                )
                for digest, seq in (await conn.execute(query.group_by(_columns.hash))).all():
                    found[digest] = seq
        return found


class Appender(Protocol):
    """What a writer may do inside :meth:`AuditStore.appending`."""

    async def tail(self) -> Anchor:
        """The last stored (seq, hash), or the start of the chain."""

    async def hash_at(self, seq: int) -> str | None:
        """The hash stored at ``seq``, if any."""

    async def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of values in ``chain.COLUMNS`` order."""

    async def probe(self) -> None:
        """A write that changes nothing, to prove the store takes writes at all.

        ``BEGIN IMMEDIATE`` succeeds on a read-only SQLite file, and an advisory lock on a
        read-only PostgreSQL session; an UPDATE does not.
        """


class AsyncpgAppender:
    """Appends on PostgreSQL: the store's asyncpg connection, inside its transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def tail(self) -> Anchor:
        row = await self._conn.fetchrow(_TAIL)
        return START if row is None else Anchor(row[0], row[1])

    async def hash_at(self, seq: int) -> str | None:
        found: str | None = await self._conn.fetchval(_HASH_AT, seq)
        return found

    async def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """In one COPY: a few microseconds a row."""
        await self._conn.copy_records_to_table(audit_record.name, records=rows, columns=COLUMNS)

    async def probe(self) -> None:
        await self._conn.execute(_PROBE)


class EngineAppender:
    """Appends on SQLite, through the engine's connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def tail(self) -> Anchor:
        """The last stored (seq, hash), or the start of the chain."""
        query = select(_columns.seq, _columns.hash).order_by(_columns.seq.desc()).limit(1)
        row = (await self._conn.execute(query)).first()
        return START if row is None else Anchor(row.seq, row.hash)

    async def hash_at(self, seq: int) -> str | None:
        query = select(_columns.hash).where(_columns.seq == seq)
        found: str | None = (await self._conn.execute(query)).scalar_one_or_none()
        return found

    async def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """In one executemany."""
        mappings = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        await self._conn.execute(insert(audit_record), mappings)

    async def probe(self) -> None:
        await self._conn.execute(
            update(audit_record).where(_columns.seq < 0).values(seq=_columns.seq)
        )


@asynccontextmanager
async def _immediate(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    # The driver's own BEGIN is DEFERRED, which lets two writers read the same tail; under
    # AUTOCOMMIT it sends none and the transaction is ours to open and end.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            with suppress(Exception):
                await conn.exec_driver_sql("ROLLBACK")
            raise
        await conn.exec_driver_sql("COMMIT")


def stored_event(row: Row[Any]) -> StoredEvent:
    """A row of ``audit_record`` as an event (SQLite hands back naive UTC times)."""
    values = row._asdict()
    values["occurred_at"] = _utc(values["occurred_at"], naive_is_utc=True)
    return StoredEvent(**values)


def _utc(moment: datetime, *, naive_is_utc: bool = False) -> datetime:
    if moment.utcoffset() is None:
        if not naive_is_utc:
            raise ValueError("audit time bounds must be timezone-aware")
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
