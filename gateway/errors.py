"""Errors the API reports to clients, each with a stable ``extensions.code``."""

from __future__ import annotations

from graphql import GraphQLError

BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"


def bad_user_input(message: str, **details: object) -> GraphQLError:
    """An error for input the caller can fix; ``details`` go to extensions, never values."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, **details})


def is_internal(error: GraphQLError) -> bool:
    """An error we did not raise on purpose (a bug, or a failure with no code of its own)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def masked_internal(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """What the client sees of an internal error: where it happened, a code and the request
    id (the log has the rest under the same id), never its message."""
    masked = GraphQLError(
        "Internal server error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
    )
    masked.extensions = {"code": INTERNAL, "requestId": request_id}
    return masked
