"""GraphQL over HTTP (the GraphQL Foundation's spec, as graphql-http audits it).

Strawberry's ASGI view answers every GraphQL error with 200 in ``application/json`` and every
malformed request in plain text; this endpoint negotiates ``application/graphql-response+json``
and gives the spec's status codes: a well-formed request whose document cannot run (parse,
validation, a refused limit, variable coercion, an untrusted document) is a *request error*,
answered without ``data`` — 400 in ``application/graphql-response+json``, 200 in the legacy
``application/json`` — while field errors during execution are always 200 with ``data``.
A malformed HTTP request is 400, a mutation by GET 405, an unsupported body type 415 and an
``Accept`` the endpoint cannot satisfy 406, each with a GraphQL-shaped JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.http.ides import GraphQL_IDE, get_graphql_ide_html
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from gateway.documents import Documents, TrustedDocuments
from gateway.errors import INTERNAL
from gateway.metrics import PLANNED, REFERENCE
from resolvers.plan.planner import Answer, Planner

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
BAD_REQUEST = "BAD_REQUEST"


class Malformed(Exception):
    """An HTTP request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(self, status: int, message: str, code: str = BAD_REQUEST, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers


@dataclass(frozen=True)
class Parameters:
    """The GraphQL-over-HTTP request parameters."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    document_id: str | None


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header: ``application/graphql-response+json``
    when preferred or tied, ``application/json`` for it, ``*/*``, ``application/*`` or no
    header; None when the client accepts neither."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            candidate = (quality, 1, GRAPHQL_RESPONSE)
        elif media in (JSON, "*/*", "application/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else None


async def read_parameters(request: Request) -> Parameters:
    """The parameters of a GET (query string) or POST (JSON body). Raises Malformed."""
    if request.method in ("GET", "HEAD"):
        raw: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if raw.get(name):
                raw[name] = _json(raw[name], name)
            else:
                raw.pop(name, None)
    else:
        _require_json_body(request.headers.get("content-type"))
        body = await request.body()
        if not body:
            raise Malformed(400, "The request body is empty; send a JSON object.")
        raw = _json(body, "body")
        if isinstance(raw, list):
            raise Malformed(400, "Batched operations are not supported; send one object.")
        if not isinstance(raw, dict):
            raise Malformed(400, "The request body must be a JSON object.")
    return Parameters(
        query=_of_type(raw, "query", str),
        operation_name=_of_type(raw, "operationName", str),
        variables=_of_type(raw, "variables", dict),
        extensions=_of_type(raw, "extensions", dict),
        document_id=_of_type(raw, "documentId", str),
    )


def _require_json_body(content_type: str | None) -> None:
    media, *params = (part.strip().lower() for part in (content_type or "").split(";"))
    if media != JSON:
        raise Malformed(
            415,
            "POST a JSON body with `Content-Type: application/json`.",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    for param in params:
        key, _, value = param.partition("=")
        if key.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            raise Malformed(415, "Only UTF-8 bodies are accepted.", "UNSUPPORTED_MEDIA_TYPE")


def _json(text: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(text)
    except ValueError:
        pass  # orjson refuses a few things JSON parsers accept (NaN, integers over 64 bits)
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise Malformed(400, f"The {what} is not valid JSON.") from error


def _of_type(raw: Mapping[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if value is not None and not isinstance(value, kind):
        expected = "an object" if kind is dict else "a string"
        raise Malformed(400, f"`{name}` must be {expected} or null.")
    return value


def is_request_error(result: ExecutionResult) -> bool:
    """Raised before execution began: nothing was resolved, and no error has a path."""
    if isinstance(result, PreExecutionError):
        return True
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def graphql_error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class GraphQLOverHTTP:
    """ASGI GraphQL endpoint. Subclasses provide ``get_context`` (and may override
    ``get_root_value`` and ``process_result``), as with strawberry's views."""

    def __init__(
        self,
        schema: BaseSchema,
        graphql_ide: GraphQL_IDE | None = "graphiql",
        documents: Documents | None = None,
        planner: Planner | None = None,
    ) -> None:
        self.schema = schema
        self.graphql_ide = graphql_ide
        self.documents = documents or Documents(TrustedDocuments.none(), trusted_only=False)
        self.planner = planner

    async def get_context(self, request: Request, response: Response) -> Any:
        return None

    async def get_root_value(self, request: Request) -> Any:
        return None

    async def process_result(self, request: Request, result: ExecutionResult) -> dict[str, Any]:
        return dict(process_result(result))

    def planned(self, request: Request, answer: Answer) -> None:
        """Told of each request the planner answered (telemetry hooks in here)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """Answer one request; never raises for anything the client sent."""
        if self.graphql_ide and self._wants_ide(request):
            return HTMLResponse(get_graphql_ide_html(graphql_ide=self.graphql_ide))
        media = negotiate(request.headers.get("accept"))
        if media is None:
            return _json_response(
                graphql_error_body(f"Accept {GRAPHQL_RESPONSE} or {JSON}.", "NOT_ACCEPTABLE"),
                406,
                JSON,
            )
        try:
            return await self._answer(request, media)
        except Malformed as refused:
            return _json_response(
                graphql_error_body(refused.message, refused.code),
                refused.status,
                media,
                refused.headers,
            )

    async def _answer(self, request: Request, media: str) -> Response:
        params = await read_parameters(request)
        try:
            resolved = self.documents.resolve(params.query, params.document_id, params.extensions)
        except GraphQLError as refused:
            return self._request_error(refused, media)
        if resolved.query is None:
            raise Malformed(400, "Send a `query` (or the `documentId` of a trusted document).")
        sub_response = Response()
        context = await self.get_context(request, sub_response)
        if self.planner is not None and context is not None:
            prepared = self.planner.prepare(resolved.query, params.operation_name)
            answer = prepared and await self.planner.answer(prepared, context, params.variables)
            if answer:
                PLANNED.inc()
                if resolved.remember_as:
                    self.documents.remember(resolved.remember_as, resolved.query)
                self.planned(request, answer)
                return _json_response(answer.body, 200, media)
        REFERENCE.inc()
        allowed = (
            {OperationType.QUERY}
            if request.method in ("GET", "HEAD")
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        try:
            result = await self.schema.execute(
                resolved.query,
                variable_values=params.variables,
                context_value=context,
                root_value=await self.get_root_value(request),
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as error:
            raise Malformed(
                405, "Only queries may be sent by GET; POST anything else.", Allow="POST"
            ) from error
        except CannotGetOperationTypeError as error:
            raise Malformed(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise Malformed(400, "Send a `query`.") from error
        request_error = is_request_error(result)
        if resolved.remember_as and not request_error:
            self.documents.remember(resolved.remember_as, resolved.query)
        body = await self.process_result(request, result)
        if request_error:
            body.pop("data", None)
        status = _status(result, media, request_error=request_error)
        response = _json_response(body, status, media)
        response.headers.update(
            {k: v for k, v in sub_response.headers.items() if k.lower() != "content-length"}
        )
        return response

    def _request_error(self, error: GraphQLError, media: str) -> Response:
        status = 400 if media == GRAPHQL_RESPONSE else 200
        return _json_response({"errors": [error.formatted]}, status, media)

    @staticmethod
    def _wants_ide(request: Request) -> bool:
        return (
            request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )


def _status(result: ExecutionResult, media: str, *, request_error: bool) -> int:
    if not request_error or media == JSON:
        return 200
    internal = any((e.extensions or {}).get("code") == INTERNAL for e in result.errors or ())
    return 500 if internal else 400


def _json_response(
    body: Any, status: int, media: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        # orjson writes the same compact UTF-8 JSON as json.dumps(ensure_ascii=False,
        # separators=(",", ":")), several times faster on a 50-customer answer.
        orjson.dumps(body),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers=dict(headers or {}),
    )
