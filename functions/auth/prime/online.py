"""The online path: an application signed by the corporation's representative, approved the same day.

The signature is a compact JWS (RS256 or ES256) over the application's JSON with the signer's certificate
chain in ``x5c`` (RFC 7515 §4.1.6: the signer's certificate first). The chain is verified with
``cryptography.x509.verification`` against the deployment's trust anchors (a PEM bundle): path building,
signatures, validity dates at the given time, CA basic constraints and key usage. The end-entity profile
is relaxed to ``ExtensionPolicy.permit_all()`` (a document-signing certificate is not a TLS client
certificate: no SAN or extended key usage is required) and ``digitalSignature`` is checked here instead.
The subject's common name must be the representative's name, and the signed payload must equal the
submitted application field for field, including the applicant's account, so a signed application cannot
be replayed by another account.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from functions.auth.prime.normalize import normalize_person_name

ALGORITHMS: Final = ["RS256", "ES256"]
SIGNATURE_FIELD: Final = "signed_application"
MAX_CHAIN: Final = 5


class _X5cRegistry(jws.JWSRegistry):
    """joserfc's registry with room for a certificate chain in the protected header (default 512 bytes)."""

    max_header_length = 16 * 1024


REGISTRY: Final = _X5cRegistry(algorithms=ALGORITHMS)


class SignatureRefused(ValueError):
    """The signed application is not acceptable; ``reason`` is a stable code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedSignature:
    signer_name: str
    certificate_serial: str
    certificate_not_after: dt.datetime
    payload: dict[str, Any]


def load_trust_anchors(pem_bundle: str) -> list[x509.Certificate]:
    try:
        anchors = x509.load_pem_x509_certificates(pem_bundle.encode("ascii"))
    except ValueError as error:
        raise ValueError("PRIME_TRUST_ANCHORS_PEM is not a PEM bundle of certificates") from error
    if not anchors:
        raise ValueError("PRIME_TRUST_ANCHORS_PEM holds no certificate")
    return anchors


def _chain(header: dict[str, Any]) -> list[x509.Certificate]:
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_CHAIN:
        raise SignatureRefused("no-certificate", "the signature carries no certificate chain (x5c)")
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(entry, validate=True)) for entry in x5c]
    except (TypeError, ValueError, binascii.Error):
        raise SignatureRefused("bad-certificate", "a certificate in the chain cannot be read") from None


def _verify_chain(chain: list[x509.Certificate], anchors: list[x509.Certificate], at: dt.datetime) -> None:
    leaf, intermediates = chain[0], chain[1:]
    if not leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
        raise SignatureRefused("certificate-expired", "the signer's certificate is not valid at this time")
    verifier = (
        PolicyBuilder()
        .store(Store(anchors))
        .time(at)
        .max_chain_depth(MAX_CHAIN)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, intermediates)
    except VerificationError:
        raise SignatureRefused("untrusted-chain", "the certificate does not chain to a trusted authority") from None
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise SignatureRefused("key-usage", "the certificate is not for digital signatures") from None
    if not usage.digital_signature:
        raise SignatureRefused("key-usage", "the certificate is not for digital signatures")


def _public_key(leaf: x509.Certificate) -> ECKey | RSAKey:
    pem = leaf.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        return ECKey.import_key(pem)
    except (JoseError, ValueError):
        pass
    try:
        return RSAKey.import_key(pem)
    except (JoseError, ValueError):
        raise SignatureRefused("bad-certificate", "the certificate's key is neither EC nor RSA") from None


def _common_name(leaf: x509.Certificate) -> str:
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def verify_signed_application(
    compact: str,
    expected: dict[str, str],
    trust_anchors_pem: str | None,
    *,
    at: dt.datetime | None = None,
) -> VerifiedSignature:
    """Verify the representative's signature over ``expected``; raise :class:`SignatureRefused` if not."""
    if not trust_anchors_pem:
        raise SignatureRefused("not-configured", "this deployment accepts no electronic signatures")
    now = at or dt.datetime.now(dt.UTC)
    text = compact.strip()
    try:
        header = jws.extract_compact(text.encode("ascii"), registry=REGISTRY).protected
    except (JoseError, ValueError, UnicodeEncodeError, RecursionError):  # a header nested thousands deep too
        raise SignatureRefused("malformed", "the signed application is not a compact JWS") from None
    if header.get("alg") not in ALGORITHMS:
        raise SignatureRefused("algorithm", "the signature algorithm must be RS256 or ES256")
    chain = _chain(header)
    _verify_chain(chain, load_trust_anchors(trust_anchors_pem), now)
    leaf = chain[0]
    try:
        verified = jws.deserialize_compact(text, _public_key(leaf), algorithms=ALGORITHMS, registry=REGISTRY)
    except (JoseError, ValueError):
        raise SignatureRefused("bad-signature", "the signature does not match the signed data") from None
    try:
        payload = json.loads(verified.payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise SignatureRefused("malformed", "the signed data is not a JSON application") from None
    if not isinstance(payload, dict) or payload != expected:
        raise SignatureRefused("payload-mismatch", "the signed application differs from the submitted one")
    signer = _common_name(leaf)
    if normalize_person_name(signer) != normalize_person_name(expected.get("representative_name", "")):
        raise SignatureRefused("signer-mismatch", "the certificate is not the representative's")
    return VerifiedSignature(
        signer_name=signer,
        certificate_serial=format(leaf.serial_number, "x"),
        certificate_not_after=leaf.not_valid_after_utc,
        payload=payload,
    )
