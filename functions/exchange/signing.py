"""Signatures and timestamps made in KMS: each member's key (its messages) and the exchange's own key.

A member's key signs for that member's security server: the client member's key signs the request the exchange
forwards, the provider member's key signs the answer. Private keys never leave KMS; a key's public JWK is
fetched once per process (a key id's public key never changes).

Timestamps: a :class:`Timestamper` attests that a hash existed at a time. :class:`KmsTimestamper` signs
``{"hash", "time"}`` with the exchange's key as a compact JWS; an RFC 3161 time-stamping authority can stand in
behind the same interface.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from functions.exchange.jws import JwsError, der_to_raw, public_jwk, sign_compact, verify_compact
from platform_common import aws

KMS_ALGORITHM = "ECDSA_SHA_256"
TIMESTAMP_TYPE = "exchange-timestamp+jws"


class KeyUnusable(RuntimeError):
    """A configured KMS key cannot make ES256 signatures (a deployment error, never a client's)."""


@cache
def kms_public_jwk(key_id: str) -> dict[str, str]:
    """The public JWK of a KMS key (fetched once per process)."""
    found = aws.client("kms").get_public_key(KeyId=key_id)
    if found.get("KeyUsage") != "SIGN_VERIFY" or KMS_ALGORITHM not in found.get("SigningAlgorithms", []):
        raise KeyUnusable(f"KMS key {key_id} cannot sign with {KMS_ALGORITHM}")
    key = serialization.load_der_public_key(found["PublicKey"])
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise KeyUnusable(f"KMS key {key_id} is not an EC key")
    return public_jwk(key)


@dataclass(frozen=True)
class KmsSigner:
    """A :class:`functions.exchange.jws.Signer` whose private key is a KMS key."""

    key_id: str

    @property
    def kid(self) -> str:
        return kms_public_jwk(self.key_id)["kid"]

    def sign(self, data: bytes) -> bytes:
        signature: bytes = aws.client("kms").sign(
            KeyId=self.key_id, Message=data, MessageType="RAW", SigningAlgorithm=KMS_ALGORITHM
        )["Signature"]
        return der_to_raw(signature)


class Timestamper(Protocol):
    """Attests that ``digest`` (hex SHA-256) existed now: returns a token a verifier checks offline."""

    def stamp(self, digest: str) -> str: ...


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class KmsTimestamper:
    """Timestamps signed with the exchange's KMS key: a compact JWS of ``{"hash", "time"}``."""

    key_id: str

    def stamp(self, digest: str) -> str:
        payload = json.dumps({"hash": digest, "time": _iso(datetime.now(UTC))}, separators=(",", ":"))
        return sign_compact(payload.encode("utf-8"), KmsSigner(self.key_id), {"typ": TIMESTAMP_TYPE})


def verify_timestamp(token: str, digest: str, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> str:
    """Check a timestamp token for ``digest``; return the attested time."""
    claims: Any = json.loads(verify_compact(token, keys))
    if not isinstance(claims, dict) or claims.get("hash") != digest or not isinstance(claims.get("time"), str):
        raise JwsError("the timestamp attests another hash")
    return str(claims["time"])
