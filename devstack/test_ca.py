"""A test certificate authority for the online Prime path on one machine.

At devstack start :func:`write_online_demo` creates a root CA, a signing certificate for the
representative of :data:`devstack.demo_corporations.DEMO_CORP_A` (key usage digitalSignature), and a
Prime application for the demo Entry user signed by that representative (a compact JWS, ES256, with the
certificate chain in ``x5c``). The CA certificate is the deployment's trust anchor
(``PRIME_TRUST_ANCHORS_PEM``). Tests use the same helpers to make expired and untrusted certificates.

Nothing here is fit for production: the keys are made fresh at every start and written in clear to the
devstack's state directory.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from joserfc import jws
from joserfc.jwk import ECKey

TRUST_ANCHORS_ENV: Final = "PRIME_TRUST_ANCHORS_PEM"
DEMO_APPLICANT_EMAIL: Final = "entry@demo-a.example.jp"


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_ca(common_name: str = "GビズID デモ認証局 (devstack test CA)", *, days: int = 3650) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = _now() - dt.timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue_signing_certificate(
    ca: Issued,
    common_name: str,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    digital_signature: bool = True,
) -> Issued:
    """An end-entity certificate for a person who signs documents (the corporation's representative)."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or _now() - dt.timedelta(minutes=5)
    end = not_after or start + dt.timedelta(days=365)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(certificate, key)


def sign_application(application: dict[str, Any], signer: Issued) -> str:
    """The application as a compact JWS (ES256) carrying the signer's certificate in ``x5c``."""
    der = signer.certificate.public_bytes(serialization.Encoding.DER)
    header = {"alg": "ES256", "typ": "JOSE", "x5c": [base64.b64encode(der).decode("ascii")]}
    payload = json.dumps(application, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    key = ECKey.import_key(signer.key_pem())
    from functions.auth.prime.online import REGISTRY

    return jws.serialize_compact(header, payload, key, algorithms=["ES256"], registry=REGISTRY)


def demo_application(corporation: dict[str, Any], applicant_email: str = DEMO_APPLICANT_EMAIL) -> dict[str, str]:
    """The fields of a Prime application for a demo corporation, as the portal form submits them."""
    return {
        "corporate_number": str(corporation["corporate_number"]),
        "corporation_name": str(corporation["name"]),
        "head_office_address": str(corporation["location"]),
        "representative_name": str(corporation["representative_name"]),
        "representative_kana": "ケイザイ タロウ",
        "applicant_email": applicant_email,
    }


def write_online_demo(state_dir: Path) -> dict[str, Any]:
    """Create the test CA and the signed demo application under ``state_dir``; set the trust anchor.

    Returns the ``prime_online_demo`` entry of demo.json (paths of the files and the signed fields).
    """
    from devstack.demo_corporations import DEMO_CORPORATIONS

    corporation = DEMO_CORPORATIONS[0]
    ca = make_ca()
    representative = issue_signing_certificate(ca, str(corporation["representative_name"]))
    application = demo_application(corporation)
    signed = sign_application(application, representative)

    folder = state_dir / "test-ca"
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "ca_certificate": ("ca.pem", ca.certificate_pem()),
        "representative_certificate": ("representative.pem", representative.certificate_pem()),
        "representative_key": ("representative.key.pem", representative.key_pem()),
        "signed_application": ("signed-application.jws", signed),
        "application": ("application.json", json.dumps(application, ensure_ascii=False, indent=2) + "\n"),
    }
    paths: dict[str, Any] = {}
    for name, (file_name, text) in files.items():
        path = folder / file_name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        paths[name] = str(path)
    os.environ[TRUST_ANCHORS_ENV] = ca.certificate_pem()
    return {"prime_online_demo": {**paths, "fields": application}}
