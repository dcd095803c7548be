"""Failure isolation per source: a time limit on every read, bounded retries, a breaker.

Every read a source adapter makes goes through its ``SourceGuard``. A read that does not
finish within ``timeout_seconds`` (retries included) is cancelled, which returns its pooled
connection; a read that fails because the system cannot be reached is retried up to
``retries`` times after a short jittered pause, reads only (writes never come through here).
When the read still fails, or the breaker is open, the caller gets ``SourceUnavailable`` at
once: a GraphQL error naming the source, so the rest of the answer still comes back.

Each request's reads are also accounted per source (``SourceReport``, reached through a
context variable the request sets), for the response's ``extensions.sources``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from gateway.breaker import BreakerState, CircuitBreaker
from gateway.environment import overridden
from gateway.tracing import note, span, tracing

T = TypeVar("T")

SOURCE_UNAVAILABLE = "SOURCE_UNAVAILABLE"


class SourceUnavailable(GraphQLError):
    """A source could not answer in time (down, hung, or its breaker is open)."""

    def __init__(self, source: str) -> None:
        super().__init__(
            f"The {source} system is unavailable; this part of the answer is missing.",
            extensions={"code": SOURCE_UNAVAILABLE, "source": source},
        )
        self.source_name = source


@dataclass(frozen=True)
class Resilience:
    """How patiently a source is read. Environment: ``C360_SOURCE_TIMEOUT_SECONDS``,
    ``C360_SOURCE_RETRIES``, ``C360_BREAKER_FAILURES``, ``C360_BREAKER_RESET_SECONDS``."""

    timeout_seconds: float = 5.0
    retries: int = 1
    retry_pause_seconds: float = 0.05
    breaker_failures: int = 5
    breaker_reset_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Resilience:
        return overridden(
            cls(),
            {
                "timeout_seconds": "C360_SOURCE_TIMEOUT_SECONDS",
                "retries": "C360_SOURCE_RETRIES",
                "breaker_failures": "C360_BREAKER_FAILURES",
                "breaker_reset_seconds": "C360_BREAKER_RESET_SECONDS",
            },
            environ,
        )


@dataclass
class SourceUse:
    """One source's reads within one request: how many, how many failed, the slowest."""

    reads: int = 0
    failed: int = 0
    seconds: float = 0.0

    def as_extension(self) -> dict[str, Any]:
        return {
            "status": "unavailable" if self.failed else "ok",
            "reads": self.reads,
            "latencyMs": round(self.seconds * 1000, 1),
        }


@dataclass
class SourceReport:
    """Per source, what one request's reads cost and whether they failed."""

    uses: dict[str, SourceUse] = field(default_factory=dict)
    _inflight: set[asyncio.Future[Any]] = field(default_factory=set, repr=False)

    def track(self, read: asyncio.Future[Any]) -> None:
        """Remember a task with a read in flight, so an abandoned request can cancel it."""
        self._inflight.add(read)

    def untrack(self, read: asyncio.Future[Any]) -> None:
        """The task's read is over."""
        self._inflight.discard(read)

    def abandon(self) -> None:
        """Cancel this request's reads still in flight (the request itself was cancelled:
        reads started by its loaders run in tasks of their own, and would hold connections)."""
        if not self._inflight:
            return
        current = asyncio.current_task()
        for read in list(self._inflight):
            if read is not current:
                read.cancel()

    def record(self, source: str, seconds: float, *, ok: bool) -> None:
        use = self.uses.setdefault(source, SourceUse())
        use.reads += 1
        use.seconds = max(use.seconds, seconds)
        use.failed += 0 if ok else 1

    def as_extension(self) -> dict[str, Any]:
        return {name: use.as_extension() for name, use in sorted(self.uses.items())}


current_report: ContextVar[SourceReport | None] = ContextVar("c360_source_report", default=None)


ReadObserver = Callable[[str, float, str], None]
"""Told about every read (source, seconds, outcome) for metrics; must not raise."""


def _ignore(_source: str, _seconds: float, _outcome: str) -> None:
    return None


