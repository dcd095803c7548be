"""What each /graphql request is observed as: a log line, metrics, ``extensions.sources``.

``Observed`` wraps the endpoint outside the guard, so refused requests are counted too;
``RequestTelemetry`` (a schema extension) fills in what only execution knows: the operation
name, the outcome, and per source the reads this request made, with their latency and status.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from gateway import metrics
from gateway.logs import current_request_id, log_request, new_request_id
from gateway.tracing import note, span
from sources.guarded import SourceReport, current_report

_REFUSALS = {401: "unauthenticated", 403: "forbidden", 429: "rate_limited"}


@dataclass
class Telemetry:
    """One request as logs and metrics see it; never a customer value."""

    request_id: str
    operation: str | None = None
    outcome: str | None = None


class Observed:
    """ASGI wrapper: times every request and logs and counts it once answered. It also opens
    the request's ``SourceReport`` (reached by source reads through a context variable), and
    cancels the request's reads still in flight when the request ends or is cancelled."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        state: dict[str, Any] = scope.setdefault("state", {})
        telemetry = state["telemetry"] = Telemetry(new_request_id())
        report = state["sources_report"] = SourceReport()
        reads_of_this_request = current_report.set(report)
        logged_as = current_request_id.set(telemetry.request_id)
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with span("c360.request"):
            try:
                await self.app(scope, receive, send_observed)
            finally:
                report.abandon()
                current_report.reset(reads_of_this_request)
                current_request_id.reset(logged_as)
                _record(state, status, time.monotonic() - started)


def _record(state: dict[str, Any], status: int, seconds: float) -> None:
    """Log, count and trace one answered (or abandoned) request."""
    telemetry: Telemetry = state["telemetry"]
    outcome = _outcome(status, telemetry.outcome)
    principal = state.get("principal")
    role = getattr(getattr(principal, "role", None), "value", None)
    operation = metrics.safe_operation_name(telemetry.operation)
    metrics.observe_request(telemetry.operation, outcome, seconds)
    if status == 429:
        budget = state.get("customer_budget")
        limit = "CUSTOMERS" if budget and budget.retry_after else "REQUESTS"
        metrics.RATE_LIMITED.labels(limit).inc()
    note(operation=operation, role=role, outcome=outcome, status=status)
    log_request(
        request_id=telemetry.request_id,
        subject=getattr(principal, "subject", None),
        role=role,
        operation=operation,
        outcome=outcome,
        status=status,
        duration_ms=round(seconds * 1000, 1),
    )


def _outcome(status: int, executed: str | None) -> str:
    if status in _REFUSALS:
        return _REFUSALS[status]
    if executed is not None:
        return executed
    return "bad_request" if 400 <= status < 500 else "ok" if status < 400 else "error"


class RequestTelemetry(SchemaExtension):
    """Reports this request's source reads (``extensions.sources``: per source read,
    ``status`` ok or unavailable, ``reads``, and ``latencyMs`` of the slowest) and tells
    ``Observed`` the operation name and outcome (ok, partial, or error)."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        telemetry = _telemetry(context)
        if telemetry is not None:
            telemetry.operation = self.execution_context.operation_name
            result = self.execution_context.result
            errors = getattr(result, "errors", None) or self.execution_context.pre_execution_errors
            data = getattr(result, "data", None)
            telemetry.outcome = "ok" if not errors else "partial" if data else "error"

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        uses = context.sources_report.as_extension() if context is not None else {}
        return {"sources": uses} if uses else {}


def _telemetry(context: Any) -> Telemetry | None:
    request = getattr(context, "request", None)
    return getattr(request.state, "telemetry", None) if request is not None else None
