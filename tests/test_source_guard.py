"""A source's guard: bounded retries of reads that could not reach the system, and which
failures make a source unavailable."""

from __future__ import annotations

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
