"""Prometheus metrics, served at /metrics.

No label carries a customer value: labels are source names, outcomes, limits and operation
names. Operation names are chosen by clients, so only well-formed names without runs of
digits are kept (a number in a name could be a customer's), and only the first
``MAX_OPERATION_NAMES`` distinct ones per process; the rest count as ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from gateway.breaker import BreakerState
from sources import guarded

MAX_OPERATION_NAMES = 100
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_DIGIT_RUN = re.compile(r"[0-9]{4}")

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "c360_requests",
    "GraphQL requests by operation name and outcome.",
    ["operation", "outcome"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "c360_request_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ["operation"],
    registry=REGISTRY,
)
SOURCE_READ_SECONDS = Histogram(
    "c360_source_read_seconds",
    "Time of one batched read of a source, retries included.",
    ["source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
SOURCE_ERRORS = Counter(
    "c360_source_errors",
    "Reads of a source that failed, by kind (timeout, unreachable, circuit_open).",
    ["source", "kind"],
    registry=REGISTRY,
)
BREAKER_STATE = Gauge(
    "c360_source_breaker_state",
    "Circuit breaker of each source: 0 closed, 1 half-open, 2 open.",
    ["source"],
    registry=REGISTRY,
)
REFERENCE_CACHE = Counter(
    "c360_reference_cache",
    "Lookups of the per-process reference-data snapshot, by result (hit; stale: answered "
    "while a background read replaces it; miss).",
    ["result"],
    registry=REGISTRY,
)
EXECUTIONS = Counter(
    "c360_executions",
    "GraphQL requests by how they ran: planned (a cached plan of the document) or reference "
    "(strawberry's resolvers: documents the planner does not cover, or requests refused "
    "before execution).",
    ["path"],
    registry=REGISTRY,
)
PLANNED = EXECUTIONS.labels("planned")
REFERENCE = EXECUTIONS.labels("reference")
HEAVY_WAITED = Counter(
    "c360_heavy_documents_waited",
    "Heavy documents (estimated cost at least C360_HEAVY_COST) that found every one of the "
    "worker's C360_HEAVY_CONCURRENCY places taken and waited for one.",
    registry=REGISTRY,
)
AUDIT_BUFFERED = Gauge(
    "c360_audit_buffered_records",
    "Audit records waiting to be appended to the audit store.",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "c360_rate_limited",
    "Requests refused by a rate limit (REQUESTS or CUSTOMERS).",
    ["limit"],
    registry=REGISTRY,
)

_BREAKER_VALUES = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


def safe_operation_name(name: str | None) -> str:
    """The client's operation name if it cannot carry a customer value, else ``redacted``."""
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name) or _DIGIT_RUN.search(name):
        return "redacted"
    return name


class OperationLabels:
    """Operation names as metric labels, at most ``limit`` distinct ones (then ``other``)."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def __call__(self, name: str | None) -> str:
        safe = safe_operation_name(name)
        if safe in self._seen:
            return safe
        if len(self._seen) >= self.limit:
            return "other"
        self._seen.add(safe)
        return safe


operation_label = OperationLabels()


# Labelled children, looked up once each: their label sets are bounded (three sources, at
# most MAX_OPERATION_NAMES + 2 operation labels times the outcomes).
_read_timer: Callable[[str], Any] = cache(SOURCE_READ_SECONDS.labels)
_request_counter: Callable[[str, str], Any] = cache(REQUESTS.labels)
_request_timer: Callable[[str], Any] = cache(REQUEST_SECONDS.labels)


def observe_read(source: str, seconds: float, outcome: str) -> None:
    """Record one guarded source read (installed as ``sources.guarded``'s observer)."""
    if outcome != "circuit_open":
        _read_timer(source).observe(seconds)
    if outcome != "ok":
        SOURCE_ERRORS.labels(source, outcome).inc()


guarded.observe_reads(observe_read)


def observe_request(operation: str | None, outcome: str, seconds: float) -> None:
    label = operation_label(operation)
    _request_counter(label, outcome).inc()
    _request_timer(label).observe(seconds)


async def metrics(request: Request) -> Response:
    """The Prometheus exposition of this process's metrics."""
    state: Any = request.app.state
    for source in state.sources.all():
        BREAKER_STATE.labels(source.name).set(_BREAKER_VALUES[source.guard.state])
    AUDIT_BUFFERED.set(state.audit.buffered)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
