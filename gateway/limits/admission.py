"""How many costly documents one worker executes at once.

A page of 50 customers with their accounts, transactions and holdings builds some 50,000
objects. Sixteen of them at once in one worker each cost about 15 % more CPU than four at a
time (the processor's caches hold fewer of them, the cycle collector has more to walk), and
every cheap request in that worker waits behind all sixteen; four cost 5-10 % more than two,
and those that interleave finish later. Two keep a worker busy while one of them waits for
its database. So a document whose estimated
cost (the query limits' measure: fields resolved, lists multiplied by their page size)
reaches ``heavy_cost`` waits for one of ``heavy_concurrency`` places, first come first
served; a cheaper document never waits. ``bench.cost W2 --concurrency 32`` measures it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass

from gateway.environment import overridden
from gateway.metrics import HEAVY_WAITED


@dataclass(frozen=True)
class AdmissionSettings:
    """``C360_HEAVY_COST`` and ``C360_HEAVY_CONCURRENCY`` (0: no limit)."""

    heavy_cost: int = 5_000
    """The estimated cost from which a document counts as heavy: a one-customer 360 costs
    about 430, a page of 50 of them about 21,000."""
    heavy_concurrency: int = 2
    """Heavy documents one worker process executes at once."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AdmissionSettings:
        return overridden(
            cls(),
            {"heavy_cost": "C360_HEAVY_COST", "heavy_concurrency": "C360_HEAVY_CONCURRENCY"},
            environ,
        )


_AT_ONCE: AbstractAsyncContextManager[None] = nullcontext()


class Admission:
    """The places for heavy documents of one worker process (holds no request's data)."""

    def __init__(self, settings: AdmissionSettings | None = None) -> None:
        self.settings = settings or AdmissionSettings()
        limit = self.settings.heavy_concurrency
        self._places = asyncio.Semaphore(limit) if limit > 0 else None

    def admitted(self, cost: int) -> AbstractAsyncContextManager[None]:
        """Run the body once the document may execute: at once when it is light (one
        shared do-nothing context, not a generator per request)."""
        places = self._places
        if places is None or cost < self.settings.heavy_cost:
            return _AT_ONCE
        return self._place(places)

    @asynccontextmanager
    async def _place(self, places: asyncio.Semaphore) -> AsyncIterator[None]:
        if places.locked():
            HEAVY_WAITED.inc()
        async with places:
            yield
