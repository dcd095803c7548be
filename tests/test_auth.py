"""Bearer-token verification: what is accepted, what is refused and why, never echoing tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.auth import (
    DEMO_SECRET,
    AuthConfigurationError,
    AuthenticationError,
    AuthErrorCode,
    AuthSettings,
    Principal,
    Role,
    TokenVerifier,
    bearer_token,
    mint_token,
)

REAL_SECRET = "a-real-secret-from-the-vault-0123456789"
OTHER_SECRET = "somebody-elses-secret-0123456789abcdef"
ROLE_CLAIMS: dict[Role, dict[str, Any]] = {
    Role.RELATIONSHIP_MANAGER: {"branch": "SH001", "rm_id": "RM042"},
    Role.BRANCH_MANAGER: {"branch": "SH001"},
    Role.CALL_CENTRE_AGENT: {},
    Role.COMPLIANCE_OFFICER: {},
    Role.MARKETING_ANALYST: {},
    Role.SERVICE: {"scopes": ("customer:read", "holdings:read")},
}
ABSENT = object()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def settings() -> AuthSettings:
    return AuthSettings()


@pytest.fixture
def verifier(settings: AuthSettings) -> TokenVerifier:
    return TokenVerifier(settings)


def public_pem(private_key: Any) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_pem(folder: Path, name: str, private_key: Any) -> Path:
    path = folder / f"{name}.pem"
    path.write_bytes(public_pem(private_key))
    return path


def write_jwks(path: Path, *jwks: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"keys": list(jwks)}), encoding="utf-8")
    return path


def public_jwk(private_key: Any, kid: str | None = None) -> dict[str, Any]:
    algorithm = RSAAlgorithm if isinstance(private_key, rsa.RSAPrivateKey) else ECAlgorithm
    jwk = algorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid} if kid else jwk


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for a compliance officer, with overrides; ABSENT removes a claim."""
    now = int(datetime.now(UTC).timestamp())
    base: dict[str, Any] = {
        "sub": "u-001",
        "role": "COMPLIANCE_OFFICER",
        "iss": "c360-demo",
        "aud": "c360",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": str(uuid.uuid4()),
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not ABSENT}


