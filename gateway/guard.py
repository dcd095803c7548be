"""Who is asking and why: every /graphql request is authenticated and declares a purpose
before anything executes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import AuthenticationError, TokenVerifier, bearer_token
from gateway.policy import Purpose, allowed_purposes

PURPOSE_HEADER = "x-access-purpose"


def refusal(status: int, code: str, message: str, **extra: str) -> JSONResponse:
    """A GraphQL-shaped error body for a request refused before execution."""
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status_code=status,
        headers=headers,
    )


class Guard:
    """ASGI wrapper of the GraphQL endpoint: 401 without a valid token, 403 without an
    allowed purpose; otherwise the principal and purpose go on in ``scope["state"]``."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, *, ide: bool) -> None:
        self.app = app
        self.verifier = verifier
        self.ide = ide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.ide and _wants_ide(request):
            await self.app(scope, receive, send)
            return
        try:
            principal = self.verifier.verify(bearer_token(request.headers.get("authorization")))
        except AuthenticationError as error:
            await refusal(401, "UNAUTHENTICATED", error.message, reason=error.code.value)(
                scope, receive, send
            )
            return
        declared = request.headers.get(PURPOSE_HEADER, "").strip().upper()
        allowed = allowed_purposes(principal.role)
        if not declared:
            response = refusal(
                403,
                "PURPOSE_REQUIRED",
                "Declare the purpose of this request in the X-Access-Purpose header.",
                allowed=" ".join(sorted(allowed)),
            )
        elif _PURPOSES.get(declared) not in allowed:
            response = refusal(
                403,
                "PURPOSE_NOT_ALLOWED",
                f"Your role may not read for this purpose; allowed: {', '.join(sorted(allowed))}.",
            )
        else:
            state = scope.setdefault("state", {})
            state["principal"] = principal
            state["purpose"] = _PURPOSES[declared]
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def _wants_ide(request: Request) -> bool:
    """A browser asking for the IDE page itself (which carries no data)."""
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


# The purposes by the name a request declares (each purpose's value is its name): a dict
# read, where Purpose(declared) runs the enum's own lookup on every request.
_PURPOSES = {purpose.value: purpose for purpose in Purpose}
