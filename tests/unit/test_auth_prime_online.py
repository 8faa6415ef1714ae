"""The online path's signature check: a compact JWS with x5c, verified against the trust anchors."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

from devstack.test_ca import Issued, issue_signing_certificate, make_ca, sign_application
from functions.auth.prime.online import SignatureRefused, verify_signed_application

APPLICATION = {
    "corporate_number": "8999900000001",
    "corporation_name": "デモ工業株式会社",
    "head_office_address": "東京都千代田区霞が関１丁目３番１号",
    "representative_name": "経済 太郎",
    "representative_kana": "ケイザイ タロウ",
    "applicant_email": "entry@demo-a.example.jp",
}


@pytest.fixture(scope="module")
def ca() -> Issued:
    return make_ca()


@pytest.fixture(scope="module")
def representative(ca: Issued) -> Issued:
    return issue_signing_certificate(ca, "経済　太郎")  # written with a full-width space


def _refusal(signed: str, anchors: str, expected: dict[str, Any] = APPLICATION) -> str:
    with pytest.raises(SignatureRefused) as refused:
        verify_signed_application(signed, dict(expected), anchors)
    return refused.value.reason


def test_given_application_signed_by_the_representative_when_verified_then_accepted(
    ca: Issued, representative: Issued
) -> None:
    verified = verify_signed_application(
        sign_application(APPLICATION, representative), APPLICATION, ca.certificate_pem()
    )
    assert verified.payload == APPLICATION
    assert verified.signer_name == "経済　太郎"


def test_given_another_field_value_when_verified_then_refused_as_payload_mismatch(
    ca: Issued, representative: Issued
) -> None:
    signed = sign_application(APPLICATION, representative)
    assert _refusal(signed, ca.certificate_pem(), {**APPLICATION, "corporate_number": "7999900000002"}) == (
        "payload-mismatch"
    )


def test_given_payload_swapped_under_the_signature_when_verified_then_signature_refused(
    ca: Issued, representative: Issued
) -> None:
    header, _payload, signature = sign_application(APPLICATION, representative).split(".")
    forged = {**APPLICATION, "applicant_email": "attacker@example.jp"}
    payload = base64.urlsafe_b64encode(json.dumps(forged, ensure_ascii=False).encode()).decode().rstrip("=")
    assert _refusal(f"{header}.{payload}.{signature}", ca.certificate_pem(), forged) == "bad-signature"


def test_given_certificate_from_another_ca_when_verified_then_untrusted(representative: Issued) -> None:
    other = make_ca("他の認証局")
    assert _refusal(sign_application(APPLICATION, representative), other.certificate_pem()) == "untrusted-chain"


def test_given_self_signed_signer_when_verified_then_untrusted(ca: Issued) -> None:
    impostor = make_ca("経済 太郎")  # a CA certificate named like the representative, signing itself
    signed = sign_application(APPLICATION, Issued(impostor.certificate, impostor.key))
    assert _refusal(signed, ca.certificate_pem()) in {"untrusted-chain", "key-usage"}


def test_given_expired_certificate_when_verified_then_refused(ca: Issued) -> None:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    expired = issue_signing_certificate(ca, "経済 太郎", not_before=start, not_after=start + dt.timedelta(days=365))
    assert _refusal(sign_application(APPLICATION, expired), ca.certificate_pem()) == "certificate-expired"


def test_given_certificate_without_digital_signature_usage_when_verified_then_refused(ca: Issued) -> None:
    no_signing = issue_signing_certificate(ca, "経済 太郎", digital_signature=False)
    assert _refusal(sign_application(APPLICATION, no_signing), ca.certificate_pem()) == "key-usage"


def test_given_certificate_of_someone_else_when_verified_then_refused(ca: Issued) -> None:
    clerk = issue_signing_certificate(ca, "事務 花子")
    assert _refusal(sign_application(APPLICATION, clerk), ca.certificate_pem()) == "signer-mismatch"


@pytest.mark.parametrize("value", ["", "not.a.jws", "a.b", "!!!.???.***"])
def test_given_garbage_when_verified_then_refused_as_malformed(ca: Issued, value: str) -> None:
    assert _refusal(value, ca.certificate_pem()) == "malformed"


def test_given_no_trust_anchor_configured_when_verified_then_online_path_is_off(representative: Issued) -> None:
    with pytest.raises(SignatureRefused) as refused:
        verify_signed_application(sign_application(APPLICATION, representative), APPLICATION, None)
    assert refused.value.reason == "not-configured"


def test_given_devstack_start_when_online_demo_is_written_then_its_signed_application_verifies(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    from pathlib import Path

    from devstack.test_ca import TRUST_ANCHORS_ENV, write_online_demo

    monkeypatch.setenv(TRUST_ANCHORS_ENV, "")  # restored after the test

    demo = write_online_demo(tmp_path)["prime_online_demo"]

    signed = Path(demo["signed_application"]).read_text(encoding="utf-8")
    verified = verify_signed_application(signed, demo["fields"], os.environ[TRUST_ANCHORS_ENV])
    assert verified.payload["applicant_email"] == "entry@demo-a.example.jp"
    assert oct(Path(demo["representative_key"]).stat().st_mode & 0o777) == "0o600"
