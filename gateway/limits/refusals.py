"""The errors a refused document gets: one ``extensions.code`` per limit."""

from __future__ import annotations

from graphql import GraphQLError

DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_ROOT_FIELDS = "TOO_MANY_ROOT_FIELDS"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
CIRCULAR_FRAGMENT = "CIRCULAR_FRAGMENT"

LIMIT_CODES = frozenset(
    {
        DOCUMENT_TOO_LARGE,
        TOO_MANY_TOKENS,
        QUERY_TOO_DEEP,
        TOO_MANY_ALIASES,
        TOO_MANY_ROOT_FIELDS,
        TOO_MANY_DIRECTIVES,
        QUERY_TOO_COSTLY,
        CIRCULAR_FRAGMENT,
    }
)


def refusal(
    code: str, message: str, *, limit: int | None = None, **details: object
) -> GraphQLError:
    """A document refused before execution; ``limit`` says what the caller must stay within."""
    extensions: dict[str, object] = {"code": code, **details}
    if limit is not None:
        extensions["limit"] = limit
    return GraphQLError(message, extensions=extensions)
