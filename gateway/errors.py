"""Errors the API reports to clients, each with a stable ``extensions.code``."""

from __future__ import annotations

from graphql import GraphQLError

BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"


def bad_user_input(message: str, **details: object) -> GraphQLError:
    """An error for input the caller can fix; ``details`` go to extensions, never values."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, **details})
