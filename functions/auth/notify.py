"""Notifications to account holders: e-mail through SES, SMS through SNS.

Every message comes from a template below, in Japanese and English (subject and plain-text body; the SMS
text is short). Callers pass the template name, the language and exactly the template's parameters: an
unknown template, an unknown language, a missing or an extra parameter is a programming error and raises
``ValueError`` before anything is sent. Parameter values are checked too (no control characters, bounded
length), so a value cannot add a header line or a paragraph the template did not have.

A failed send does not fail the user's action: it is logged (template, channel and error code, never the
content, the address or a code) and audited as ``notification.failed``, and a notice (anything but a one-time
code) waits in the outbox until the schedule sends it (:mod:`functions.auth.notice_outbox`).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from botocore.exceptions import BotoCoreError, ClientError

from functions.auth.notice_outbox import Channel, Notice, keep, keeps, retry_notices
from functions.auth.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.observability import emit_metric, observability_for

Language = Literal["ja", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("ja", "en")
MAX_PARAM_LENGTH: Final = 500
E164: Final = re.compile(r"^\+[1-9][0-9]{6,14}$")
_EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str
    sms: str  # one short line for SMS (70 characters of Japanese fit in one message)


@dataclass(frozen=True)
class Template:
    params: frozenset[str]
    wording: Mapping[Language, Wording]

    def render(self, lang: Language, params: Mapping[str, str]) -> Wording:
        chosen = self.wording[lang]
        return Wording(
            subject=string.Template(chosen.subject).substitute(params),
            body=string.Template(chosen.body).substitute(params),
            sms=string.Template(chosen.sms).substitute(params),
        )


_SIGNATURE_JA = (
    "\n\n--\nGビズID（法人共通認証基盤）\n"
    "このメールは送信専用です。心当たりのない場合は、このメールを破棄してください。"
)
_SIGNATURE_EN = (
    "\n\n--\ngBizID (common corporate login)\n"
    "This address does not receive replies. If you did not expect this message, you can ignore it."
)


def _template(params: str, ja: tuple[str, str, str], en: tuple[str, str, str]) -> Template:
    return Template(
        params=frozenset(params.split()),
        wording={
            "ja": Wording(ja[0], ja[1] + _SIGNATURE_JA, ja[2]),
            "en": Wording(en[0], en[1] + _SIGNATURE_EN, en[2]),
        },
    )


TEMPLATES: Final[Mapping[str, Template]] = {
    "signup_verification": _template(
        "code",
        (
            "【GビズID】メールアドレスの確認",
            "GビズIDへのお申込みありがとうございます。\n確認コード: $code\n"
            "画面に確認コードを入力して、登録を完了してください。コードは他の人に教えないでください。",
            "GビズID 確認コード: $code",
        ),
        (
            "[gBizID] Confirm your e-mail address",
            "Thank you for signing up for gBizID.\nVerification code: $code\n"
            "Enter the code on the sign-up page to finish. Never share this code with anyone.",
            "gBizID verification code: $code",
        ),
    ),
    "email_otp": _template(
        "code",
        (
            "【GビズID】ログイン確認コード",
            "ログイン確認コード: $code\nログイン画面に入力してください。コードは短時間で無効になります。\n"
            "ログインしていないのにこのメールが届いた場合は、パスワードを変更してください。",
            "GビズID ログイン確認コード: $code",
        ),
        (
            "[gBizID] Your sign-in code",
            "Sign-in code: $code\nEnter it on the sign-in page. The code expires shortly.\n"
            "If you are not signing in, change your password.",
            "gBizID sign-in code: $code",
        ),
    ),
    "sms_otp": _template(
        "code",
        (
            "【GビズID】ログイン確認コード",
            "ログイン確認コード: $code",
            "GビズID 確認コード: $code 他の人に教えないでください",
        ),
        (
            "[gBizID] Your sign-in code",
            "Sign-in code: $code",
            "gBizID code: $code Do not share it",
        ),
    ),
    "welcome": _template(
        "",
        (
            "【GビズID】アカウントの登録が完了しました",
            "GビズIDのアカウント登録が完了しました。\nひとつのIDとパスワードで、対応する行政サービスにログインできます。",
            "GビズIDの登録が完了しました",
        ),
        (
            "[gBizID] Your account is ready",
            "Your gBizID account has been created.\nUse one ID and password for every connected service.",
            "Your gBizID account is ready",
        ),
    ),
    "signup_existing_account": _template(
        "",
        (
            "【GビズID】このメールアドレスでの登録の申込みがありました",
            "このメールアドレスで、GビズIDの新規登録の申込みがありました。\n"
            "すでにアカウントをお持ちのため、新しいアカウントは作成していません。\n"
            "お心当たりがない場合は、このメールを破棄してください。パスワードをお忘れの場合はログイン画面から再設定できます。",
            "GビズID: このアドレスで登録の申込みがありました",
        ),
        (
            "[gBizID] Someone tried to sign up with this address",
            "Someone asked to create a gBizID account with this e-mail address.\n"
            "You already have an account, so no new account was created.\n"
            "If this was not you, you can ignore this message.",
            "gBizID: a sign-up was tried with this address",
        ),
    ),
    "prime_received": _template(
        "",
        (
            "【GビズID】gBizIDプライムの申請を受け付けました",
            "gBizIDプライムの申請を受け付けました。\n審査の結果は、このメールアドレスにお知らせします。",
            "GビズID プライム申請を受け付けました",
        ),
        (
            "[gBizID] We received your gBizID Prime application",
            "We received your application for a gBizID Prime account.\n"
            "We will tell you the result of the review at this address.",
            "gBizID: Prime application received",
        ),
    ),
    "prime_approved": _template(
        "",
        (
            "【GビズID】gBizIDプライムの申請が承認されました",
            "gBizIDプライムの申請が承認されました。\nログインして、2要素認証の設定を行ってください。",
            "GビズID プライム申請が承認されました",
        ),
        (
            "[gBizID] Your gBizID Prime application was approved",
            "Your application for a gBizID Prime account was approved.\nSign in and set up your second factor.",
            "gBizID: Prime application approved",
        ),
    ),
    "prime_rejected": _template(
        "reason",
        (
            "【GビズID】gBizIDプライムの申請について",
            "gBizIDプライムの申請は承認されませんでした。\n理由: $reason\n内容を確認のうえ、再度申請してください。",
            "GビズID プライム申請は承認されませんでした",
        ),
        (
            "[gBizID] About your gBizID Prime application",
            "Your application for a gBizID Prime account was not approved.\nReason: $reason\n"
            "Please check the application and apply again.",
            "gBizID: Prime application not approved",
        ),
    ),
    "factor_added": _template(
        "factor",
        (
            "【GビズID】2要素認証の方法が追加されました",
            "お使いのアカウントに2要素認証の方法「$factor」が追加されました。\n"
            "心当たりがない場合は、すぐにパスワードを変更し、運営事務局にご連絡ください。",
            "GビズID 2要素認証「$factor」が追加されました",
        ),
        (
            "[gBizID] A second factor was added",
            "A second factor ($factor) was added to your account.\n"
            "If this was not you, change your password at once and contact the help desk.",
            "gBizID: second factor $factor added",
        ),
    ),
    "factor_removed": _template(
        "factor",
        (
            "【GビズID】2要素認証の方法が削除されました",
            "お使いのアカウントから2要素認証の方法「$factor」が削除されました。\n"
            "心当たりがない場合は、すぐにパスワードを変更し、運営事務局にご連絡ください。",
            "GビズID 2要素認証「$factor」が削除されました",
        ),
        (
            "[gBizID] A second factor was removed",
            "A second factor ($factor) was removed from your account.\n"
            "If this was not you, change your password at once and contact the help desk.",
            "gBizID: second factor $factor removed",
        ),
    ),
    "password_changed": _template(
        "",
        (
            "【GビズID】パスワードが変更されました",
            "お使いのアカウントのパスワードが変更されました。\n心当たりがない場合は、運営事務局にご連絡ください。",
            "GビズID パスワードが変更されました",
        ),
        (
            "[gBizID] Your password was changed",
            "The password of your account was changed.\nIf this was not you, contact the help desk.",
            "gBizID: your password was changed",
        ),
    ),
    "member_invited": _template(
        "link corporation",
        (
            "【GビズID】$corporation からgBizIDメンバーに招待されました",
            "$corporation のgBizIDプライム管理者から、gBizIDメンバーとして招待されました。\n"
            "次のリンクから登録を完了してください。\n$link",
            "GビズID $corporation からメンバーに招待されました",
        ),
        (
            "[gBizID] $corporation invited you as a gBizID Member",
            "The gBizID Prime administrator of $corporation invited you as a gBizID Member.\n"
            "Finish your registration here:\n$link",
            "gBizID: $corporation invited you as a Member",
        ),
    ),
    "mandate_granted": _template(
        "grantor procedures until",
        (
            "【GビズID】委任を受けました",
            "$grantor から、次の手続の委任を受けました。\n手続: $procedures\n期限: $until",
            "GビズID $grantor から委任を受けました（$until まで）",
        ),
        (
            "[gBizID] You received a mandate",
            "$grantor gave you a mandate for these procedures.\nProcedures: $procedures\nUntil: $until",
            "gBizID: mandate from $grantor until $until",
        ),
    ),
    "new_device_login": _template(
        "when ip",
        (
            "【GビズID】新しい端末からのログイン",
            "新しい端末からお使いのアカウントにログインがありました。\n日時: $when\nIPアドレス: $ip\n"
            "心当たりがない場合は、すぐにパスワードを変更してください。",
            "GビズID 新しい端末からログインがありました（$when）",
        ),
        (
            "[gBizID] Sign-in from a new device",
            "Your account was signed in from a new device.\nTime: $when\nIP address: $ip\n"
            "If this was not you, change your password at once.",
            "gBizID: sign-in from a new device ($when)",
        ),
    ),
}


def render(template: str, lang: str, params: Mapping[str, str]) -> Wording:
    """The template's wording with its parameters; raises ``ValueError`` on any misuse."""
    found = TEMPLATES.get(template)
    if found is None:
        raise ValueError(f"no notification template {template!r}")
    if lang not in LANGUAGES:
        raise ValueError(f"notifications exist in {LANGUAGES}, not {lang!r}")
    given = set(params)
    if given != found.params:
        missing = sorted(found.params - given)
        extra = sorted(given - found.params)
        raise ValueError(f"template {template!r}: missing parameters {missing}, unexpected parameters {extra}")
    for name, value in params.items():
        _check_param(template, name, value)
    language: Language = "en" if lang == "en" else "ja"
    return found.render(language, params)


