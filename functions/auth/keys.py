"""The OpenID Provider's signing keys, held in KMS: the public JWK Set and RS256 signatures.

The private keys never leave KMS. ``OIDC_SIGNING_KEY_ID`` lists key ids: the first signs, all are
published, so a key can be rotated in with overlap (see :func:`functions.auth.settings.parse_key_ids`).
A key id's public key never changes, so each one is fetched from KMS once per process.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from functions.auth.models import JwksResponse, PublicJwk
from functions.auth.settings import get_settings
from platform_common import aws

JWS_ALG: Final = "RS256"
KMS_SIGNING_ALGORITHM: Final = "RSASSA_PKCS1_V1_5_SHA_256"
KMS_RAW_MESSAGE_LIMIT: Final = 4096  # bytes KMS accepts with MessageType RAW
MIN_RSA_BITS: Final = 2048


class SigningKeyError(RuntimeError):
    """A configured key cannot serve as an RS256 signing key (a deployment error, not a client's)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk_from_der(der: bytes) -> PublicJwk:
    """A DER SubjectPublicKeyInfo (what KMS ``GetPublicKey`` returns) as an RS256 public JWK.

    ``kid`` is the key's RFC 7638 thumbprint: stable, derived from the key alone, and the same in every
    process and region without any bookkeeping.
    """
    try:
        loaded = serialization.load_der_public_key(der)
    except ValueError as exc:
        raise SigningKeyError("the public key is not a DER SubjectPublicKeyInfo") from exc
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise SigningKeyError("the public key is not an RSA key")
    if loaded.key_size < MIN_RSA_BITS:
        raise SigningKeyError(f"the RSA key has fewer than {MIN_RSA_BITS} bits")
    key = RSAKey.import_key(loaded)
    fields = key.as_dict(private=False)
    return PublicJwk(
        kty="RSA",
        kid=key.thumbprint(),
        use="sig",
        alg=JWS_ALG,
        n=str(fields["n"]),
        e=str(fields["e"]),
    )


@cache
def public_jwk(key_id: str) -> PublicJwk:
    """The public JWK of one KMS key, fetched once per process."""
    found = aws.client("kms").get_public_key(KeyId=key_id)
    algorithms = found.get("SigningAlgorithms", [])
    if found.get("KeyUsage") != "SIGN_VERIFY" or KMS_SIGNING_ALGORITHM not in algorithms:
        raise SigningKeyError(f"KMS key {key_id} cannot sign with {KMS_SIGNING_ALGORITHM}")
    return public_jwk_from_der(found["PublicKey"])


def signing_input(header: Mapping[str, Any], claims: Mapping[str, Any]) -> bytes:
    """``BASE64URL(header) '.' BASE64URL(payload)`` of a compact JWS (RFC 7515 §5.1)."""

    def encode(part: Mapping[str, Any]) -> str:
        return b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    return f"{encode(header)}.{encode(claims)}".encode("ascii")


@dataclass(frozen=True)
class SigningKeys:
    key_ids: tuple[str, ...]  # the first signs

    def jwks(self) -> JwksResponse:
        return JwksResponse(keys=[public_jwk(key_id) for key_id in self.key_ids])

    def sign_jwt(self, claims: Mapping[str, Any], typ: str = "JWT") -> str:
        """A compact RS256 JWS of ``claims``, signed in KMS with the first key.

        ``typ`` is ``JWT`` for ID tokens; access tokens will use ``at+jwt`` (RFC 9068).
        """
        key_id = self.key_ids[0]
        header = {"alg": JWS_ALG, "kid": public_jwk(key_id).kid, "typ": typ}
        message = signing_input(header, claims)
        if len(message) > KMS_RAW_MESSAGE_LIMIT:
            raise ValueError(f"the token exceeds the {KMS_RAW_MESSAGE_LIMIT} bytes KMS signs in one call")
        signature: bytes = aws.client("kms").sign(
            KeyId=key_id,
            Message=message,
            MessageType="RAW",
            SigningAlgorithm=KMS_SIGNING_ALGORITHM,
        )["Signature"]
        return f"{message.decode('ascii')}.{b64url(signature)}"


@cache
def get_signing_keys() -> SigningKeys:
    return SigningKeys(get_settings().signing_key_ids)


def sign_jwt(claims: Mapping[str, Any], typ: str = "JWT") -> str:
    """Sign ``claims`` with the active key (what the token endpoint issues)."""
    return get_signing_keys().sign_jwt(claims, typ)
