"""Reference data shared by all requests: branches, RMs, products, today's NAVs and FX rates.

These tables are small, change rarely and carry no customer data, so each process keeps one
snapshot per day for a short time (``C360_REFERENCE_TTL_SECONDS``) instead of reading them at
every level of every query. Each table is read whole, in one statement, so a query's
statements never depend on which branches or products its customers happen to touch.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cachetools import TTLCache

from sources import Sources


@dataclass(frozen=True)
class ReferenceData:
    """One consistent snapshot of the reference tables for a day."""

    day: date
    branches: dict[str, Any]
    relationship_managers: dict[str, Any]
    products: dict[str, Any]
    latest_navs: dict[str, Any]
    fx_rates: dict[str, Decimal]


class ReferenceCache:
    """Snapshots of reference data by day, each kept for ``ttl_seconds``."""

    def __init__(self, sources: Sources, ttl_seconds: float = 60.0) -> None:
        self.sources = sources
        self._snapshots: TTLCache[date, ReferenceData] = TTLCache(maxsize=4, ttl=ttl_seconds)
        self._lock = asyncio.Lock()

    async def on(self, day: date) -> ReferenceData:
        """The snapshot for a day, read from the sources if none is fresh."""
        snapshot = self._snapshots.get(day)
        if snapshot is not None:
            return snapshot
        async with self._lock:
            snapshot = self._snapshots.get(day)
            if snapshot is None:
                snapshot = await self._read(day)
                self._snapshots[day] = snapshot
        return snapshot

    async def _read(self, day: date) -> ReferenceData:
        core, wealth, crm = self.sources.core, self.sources.wealth, self.sources.crm
        branches, rms, products, navs, [rates] = await asyncio.gather(
            core.all_branches(),
            crm.all_relationship_managers(),
            wealth.all_products(),
            wealth.all_latest_navs(day),
            core.fx_rates([day]),
        )
        return ReferenceData(
            day=day,
            branches={row.branch_code: row for row in branches},
            relationship_managers={row.rm_id: row for row in rms},
            products={row.product_code: row for row in products},
            latest_navs={row.product_code: row for row in navs},
            fx_rates=rates,
        )
