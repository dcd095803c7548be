"""Reference snapshots past their time are answered while one background read replaces them."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from resolvers.reference import ReferenceCache, ReferenceData
from sources.guarded import SourceReport, current_report

DAY = date(2026, 12, 2)
TTL = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Counted(ReferenceCache):
    """Reads snapshots numbered 1, 2, …; ``complete`` says whether each read got every table;
    ``gate`` holds a read until set."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(None, TTL, clock)  # type: ignore[arg-type]
        self.reads = 0
        self.complete = True
        self.gate = asyncio.Event()
        self.gate.set()
        self.reports: list[Any] = []

    async def _read(self, day: date) -> tuple[ReferenceData, bool]:
        self.reads += 1
        number = self.reads
        self.reports.append(current_report.get())
        await self.gate.wait()
        return ReferenceData(day, {"n": number}, {}, {}, {}, {}), self.complete


def number(snapshot: ReferenceData) -> int:
    return int(snapshot.branches["n"])


async def expired(age: float = TTL + 1) -> Counted:
    """A cache holding the day's first snapshot, ``age`` seconds old."""
    clock = Clock()
    cache = Counted(clock)
    assert number(await cache.on(DAY)) == 1
    clock.now = age
    return cache


async def test_a_stale_snapshot_is_answered_at_once_while_one_read_replaces_it() -> None:
    cache = await expired()
    cache.gate.clear()  # the refresh's read will hang until let go
    answers = [number(await asyncio.wait_for(cache.on(DAY), 1.0)) for _ in range(5)]
    assert answers == [1] * 5  # nobody waited on the read in flight
    await asyncio.sleep(0)
    assert cache.reads == 2  # one refresh for all of them
    cache.gate.set()
    for _ in range(3):
        await asyncio.sleep(0)
    assert number(await cache.on(DAY)) == 2
    assert cache.reads == 2


async def test_a_refresh_missing_a_source_drops_the_old_snapshot() -> None:
    cache = await expired()
    cache.complete = False
    assert number(await cache.on(DAY)) == 1
    for _ in range(3):
        await asyncio.sleep(0)
    # The next request reads for itself (and, the source still down, gets that snapshot once).
    assert number(await cache.on(DAY)) == 3
    assert cache.reads == 3


async def test_a_snapshot_twice_its_time_old_is_not_answered() -> None:
    cache = await expired(2 * TTL + 1)
    assert number(await cache.on(DAY)) == 2
    assert cache.reads == 2


async def test_the_refresh_is_no_requests_read() -> None:
    cache = await expired()
    token = current_report.set(SourceReport())
    try:
        await cache.on(DAY)
    finally:
        current_report.reset(token)
    await asyncio.sleep(0)
    assert cache.reports[-1] is None  # not counted in, nor cancelled with, that request


async def test_closing_stops_a_refresh_in_flight() -> None:
    cache = await expired()
    cache.gate.clear()
    await cache.on(DAY)
    await asyncio.sleep(0)
    await cache.close()
    assert cache._refreshing == {}
