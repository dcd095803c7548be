"""Bearer tokens: who is calling, verified from a JWT, and demo tokens for the CLI.

Which algorithm verifies a token is decided by the configured key, never by the token:

* the shared secret (``C360_JWT_SECRET``) verifies HS256 only;
* an RSA public key (2048 bits or more) verifies RS256 only;
* an EC public key on P-256 verifies ES256 only.

The token header's ``alg`` merely picks which configured keys to try, and each key is tried
with its own algorithm alone, so ``alg: none`` and an RSA public key reused as an HMAC
secret are both refused. When public keys are configured (``C360_JWT_PUBLIC_KEYS`` or
``C360_JWT_JWKS_FILE``), HS256 tokens are accepted only if ``C360_JWT_SECRET`` is set to
something other than the demo secret: otherwise anyone who has read this file could mint one.
A token's ``kid`` selects the keys with that id when there are any; otherwise every key of
the token's algorithm is tried. Keys read from PEM files take the file name's stem as kid.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import jwt
from cachetools import TTLCache
from jwt import exceptions as jwt_errors

from gateway.signing_keys import (
    AuthConfigurationError,
    VerificationKey,
    load_jwks,
    load_pem_keys,
)

DEMO_SECRET: Final = "c360-demo-secret-never-use-in-production"
"""HS256 secret used when ``C360_JWT_SECRET`` is unset: public, for demos and tests only."""

DEFAULT_ISSUER: Final = "c360-demo"
DEFAULT_AUDIENCE: Final = "c360"
DEFAULT_LEEWAY_SECONDS: Final = 30
MIN_SECRET_BYTES: Final = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash
MAX_TOKEN_LENGTH: Final = 8192
VERIFIED_TOKENS_KEPT: Final = 4096
VERIFIED_TOKENS_SECONDS: Final = 60.0
REQUIRED_CLAIMS: Final = ("sub", "role", "exp", "iss", "aud")


class Role(StrEnum):
    """What kind of caller a principal is; decides what the gateway shows them."""

    RELATIONSHIP_MANAGER = "RELATIONSHIP_MANAGER"
    BRANCH_MANAGER = "BRANCH_MANAGER"
    CALL_CENTRE_AGENT = "CALL_CENTRE_AGENT"
    COMPLIANCE_OFFICER = "COMPLIANCE_OFFICER"
    MARKETING_ANALYST = "MARKETING_ANALYST"
    SERVICE = "SERVICE"


ROLE_REQUIRED_CLAIMS: Final[Mapping[Role, tuple[str, ...]]] = {
    Role.RELATIONSHIP_MANAGER: ("rm", "branch"),
    Role.BRANCH_MANAGER: ("branch",),
    Role.SERVICE: ("scope",),
}
"""Claims a token of each role must carry besides ``REQUIRED_CLAIMS``."""


class AuthErrorCode(StrEnum):
    """Why a request was refused authentication; stable, for clients to act on."""

    TOKEN_MISSING = "TOKEN_MISSING"
    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_NOT_YET_VALID = "TOKEN_NOT_YET_VALID"
    TOKEN_WRONG_AUDIENCE = "TOKEN_WRONG_AUDIENCE"
    TOKEN_WRONG_ISSUER = "TOKEN_WRONG_ISSUER"
    TOKEN_CLAIMS = "TOKEN_CLAIMS"


class AuthenticationError(Exception):
    """A request's credentials were missing or refused. The message never quotes the token."""

    def __init__(self, code: AuthErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: who, in which role, for which branch, book or scopes."""

    subject: str
    role: Role
    branch: str | None = None
    rm_id: str | None = None
    scopes: frozenset[str] = frozenset()
    token_id: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AuthSettings:
    """Where the verification keys come from and which issuer, audience and leeway to expect."""

    jwt_secret: str = field(default=DEMO_SECRET, repr=False)
    public_keys_path: Path | None = None
    jwks_file: Path | None = None
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    leeway_seconds: int = DEFAULT_LEEWAY_SECONDS

    def __post_init__(self) -> None:
        if len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise AuthConfigurationError(f"the JWT secret needs {MIN_SECRET_BYTES} bytes or more")
        if "-----BEGIN" in self.jwt_secret:
            raise AuthConfigurationError("the JWT secret must not be a PEM key")
        if self.leeway_seconds < 0:
            raise AuthConfigurationError("the JWT leeway must not be negative")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        """Settings from ``C360_JWT_*`` variables; unset or empty ones take the defaults."""
        env = os.environ if environ is None else environ
        keys_path = env.get("C360_JWT_PUBLIC_KEYS")
        jwks_file = env.get("C360_JWT_JWKS_FILE")
        leeway = env.get("C360_JWT_LEEWAY_SECONDS") or str(DEFAULT_LEEWAY_SECONDS)
        try:
            leeway_seconds = int(leeway)
        except ValueError:
            raise AuthConfigurationError("C360_JWT_LEEWAY_SECONDS must be an integer") from None
        return cls(
            jwt_secret=env.get("C360_JWT_SECRET") or DEMO_SECRET,
            public_keys_path=Path(keys_path).expanduser() if keys_path else None,
            jwks_file=Path(jwks_file).expanduser() if jwks_file else None,
            issuer=env.get("C360_JWT_ISSUER") or DEFAULT_ISSUER,
            audience=env.get("C360_JWT_AUDIENCE") or DEFAULT_AUDIENCE,
            leeway_seconds=leeway_seconds,
        )

    def uses_demo_secret(self) -> bool:
        """Whether the shared secret is the public demo one (refuse this in production)."""
        return self.jwt_secret == DEMO_SECRET

    @property
    def has_public_keys(self) -> bool:
        return self.public_keys_path is not None or self.jwks_file is not None

    @property
    def accepts_shared_secret(self) -> bool:
        """Whether HS256 tokens are accepted: always without public keys, else a real secret."""
        return not self.has_public_keys or not self.uses_demo_secret()


def _load_keys(settings: AuthSettings) -> tuple[VerificationKey, ...]:
    keys: list[VerificationKey] = []
    if settings.public_keys_path is not None:
        keys += load_pem_keys(settings.public_keys_path)
    if settings.jwks_file is not None:
        keys += load_jwks(settings.jwks_file)
    if settings.accepts_shared_secret:
        keys.append(VerificationKey("HS256", settings.jwt_secret.encode()))
    return tuple(keys)


# Checked in this order; PyJWT raises these only once the signature has verified.
_REFUSALS: Final[tuple[tuple[type[jwt.PyJWTError], AuthErrorCode, str], ...]] = (
    (jwt.ExpiredSignatureError, AuthErrorCode.TOKEN_EXPIRED, "token has expired"),
    (jwt.ImmatureSignatureError, AuthErrorCode.TOKEN_NOT_YET_VALID, "token is not yet valid"),
    (jwt.InvalidAudienceError, AuthErrorCode.TOKEN_WRONG_AUDIENCE, "token is for another audience"),
    (jwt.InvalidIssuerError, AuthErrorCode.TOKEN_WRONG_ISSUER, "token is from another issuer"),
    (jwt_errors.InvalidSubjectError, AuthErrorCode.TOKEN_CLAIMS, "token's sub claim is not valid"),
    (jwt_errors.InvalidJTIError, AuthErrorCode.TOKEN_CLAIMS, "token's jti claim is not valid"),
    (jwt.InvalidIssuedAtError, AuthErrorCode.TOKEN_CLAIMS, "token's iat claim is not valid"),
)


def _error_for(error: jwt.PyJWTError) -> AuthenticationError:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return AuthenticationError(
            AuthErrorCode.TOKEN_CLAIMS, f"token lacks the {error.claim} claim"
        )
    for error_type, code, message in _REFUSALS:
        if isinstance(error, error_type):
            return AuthenticationError(code, message)
    return AuthenticationError(AuthErrorCode.TOKEN_INVALID, "token is malformed or not verifiable")


def _missing_role_claims(
    role: Role, *, branch: str | None, rm_id: str | None, scopes: frozenset[str]
) -> list[str]:
    present = {"branch": bool(branch), "rm": bool(rm_id), "scope": bool(scopes)}
    return [claim for claim in ROLE_REQUIRED_CLAIMS.get(role, ()) if not present[claim]]


def _text_claim(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AuthenticationError(AuthErrorCode.TOKEN_CLAIMS, f"token's {name} claim is not valid")
    return value


def _scopes_claim(claims: Mapping[str, Any]) -> frozenset[str]:
    scope = claims.get("scope")
    if scope is None:
        return frozenset()
    if not isinstance(scope, str):
        raise AuthenticationError(AuthErrorCode.TOKEN_CLAIMS, "token's scope claim is not valid")
    return frozenset(scope.split())


def _principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    subject = _text_claim(claims, "sub")
    role_name = _text_claim(claims, "role")
    if subject is None or role_name is None:
        raise AuthenticationError(AuthErrorCode.TOKEN_CLAIMS, "token lacks the sub or role claim")
    if role_name not in Role.__members__:
        raise AuthenticationError(AuthErrorCode.TOKEN_CLAIMS, "token's role is not a known role")
    role = Role(role_name)
    scopes = _scopes_claim(claims)
    branch, rm_id = _text_claim(claims, "branch"), _text_claim(claims, "rm")
    missing = _missing_role_claims(role, branch=branch, rm_id=rm_id, scopes=scopes)
    if missing:
        raise AuthenticationError(
            AuthErrorCode.TOKEN_CLAIMS, f"a {role} token needs the {', '.join(missing)} claims"
        )
    try:
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (OverflowError, ValueError, OSError):
        raise AuthenticationError(
            AuthErrorCode.TOKEN_CLAIMS, "token's exp claim is not valid"
        ) from None
    return Principal(
        subject=subject,
        role=role,
        branch=branch,
        rm_id=rm_id,
        scopes=scopes,
        token_id=_text_claim(claims, "jti"),
        expires_at=expires_at,
    )


class TokenVerifier:
    """Verifies bearer tokens against the configured keys; see the module docstring for rules.

    Key files are read once, here; a bad file raises ``AuthConfigurationError``. A token that
    verified is remembered for a minute, so a client's next requests skip the signature check
    (a fifth of the fixed cost of a request); its expiry is still checked on every request.
    What is remembered is a pure function of the token text and the configured keys, so it
    holds nothing of any request.
    """

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._keys = _load_keys(settings)
        self._verified: TTLCache[str, Principal] = TTLCache(
            maxsize=VERIFIED_TOKENS_KEPT, ttl=VERIFIED_TOKENS_SECONDS
        )

    @property
    def algorithms(self) -> frozenset[str]:
        """The algorithms some configured key accepts."""
        return frozenset(key.algorithm for key in self._keys)

    def verify(self, token: str) -> Principal:
        """The principal a token names, or ``AuthenticationError`` saying why it was refused."""
        if not token:
            raise AuthenticationError(AuthErrorCode.TOKEN_MISSING, "no bearer token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError(AuthErrorCode.TOKEN_INVALID, "token is too long")
        known = self._verified.get(token)
        if known is not None:
            if self._expired(known):
                self._verified.pop(token, None)
                raise AuthenticationError(AuthErrorCode.TOKEN_EXPIRED, "token has expired")
            return known
        principal = self._verify_signed(token)
        self._verified[token] = principal
        return principal

    def _expired(self, principal: Principal) -> bool:
        expires_at = principal.expires_at
        if expires_at is None:
            return False
        leeway = self._settings.leeway_seconds
        return _clock() > expires_at.timestamp() + leeway

    def _verify_signed(self, token: str) -> Principal:
        for key in self._candidate_keys(token):
            try:
                claims = jwt.decode(
                    token,
                    key.key,
                    algorithms=[key.algorithm],
                    audience=self._settings.audience,
                    issuer=self._settings.issuer,
                    leeway=self._settings.leeway_seconds,
                    options={"require": list(REQUIRED_CLAIMS), "enforce_minimum_key_length": True},
                )
            except jwt.InvalidSignatureError:
                continue
            except jwt.PyJWTError as error:
                raise _error_for(error) from None
            return _principal_from_claims(claims)
        raise AuthenticationError(AuthErrorCode.TOKEN_INVALID, "token's signature does not verify")

    def _candidate_keys(self, token: str) -> list[VerificationKey]:
        header = _unverified_header(token)
        by_algorithm = [key for key in self._keys if key.algorithm == header.get("alg")]
        if not by_algorithm:
            raise AuthenticationError(
                AuthErrorCode.TOKEN_INVALID, "token's algorithm is not accepted"
            )
        by_kid = [
            key for key in by_algorithm if key.kid is not None and key.kid == header.get("kid")
        ]
        return by_kid or by_algorithm


def _clock() -> float:
    return time.time()


def _unverified_header(token: str) -> dict[str, Any]:
    """The token's header, only to choose the keys to try: ``jwt.decode`` then checks the
    whole token, header included, as strictly as ever. (PyJWT's own reader validates each
    segment character by character, a third of the cost of a request.)"""
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, TypeError):
        header = None
    if not isinstance(header, dict) or token.count(".") != 2:
        raise AuthenticationError(AuthErrorCode.TOKEN_INVALID, "token is malformed")
    return header


_TOKEN68: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


def bearer_token(authorization_header: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive)."""
    parts = authorization_header.split() if authorization_header else []
    if len(parts) != 2 or parts[0].lower() != "bearer" or not _TOKEN68.fullmatch(parts[1]):
        raise AuthenticationError(
            AuthErrorCode.TOKEN_MISSING, "expected an 'Authorization: Bearer' token"
        )
    return parts[1]


def mint_token(
    settings: AuthSettings,
    *,
    role: Role | str,
    subject: str,
    branch: str | None = None,
    rm_id: str | None = None,
    scopes: Iterable[str] = (),
    ttl_seconds: int = 3600,
    now: datetime | None = None,
) -> str:
    """An HS256 token signed with the configured secret, as ``c360 token`` prints it.

    Refuses (``ValueError``) what ``TokenVerifier`` would refuse: an unknown role, a role
    without its required claims, a non-positive lifetime, or a demo secret alongside
    public keys. ``scopes`` may be an iterable or one space-separated string.
    """
    role = Role(role)
    if not subject.strip():
        raise ValueError("a token needs a subject")
    if ttl_seconds <= 0:
        raise ValueError("a token's lifetime must be positive")
    if not settings.accepts_shared_secret:
        raise AuthConfigurationError(
            "public keys are configured, so set C360_JWT_SECRET to mint HS256 tokens"
        )
    scope_set = frozenset(scopes.split() if isinstance(scopes, str) else scopes)
    if any(not scope or scope.split() != [scope] for scope in scope_set):
        raise ValueError("each scope must be a non-empty word")
    missing = _missing_role_claims(role, branch=branch, rm_id=rm_id, scopes=scope_set)
    if missing:
        raise ValueError(f"a {role} token needs {', '.join(missing)}")
    issued_at = datetime.now(UTC) if now is None else now
    if issued_at.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    issued = int(issued_at.timestamp())
    optional = {"branch": branch, "rm": rm_id, "scope": " ".join(sorted(scope_set))}
    claims = {
        "sub": subject,
        "role": role.value,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
        **{claim: value for claim, value in optional.items() if value},
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
