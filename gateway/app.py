"""The ASGI application: /graphql (authenticated, with a purpose), /healthz and /readyz."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send
from starlette.websockets import WebSocket

from gateway.audit import AuditTrail
from gateway.auth import AuthSettings, TokenVerifier
from gateway.breaker import BreakerState
from gateway.config import Settings
from gateway.context import Context
from gateway.documents import Documents, TrustedDocuments, TrustedDocumentsMissing
from gateway.graphql_http import GraphQLOverHTTP
from gateway.guard import Guard
from gateway.limits import Admission, AdmissionSettings, QueryLimits
from gateway.logs import configure_logging
from gateway.metrics import metrics
from gateway.observe import Observed
from gateway.ratelimit import RateLimit, RateLimiter, RateLimits
from gateway.transport import GRAPHQL_PATH, TransportSettings, transport_middleware
from resolvers.plan.planner import Answer, Planner
from resolvers.reference import ReferenceCache
from resolvers.schema import build_schema
from sources import Sources

READY_TIMEOUT_SECONDS = 2.0
# The cycle collector's generation thresholds while serving (CPython's are 700, 10, 10).
COLLECTOR_THRESHOLDS = (50_000, 20, 10)


_SENT_STRAIGHT = frozenset({"GET", "POST"})


class ProductionMisconfigured(RuntimeError):
    """Settings that must never serve production."""


class Gateway(Starlette):
    """Starlette, with ``GET`` and ``POST /graphql`` sent straight through the transport
    middleware to the endpoint: Starlette's error and exception layers and its router cost
    some 10 µs a request (a tenth of ``{ __typename }``), and the endpoint answers every
    error of its own. Every other request (other paths and methods, the lifespan, a
    ``root_path`` to strip) takes Starlette's way, where ``/graphql`` is also routed."""

    def __init__(
        self,
        graphql: ASGIApp,
        routes: list[BaseRoute],
        middleware: list[Middleware],
        lifespan: Lifespan[Starlette],
    ) -> None:
        super().__init__(
            routes=[Route(GRAPHQL_PATH, graphql, methods=sorted(_SENT_STRAIGHT)), *routes],
            middleware=middleware,
            lifespan=lifespan,
        )
        straight = graphql
        for cls, args, kwargs in reversed(middleware):
            straight = cls(straight, *args, **kwargs)
        self._graphql = straight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == GRAPHQL_PATH
            and scope["method"] in _SENT_STRAIGHT
            and not scope.get("root_path")
        ):
            scope["app"] = self
            await self._graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class GraphQLEndpoint(GraphQLOverHTTP):
    """The GraphQL-over-HTTP endpoint with our typed per-request context."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.app.state
        if getattr(request.state, "principal", None) is None:
            # Only the IDE page comes through the guard unauthenticated; it executes nothing,
            # and anything that did would find no context to read data with.
            return None  # type: ignore[return-value]
        return Context.build(
            settings=state.settings,
            sources=state.sources,
            reference=state.reference,
            audit=state.audit,
            principal=request.state.principal,
            purpose=request.state.purpose,
            request=request,  # type: ignore[arg-type]
        )

    def planned(self, request: Request, answer: Answer) -> None:
        telemetry = getattr(request.state, "telemetry", None)
        if telemetry is not None:
            telemetry.operation = answer.operation_name
            telemetry.outcome = answer.outcome


async def healthz(_request: Request) -> JSONResponse:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Each source answers, reported per source; 503 unless all do."""
    sources: Sources = request.app.state.sources
    checks = await asyncio.gather(*(source_status(s) for s in sources.all()))
    report = dict(zip((s.name for s in sources.all()), checks, strict=True))
    ready = all(check["status"] == "up" for check in checks)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "sources": report},
        status_code=200 if ready else 503,
    )