def hs256(payload: dict[str, Any], secret: str = DEMO_SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def hand_signed_hs256(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    """An HS256 token signed without PyJWT, which refuses PEM keys as HMAC secrets."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def unsigned(payload: dict[str, Any], alg: str = "none") -> str:
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(payload).encode())}."


def refusal(verifier: TokenVerifier, token: str) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as caught:
        verifier.verify(token)
    if token:
        assert token not in str(caught.value)
    return caught.value


# Round trips


@pytest.mark.parametrize("role", list(Role))
def test_token_of_each_role_round_trips(role: Role, settings: AuthSettings) -> None:
    token = mint_token(settings, role=role, subject="u-001", **ROLE_CLAIMS[role])
    principal = TokenVerifier(settings).verify(token)
    assert principal.subject == "u-001"
    assert principal.role is role
    assert principal.branch == ROLE_CLAIMS[role].get("branch")
    assert principal.rm_id == ROLE_CLAIMS[role].get("rm_id")
    assert principal.scopes == frozenset(ROLE_CLAIMS[role].get("scopes", ()))
    assert principal.token_id is not None and uuid.UUID(principal.token_id)
    assert principal.expires_at is not None
    assert principal.expires_at - datetime.now(UTC) == pytest.approx(
        timedelta(hours=1), abs=timedelta(seconds=5)
    )


def test_minted_token_carries_the_documented_claims(settings: AuthSettings) -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    token = mint_token(
        settings, role="RELATIONSHIP_MANAGER", subject="u-7", branch="B1", rm_id="RM7", now=now
    )
    payload = jwt.decode(token, options={"verify_signature": False})
    assert set(payload) == {"sub", "role", "branch", "rm", "iss", "aud", "iat", "nbf", "exp", "jti"}
    assert payload["iat"] == payload["nbf"] == int(now.timestamp())
    assert payload["exp"] == int(now.timestamp()) + 3600
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_service_scopes_are_space_separated_in_the_token(settings: AuthSettings) -> None:
    token = mint_token(settings, role=Role.SERVICE, subject="crm-sync", scopes="b:read a:read")
    assert jwt.decode(token, options={"verify_signature": False})["scope"] == "a:read b:read"
    assert TokenVerifier(settings).verify(token).scopes == {"a:read", "b:read"}


def test_principal_can_be_built_by_hand_for_tests_elsewhere() -> None:
    principal = Principal(subject="x", role=Role.MARKETING_ANALYST)
    assert principal.scopes == frozenset() and principal.expires_at is None


# Time


def test_expired_token_is_refused(settings: AuthSettings, verifier: TokenVerifier) -> None:
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    token = mint_token(settings, role=Role.COMPLIANCE_OFFICER, subject="u", now=two_hours_ago)
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_EXPIRED


def test_token_not_yet_valid_is_refused(settings: AuthSettings, verifier: TokenVerifier) -> None:
    in_an_hour = datetime.now(UTC) + timedelta(hours=1)
    token = mint_token(settings, role=Role.COMPLIANCE_OFFICER, subject="u", now=in_an_hour)
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_NOT_YET_VALID


def test_token_issued_in_the_future_is_refused(verifier: TokenVerifier) -> None:
    later = int(datetime.now(UTC).timestamp()) + 600
    token = hs256(claims(iat=later, nbf=ABSENT))
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_NOT_YET_VALID


def test_token_expired_within_leeway_is_accepted(
    settings: AuthSettings, verifier: TokenVerifier
) -> None:
    ten_seconds_ago = datetime.now(UTC) - timedelta(seconds=70)
    token = mint_token(
        settings, role=Role.CALL_CENTRE_AGENT, subject="u", now=ten_seconds_ago, ttl_seconds=60
    )
    assert verifier.verify(token).role is Role.CALL_CENTRE_AGENT


def test_token_valid_from_within_leeway_is_accepted(
    settings: AuthSettings, verifier: TokenVerifier
) -> None:
    in_ten_seconds = datetime.now(UTC) + timedelta(seconds=10)
    token = mint_token(settings, role=Role.CALL_CENTRE_AGENT, subject="u", now=in_ten_seconds)
    assert verifier.verify(token).role is Role.CALL_CENTRE_AGENT


def test_expiry_beyond_leeway_is_refused(settings: AuthSettings, verifier: TokenVerifier) -> None:
    issued = datetime.now(UTC) - timedelta(seconds=120)
    token = mint_token(
        settings, role=Role.CALL_CENTRE_AGENT, subject="u", now=issued, ttl_seconds=60
    )
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_EXPIRED


def test_remembered_token_is_refused_once_it_expires(
    settings: AuthSettings, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = datetime.now(UTC)
    token = mint_token(
        settings, role=Role.CALL_CENTRE_AGENT, subject="u", now=issued, ttl_seconds=60
    )
    assert verifier.verify(token).subject == "u"
    assert verifier.verify(token).subject == "u"  # now from what the verifier remembers
    later = issued.timestamp() + 60 + settings.leeway_seconds + 1
    monkeypatch.setattr("gateway.auth._clock", lambda: later)
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_EXPIRED


def test_a_refused_token_is_not_remembered(verifier: TokenVerifier) -> None:
    forged = hs256(claims(), secret=OTHER_SECRET)
    for _ in range(2):
        assert refusal(verifier, forged).code == AuthErrorCode.TOKEN_INVALID


def test_leeway_comes_from_settings() -> None:
    strict = AuthSettings(leeway_seconds=0)
    issued = datetime.now(UTC) - timedelta(seconds=70)
    token = mint_token(strict, role=Role.CALL_CENTRE_AGENT, subject="u", now=issued, ttl_seconds=60)
    assert refusal(TokenVerifier(strict), token).code == AuthErrorCode.TOKEN_EXPIRED
    assert TokenVerifier(AuthSettings()).verify(token).subject == "u"


# Keys, issuer, audience


def test_token_signed_with_another_secret_is_refused(verifier: TokenVerifier) -> None:
    token = hs256(claims(), OTHER_SECRET)
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


def test_tampered_token_is_refused(verifier: TokenVerifier) -> None:
    header, _, signature = hs256(claims()).split(".")
    forged_payload = b64url(json.dumps(claims(role="COMPLIANCE_OFFICER", sub="boss")).encode())
    assert refusal(verifier, f"{header}.{forged_payload}.{signature}").code == "TOKEN_INVALID"


def test_token_from_another_issuer_is_refused(verifier: TokenVerifier) -> None:
    token = hs256(claims(iss="someone-else"))
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_WRONG_ISSUER


def test_token_for_another_audience_is_refused(verifier: TokenVerifier) -> None:
    token = hs256(claims(aud="payments"))
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_WRONG_AUDIENCE


def test_audience_list_including_ours_is_accepted(verifier: TokenVerifier) -> None:
    assert verifier.verify(hs256(claims(aud=["payments", "c360"]))).subject == "u-001"


def test_issuer_and_audience_come_from_settings() -> None:
    settings = AuthSettings(issuer="bank-idp", audience="c360-prod")
    token = mint_token(settings, role=Role.COMPLIANCE_OFFICER, subject="u")
    assert TokenVerifier(settings).verify(token).subject == "u"
    assert refusal(TokenVerifier(AuthSettings()), token).code == "TOKEN_WRONG_ISSUER"


# alg: none and algorithm confusion


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_unsigned_token_is_refused(verifier: TokenVerifier, alg: str) -> None:
    assert refusal(verifier, unsigned(claims(), alg)).code == AuthErrorCode.TOKEN_INVALID


def test_unsigned_token_with_a_signature_segment_is_refused(verifier: TokenVerifier) -> None:
    token = unsigned(claims()) + b64url(b"anything")
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


def test_rsa_public_key_used_as_hmac_secret_is_refused(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    pem = write_pem(tmp_path, "idp", rsa_key).read_bytes()
    token = hand_signed_hs256({"alg": "HS256", "typ": "JWT"}, claims(), pem)
    for settings in (
        AuthSettings(public_keys_path=tmp_path),
        AuthSettings(public_keys_path=tmp_path, jwt_secret=REAL_SECRET),
    ):
        assert refusal(TokenVerifier(settings), token).code == AuthErrorCode.TOKEN_INVALID


def test_rsa_public_key_as_hmac_secret_is_refused_with_matching_kid(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwk = public_jwk(rsa_key, kid="idp-1")
    jwks_file = write_jwks(tmp_path / "jwks.json", jwk)
    pem = public_pem(rsa_key)
    token = hand_signed_hs256({"alg": "HS256", "kid": "idp-1"}, claims(), pem)
    settings = AuthSettings(jwks_file=jwks_file, jwt_secret=REAL_SECRET)
    assert refusal(TokenVerifier(settings), token).code == AuthErrorCode.TOKEN_INVALID


def test_ec_token_relabelled_as_rsa_is_refused(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    write_pem(tmp_path, "rsa", rsa_key)
    write_pem(tmp_path, "ec", ec_key)
    verifier = TokenVerifier(AuthSettings(public_keys_path=tmp_path))
    _, payload, signature = jwt.encode(claims(), ec_key, algorithm="ES256").split(".")
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    assert refusal(verifier, f"{header}.{payload}.{signature}").code == "TOKEN_INVALID"


def test_demo_secret_tokens_are_refused_once_public_keys_are_configured(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    settings = AuthSettings(public_keys_path=write_pem(tmp_path, "idp", rsa_key))
    verifier = TokenVerifier(settings)
    assert verifier.algorithms == {"RS256"}
    assert refusal(verifier, hs256(claims())).code == AuthErrorCode.TOKEN_INVALID


def test_real_secret_tokens_are_accepted_alongside_public_keys(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    settings = AuthSettings(
        public_keys_path=write_pem(tmp_path, "idp", rsa_key), jwt_secret=REAL_SECRET
    )
    verifier = TokenVerifier(settings)
    assert verifier.algorithms == {"RS256", "HS256"}
    assert verifier.verify(hs256(claims(), REAL_SECRET)).subject == "u-001"
    assert verifier.verify(jwt.encode(claims(), rsa_key, algorithm="RS256")).subject == "u-001"


# Asymmetric keys from files


def test_rs256_token_verifies_with_a_public_key_file(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = TokenVerifier(AuthSettings(public_keys_path=write_pem(tmp_path, "idp", rsa_key)))
    token = jwt.encode(claims(role="BRANCH_MANAGER", branch="SH001"), rsa_key, algorithm="RS256")
    assert verifier.verify(token).branch == "SH001"


def test_es256_token_verifies_with_a_public_key_file(
    tmp_path: Path, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    verifier = TokenVerifier(AuthSettings(public_keys_path=write_pem(tmp_path, "idp", ec_key)))
    assert verifier.algorithms == {"ES256"}
    assert verifier.verify(jwt.encode(claims(), ec_key, algorithm="ES256")).subject == "u-001"


def test_folder_of_public_keys_verifies_tokens_of_each(
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    write_pem(tmp_path, "2024", rsa_key)
    write_pem(tmp_path, "2025", other_rsa_key)
    write_pem(tmp_path, "ec", ec_key)
    (tmp_path / "README.txt").write_text("not a key")
    verifier = TokenVerifier(AuthSettings(public_keys_path=tmp_path))
    signers: list[tuple[Any, str, str | None]] = [
        (rsa_key, "RS256", "2024"),
        (other_rsa_key, "RS256", "2025"),
        (other_rsa_key, "RS256", None),
        (other_rsa_key, "RS256", "rotated-away"),
        (ec_key, "ES256", "ec"),
    ]
    for key, algorithm, kid in signers:
        headers = {"kid": kid} if kid else None
        token = jwt.encode(claims(), key, algorithm=algorithm, headers=headers)
        assert verifier.verify(token).subject == "u-001"


def test_kid_naming_another_key_does_not_help_a_forged_token(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = TokenVerifier(AuthSettings(public_keys_path=write_pem(tmp_path, "idp", rsa_key)))
    token = jwt.encode(claims(), other_rsa_key, algorithm="RS256", headers={"kid": "idp"})
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


def test_token_signed_by_an_unknown_rsa_key_is_refused(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = TokenVerifier(AuthSettings(public_keys_path=write_pem(tmp_path, "idp", rsa_key)))
    token = jwt.encode(claims(), other_rsa_key, algorithm="RS256")
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


def test_rs256_token_is_refused_when_only_ec_keys_are_configured(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    verifier = TokenVerifier(AuthSettings(public_keys_path=write_pem(tmp_path, "idp", ec_key)))
    token = jwt.encode(claims(), rsa_key, algorithm="RS256")
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


def test_certificate_file_supplies_its_public_key(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.bank.example")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(rsa_key, hashes.SHA256())
    )
    path = tmp_path / "idp.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    verifier = TokenVerifier(AuthSettings(public_keys_path=path))
    assert verifier.verify(jwt.encode(claims(), rsa_key, algorithm="RS256")).subject == "u-001"


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_token_verifies_with_a_jwks_file_selected_by_kid(
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    algorithm: str,
) -> None:
    jwks_file = write_jwks(
        tmp_path / "jwks.json",
        public_jwk(other_rsa_key, kid="old"),
        {**public_jwk(rsa_key, kid="rsa-2025"), "alg": "RS256", "use": "sig"},
        public_jwk(ec_key, kid="ec-2025"),
    )
    verifier = TokenVerifier(AuthSettings(jwks_file=jwks_file))
    key, kid = (rsa_key, "rsa-2025") if algorithm == "RS256" else (ec_key, "ec-2025")
    token = jwt.encode(claims(), key, algorithm=algorithm, headers={"kid": kid})
    assert verifier.verify(token).subject == "u-001"


def test_jwks_keys_for_encryption_are_ignored(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks_file = write_jwks(
        tmp_path / "jwks.json",
        public_jwk(rsa_key, kid="sig"),
        {**public_jwk(other_rsa_key, kid="enc"), "use": "enc"},
    )
    verifier = TokenVerifier(AuthSettings(jwks_file=jwks_file))
    token = jwt.encode(claims(), other_rsa_key, algorithm="RS256", headers={"kid": "enc"})
    assert refusal(verifier, token).code == AuthErrorCode.TOKEN_INVALID


# Key configuration mistakes


def private_pem(private_key: Any) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_bad_key_file(folder: Path, name: str, rsa_key: rsa.RSAPrivateKey) -> AuthSettings:
    """Settings naming one unusable key file (or folder) called ``name``."""
    rsa_jwk = public_jwk(rsa_key)
    contents: dict[str, Any] = {
        "private.pem": lambda: private_pem(rsa_key),
        "rsa-1024.pem": lambda: public_pem(rsa.generate_private_key(65537, 1024)),
        "p384.pem": lambda: public_pem(ec.generate_private_key(ec.SECP384R1())),
        "garbage.pem": lambda: b"-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
        "oct.json": lambda: {"keys": [{"kty": "oct", "k": b64url(REAL_SECRET.encode())}]},
        "private.json": lambda: {"keys": [RSAAlgorithm.to_jwk(rsa_key, as_dict=True)]},
        "alg-mismatch.json": lambda: {"keys": [{**rsa_jwk, "alg": "HS256"}]},
        "not-a-jwks.json": lambda: rsa_jwk,
        "no-signing-keys.json": lambda: {"keys": [{**rsa_jwk, "use": "enc"}]},
        "broken-jwk.json": lambda: {"keys": [{"kty": "RSA", "n": "x"}]},
        "not-json.json": lambda: b"{",
    }
    path = folder / name
    if name == "empty-folder":
        path.mkdir()
        return AuthSettings(public_keys_path=path)
    content = contents[name]()
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    if name.endswith(".json"):
        return AuthSettings(jwks_file=path)
    return AuthSettings(public_keys_path=path)


@pytest.mark.parametrize(
    "name",
    [
        "private.pem",
        "rsa-1024.pem",
        "p384.pem",
        "garbage.pem",
        "empty-folder",
        "oct.json",
        "private.json",
        "alg-mismatch.json",
        "not-a-jwks.json",
        "no-signing-keys.json",
        "broken-jwk.json",
        "not-json.json",
    ],
)
def test_unusable_key_file_is_refused_at_start_up(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, name: str
) -> None:
    settings = write_bad_key_file(tmp_path, name, rsa_key)
    with pytest.raises(AuthConfigurationError):
        TokenVerifier(settings)


# Claims


@pytest.mark.parametrize("claim", ["sub", "role", "exp", "iss", "aud"])
def test_token_missing_a_required_claim_is_refused(verifier: TokenVerifier, claim: str) -> None:
    error = refusal(verifier, hs256(claims(**{claim: ABSENT})))
    assert error.code == AuthErrorCode.TOKEN_CLAIMS
    assert claim in error.message


@pytest.mark.parametrize(
    ("role", "present", "missing"),
    [
        ("RELATIONSHIP_MANAGER", {"branch": "SH001"}, "rm"),
        ("RELATIONSHIP_MANAGER", {"rm": "RM042"}, "branch"),
        ("RELATIONSHIP_MANAGER", {"rm": "RM042", "branch": None}, "branch"),
        ("BRANCH_MANAGER", {}, "branch"),
        ("SERVICE", {}, "scope"),
        ("SERVICE", {"scope": "   "}, "scope"),
    ],
)
def test_role_without_its_required_claims_is_refused(
    verifier: TokenVerifier, role: str, present: dict[str, Any], missing: str
) -> None:
    error = refusal(verifier, hs256(claims(role=role, **present)))
    assert error.code == AuthErrorCode.TOKEN_CLAIMS
    assert missing in error.message


@pytest.mark.parametrize(
    "bad_claims",
    [
        {"role": "ADMIN"},
        {"role": "relationship_manager"},
        {"role": 3},
        {"sub": ""},
        {"sub": 42},
        {"branch": ""},
        {"branch": ["SH001"]},
        {"scope": ["customer:read"]},
        {"jti": 7},
        {"iat": "yesterday"},
    ],
)
def test_malformed_claims_are_refused(verifier: TokenVerifier, bad_claims: dict[str, Any]) -> None:
    assert refusal(verifier, hs256(claims(**bad_claims))).code == AuthErrorCode.TOKEN_CLAIMS


def test_unknown_role_is_not_echoed(verifier: TokenVerifier) -> None:
    error = refusal(verifier, hs256(claims(role="SUPERUSER")))
    assert "SUPERUSER" not in error.message


@pytest.mark.parametrize(
    ("bad_expiry", "code"),
    [("soon", AuthErrorCode.TOKEN_INVALID), (10**20, AuthErrorCode.TOKEN_CLAIMS)],
)
def test_unreadable_expiry_is_refused(
    verifier: TokenVerifier, bad_expiry: object, code: AuthErrorCode
) -> None:
    assert refusal(verifier, hs256(claims(exp=bad_expiry))).code == code


# Token and header shapes


@pytest.mark.parametrize(
    "garbage", ["abc", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30", "x" * 9000]
)
def test_malformed_token_is_refused(verifier: TokenVerifier, garbage: str) -> None:
    assert refusal(verifier, garbage).code == AuthErrorCode.TOKEN_INVALID


def test_empty_token_is_missing(verifier: TokenVerifier) -> None:
    assert refusal(verifier, "").code == AuthErrorCode.TOKEN_MISSING


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_bearer_scheme_is_case_insensitive(scheme: str) -> None:
    assert bearer_token(f"{scheme} abc.def.ghi") == "abc.def.ghi"


def test_bearer_header_tolerates_surrounding_whitespace() -> None:
    assert bearer_token("  Bearer   abc.def.ghi  ") == "abc.def.ghi"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "Bearer",
        "Bearer ",
        "abc.def.ghi",
        "Basic dXNlcjpwYXNz",
        "Token abc.def.ghi",
        "Bearer abc def",
        "Bearer abc.def.ghi extra",
        "Bearerabc.def.ghi",
        "Bearer abc,def",
        "Bearer 令牌",
        "Bearer =abc",
    ],
)
def test_malformed_authorization_header_means_no_token(header: str | None) -> None:
    with pytest.raises(AuthenticationError) as caught:
        bearer_token(header)
    assert caught.value.code == AuthErrorCode.TOKEN_MISSING
    for part in (header or "").split():
        if part.lower() != "bearer":
            assert part not in str(caught.value)


# Error messages


AN_HOUR = timedelta(hours=1)
FAILING_TOKENS: dict[str, Callable[[AuthSettings], str]] = {
    "expired": lambda s: mint_token(
        s, role=Role.CALL_CENTRE_AGENT, subject="u", now=datetime.now(UTC) - 2 * AN_HOUR
    ),
    "not yet valid": lambda s: mint_token(
        s, role=Role.CALL_CENTRE_AGENT, subject="u", now=datetime.now(UTC) + AN_HOUR
    ),
    "wrong key": lambda _: hs256(claims(), OTHER_SECRET),
    "wrong issuer": lambda _: hs256(claims(iss="x")),
    "wrong audience": lambda _: hs256(claims(aud="x")),
    "no subject": lambda _: hs256(claims(sub=ABSENT)),
    "unknown role": lambda _: hs256(claims(role="SUPERUSER")),
    "service without scope": lambda _: hs256(claims(role="SERVICE")),
    "unsigned": lambda _: unsigned(claims()),
    "garbage": lambda _: "not-a-token",
}


@pytest.mark.parametrize("case", FAILING_TOKENS)
def test_refusals_never_quote_the_token(settings: AuthSettings, case: str) -> None:
    token = FAILING_TOKENS[case](settings)
    with pytest.raises(AuthenticationError) as caught:
        TokenVerifier(settings).verify(token)
    error = caught.value
    rendered = f"{error} {error!r} {error.message}"
    for segment in filter(None, token.split(".")):
        assert segment not in rendered
    # PyJWT's own messages stay out of tracebacks too.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


# Settings


def test_settings_default_to_the_demo_configuration() -> None:
    settings = AuthSettings.from_env({})
    assert settings.uses_demo_secret()
    assert settings.jwt_secret == DEMO_SECRET
    assert (settings.issuer, settings.audience, settings.leeway_seconds) == (
        "c360-demo",
        "c360",
        30,
    )
    assert settings.public_keys_path is None and settings.jwks_file is None


def test_settings_read_every_variable(tmp_path: Path) -> None:
    settings = AuthSettings.from_env(
        {
            "C360_JWT_SECRET": REAL_SECRET,
            "C360_JWT_PUBLIC_KEYS": str(tmp_path / "keys"),
            "C360_JWT_JWKS_FILE": str(tmp_path / "jwks.json"),
            "C360_JWT_ISSUER": "bank-idp",
            "C360_JWT_AUDIENCE": "c360-prod",
            "C360_JWT_LEEWAY_SECONDS": "5",
        }
    )
    assert not settings.uses_demo_secret()
    assert settings.public_keys_path == tmp_path / "keys"
    assert settings.jwks_file == tmp_path / "jwks.json"
    assert (settings.issuer, settings.audience, settings.leeway_seconds) == (
        "bank-idp",
        "c360-prod",
        5,
    )


def test_empty_variables_mean_unset() -> None:
    empty = dict.fromkeys(["C360_JWT_SECRET", "C360_JWT_PUBLIC_KEYS", "C360_JWT_ISSUER"], "")
    assert AuthSettings.from_env(empty) == AuthSettings()


@pytest.mark.parametrize(
    "environ",
    [
        {"C360_JWT_SECRET": "short"},
        {"C360_JWT_SECRET": "-----BEGIN PUBLIC KEY-----\n" + "A" * 64},
        {"C360_JWT_LEEWAY_SECONDS": "thirty"},
        {"C360_JWT_LEEWAY_SECONDS": "-1"},
    ],
)
def test_unusable_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(AuthConfigurationError):
        AuthSettings.from_env(environ)


def test_settings_never_show_the_secret() -> None:
    assert REAL_SECRET not in repr(AuthSettings(jwt_secret=REAL_SECRET))


def test_hs256_is_accepted_only_with_a_real_secret_beside_public_keys(tmp_path: Path) -> None:
    assert AuthSettings().accepts_shared_secret
    assert not AuthSettings(public_keys_path=tmp_path).accepts_shared_secret
    assert not AuthSettings(jwks_file=tmp_path / "jwks.json").accepts_shared_secret
    assert AuthSettings(public_keys_path=tmp_path, jwt_secret=REAL_SECRET).accepts_shared_secret


# Minting


REFUSED_MINTS: dict[str, Callable[[AuthSettings], str]] = {
    "unknown role": lambda s: mint_token(s, role="ADMIN", subject="u"),
    "RM without rm": lambda s: mint_token(
        s, role=Role.RELATIONSHIP_MANAGER, subject="u", branch="B1"
    ),
    "RM without branch": lambda s: mint_token(
        s, role=Role.RELATIONSHIP_MANAGER, subject="u", rm_id="RM1"
    ),
    "BM without branch": lambda s: mint_token(s, role=Role.BRANCH_MANAGER, subject="u"),
    "service without scope": lambda s: mint_token(s, role=Role.SERVICE, subject="svc"),
    "scope with a space": lambda s: mint_token(s, role=Role.SERVICE, subject="svc", scopes=["a b"]),
    "blank subject": lambda s: mint_token(s, role=Role.COMPLIANCE_OFFICER, subject=" "),
    "no lifetime": lambda s: mint_token(
        s, role=Role.COMPLIANCE_OFFICER, subject="u", ttl_seconds=0
    ),
    "naive now": lambda s: mint_token(
        s, role=Role.COMPLIANCE_OFFICER, subject="u", now=datetime(2030, 1, 1)
    ),
}


@pytest.mark.parametrize("case", REFUSED_MINTS)
def test_mint_refuses_tokens_the_verifier_would_refuse(settings: AuthSettings, case: str) -> None:
    with pytest.raises(ValueError):
        REFUSED_MINTS[case](settings)


def test_mint_refuses_the_demo_secret_beside_public_keys(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigurationError, match="C360_JWT_SECRET"):
        mint_token(
            AuthSettings(public_keys_path=tmp_path), role=Role.SERVICE, subject="s", scopes="a"
        )


def test_minted_token_ids_are_unique(settings: AuthSettings) -> None:
    tokens = {mint_token(settings, role=Role.MARKETING_ANALYST, subject="u") for _ in range(5)}
    verifier = TokenVerifier(settings)
    assert len({verifier.verify(token).token_id for token in tokens}) == 5
