"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from gateway.auth import Principal
from gateway.config import Settings
from gateway.disclosure import AuditSink, Disclosure
from gateway.logs import new_request_id
from gateway.policy import Purpose
from gateway.scope import Scope
from resolvers.loaders import Loaders
from resolvers.reference import ReferenceCache, ReferenceData
from sources import Sources
from sources.guarded import SourceReport

if TYPE_CHECKING:
    from starlette.requests import Request


@dataclass
class Context:
    """Built once per request by the app; never shared between requests."""

    settings: Settings
    sources: Sources
    principal: Principal
    purpose: Purpose
    loaders: Loaders
    disclosure: Disclosure
    scope: Scope
    audit: AuditSink
    reference: ReferenceCache
    today: date
    request_id: str
    request: Request | None = None
    sources_report: SourceReport = field(default_factory=SourceReport)
    _reference_data: ReferenceData | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        *,
        settings: Settings,
        sources: Sources,
        reference: ReferenceCache,
        audit: AuditSink,
        principal: Principal,
        purpose: Purpose,
        request: Request | None = None,
    ) -> Context:
        """A fresh context: new loaders, scope and disclosure, today's date, a request id."""
        from gateway.audit import records_of

        # The request's telemetry (gateway.observe) may have named the request already.
        request_id = getattr(_state(request, "telemetry"), "request_id", None) or new_request_id()
        loaders = Loaders(sources)
        disclosure = Disclosure(principal, purpose, audit, request_id, records_of)
        return cls(
            settings=settings,
            sources=sources,
            principal=principal,
            purpose=purpose,
            loaders=loaders,
            disclosure=disclosure,
            scope=Scope(principal, loaders, disclosure, _state(request, "customer_budget")),
            audit=audit,
            reference=reference,
            today=date.today(),
            request_id=request_id,
            request=request,
            sources_report=_state(request, "sources_report") or SourceReport(),
        )

    async def reference_data(self) -> ReferenceData:
        """Today's reference snapshot, the same one for the whole request."""
        if self._reference_data is None:
            self._reference_data = await self.reference.on(self.today)
        return self._reference_data


def _state(request: Request | None, name: str) -> Any:
    return getattr(request.state, name, None) if request is not None else None


Info = strawberry.Info[Context, Any]
