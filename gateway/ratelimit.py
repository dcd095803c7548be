"""Rate limits per subject: requests per minute, and distinct customers looked up per minute.

The second limit is against enumeration: a caller who may read any customer (a call-centre
agent, a compliance officer, a service) still may not walk the whole customer base. A
customer looked up again within the window does not count twice.

Counts are kept in this process, in sliding windows. With several workers (``c360 serve
--workers N``) each worker counts separately, so a subject may reach up to N times the limit;
set the limits per worker accordingly.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.environment import overridden
from gateway.guard import refusal

RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True)
class RateLimits:
    """Per subject and minute; 0 turns a limit off. Environment:
    ``C360_RATE_REQUESTS_PER_MINUTE``, ``C360_RATE_CUSTOMERS_PER_MINUTE``."""

    requests_per_minute: int = 600
    customers_per_minute: int = 500
    window_seconds: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RateLimits:
        return overridden(
            cls(),
            {
                "requests_per_minute": "C360_RATE_REQUESTS_PER_MINUTE",
                "customers_per_minute": "C360_RATE_CUSTOMERS_PER_MINUTE",
            },
            environ,
        )


class RateLimitExceeded(GraphQLError):
    """More distinct customers than the subject may look up in the window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many distinct customers looked up; try again later.",
            extensions={"code": RATE_LIMITED, "limit": "CUSTOMERS", "retryAfter": retry_after},
        )
        self.retry_after = retry_after


class RateLimiter:
    """Both windows of every subject in this process."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._requests: dict[str, deque[float]] = {}
        self._customers: dict[str, dict[str, float]] = {}

    def take_request(self, subject: str) -> int | None:
        """Count one request; None if allowed, else the seconds to wait."""
        limit = self.limits.requests_per_minute
        if limit <= 0:
            return None
        now = self._clock()
        times = self._requests.setdefault(subject, deque())
        while times and times[0] <= now - self.limits.window_seconds:
            times.popleft()
        if len(times) >= limit:
            return self._wait(times[len(times) - limit], now)
        times.append(now)
        return None

    def take_customers(self, subject: str, customers: Iterable[str]) -> int | None:
        """Count customers looked up (all or none); None if allowed, else the seconds to wait."""
        limit = self.limits.customers_per_minute
        if limit <= 0:
            return None
        now = self._clock()
        seen = self._customers.setdefault(subject, {})
        for customer, at in list(seen.items()):
            if at <= now - self.limits.window_seconds:
                del seen[customer]
        new = {c for c in customers if c not in seen}
        over = len(seen) + len(new) - limit
        if over > 0:
            if len(new) > limit:
                return math.ceil(self.limits.window_seconds)
            oldest = sorted(seen.values())
            return self._wait(oldest[over - 1], now)
        for customer in customers:
            seen[customer] = now
        return None

    def _wait(self, oldest: float, now: float) -> int:
        return max(1, math.ceil(oldest + self.limits.window_seconds - now))


class CustomerBudget:
    """One request's use of its subject's customer window (``Scope.admit`` spends it)."""

    def __init__(self, limiter: RateLimiter, subject: str) -> None:
        self.limiter = limiter
        self.subject = subject
        self.retry_after: int | None = None

    def spend(self, customers: Iterable[str]) -> None:
        """Count customers about to be returned; raise RateLimitExceeded if over the limit."""
        wait = self.limiter.take_customers(self.subject, customers)
        if wait is not None:
            self.retry_after = max(wait, self.retry_after or 0)
            raise RateLimitExceeded(wait)


class RateLimit:
    """ASGI wrapper inside the guard: 429 with Retry-After over the request limit; a
    customer budget for the request, and 429 on the response if it ran out."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        principal = state.get("principal")
        if scope["type"] != "http" or principal is None:
            await self.app(scope, receive, send)
            return
        wait = self.limiter.take_request(principal.subject)
        if wait is not None:
            response = refusal(
                429, RATE_LIMITED, "Too many requests; try again later.", limit="REQUESTS"
            )
            response.headers["Retry-After"] = str(wait)
            await response(scope, receive, send)
            return
        budget = CustomerBudget(self.limiter, principal.subject)
        state["customer_budget"] = budget

        async def send_with_status(message: Message) -> None:
            if message["type"] == "http.response.start" and budget.retry_after is not None:
                headers = [(k, v) for k, v in message["headers"] if k.lower() != b"retry-after"]
                headers.append((b"retry-after", str(budget.retry_after).encode()))
                message = {**message, "status": 429, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_status)
