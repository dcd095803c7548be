"""A source's guard: bounded retries of reads that could not reach the system, and which
failures make a source unavailable."""

from __future__ import annotations

import asyncio

import pytest

from gateway.breaker import BreakerState
from sources.guarded import Resilience, SourceGuard, SourceUnavailable

QUICK = Resilience(timeout_seconds=5, retries=2, retry_pause_seconds=0, breaker_failures=2)


class Flaky:
    """A read failing with ``error`` the first ``failures`` times."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "rows"


async def test_a_read_that_could_not_connect_is_retried_up_to_the_bound() -> None:
    guard = SourceGuard("crm", QUICK)
    read = Flaky(2, ConnectionRefusedError())
    assert await guard.read(read) == "rows" and read.calls == 3
    assert guard.state is BreakerState.CLOSED

    never = Flaky(99, ConnectionRefusedError())
    with pytest.raises(SourceUnavailable) as raised:
        await guard.read(never)
    assert never.calls == 3
    assert raised.value.extensions == {"code": "SOURCE_UNAVAILABLE", "source": "crm"}


async def test_a_failing_query_is_not_retried_and_does_not_open_the_breaker() -> None:
    guard = SourceGuard("core", QUICK)
    for _ in range(3):
        read = Flaky(1, ValueError("a bug, not an outage"))
        with pytest.raises(ValueError):
            await guard.read(read)
        assert read.calls == 1
    assert guard.state is BreakerState.CLOSED


async def test_a_read_past_its_time_is_unavailable_and_counts_against_the_breaker() -> None:
    guard = SourceGuard("wealth", Resilience(timeout_seconds=0.05, breaker_failures=1))
    hung = asyncio.Event()
    with pytest.raises(SourceUnavailable):
        await guard.read(hung.wait)
    assert guard.state is BreakerState.OPEN
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_read_its_caller_cancels_stays_cancelled_and_spares_the_breaker() -> None:
    guard = SourceGuard("wealth", Resilience(timeout_seconds=5, breaker_failures=1))
    reading = asyncio.ensure_future(guard.read(asyncio.Event().wait))
    await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    assert guard.state is BreakerState.CLOSED


async def test_a_cancel_from_the_caller_wins_over_the_deadline_it_comes_with() -> None:
    guard = SourceGuard("crm", Resilience(timeout_seconds=0.02, breaker_failures=1))

    async def read_the_caller_gives_up_on() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:  # the deadline's; the caller cancels before it unwinds
            asyncio.current_task().cancel()  # type: ignore[union-attr]
            raise

    reading = asyncio.ensure_future(guard.read(read_the_caller_gives_up_on))
    with pytest.raises(asyncio.CancelledError):
        await reading
