"""Prime applications through the pages, under moto: the document path with the operator's review in Step
Functions, the checks against the open data, the seal certificate upload, and the online path."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from functions.auth.models import AccountTier, StaffRole
from tests.integration.test_auth_prime_fixtures import (
    Account,
    audit_events,
    cognito_user,
    make_account,
    seed_corporations,
    sent_mail,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = f"----prime{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _application(corporate_number: str, **changes: str) -> dict[str, str]:
    fields = {
        "corporate_number": corporate_number,
        "corporation_name": "デモ工業株式会社",
        "head_office_address": "東京都千代田区霞が関１丁目３番１号",
        "representative_name": "経済 太郎",
        "representative_kana": "ケイザイ タロウ",
        "contact_phone": "03-1234-5678",
    }
    fields.update(changes)
    return fields


def _apply(
    call_api: Callable[..., Any],
    account: Account,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None = None,
) -> Any:
    content_type, body = _multipart({"csrf_token": account.csrf, **fields}, files or {})
    return call_api("POST", "/account/prime", headers=account.headers(content_type), body=body)


def _wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _latest_application(sub: str) -> Any:
    from functions.auth.prime import service

    return service.pending_application_of(sub)


def _await_token(application_id: str) -> Any:
    from functions.auth.prime import service

    def ready() -> Any:
        application = service.find_application(application_id)
        return application if application and application.review_task_token else None

    return _wait_for(ready, "the review task token")


def _execution(arn: str) -> dict[str, Any]:
    from platform_common import aws

    found: dict[str, Any] = aws.client("stepfunctions").describe_execution(executionArn=arn)
    return found


@pytest.fixture(scope="module")
def open_data(aws_platform: dict[str, Any]) -> dict[str, str]:
    return seed_corporations(aws_platform)


@pytest.fixture
def operator() -> Account:
    return make_account(None, role=StaffRole.OPERATOR, label="operator")


@pytest.fixture
def entry_a(open_data: dict[str, str]) -> Account:
    return make_account(AccountTier.ENTRY, corporate_number=open_data["A"], label="entry")


# -- the document path -------------------------------------------------------------------------------------


def test_given_entry_user_when_operator_approves_application_then_same_sub_becomes_prime_once(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, operator: Account
) -> None:
    from functions.auth.dal import get_store
    from functions.auth.settings import get_settings
    from platform_common import aws

    # Given an Entry user who applies with a seal certificate
    response = _apply(call_api, entry_a, _application(open_data["A"]), {"seal_certificate": ("inkan.pdf", PDF)})
    assert response.status == 200, response.body.decode()
    application = _latest_application(entry_a.sub)
    assert application is not None
    assert application.application_id in response.body.decode()
    stored = aws.client("s3").head_object(
        Bucket=get_settings().seal_certificates_bucket_name, Key=application.seal_certificate_key
    )
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["ContentType"] == "application/pdf"
    assert application.seal_certificate_key.startswith(f"prime-applications/{application.application_id}/")
    waiting = _await_token(application.application_id)
    assert _execution(waiting.execution_arn)["status"] == "RUNNING"
    assert sent_mail(entry_a.email), "prime_received was not mailed"
    assert [e.outcome for e in audit_events("prime.applied", entry_a.sub)] == ["success"]

    # When the operator sees it in the queue, opens the certificate and approves it
    queue = call_api("GET", "/operator/prime-applications", headers=operator.headers(None))
    assert queue.status == 200
    assert application.application_id in queue.body.decode()
    detail = call_api(
        "GET", f"/operator/prime-applications/{application.application_id}", headers=operator.headers(None)
    )
    assert "seal-certificate" in detail.body.decode()
    link = call_api(
        "GET",
        f"/operator/prime-applications/{application.application_id}/seal-certificate",
        headers=operator.headers(None),
    )
    assert link.status == 303
    assert urlsplit(link.headers["location"]).path.endswith(application.seal_certificate_key)
    approve = call_api(
        "POST",
        f"/operator/prime-applications/{application.application_id}",
        headers=operator.headers(),
        body=operator.form(decision="approve"),
    )
    again = call_api(
        "POST",
        f"/operator/prime-applications/{application.application_id}",
        headers=operator.headers(),
        body=operator.form(decision="approve"),
    )

    # Then the same Cognito user (same sub) is a Prime account of the corporation, decided once
    assert approve.status == 303
    assert again.status == 303
    user = cognito_user(entry_a.email)
    assert user["attributes"]["sub"] == entry_a.sub
    assert user["groups"] == ["prime"]
    assert user["attributes"]["custom:account_type"] == "2"
    assert user["attributes"]["custom:corporate_number"] == open_data["A"]
    profile = get_store().get_profile(entry_a.sub)
    assert profile is not None
    assert profile.tier is AccountTier.PRIME
    assert profile.corporate_number == open_data["A"]

    def recorded() -> Any:
        from functions.auth.prime import service

        found = service.find_application(application.application_id)
        return found if found and found.workflow_status == "APPROVED" else None

    decided = _wait_for(recorded, "the execution to record the approval")
    assert decided.status.value == "APPROVED"
    assert decided.decided_by == operator.sub
    assert decided.review_task_token is None
    assert _wait_for(lambda: _execution(decided.execution_arn)["status"] == "SUCCEEDED", "the execution to end")
    assert [e.outcome for e in audit_events("prime.approved", entry_a.sub)] == ["success"]
    assert len(sent_mail(entry_a.email)) == 2  # received, approved: the second click notified nobody


def test_given_application_when_operator_rejects_without_reason_then_form_asks_for_it_and_with_reason_rejects(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, operator: Account
) -> None:
    _apply(call_api, entry_a, _application(open_data["A"]), {"seal_certificate": ("inkan.png", PNG)})
    application = _await_token(_latest_application(entry_a.sub).application_id)
    path = f"/operator/prime-applications/{application.application_id}"

    # When the operator rejects without a reason
    missing = call_api("POST", path, headers=operator.headers(), body=operator.form(decision="reject", reason=" "))

    # Then the page comes back with the field's error next to it, and nothing is decided
    assert missing.status == 400
    page = missing.body.decode()
    assert 'id="field-reason-error"' in page
    assert 'aria-describedby="field-reason-error"' in page

    # When the operator gives a reason
    rejected = call_api(
        "POST", path, headers=operator.headers(), body=operator.form(decision="reject", reason="印鑑証明書が不鮮明です")
    )

    # Then the application ends rejected with that reason, the account stays Entry, the applicant is told
    assert rejected.status == 303
    from functions.auth.prime import service

    decided = _wait_for(
        lambda: (found := service.find_application(application.application_id)) and found.workflow_status and found,
        "the rejection to be recorded",
    )
    assert decided.status.value == "REJECTED"
    assert decided.decision_reason == "印鑑証明書が不鮮明です"
    assert cognito_user(entry_a.email)["groups"] == ["entry"]
    assert any("印鑑証明書が不鮮明です" in mail["body"] for mail in sent_mail(entry_a.email))
    assert [e.outcome for e in audit_events("prime.rejected", entry_a.sub)] == ["success"]
    # and a later approval of the same application is refused
    late = call_api("POST", path, headers=operator.headers(), body=operator.form(decision="approve"))
    assert late.status == 409
    assert cognito_user(entry_a.email)["groups"] == ["entry"]


def test_given_non_operator_when_opening_review_queue_or_deciding_then_refused(
    call_api: Callable[..., Any], entry_a: Account
) -> None:
    queue = call_api("GET", "/operator/prime-applications", headers=entry_a.headers(None))
    decide = call_api(
        "POST",
        "/operator/prime-applications/whatever",
        headers=entry_a.headers(),
        body=entry_a.form(decision="approve"),
    )
    assert queue.status == 403
    assert decide.status == 403


def test_given_form_without_csrf_token_when_applying_then_refused_and_nothing_stored(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account
) -> None:
    content_type, body = _multipart(_application(open_data["A"]), {"seal_certificate": ("inkan.pdf", PDF)})
    response = call_api("POST", "/account/prime", headers=entry_a.headers(content_type), body=body)
    assert response.status == 403
    assert _latest_application(entry_a.sub) is None


# -- checks of the form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"corporate_number": "1999900000001"}, "corporate_number"),  # the check digit is wrong
        ({"corporate_number": "12345"}, "corporate_number"),
        ({"corporation_name": "デモ商事株式会社"}, "corporation_name"),
        ({"head_office_address": "東京都千代田区霞が関２丁目１番１号"}, "head_office_address"),
        ({"representative_kana": "けいざい"}, "representative_kana"),
    ],
)
def test_given_bad_field_when_applying_then_form_returns_400_naming_that_field(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, changes: dict[str, str], field: str
) -> None:
    response = _apply(
        call_api, entry_a, {**_application(open_data["A"]), **changes}, {"seal_certificate": ("a.pdf", PDF)}
    )
    page = response.body.decode()
    assert response.status == 400
    assert f'id="field-{field}-error"' in page
    assert f'href="#field-{field}"' in page  # the error summary links to the field
    assert _latest_application(entry_a.sub) is None
    if field in ("corporation_name", "head_office_address"):  # a mismatch with the open data is audited
        failures = audit_events("prime.applied", entry_a.sub)
        assert [(e.outcome, e.detail.get("fields")) for e in failures] == [("failure", field)]


def test_given_name_and_address_written_differently_when_applying_then_they_match_the_open_data(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account
) -> None:
    fields = _application(
        open_data["A"], corporation_name="デモ工業（株）", head_office_address="東京都 千代田区 霞ヶ関1-3-1"
    )
    response = _apply(call_api, entry_a, fields, {"seal_certificate": ("a.pdf", PDF)})
    assert response.status == 200, response.body.decode()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(GIF, "PDF"), (b"MZ\x90\x00" + b"\x00" * 100, "PDF"), (b"%PDF-" + b"0" * (5 * 1024 * 1024), "5")],
    ids=["gif", "executable", "over-5-MB"],
)
def test_given_seal_certificate_of_wrong_type_or_size_when_applying_then_refused_naming_the_field(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, content: bytes, fragment: str
) -> None:
    response = _apply(call_api, entry_a, _application(open_data["A"]), {"seal_certificate": ("inkan.pdf", content)})
    page = response.body.decode()
    assert response.status == 400
    assert 'id="field-seal_certificate-error"' in page
    assert fragment in page
    assert _latest_application(entry_a.sub) is None


def test_given_member_account_when_applying_then_refused(
    call_api: Callable[..., Any], open_data: dict[str, str]
) -> None:
    holder = make_account(AccountTier.PRIME, corporate_number=open_data["A"], label="holder")
    member = make_account(AccountTier.MEMBER, corporate_number=open_data["A"], parent_sub=holder.sub, label="member")
    response = _apply(call_api, member, _application(open_data["A"]), {"seal_certificate": ("a.pdf", PDF)})
    assert response.status == 403


# -- the online path -----------------------------------------------------------------------------------------------


@pytest.fixture
def test_ca(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A trust anchor configured for the deployment (the settings are read again around the test)."""
    from devstack.test_ca import make_ca
    from functions.auth.settings import get_settings

    ca = make_ca()
    monkeypatch.setenv("PRIME_TRUST_ANCHORS_PEM", ca.certificate_pem())
    get_settings.cache_clear()
    yield ca
    monkeypatch.delenv("PRIME_TRUST_ANCHORS_PEM")
    get_settings.cache_clear()