def _check_param(template: str, name: str, value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f"template {template!r}: parameter {name!r} must be a string")
    if not value.strip():
        raise ValueError(f"template {template!r}: parameter {name!r} is empty")
    if len(value) > MAX_PARAM_LENGTH:
        raise ValueError(f"template {template!r}: parameter {name!r} is longer than {MAX_PARAM_LENGTH}")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValueError(f"template {template!r}: parameter {name!r} contains control characters")


def _audit_failure(channel: str, template: str, error: str, kept: bool) -> None:
    from functions.auth.audit import record_event  # the audit module sends nothing: no import cycle at runtime

    try:
        record_event(
            "notification.failed",
            outcome="failure",
            actor_sub=None,
            detail={"channel": channel, "template": template, "error": error, "kept": "true" if kept else "false"},
        )
    except Exception:  # the user's action must not fail because a notice could not be sent
        _logger.exception("notification failure not audited", extra={"channel": channel, "template": template})


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def _send(channel: Channel, to: str, wording: Wording) -> None:
    """One send through SES or SNS (the client retries throttles and 5xx); raises what the service answered."""
    if channel == "sms":
        aws.client("sns").publish(
            PhoneNumber=to,
            Message=wording.sms,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return
    aws.client("ses").send_email(
        Source=get_settings().mail_from,
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": wording.subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": wording.body, "Charset": "UTF-8"}},
        },
    )


