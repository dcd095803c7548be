"""Optional OpenTelemetry tracing: a span per /graphql request and one per source read.

Spans exist only when ``opentelemetry-api`` is installed, and go wherever the process's tracer
provider sends them: the one ``opentelemetry-instrument`` sets up from the standard ``OTEL_*``
variables, or, with ``C360_OTEL_ENDPOINT`` set and ``opentelemetry-sdk`` and
``opentelemetry-exporter-otlp-proto-http`` installed, one c360 sets up itself. Without a
provider the API's spans are no-ops.

Spans carry no personal data: the operation name (redacted as in the logs), the caller's role,
the outcome and status, the source and how its read ended. Never the subject, a customer
number, the query text, the variables or the result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

try:
    from opentelemetry import trace
except ImportError:  # tracing is optional
    trace = None  # type: ignore[assignment]

_provider: Any = None


def configure_tracing(environ: Mapping[str, str] | None = None) -> bool:
    """Export spans over OTLP/HTTP to ``C360_OTEL_ENDPOINT`` when it is set and the SDK and
    exporter are installed; whether c360 set up a tracer provider."""
    env = os.environ if environ is None else environ
    endpoint = env.get("C360_OTEL_ENDPOINT")
    if trace is None or not endpoint:
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logging.getLogger("c360").warning(
            "C360_OTEL_ENDPOINT is set, but opentelemetry-sdk and "
            "opentelemetry-exporter-otlp-proto-http are not installed: tracing is off"
        )
        return False
    name = env.get("OTEL_SERVICE_NAME", "c360")
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    use_provider(provider)
    return True


def use_provider(provider: Any) -> None:
    """Send c360's spans to ``provider`` (None: the process's global provider)."""
    global _provider, _enabled
    _provider = provider
    _enabled = None


_enabled: bool | None = None


def tracing() -> bool:
    """Whether spans go anywhere: a provider of ours, or a global one installed before the
    first span (as ``opentelemetry-instrument`` does at start-up). Without either, the API's
    no-op spans would still cost a few microseconds each."""
    global _enabled
    if _enabled is None:
        _enabled = trace is not None and (
            _provider is not None
            or not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        )
    return _enabled


_NO_SPAN: AbstractContextManager[None] = nullcontext()


def span(name: str, **attributes: str | int) -> AbstractContextManager[None]:
    """A span around the block (nothing without opentelemetry-api or a tracer provider:
    then one shared do-nothing context, not a generator per request)."""
    if not tracing():
        return _NO_SPAN
    return _span(name, attributes)


@contextmanager
def _span(name: str, attributes: dict[str, str | int]) -> Iterator[None]:
    tracer = trace.get_tracer("c360", tracer_provider=_provider)
    with tracer.start_as_current_span(name, attributes=attributes):
        yield


def note(**attributes: str | int | None) -> None:
    """Add attributes (None values are left out) to the current span, if any."""
    if not tracing():
        return
    current = trace.get_current_span()
    for key, value in attributes.items():
        if value is not None:
            current.set_attribute(f"c360.{key}", value)
