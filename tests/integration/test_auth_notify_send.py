"""Notifications under moto: what was sent can be read back from SES and SNS; a failed send is audited."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from functions.auth import audit, notify
from functions.auth.notify import notify_email, notify_sms

REGION = "ap-northeast-1"
_counter = itertools.count()


@pytest.fixture(scope="module")
def sender(aws_platform: dict[str, Any]) -> str:
    from devstack.seed_identity import verify_mail_sender

    return verify_mail_sender()


def _address() -> str:
    return f"notify-{next(_counter)}@applicant.example.jp"


def _mails_to(address: str) -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [m for m in sent if address in m.destinations.get("ToAddresses", [])]


def _sms_to(phone: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    messages = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values()
    return [text for number, text in messages if number == phone]


def test_given_a_verified_sender_when_mailing_a_code_then_ses_sent_it_in_japanese_from_mail_from(
    sender: str,
) -> None:
    to = _address()

    notify_email(to, "email_otp", "ja", code="482913")

    [mail] = _mails_to(to)
    assert mail.source == sender == "no-reply@gbizid.example.jp"
    assert mail.subject == "【GビズID】ログイン確認コード"
    assert "482913" in mail.body
    assert "GビズID" in mail.body


def test_given_english_when_mailing_a_rejection_then_subject_and_reason_are_english(sender: str) -> None:
    to = _address()

    notify_email(to, "prime_rejected", "en", reason="The seal certificate is older than three months.")

    [mail] = _mails_to(to)
    assert mail.subject == "[gBizID] About your gBizID Prime application"
    assert "Reason: The seal certificate is older than three months." in mail.body


def test_given_a_phone_when_texting_a_code_then_sns_published_the_short_text() -> None:
    phone = f"+8190{next(_counter):08d}"

    notify_sms(phone, "sms_otp", "ja", code="771204")

    [text] = _sms_to(phone)
    assert "771204" in text
    assert text.startswith("GビズID")


def test_given_an_unverified_sender_when_mailing_then_the_action_goes_on_and_the_failure_is_audited(
    sender: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given SES refuses the sender
    settings = notify.get_settings().model_copy(update={"mail_from": "nobody@unverified.example.com"})
    monkeypatch.setattr(notify, "get_settings", lambda: settings)
    to = _address()

    # When a code is mailed, then no exception reaches the caller and nothing was sent
    notify_email(to, "email_otp", "ja", code="905117")
    assert _mails_to(to) == []

    # And the failure is audited without the address or the code, and the log has neither
    [failure] = audit.find_entries(kinds=["notification.failed"], limit=1)
    assert failure.outcome == "failure"
    assert failure.detail == {"channel": "email", "template": "email_otp", "error": "MessageRejected", "kept": "false"}
    stored = json.dumps(failure.to_json(), ensure_ascii=False)
    output = capsys.readouterr()
    for secret in ("905117", to):
        assert secret not in stored
        assert secret not in output.out + output.err


@pytest.mark.parametrize(
    ("template", "params", "message"),
    [
        ("no_such_template", {}, "no notification template"),
        ("email_otp", {}, "missing parameters \\['code'\\]"),
        ("email_otp", {"code": "1", "extra": "x"}, "unexpected parameters \\['extra'\\]"),
    ],
)
def test_given_a_programming_error_when_notifying_then_it_raises_before_anything_is_sent(
    sender: str, template: str, params: dict[str, str], message: str
) -> None:
    to = _address()

    with pytest.raises(ValueError, match=message):
        notify_email(to, template, "ja", **params)
    assert _mails_to(to) == []


def test_given_a_malformed_phone_number_when_texting_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        notify_sms("090-1234-5678", "sms_otp", "ja", code="123456")
