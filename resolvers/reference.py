"""Reference data shared by all requests: branches, RMs, products, today's NAVs and FX rates.

These tables are small, change rarely and carry no customer data, so each process keeps one
snapshot per day for a short time (``C360_REFERENCE_TTL_SECONDS``) instead of reading them at
every level of every query. Each table is read whole, in one statement, so a query's
statements never depend on which branches or products its customers happen to touch.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from cachetools import TTLCache

from gateway.metrics import REFERENCE_CACHE
from sources import Sources
from sources.guarded import SourceUnavailable


@dataclass(frozen=True)
class ReferenceData:
    """One consistent snapshot of the reference tables for a day."""

    day: date
    branches: dict[str, Any]
    relationship_managers: dict[str, Any]
    products: dict[str, Any]
    latest_navs: dict[str, Any]
    fx_rates: dict[str, Decimal]


class Unavailable(dict[Any, Any]):
    """A reference table whose source could not be read: any use raises SourceUnavailable,
    so only the fields that need this table fail, not the whole request."""

    def __init__(self, error: SourceUnavailable) -> None:
        super().__init__()
        self.source_name = error.source_name

    def _fail(self, *_args: Any) -> NoReturn:
        raise SourceUnavailable(self.source_name)

    __getitem__ = get = __contains__ = __iter__ = __len__ = keys = values = items = _fail


_HIT, _STALE, _MISS = (REFERENCE_CACHE.labels(r) for r in ("hit", "stale", "miss"))


class ReferenceCache:
    """Snapshots of reference data by day, each fresh for ``ttl_seconds``.

    A snapshot past its time is still answered for up to as long again while one read in
    the background replaces it, so no request waits on the five reference reads once the
    day's first snapshot is in: before, every request of a worker that needed reference
    data queued behind that refresh once a minute. A refresh that cannot read every table
    drops the old snapshot instead (the next request reads for itself, as on a cold start,
    and sees which source is down).
    """

    def __init__(
        self,
        sources: Sources,
        ttl_seconds: float = 60.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = sources
        self._fresh: TTLCache[date, ReferenceData] = TTLCache(4, ttl_seconds, timer)
        self._usable: TTLCache[date, ReferenceData] = TTLCache(4, 2 * ttl_seconds, timer)
        self._refreshing: dict[date, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    async def on(self, day: date) -> ReferenceData:
        """The snapshot for a day, read from the sources if none is fresh or still usable."""
        snapshot = self._fresh.get(day)
        if snapshot is not None:
            _HIT.inc()
            return snapshot
        snapshot = self._usable.get(day)
        if snapshot is not None:
            _STALE.inc()
            if day not in self._refreshing:
                # In a context of its own: not one request's reads (its report would count
                # them, and cancel them when that request ends).
                self._refreshing[day] = asyncio.create_task(
                    self._refresh(day), context=contextvars.Context()
                )
            return snapshot
        _MISS.inc()
        async with self._lock:
            snapshot = self._fresh.get(day)
            if snapshot is None:
                snapshot, complete = await self._read(day)
                if complete:  # a snapshot missing a source's tables is used once, not kept
                    self._keep(day, snapshot)
        return snapshot

    async def close(self) -> None:
        """Stop the refreshes still running (at shutdown, before the sources go)."""
        refreshing = list(self._refreshing.values())
        for task in refreshing:
            task.cancel()
        await asyncio.gather(*refreshing, return_exceptions=True)

    def _keep(self, day: date, snapshot: ReferenceData) -> None:
        self._fresh[day] = self._usable[day] = snapshot

    async def _refresh(self, day: date) -> None:
        try:
            async with self._lock:
                snapshot, complete = await self._read(day)
            if complete:
                self._keep(day, snapshot)
            else:
                self._usable.pop(day, None)
        except Exception:
            self._usable.pop(day, None)  # the next request reads for itself and sees why
        finally:
            self._refreshing.pop(day, None)

    async def _read(self, day: date) -> tuple[ReferenceData, bool]:
        core, wealth, crm = self.sources.core, self.sources.wealth, self.sources.crm
        tables = await asyncio.gather(
            _keyed(core.all_branches(), "branch_code"),
            _keyed(crm.all_relationship_managers(), "rm_id"),
            _keyed(wealth.all_products(), "product_code"),
            _keyed(wealth.all_latest_navs(day), "product_code"),
            _first(core.fx_rates([day])),
            return_exceptions=True,
        )
        for table in tables:
            if isinstance(table, BaseException) and not isinstance(table, SourceUnavailable):
                raise table
        branches, rms, products, navs, rates = (
            Unavailable(t) if isinstance(t, SourceUnavailable) else t for t in tables
        )
        snapshot = ReferenceData(
            day=day,
            branches=branches,
            relationship_managers=rms,
            products=products,
            latest_navs=navs,
            fx_rates=rates,
        )
        return snapshot, not any(isinstance(t, SourceUnavailable) for t in tables)


async def _keyed(rows: Any, key: str) -> dict[str, Any]:
    return {getattr(row, key): row for row in await rows}


async def _first(lists: Any) -> Any:
    return (await lists)[0]