def _signed(ca: Any, fields: dict[str, str], email: str, **certificate: Any) -> str:
    from devstack.test_ca import issue_signing_certificate, sign_application

    signer = issue_signing_certificate(ca, fields["representative_name"], **certificate)
    payload = {key: fields[key] for key in list(fields) if key != "contact_phone"}
    return sign_application({**payload, "applicant_email": email}, signer)


def test_given_application_signed_by_representative_when_applying_then_prime_at_once_without_operator(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, test_ca: Any
) -> None:
    fields = _application(open_data["A"])
    signed = _signed(test_ca, fields, entry_a.email)

    response = _apply(call_api, entry_a, {**fields, "signed_application": signed})

    assert response.status == 200, response.body.decode()
    user = cognito_user(entry_a.email)
    assert user["attributes"]["sub"] == entry_a.sub
    assert user["groups"] == ["prime"]
    from functions.auth.prime.service import identity_verification

    verification = identity_verification(entry_a.sub)
    assert verification is not None
    assert verification["procedure"] == "jp_gbizid_online_corporation"
    assert [e.outcome for e in audit_events("prime.approved", entry_a.sub)] == ["success"]


def _tampered(ca: Any, fields: dict[str, str], email: str) -> tuple[dict[str, str], str]:
    # The representative signed one head office; the form claims another (both match nothing stored).
    signed = _signed(ca, fields, email)
    return {**fields, "representative_kana": "ケイザイ ジロウ"}, signed


