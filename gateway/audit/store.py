"""The audit store: serialised appends to ``audit_record`` and reads of it, SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

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
_columns = audit_record.c


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

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = create_source_engine(self.url)
        return self._engine

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @asynccontextmanager
    async def appending(self) -> AsyncIterator[Appender]:
        """One write transaction holding the store's append lock; commits on leaving."""
        locked = _immediate if self.backend == "sqlite" else _advisory_locked
        try:
            async with locked(self.engine) as conn:
                if not self._table_ready:
                    await conn.run_sync(metadata.create_all)
                yield Appender(conn, self.backend)
        except BaseException:
            # The table may be what went missing: look again next time.
            self._table_ready = False
            raise
        self._table_ready = True

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


class Appender:
    """What a writer may do inside :meth:`AuditStore.appending`."""

    def __init__(self, conn: AsyncConnection, backend: str) -> None:
        self._conn = conn
        self._backend = backend

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
        """Rows of values in ``chain.COLUMNS`` order: on PostgreSQL in one COPY (a few
        microseconds a row), elsewhere in one executemany."""
        if self._backend == "postgresql":
            raw = await self._conn.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(audit_record.name, records=rows, columns=COLUMNS)
            return
        mappings = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        await self._conn.execute(insert(audit_record), mappings)

    async def probe(self) -> None:
        """A write that changes nothing, to prove the store takes writes at all.

        ``BEGIN IMMEDIATE`` succeeds on a read-only SQLite file, and an advisory lock on a
        read-only PostgreSQL session; an UPDATE does not.
        """
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


@asynccontextmanager
async def _advisory_locked(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as conn:
        await conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        await conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        yield conn


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
