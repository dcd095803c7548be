"""What an HTTP request must look like before the gateway reads it: no cross-site form
posts (CSRF), a bounded body, and CORS closed unless origins are configured."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 65_536
GRAPHQL_PATH = "/graphql"
# What a browser may send cross-site without a CORS preflight ("simple" requests): a page on
# any site could make a logged-in browser post these, so /graphql never accepts them.
CSRF_MEDIA_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)


@dataclass(frozen=True)
class TransportSettings:
    """``C360_MAX_BODY_BYTES`` (default 64 KiB) and ``C360_CORS_ORIGINS`` (comma-separated
    origins allowed to call from a browser; none by default)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TransportSettings:
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get("C360_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            max_body_bytes=int(env.get("C360_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            cors_origins=origins,
        )


def transport_middleware(settings: TransportSettings) -> list[Middleware]:
    """Outermost first: CORS (only when configured), then the body and media-type checks."""
    stack = []
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-access-purpose"],
                allow_credentials=False,
                max_age=600,
            )
        )
    stack.append(Middleware(TransportChecks, max_body_bytes=settings.max_body_bytes))
    return stack


class BodyTooLarge(Exception):
    """The body went past the limit while it was being read."""


class TransportChecks:
    """ASGI middleware: 415 for a form, multipart or text/plain POST to /graphql; 413 for a
    body over the limit, by its Content-Length or, when chunked, as soon as the bytes read
    pass it."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = declared = ""
        for name, value in scope["headers"]:  # ASGI gives header names in lower case
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                declared = value.decode("latin-1")
        if scope["method"] == "POST" and scope["path"] == GRAPHQL_PATH:
            media = content_type.split(";")[0].strip().lower()
            if media in CSRF_MEDIA_TYPES:
                await _refuse(send, 415, "UNSUPPORTED_MEDIA_TYPE", "POST JSON to /graphql.")
                return
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse(send, 413, "PAYLOAD_TOO_LARGE", self._too_large())
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, 413, "PAYLOAD_TOO_LARGE", self._too_large())

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
