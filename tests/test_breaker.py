"""The circuit breaker's states, on a clock the test moves."""

from __future__ import annotations

from gateway.breaker import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def opened(clock: Clock) -> CircuitBreaker:
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=10, clock=clock)
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.failed()
    return breaker


def test_consecutive_failures_open_it_and_a_success_in_between_starts_the_count_again() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=10, clock=clock)
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED
    assert opened(clock).state is BreakerState.OPEN


def test_open_refuses_until_the_reset_period_then_lets_one_probe_through() -> None:
    clock = Clock()
    breaker = opened(clock)
    assert not breaker.allow()
    clock.now = 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_failed_probe_opens_it_for_another_period() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now = 10
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.now = 19.9
    assert not breaker.allow()
    clock.now = 20
    assert breaker.allow()


def test_a_cancelled_probe_lets_the_next_call_probe() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now = 10
    assert breaker.allow()
    breaker.released()
    assert breaker.allow()
