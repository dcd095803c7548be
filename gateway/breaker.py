"""A circuit breaker per source: stop calling a system that keeps failing, probe it later.

CLOSED lets every call through and counts consecutive failures; at ``failure_threshold`` it
OPENs, and for ``reset_seconds`` every call is refused at once, so a dead or hung system costs
a request nothing. Then it is HALF_OPEN: one probe call at a time goes through; a success
CLOSEs it, a failure OPENs it again for another ``reset_seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class BreakerState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """The breaker of one source. Not thread-safe; one event loop uses it."""

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self.reset_seconds:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allow(self) -> bool:
        """Whether a call may go to the source now (claiming the probe when half-open)."""
        if self._opened_at is None:  # closed: every read of every request passes here
            return True
        if self.state is BreakerState.OPEN or self._probing:
            return False
        self._probing = True
        return True

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        self._probing = False

    def released(self) -> None:
        """A call that let the probe go without a verdict (it was cancelled)."""
        self._probing = False