async def source_status(source: Any) -> dict[str, str]:
    """``up``, or ``down`` with the kind of failure (never connection details); a source
    whose circuit breaker is open is down without being asked."""
    if source.guard.state is BreakerState.OPEN:
        return {"status": "down", "reason": "circuit_open"}
    try:
        await asyncio.wait_for(source.ping(), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        return {"status": "down", "reason": "timeout"}
    except Exception as error:
        return {"status": "down", "reason": type(error).__name__}
    return {"status": "up"}


def check_production(settings: Settings, auth: AuthSettings) -> None:
    """Refuse settings that would let anyone mint accepted tokens in production."""
    if settings.is_production and auth.accepts_shared_secret and auth.uses_demo_secret():
        raise ProductionMisconfigured(
            "C360_ENV=production with the demo JWT secret: set C360_JWT_SECRET, or "
            "C360_JWT_PUBLIC_KEYS / C360_JWT_JWKS_FILE"
        )


def trusted_documents(settings: Settings) -> TrustedDocuments:
    """The registered documents; production refuses to start without them."""
    try:
        return TrustedDocuments.for_environment(
            settings.data_dir, production=settings.is_production
        )
    except TrustedDocumentsMissing as missing:
        raise ProductionMisconfigured(str(missing)) from missing


def create_app(
    settings: Settings | None = None,
    sources: Sources | None = None,
    *,
    auth: AuthSettings | None = None,
    audit: AuditTrail | None = None,
    rate_limits: RateLimits | None = None,
    limits: QueryLimits | None = None,
    admission: AdmissionSettings | None = None,
    transport: TransportSettings | None = None,
    documents: TrustedDocuments | None = None,
    plain_resolvers: bool = True,
    planned: bool = True,
) -> Starlette:
    """The gateway app. Sources and the audit trail are opened at start-up unless given
    (tests pass their own); the app then leaves closing them to the caller.

    ``planned`` answers the documents the planner covers from their plans
    (``resolvers.plan``); without it, and with ``plain_resolvers`` off, every field runs
    through strawberry's own resolvers (the reference path the tests compare with)."""
    settings = settings or Settings.from_env()
    auth = auth or AuthSettings.from_env()
    check_production(settings, auth)
    trusted = documents if documents is not None else trusted_documents(settings)
    verifier = TokenVerifier(auth)
    limiter = RateLimiter(rate_limits or RateLimits.from_env())
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if sources is None:
            app.state.sources = Sources.from_urls(settings.source_urls)
            app.state.reference = ReferenceCache(app.state.sources, settings.reference_ttl_seconds)
        if audit is None:
            app.state.audit = AuditTrail(
                settings.audit_db_url, flush_interval=settings.audit_flush_seconds
            )
            await app.state.audit.start()
        # Everything made so far (modules, the schema, the policy tables) lives as long as
        # the process: out of the collector's way, a full collection no longer walks it. A
        # page of 50 customers makes some 50,000 objects; the full collections they set off
        # had cost a quarter of its CPU.
        gc.collect()
        gc.freeze()
        # A response's objects are freed by reference counting the moment it is sent, so
        # the young generation only has to be swept often enough to catch the rare cycle.
        # At CPython's 700, a page of 50 customers set off some 70 young collections, each
        # walking every response still in flight and promoting them to be walked again:
        # 11-15 % of that page's CPU, most at high concurrency (bench.cost measures it).
        gc.set_threshold(*COLLECTOR_THRESHOLDS)
        try:
            yield
        finally:
            await app.state.reference.close()
            if audit is None:
                await app.state.audit.close()
            if sources is None:
                await app.state.sources.dispose()

    ide = not settings.is_production
    limits = limits or QueryLimits.from_env()
    schema = build_schema(
        limits, production=settings.is_production, plain_resolvers=plain_resolvers
    )
    graphql = GraphQLEndpoint(
        schema,
        graphql_ide="graphiql" if ide else None,
        documents=Documents(trusted, trusted_only=settings.is_production),
        planner=(
            Planner(schema._schema, limits, Admission(admission or AdmissionSettings.from_env()))
            if planned
            else None
        ),
    )
    app = Gateway(
        Observed(Guard(RateLimit(graphql, limiter), verifier, ide=ide)),
        [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)],
        transport_middleware(transport or TransportSettings.from_env()),
        lifespan,
    )
    app.state.settings = settings
    if sources is not None:
        app.state.sources = sources
        app.state.reference = ReferenceCache(sources, settings.reference_ttl_seconds)
    if audit is not None:
        app.state.audit = audit
    return app
