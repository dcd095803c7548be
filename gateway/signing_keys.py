"""Public keys that verify tokens: PEM files, folders of them, or a JWKS file.

Each key carries the one algorithm its type allows (RS256 for RSA of 2048 bits or more,
ES256 for P-256 EC keys), so the token can never choose how it is checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

MIN_RSA_KEY_BITS: Final = 2048


class AuthConfigurationError(ValueError):
    """The token settings or key files cannot be used."""


@dataclass(frozen=True)
class VerificationKey:
    algorithm: str
    key: Any
    kid: str | None = None


def _algorithm_for(public_key: object, source: str) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_KEY_BITS:
            raise AuthConfigurationError(f"{source}: RSA keys need {MIN_RSA_KEY_BITS} bits")
        return "RS256"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise AuthConfigurationError(f"{source}: EC keys must be on curve P-256")
        return "ES256"
    raise AuthConfigurationError(f"{source}: only RSA and P-256 EC public keys are supported")


def _load_pem_file(path: Path) -> VerificationKey:
    data = path.read_bytes()
    try:
        public_key: object = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            public_key = x509.load_pem_x509_certificate(data).public_key()
        except ValueError:
            raise AuthConfigurationError(f"{path}: not a PEM public key or certificate") from None
    return VerificationKey(_algorithm_for(public_key, str(path)), public_key, kid=path.stem)


def load_pem_keys(path: Path) -> list[VerificationKey]:
    files = sorted(path.glob("*.pem")) if path.is_dir() else [path]
    if not files:
        raise AuthConfigurationError(f"{path}: no *.pem files")
    return [_load_pem_file(file) for file in files]


def _load_jwk(jwk: Mapping[str, Any], source: str) -> VerificationKey:
    if "d" in jwk:
        raise AuthConfigurationError(f"{source}: private key material does not belong here")
    loaders = {"RSA": RSAAlgorithm.from_jwk, "EC": ECAlgorithm.from_jwk}
    loader = loaders.get(jwk.get("kty", ""))
    if loader is None:
        raise AuthConfigurationError(f"{source}: only RSA and EC keys are supported")
    try:
        public_key = loader(dict(jwk))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise AuthConfigurationError(f"{source}: not a valid JWK") from None
    algorithm = _algorithm_for(public_key, source)
    if jwk.get("alg", algorithm) != algorithm:
        raise AuthConfigurationError(f"{source}: declared alg does not match the key type")
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise AuthConfigurationError(f"{source}: kid must be a string")
    return VerificationKey(algorithm, public_key, kid=kid)


def load_jwks(path: Path) -> list[VerificationKey]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise AuthConfigurationError(f"{path}: not a JSON document") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(jwk, dict) for jwk in entries):
        raise AuthConfigurationError(f"{path}: a JWKS needs a list of keys")
    signing = [jwk for jwk in entries if jwk.get("use", "sig") == "sig"]
    if not signing:
        raise AuthConfigurationError(f"{path}: no signing keys")
    return [_load_jwk(jwk, f"{path} key {index}") for index, jwk in enumerate(signing)]