_observer: ReadObserver = _ignore


def observe_reads(observer: ReadObserver) -> None:
    """Install the process-wide read observer (the metrics module does, on import)."""
    global _observer
    _observer = observer


# What asyncpg raises when the server went away, is shutting down or starting, refuses more
# connections, or cancelled the statement (class 08, 53300 and 57 errors).
_ASYNCPG_UNREACHABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)


def _unreachable(error: BaseException) -> bool:
    """Whether an error means the system could not be reached (rather than a bad query)."""
    if isinstance(error, (OSError, ConnectionError, *_ASYNCPG_UNREACHABLE)):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, InterfaceError | OperationalError)
    return False


class _Deadline:
    """The timer callback of one read: cancels its task, and remembers that it did."""

    __slots__ = ("expired", "task")

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.expired = False

    def __call__(self) -> None:
        self.expired = True
        self.task.cancel()


class SourceGuard:
    """The timeout, retries and breaker of one source's reads."""

    def __init__(self, source: str, resilience: Resilience | None = None) -> None:
        self.source = source
        self.resilience = resilience or Resilience.from_env()
        self.breaker = CircuitBreaker(
            failure_threshold=self.resilience.breaker_failures,
            reset_seconds=self.resilience.breaker_reset_seconds,
        )

    @property
    def state(self) -> BreakerState:
        return self.breaker.state

    async def read(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """``attempt()``'s result, or ``SourceUnavailable`` within the timeout.

        When time is up, or the request is abandoned, the attempt is cancelled where it
        stands; the lanes give its connection back without waiting on the server (a hung
        server can take seconds to close on), so the caller is not held either way.
        """
        if tracing():
            with span("c360.source.read", **{"c360.source": self.source}):
                return await self._read(attempt)
        return await self._read(attempt)

    async def _read(self, attempt: Callable[[], Awaitable[T]]) -> T:
        started = time.monotonic()
        if not self.breaker.allow():
            self._account(started, "circuit_open")
            raise SourceUnavailable(self.source)
        task = asyncio.current_task()
        assert task is not None
        report = current_report.get()
        if report is not None:
            report.track(task)
        # What asyncio.timeout does, at a third of its cost on the read path: cancel the
        # task at the deadline, and tell that cancellation from one of the caller's.
        deadline = _Deadline(task)
        timer = asyncio.get_running_loop().call_later(self.resilience.timeout_seconds, deadline)
        cancelling = task.cancelling()
        try:
            try:
                result = await attempt()
            except Exception as error:
                if not self.resilience.retries or not _unreachable(error):
                    raise
                result = await self._retry(attempt)
        except asyncio.CancelledError:
            if deadline.expired and task.uncancel() <= cancelling:
                self.breaker.failed()
                self._account(started, "timeout")
                raise SourceUnavailable(self.source) from None
            self.breaker.released()
            raise
        except TimeoutError:  # the read's own time limit (asyncpg's), as the guard's
            self.breaker.failed()
            self._account(started, "timeout")
            raise SourceUnavailable(self.source) from None
        except Exception as error:
            if not _unreachable(error):
                self.breaker.released()
                raise
            self.breaker.failed()
            self._account(started, "unreachable")
            raise SourceUnavailable(self.source) from None
        finally:
            timer.cancel()
            if report is not None:
                report.untrack(task)
        self.breaker.succeeded()
        self._account(started, "ok")
        return result

    async def _retry(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """The retries after a first attempt that could not reach the source."""
        for tries_left in range(self.resilience.retries - 1, -1, -1):
            pause = self.resilience.retry_pause_seconds
            await asyncio.sleep(pause * (1 + random.random()))
            try:
                return await attempt()
            except Exception as error:
                if tries_left == 0 or not _unreachable(error):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _account(self, started: float, outcome: str) -> None:
        seconds = time.monotonic() - started
        report = current_report.get()
        if report is not None:
            report.record(self.source, seconds, ok=outcome == "ok")
        if tracing():
            note(read=outcome)
        _observer(self.source, seconds, outcome)