def _deliver(channel: Channel, to: str, template: str, lang: str, params: Mapping[str, str]) -> None:
    wording = render(template, lang, params)
    try:
        _send(channel, to, wording)
    except (ClientError, BotoCoreError) as exc:
        error = _error_code(exc)
        _logger.warning("notification not sent", extra={"channel": channel, "template": template, "error": error})
        emit_metric("NotificationsFailed", service=SERVICE, scope="identity")  # the Identity stack's alarm
        kept = False
        if keeps(template):
            try:
                keep(Notice(channel=channel, to=to, template=template, lang=lang, params=dict(params)))
                kept = True
            except (ClientError, BotoCoreError):
                _logger.exception("notification not kept for a retry", extra={"channel": channel, "template": template})
        _audit_failure(channel, template, error, kept)


def notify_email(to: str, template: str, lang: str, **params: str) -> None:
    """Send the template by e-mail from ``MAIL_FROM``. A failed send is logged, audited and (a notice) kept for the
    scheduled retry, not raised."""
    if not _EMAIL.fullmatch(to):
        raise ValueError("the recipient is not an e-mail address")
    _deliver("email", to, template, lang, params)


def notify_sms(phone_e164: str, template: str, lang: str, **params: str) -> None:
    """Send the template's short text by SMS (transactional). A failed send is logged, audited and (a notice) kept
    for the scheduled retry, not raised."""
    if not E164.fullmatch(phone_e164):
        raise ValueError("the phone number is not in E.164 form (+81...)")
    _deliver("sms", phone_e164, template, lang, params)


def send_kept(notice: Notice) -> bool:
    """Send a notice from the outbox; ``False`` (it stays) when the channel still refuses it."""
    try:
        _send(notice.channel, notice.to, render(notice.template, notice.lang, notice.params))
    except (ClientError, BotoCoreError) as exc:
        _logger.warning(
            "kept notification not sent",
            extra={"channel": notice.channel, "template": notice.template, "error": _error_code(exc)},
        )
        return False
    return True


def retry_kept_notices() -> dict[str, int]:
    """The scheduled run: send every notice kept after a failure."""
    sent, waiting = retry_notices(send_kept)
    return {"sent": sent, "waiting": waiting}
