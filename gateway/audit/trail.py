"""The audit trail a gateway process writes: buffered in memory, appended in batches."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.audit.chain import Anchor, link
from gateway.audit.record import GAP_FIELD, TAIL_LOST_FIELD, AuditRecord, StoredEvent, trail_record
from gateway.audit.store import AuditStore

logger = logging.getLogger(__name__)

OUTAGE_FACTOR = 20
CLOSE_ATTEMPTS = 3
CLOSE_BACKOFF = 0.1
LINK_SLICE = 64
"""Records chained between turns of the event loop. Chaining one takes about 7 µs (6 December,
one process on this 2-core machine), so half a second's records of a worker serving pages of
50 customers (some 2,000) held its loop for about 13 ms in one piece, and a one-customer request
that arrived meanwhile waited that long; in slices of 64 the loop is held under 0.5 ms."""


@dataclass(frozen=True)
class _Attempt:
    """A batch whose commit was sent but not confirmed: it may or may not be stored."""

    buffered: int
    dropped: int
    last: Anchor


class AuditTrail:
    """Audit records of one gateway process, on their way to the audit store.

    :meth:`record` only appends to memory; a background task appends the buffer to the store
    every ``flush_interval`` seconds, and :meth:`settle` does so at once when a request leaves
    ``buffer_bound`` records waiting. The interval is short (0.1 s by default) because each
    write sets the worker and the store's backend to work at once: writing half a second's
    records of a busy worker took 10–18 ms, and 72–88 % of the slowest 1 % of paced
    one-customer requests overlapped such a write (16–40 % with a tenth of a second's).
    A failed write keeps every record, in order, and marks the trail unavailable (the
    gateway then withholds clear values) until a write succeeds. While unavailable the buffer
    holds up to ``20 × buffer_bound`` records; records beyond that are counted, and the count
    goes on the chain as an ``AUDIT_GAP`` record.
    """

    def __init__(
        self,
        url: str,
        *,
        buffer_bound: int = 5000,
        flush_interval: float = 0.1,
        write_timeout: float = 15.0,
    ) -> None:
        if buffer_bound < 1:
            raise ValueError("buffer_bound must be at least 1")
        if not flush_interval > 0:
            raise ValueError("the audit flush interval must be a positive number of seconds")
        self.buffer_bound = buffer_bound
        self.flush_interval = flush_interval
        self.write_timeout = write_timeout
        self._store = AuditStore(url)
        self._buffer: deque[AuditRecord] = deque()
        self._dropped = 0
        self._available = False
        self._written: Anchor | None = None
        self._attempt: _Attempt | None = None
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self._flushes: set[asyncio.Task[int]] = set()

    @property
    def available(self) -> bool:
        """Whether the last write to the store (or the start-up probe) succeeded."""
        return self._available

    @property
    def buffered(self) -> int:
        """Records waiting in memory."""
        return len(self._buffer)

    @property
    def dropped(self) -> int:
        """Records dropped during an outage and not yet reported on the chain."""
        return self._dropped

    async def start(self) -> None:
        """Create the table if missing, prove the store takes writes, start the flusher."""
        await self.flush()
        if self._flusher is None:
            self._stopping.clear()
            self._flusher = asyncio.create_task(self._flush_periodically(), name="audit-flusher")

    def record(self, record: AuditRecord) -> None:
        """Buffer one record; never does I/O."""
        if len(self._buffer) >= self.buffer_bound * OUTAGE_FACTOR:
            self._dropped += 1
        else:
            self._buffer.append(record)

    async def settle(self) -> None:
        """End of a request: write the buffer now if it has reached ``buffer_bound``."""
        if len(self._buffer) >= self.buffer_bound:
            await self._shielded(only_when_full=True)

    async def flush(self) -> int:
        """Write everything buffered in one transaction; how many records left the buffer.

        Never raises: on failure the records stay buffered and the trail is unavailable.
        """
        return await self._shielded(only_when_full=False)

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
        """Stored events, ascending seq, after writing what is buffered (so a reader sees the
        records of their own request so far). ``since`` is inclusive, ``until`` exclusive."""
        await self.flush()
        return await self._store.events(
            customer_number=customer_number,
            subject=subject,
            since=since,
            until=until,
            after_seq=after_seq,
            limit=limit,
        )

    async def close(self) -> None:
        """Stop the flusher, write everything (a few brief retries), release the engine."""
        self._stopping.set()
        if self._flusher is not None:
            await self._flusher
            self._flusher = None
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            await self.flush()
            if not self._buffer and not self._dropped:
                break
            if attempt < CLOSE_ATTEMPTS:
                await asyncio.sleep(CLOSE_BACKOFF * attempt)
        else:
            logger.error(
                "audit store unwritable at shutdown: %d buffered records lost (%d dropped before)",
                len(self._buffer),
                self._dropped,
            )
        await self._store.dispose()

    async def _flush_periodically(self) -> None:
        while not self._stopping.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.flush_interval)
            if self._stopping.is_set():
                return
            try:
                await self.flush()
            except Exception as exc:  # the flusher must outlive anything one tick does
                logger.error("audit flusher tick failed (%s)", type(exc).__name__)

    async def _shielded(self, *, only_when_full: bool) -> int:
        # A request cancelled mid-write must not cancel the write: the transaction would be
        # left undecided and the records neither kept nor known to be stored.
        task = asyncio.create_task(self._flush(only_when_full))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)
        return await asyncio.shield(task)

    async def _flush(self, only_when_full: bool) -> int:
        async with self._lock:
            if only_when_full and len(self._buffer) < self.buffer_bound:
                return 0
            if not self._buffer and not self._dropped and self._available:
                return 0
            try:
                async with asyncio.timeout(self.write_timeout):
                    written = await self._write()
            except Exception as exc:
                self._available = False
                logger.warning(
                    "audit store write failed (%s); %d records kept in the buffer",
                    type(exc).__name__,
                    len(self._buffer),
                )
                return 0
            self._available = True
            return written

    async def _write(self) -> int:
        """Append the buffer, and a gap record for drops, in one serialised transaction.

        Records leave the buffer only once they are known to be stored: after the commit, or,
        for a batch whose commit went unanswered, once its last hash is found in the store.
        """
        batch = list(self._buffer)
        dropped = self._dropped
        stored = 0
        async with self._store.appending() as tx:
            unconfirmed = self._attempt
            if unconfirmed is not None:
                if await tx.hash_at(unconfirmed.last.seq) == unconfirmed.last.hash:
                    stored += self._stored(unconfirmed)
                    batch = batch[unconfirmed.buffered :]
                    dropped -= unconfirmed.dropped
                self._attempt = None
            tail = await tx.tail()
            records = self._tail_lost(tail) + batch
            if dropped:
                reason = f"{dropped} records dropped while the audit store was unavailable"
                records.append(trail_record(GAP_FIELD, reason))
            if records:
                rows, last = await _linked(records, tail)
                await tx.insert(rows)
                self._attempt = _Attempt(len(batch), dropped, last)
            else:
                await tx.probe()
        if self._attempt is not None:
            stored += self._stored(self._attempt)
            self._attempt = None
        return stored

    def _stored(self, attempt: _Attempt) -> int:
        for _ in range(attempt.buffered):
            self._buffer.popleft()
        self._dropped -= attempt.dropped
        self._written = attempt.last
        return attempt.buffered

    def _tail_lost(self, tail: Anchor) -> list[AuditRecord]:
        """A record of the loss when the chain no longer reaches what this trail last wrote.

        Other writers only ever extend the chain, so a shorter chain, or another hash at our
        last seq, means stored events were deleted or replaced since.
        """
        written = self._written
        if written is None or tail.seq > written.seq or tail == written:
            return []
        reason = (
            f"the chain ended at seq {written.seq} when this writer last appended "
            f"and ends at seq {tail.seq} now"
        )
        logger.error("audit chain tail lost: seq %d is now seq %d", written.seq, tail.seq)
        return [trail_record(TAIL_LOST_FIELD, reason)]


async def _linked(records: list[AuditRecord], tail: Anchor) -> tuple[list[tuple[Any, ...]], Anchor]:
    """:func:`link` in slices of :data:`LINK_SLICE`, letting the event loop serve requests
    between them (the chain is the same as in one piece)."""
    rows, last = link(records[:LINK_SLICE], after=tail)
    for start in range(LINK_SLICE, len(records), LINK_SLICE):
        await asyncio.sleep(0)
        part, last = link(records[start : start + LINK_SLICE], after=last)
        rows += part
    return rows, last