def _untrusted(ca: Any, fields: dict[str, str], email: str) -> tuple[dict[str, str], str]:
    from devstack.test_ca import make_ca

    return fields, _signed(make_ca("偽の認証局"), fields, email)


def _expired(ca: Any, fields: dict[str, str], email: str) -> tuple[dict[str, str], str]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    return fields, _signed(ca, fields, email, not_before=start, not_after=start + dt.timedelta(days=365))


def _someone_elses(ca: Any, fields: dict[str, str], email: str) -> tuple[dict[str, str], str]:
    return fields, _signed(ca, fields, "another-applicant@prime-test.example.jp")


@pytest.mark.parametrize(
    ("attack", "reason"),
    [
        (_tampered, "payload-mismatch"),
        (_untrusted, "untrusted-chain"),
        (_expired, "certificate-expired"),
        (_someone_elses, "payload-mismatch"),
    ],
    ids=["tampered-payload", "untrusted-chain", "expired-certificate", "replayed-by-another-account"],
)
def test_given_bad_signature_when_applying_online_then_refused_and_account_unchanged(
    call_api: Callable[..., Any],
    open_data: dict[str, str],
    entry_a: Account,
    test_ca: Any,
    attack: Callable[..., tuple[dict[str, str], str]],
    reason: str,
) -> None:
    fields, signed = attack(test_ca, _application(open_data["A"]), entry_a.email)

    response = _apply(call_api, entry_a, {**fields, "signed_application": signed})

    assert response.status == 400
    assert 'id="field-signed_application-error"' in response.body.decode()
    assert cognito_user(entry_a.email)["groups"] == ["entry"]
    failures = audit_events("prime.applied", entry_a.sub)
    assert [(e.outcome, e.detail.get("reason")) for e in failures] == [("failure", reason)]


def test_given_signed_payload_edited_after_signing_when_applying_then_signature_refused(
    call_api: Callable[..., Any], open_data: dict[str, str], entry_a: Account, test_ca: Any
) -> None:
    import base64

    fields = _application(open_data["A"])
    header, _payload, signature = _signed(test_ca, fields, entry_a.email).split(".")
    forged_fields = {**fields, "representative_kana": "ケイザイ ジロウ"}
    payload = {k: v for k, v in forged_fields.items() if k != "contact_phone"} | {"applicant_email": entry_a.email}
    forged_payload = base64.urlsafe_b64encode(
        json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )
    forged = f"{header}.{forged_payload.decode().rstrip('=')}.{signature}"

    response = _apply(call_api, entry_a, {**forged_fields, "signed_application": forged})

    assert response.status == 400
    assert cognito_user(entry_a.email)["groups"] == ["entry"]
