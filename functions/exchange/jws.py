"""ES256 JSON Web Signatures as the exchange uses them: detached (RFC 7515 appendix F) and compact.

A detached JWS is ``header..signature``: the payload is signed as in a compact JWS (base64url-encoded in the
signing input) but left out, since both sides hold it (the canonical request or response). Signatures are the
raw ``r || s`` of RFC 7518 §3.4; KMS returns DER, converted here. Public keys travel as JWKs whose ``kid`` is
the RFC 7638 thumbprint, so a key is named the same everywhere without bookkeeping.

Nothing here talks to AWS: the signer is an argument (a KMS key in the functions, a local private key in a
member's information system and in tests), so an exported message log verifies offline with this module alone.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from joserfc.jwk import ECKey

ALG: Final = "ES256"
_COORDINATE_BYTES: Final = 32


class JwsError(ValueError):
    """A signature that is malformed, made with an unknown key, or does not verify."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwsError("not base64url") from exc


def der_to_raw(der: bytes) -> bytes:
    """A DER ECDSA signature (what KMS and ``cryptography`` make) as JOSE's fixed-size ``r || s``."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")


def raw_to_der(raw: bytes) -> bytes:
    if len(raw) != 2 * _COORDINATE_BYTES:
        raise JwsError("an ES256 signature is 64 bytes")
    return encode_dss_signature(
        int.from_bytes(raw[:_COORDINATE_BYTES], "big"), int.from_bytes(raw[_COORDINATE_BYTES:], "big")
    )


class Signer(Protocol):
    """Something that makes ES256 signatures: ``sign`` returns the raw ``r || s`` over ``data``."""

    @property
    def kid(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The key as a public JWK for ES256, ``kid`` its RFC 7638 thumbprint."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise JwsError("ES256 needs a P-256 key")
    imported = ECKey.import_key(key)
    fields = imported.as_dict(private=False)
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": str(fields["x"]),
        "y": str(fields["y"]),
        "kid": imported.thumbprint(),
        "use": "sig",
        "alg": ALG,
    }


def public_key_of(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of a JWK (its ``d``, if any, is ignored)."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise JwsError("the key is not a P-256 EC JWK")
    try:
        key = ECKey.import_key({"kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"]})
    except (KeyError, ValueError) as exc:
        raise JwsError("the JWK has no valid x and y") from exc
    public = key.public_key
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise JwsError("not an EC public key")
    return public


def key_directory(jwks: Mapping[str, Any]) -> dict[str, ec.EllipticCurvePublicKey]:
    """``kid`` → public key for every usable key of a JWK Set (others are skipped)."""
    found: dict[str, ec.EllipticCurvePublicKey] = {}
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, Mapping) and isinstance(jwk.get("kid"), str):
            try:
                found[jwk["kid"]] = public_key_of(jwk)
            except JwsError:
                continue
    return found


@dataclass(frozen=True)
class LocalSigner:
    """A private key held in this process (a member's information system; tests; the benchmark)."""

    private_key: ec.EllipticCurvePrivateKey

    @property
    def kid(self) -> str:
        return self.public_jwk["kid"]

    @property
    def public_jwk(self) -> dict[str, str]:
        return public_jwk(self.private_key.public_key())

    def sign(self, data: bytes) -> bytes:
        return der_to_raw(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))

    @classmethod
    def generate(cls) -> LocalSigner:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> LocalSigner:
        """From a private JWK (``d`` present), as ``.devstack/demo.json`` hands it to a script."""
        try:
            key = ECKey.import_key(dict(jwk))
        except (KeyError, ValueError) as exc:
            raise JwsError("not a private P-256 JWK") from exc
        private = key.private_key
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise JwsError("the JWK holds no private key")
        return cls(private)

    def private_jwk(self) -> dict[str, str]:
        fields = ECKey.import_key(self.private_key).as_dict(private=True)
        return {**self.public_jwk, "d": str(fields["d"])}


def _encode_header(header: Mapping[str, Any]) -> str:
    return b64url(json.dumps(dict(header), separators=(",", ":"), sort_keys=True).encode("utf-8"))


def _signing_input(protected: str, payload: bytes) -> bytes:
    return f"{protected}.{b64url(payload)}".encode("ascii")


def sign_detached(payload: bytes, signer: Signer, extra_header: Mapping[str, str] | None = None) -> str:
    """``header..signature`` over ``payload``."""
    protected = _encode_header({"alg": ALG, "kid": signer.kid, **(extra_header or {})})
    signature = signer.sign(_signing_input(protected, payload))
    return f"{protected}..{b64url(signature)}"


def sign_compact(payload: bytes, signer: Signer, extra_header: Mapping[str, str] | None = None) -> str:
    """``header.payload.signature`` (a timestamp token: its payload is what it attests)."""
    protected = _encode_header({"alg": ALG, "kid": signer.kid, **(extra_header or {})})
    signature = signer.sign(_signing_input(protected, payload))
    return f"{protected}.{b64url(payload)}.{b64url(signature)}"


def _header_of(protected: str) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(protected))
    except (ValueError, RecursionError) as exc:  # RecursionError: a header nested thousands deep
        raise JwsError("the protected header is not JSON") from exc
    if not isinstance(header, dict) or header.get("alg") != ALG or not isinstance(header.get("kid"), str):
        raise JwsError(f"the header must name alg {ALG} and a kid")
    if "crit" in header or header.get("b64") is False:
        raise JwsError("critical header parameters are not supported")
    return header


def _verify(protected: str, payload: bytes, signature: str, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> None:
    header = _header_of(protected)
    key = keys.get(header["kid"])
    if key is None:
        raise JwsError("signed with a key that is not registered")
    try:
        key.verify(raw_to_der(b64url_decode(signature)), _signing_input(protected, payload), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise JwsError("the signature does not verify") from exc


def verify_detached(jws: str, payload: bytes, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> dict[str, Any]:
    """Check a detached JWS over ``payload`` with the key its ``kid`` names; return its header."""
    parts = jws.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise JwsError("a detached JWS is header..signature")
    _verify(parts[0], payload, parts[2], keys)
    return _header_of(parts[0])


def verify_compact(token: str, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> bytes:
    """Check a compact JWS; return its payload."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1]:
        raise JwsError("a compact JWS is header.payload.signature")
    payload = b64url_decode(parts[1])
    _verify(parts[0], payload, parts[2], keys)
    return payload
