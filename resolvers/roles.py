"""Root fields reserved to some roles: any other caller gets FORBIDDEN and no data."""

from __future__ import annotations

from collections.abc import Collection

from graphql import GraphQLError

from gateway.auth import Role
from gateway.context import Context
from resolvers.audit_events import FORBIDDEN


def require_role(ctx: Context, roles: Collection[Role], what: str) -> Role:
    """The caller's role, or a FORBIDDEN error naming the roles that may ask for ``what``."""
    role = ctx.principal.role
    if role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise GraphQLError(
            f"{what} is available to {allowed} only.",
            extensions={"code": FORBIDDEN},
        )
    return role  # type: ignore[no-any-return]
