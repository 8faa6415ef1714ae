"""Second-factor pages: list and remove factors, enrol TOTP, e-mail and SMS codes, recovery codes.

Every change needs a fresh login (the password checked within :data:`FRESH_SECONDS`): an old session is
sent to the login page and comes back here. Forms carry the session's CSRF token; a bad code or number
shows the form again (400) with the error next to its field.
"""

from __future__ import annotations

from typing import Final, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth.audit import request_origin
from functions.auth.factors import FACTOR_KINDS, manage
from functions.auth.factors.codes import CODE_TTL_SECONDS, CodeRateLimited
from functions.auth.factors.phone import mask_phone
from functions.auth.factors.store import EnrolledFactor
from functions.auth.factors.totp import TotpEnrolment
from functions.auth.web.layout import (
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    request_language,
    verify_csrf,
)
from functions.auth.web.messages import register_messages, t
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import Conflict, InvalidInput, NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

BASE: Final = "/account/factors"
FRESH_SECONDS: Final = 300
CodeChannel = Literal["email", "sms"]

register_messages(
    {
        "ja": {
            "factors.title": "2要素認証",
            "factors.lead": (
                "ログインのとき、パスワードに加えて確認コードを入力します。"
                "方法を追加・削除すると、登録メールアドレスにお知らせが届きます。"
            ),
            "factors.none": "2要素認証はまだ設定されていません。",
            "factors.enrolled": "設定済みの方法",
            "factors.add": "方法を追加する",
            "factors.remove": "削除する",
            "factors.remove_label": "{factor}を削除する",
            "factors.since": "{date} から",
            "factors.remaining": "未使用 {count} 個",
            "factors.phone": "電話番号 {phone}",
            "factors.fresh_note": "追加・削除の前に、もう一度ログインを求めることがあります。",
            "factors.done.added": "2要素認証の方法を追加しました。",
            "factors.done.removed": "2要素認証の方法を削除しました。",
            "factors.error.last": (
                "この方法は削除できません。"
                "プライム・メンバーアカウントには2要素認証が1つ以上必要です。"
                "先に別の方法を追加してください。"
            ),
            "factors.error.unknown": "この方法は設定されていません。",
            "factors.add.totp": "認証アプリ (TOTP) を設定する",
            "factors.add.email": "メール確認コードを設定する",
            "factors.add.sms": "SMS確認コードを設定する",
            "factors.add.recovery": "リカバリーコードを発行する",
            "factors.back": "2要素認証の設定へ戻る",
            "factors.code": "確認コード (6桁)",
            "factors.code_hint": "半角数字6桁",
            "factors.code_invalid": "6桁の数字を入力してください。",
            "factors.code_wrong": "確認コードが正しくないか、有効期限が切れています。",
            "factors.confirm": "確認して有効にする",
            "totp.title": "認証アプリ (TOTP) の設定",
            "totp.step1": (
                "1. 認証アプリ (Google Authenticator、Microsoft Authenticator など) で、次のQRコードを読み取ります。"
            ),
            "totp.qr_label": "認証アプリに登録するQRコード。読み取れない場合は下の設定キーを入力してください。",
            "totp.step2": "2. QRコードを読み取れない場合は、アプリにこの設定キーを入力します (時間ベース、6桁、30秒)。",
            "totp.secret": "設定キー",
            "totp.account": "アカウント名: {email} / 発行者: GビズID",
            "totp.uri": "otpauth URI を表示",
            "totp.step3": "3. アプリに表示された6桁のコードを入力して確認します。確認するまで有効になりません。",
            "totp.replace": "すでに認証アプリを設定しています。確認すると、新しい設定キーに置き換わります。",
            "email.title": "メール確認コードの設定",
            "email.lead": "登録メールアドレス {email} に確認コードを送ります。",
            "email.send": "確認コードを送る",
            "email.sent": "{email} に確認コードを送りました。{minutes}分以内に入力してください。",
            "sms.title": "SMS確認コードの設定",
            "sms.lead": "携帯電話番号 (070・080・090) を登録します。確認コードをSMSで送ります。",
            "sms.phone": "携帯電話番号",
            "sms.phone_hint": "例: 090-1234-5678 または +81 90 1234 5678",
            "sms.phone_invalid": "070・080・090で始まる携帯電話番号を入力してください。",
            "sms.send": "SMSで確認コードを送る",
            "sms.sent": "{phone} に確認コードを送りました。{minutes}分以内に入力してください。",
            "rate.per_minute": "確認コードの送信は1分に1回までです。{seconds}秒後にもう一度お試しください。",
            "rate.per_hour": "確認コードの送信は1時間に10回までです。{seconds}秒後にもう一度お試しください。",
            "recovery.title": "リカバリーコード",
            "recovery.lead": (
                "認証アプリや電話を使えないときに、1回だけ使えるコードです。新しく発行すると、"
                "以前のコードはすべて使えなくなります。"
            ),
            "recovery.current": "未使用のリカバリーコード: {count} 個",
            "recovery.generate": "リカバリーコードを発行する",
            "recovery.shown_once": (
                "このコードは今だけ表示されます。印刷するか、安全な場所に保管してください。各コードは1回だけ使えます。"
            ),
            "recovery.list": "リカバリーコード (10個)",
            "recovery.print": "このページを印刷する (ブラウザの印刷機能を使ってください)",
        },
        "en": {
            "factors.title": "Two-step verification",
            "factors.lead": (
                "When you log in, you enter a code as well as your password. "
                "Adding or removing a method is announced to your e-mail address."
            ),
            "factors.none": "No second factor is set up yet.",
            "factors.enrolled": "Methods set up",
            "factors.add": "Add a method",
            "factors.remove": "Remove",
            "factors.remove_label": "Remove {factor}",
            "factors.since": "since {date}",
            "factors.remaining": "{count} unused",
            "factors.phone": "phone {phone}",
            "factors.fresh_note": "You may be asked to log in again before adding or removing a method.",
            "factors.done.added": "The method was added.",
            "factors.done.removed": "The method was removed.",
            "factors.error.last": (
                "This method cannot be removed: Prime and Member accounts need at least one second factor. "
                "Add another method first."
            ),
            "factors.error.unknown": "This method is not set up.",
            "factors.add.totp": "Set up an authenticator app (TOTP)",
            "factors.add.email": "Set up e-mail codes",
            "factors.add.sms": "Set up SMS codes",
            "factors.add.recovery": "Generate recovery codes",
            "factors.back": "Back to two-step verification",
            "factors.code": "Verification code (6 digits)",
            "factors.code_hint": "6 digits",
            "factors.code_invalid": "Enter the 6-digit code.",
            "factors.code_wrong": "The code is wrong or has expired.",
            "factors.confirm": "Confirm and turn on",
            "totp.title": "Set up an authenticator app (TOTP)",
            "totp.step1": (
                "1. Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, …)."
            ),
            "totp.qr_label": "QR code to add to an authenticator app. If you cannot scan it, type the setup key below.",
            "totp.step2": (
                "2. "
                "If you cannot scan the QR code, type this setup key into the app (time-based, 6 digits, 30 seconds)."
            ),
            "totp.secret": "Setup key",
            "totp.account": "Account: {email} / Issuer: GビズID",
            "totp.uri": "Show the otpauth URI",
            "totp.step3": "3. Enter the 6-digit code the app shows. The app is not used until you confirm.",
            "totp.replace": "An authenticator app is set up already. Confirming replaces it with this new key.",
            "email.title": "Set up e-mail codes",
            "email.lead": "A code will be sent to your e-mail address {email}.",
            "email.send": "Send a code",
            "email.sent": "A code was sent to {email}. Enter it within {minutes} minutes.",
            "sms.title": "Set up SMS codes",
            "sms.lead": "Register a Japanese mobile number (070, 080 or 090). A code is sent to it by SMS.",
            "sms.phone": "Mobile number",
            "sms.phone_hint": "For example 090-1234-5678 or +81 90 1234 5678",
            "sms.phone_invalid": "Enter a Japanese mobile number starting 070, 080 or 090.",
            "sms.send": "Send a code by SMS",
            "sms.sent": "A code was sent to {phone}. Enter it within {minutes} minutes.",
            "rate.per_minute": "One code per minute can be sent. Try again in {seconds} seconds.",
            "rate.per_hour": "Ten codes per hour can be sent. Try again in {seconds} seconds.",
            "recovery.title": "Recovery codes",
            "recovery.lead": (
                "Single-use codes for when you cannot use your app or phone. "
                "Generating new codes makes every older code stop working."
            ),
            "recovery.current": "Unused recovery codes: {count}",
            "recovery.generate": "Generate recovery codes",
            "recovery.shown_once": (
                "These codes are shown only now. Print them or keep them somewhere safe. Each works once."
            ),
            "recovery.list": "Recovery codes (10)",
            "recovery.print": "Print this page (use your browser's print command)",
        },
    }
)


def _lang() -> str:
    return request_language(router.current_event)


def _fresh() -> BrowserSession:
    return require_session(router.current_event, fresh_seconds=FRESH_SECONDS)


def _form(session: BrowserSession) -> dict[str, str]:
    form = parse_form(router.current_event)
    verify_csrf(session, form)
    return form


def _origin() -> dict[str, str | None]:
    return request_origin(router.current_event)


def _button(label: str, *, name: str | None = None, value: str | None = None, secondary: bool = False) -> str:
    attrs = f' name="{esc(name)}" value="{esc(value)}"' if name and value else ""
    css = "button button--secondary" if secondary else "button"
    return f'<button class="{css}" type="submit"{attrs}>{esc(label)}</button>'


def _back(lang: str) -> str:
    return f'<p><a href="{BASE}">{esc(t(lang, "factors.back"))}</a></p>'


def _alert(message: str, *, error: bool = False) -> str:
    role = "alert" if error else "status"
    css = "notice notice--error" if error else "notice notice--info"
    return f'<p class="{css}" role="{role}">{esc(message)}</p>'


def _code_field(lang: str, error: str | None = None) -> str:
    return form_field(
        "code",
        t(lang, "factors.code"),
        autocomplete="one-time-code",
        inputmode="numeric",
        pattern="[0-9]{6}",
        maxlength=6,
        error=error,
        hint=t(lang, "factors.code_hint"),
    )


def _valid_code_format(code: str) -> bool:
    compact = code.strip().replace(" ", "")
    return len(compact) == 6 and compact.isascii() and compact.isdigit()


def _rate_message(lang: str, limited: CodeRateLimited) -> str:
    key = "rate.per_hour" if limited.limit == "per_hour" else "rate.per_minute"
    return t(lang, key, seconds=limited.retry_after)


# -- the list


def _factor_row(lang: str, session: BrowserSession, factor: EnrolledFactor) -> str:
    label = manage.factor_label(lang, factor.kind)
    facts = []
    if factor.phone:
        facts.append(t(lang, "factors.phone", phone=mask_phone(factor.phone)))
    if factor.remaining is not None:
        facts.append(t(lang, "factors.remaining", count=factor.remaining))
    detail = f' <span class="factor-list__detail">{esc(" / ".join(facts))}</span>' if facts else ""
    return (
        f'<li class="factor-list__item" data-factor="{esc(factor.kind)}">'
        f'<span class="factor-list__name">{esc(label)}</span>{detail}'
        f'<form method="post" action="{BASE}" class="factor-list__form">{csrf_input(session)}'
        f'<input type="hidden" name="factor" value="{esc(factor.kind)}">'
        f'<button class="button button--secondary" type="submit" '
        f'aria-label="{esc(t(lang, "factors.remove_label", factor=label))}">{esc(t(lang, "factors.remove"))}</button>'
        "</form></li>"
    )


def _list_page(session: BrowserSession, *, notice: str = "", error: str = "", status: int = 200) -> Response[str]:
    lang = _lang()
    enrolled = manage.list_factors(session.sub)
    parts = [f"<p>{esc(t(lang, 'factors.lead'))}</p>"]
    if notice:
        parts.append(_alert(notice))
    if error:
        parts.append(_alert(error, error=True))
    parts.append(f'<h2 id="enrolled-title">{esc(t(lang, "factors.enrolled"))}</h2>')
    if enrolled:
        rows = "".join(_factor_row(lang, session, factor) for factor in enrolled)
        parts.append(f'<ul class="factor-list" aria-labelledby="enrolled-title">{rows}</ul>')
    else:
        parts.append(f"<p>{esc(t(lang, 'factors.none'))}</p>")
    links = "".join(
        f'<li><a href="{BASE}/{path}">{esc(t(lang, "factors.add." + kind))}</a></li>'
        for kind, path in (("totp", "totp"), ("email", "email"), ("sms", "sms"), ("recovery", "recovery-codes"))
    )
    parts.append(f'<h2 id="add-title">{esc(t(lang, "factors.add"))}</h2>')
    parts.append(f'<ul class="link-list" aria-labelledby="add-title">{links}</ul>')
    parts.append(f'<p class="form-field__hint">{esc(t(lang, "factors.fresh_note"))}</p>')
    return render_page(lang=lang, title=t(lang, "factors.title"), body="".join(parts), status=status)


@router.get(BASE, include_in_schema=False)
def handle_get_factors() -> Response[str]:
    session = require_session(router.current_event)
    lang = _lang()
    done = (router.current_event.query_string_parameters or {}).get("done", "")
    notice = t(lang, f"factors.done.{done}") if done in ("added", "removed") else ""
    return _list_page(session, notice=notice)


@router.post(BASE, include_in_schema=False)
def handle_remove_factor() -> Response[str]:
    session = _fresh()
    form = _form(session)
    lang = _lang()
    kind = form.get("factor", "")
    if kind not in FACTOR_KINDS:
        return _list_page(session, error=t(lang, "factors.error.unknown"), status=400)
    try:
        manage.remove_factor(session.sub, kind, lang, _origin(), keep_session=session.id_hash)
    except Conflict:
        return _list_page(session, error=t(lang, "factors.error.last"), status=409)
    except NotFound:
        return _list_page(session, error=t(lang, "factors.error.unknown"), status=400)
    return redirect(f"{BASE}?done=removed")


# -- TOTP


def _totp_page(session: BrowserSession, enrolment: TotpEnrolment, *, error: str | None = None) -> Response[str]:
    lang = _lang()
    replacing = any(f.kind == "totp" for f in manage.list_factors(session.sub))
    email = manage.account_email(session.sub)
    parts = [error_summary(lang, {"code": error}) if error else ""]
    if replacing:
        parts.append(_alert(t(lang, "totp.replace")))
    parts.append(f"<p>{esc(t(lang, 'totp.step1'))}</p>")
    parts.append(f'<figure class="totp-qr">{enrolment.qr_svg(t(lang, "totp.qr_label"))}</figure>')
    parts.append(f"<p>{esc(t(lang, 'totp.step2'))}</p>")
    parts.append(
        f'<dl class="totp-key"><dt>{esc(t(lang, "totp.secret"))}</dt>'
        f'<dd><code id="totp-secret" class="secret-key" translate="no">{esc(enrolment.grouped_secret)}</code></dd>'
        f"<dd>{esc(t(lang, 'totp.account', email=email))}</dd></dl>"
    )
    parts.append(
        f'<details class="totp-uri"><summary>{esc(t(lang, "totp.uri"))}</summary>'
        f'<p><code id="totp-uri" translate="no">{esc(enrolment.uri)}</code></p></details>'
    )
    parts.append(f"<p>{esc(t(lang, 'totp.step3'))}</p>")
    parts.append(
        f'<form method="post" action="{BASE}/totp" novalidate>{csrf_input(session)}'
        f"{_code_field(lang, error)}{_button(t(lang, 'factors.confirm'))}</form>"
    )
    parts.append(_back(lang))
    return render_page(lang=lang, title=t(lang, "totp.title"), body="".join(parts), status=400 if error else 200)


@router.get(f"{BASE}/totp", include_in_schema=False)
def handle_get_totp_enrolment() -> Response[str]:
    session = _fresh()
    return _totp_page(session, manage.begin_totp_enrolment(session.sub))


@router.post(f"{BASE}/totp", include_in_schema=False)
def handle_confirm_totp() -> Response[str]:
    session = _fresh()
    form = _form(session)
    lang = _lang()
    code = form.get("code", "")
    if not _valid_code_format(code):
        return _totp_page(session, manage.begin_totp_enrolment(session.sub), error=t(lang, "factors.code_invalid"))
    if not manage.finish_totp_enrolment(session.sub, code, lang, _origin()):
        return _totp_page(session, manage.begin_totp_enrolment(session.sub), error=t(lang, "factors.code_wrong"))
    return redirect(f"{BASE}?done=added")


# -- e-mail and SMS codes


def _code_page(
    session: BrowserSession,
    channel: CodeChannel,
    *,
    sent_to: str = "",
    errors: dict[str, str] | None = None,
    phone: str = "",
    status: int = 200,
) -> Response[str]:
    lang = _lang()
    errors = errors or {}
    parts = [error_summary(lang, errors)]
    action = f"{BASE}/{channel}"
    minutes = CODE_TTL_SECONDS // 60
    if channel == "email":
        email = manage.account_email(session.sub)
        parts.append(f"<p>{esc(t(lang, 'email.lead', email=email))}</p>")
        send_fields = ""
    else:
        parts.append(f"<p>{esc(t(lang, 'sms.lead'))}</p>")
        send_fields = form_field(
            "phone",
            t(lang, "sms.phone"),
            type="tel",
            autocomplete="tel",
            inputmode="tel",
            value=phone,
            error=errors.get("phone"),
            hint=t(lang, "sms.phone_hint"),
        )
    if sent_to:
        shown = sent_to if channel == "email" else mask_phone(sent_to)
        parts.append(_alert(t(lang, f"{channel}.sent", email=shown, phone=shown, minutes=minutes)))
        parts.append(
            f'<form method="post" action="{action}" novalidate>{csrf_input(session)}'
            f'<input type="hidden" name="action" value="confirm">'
            f"{_code_field(lang, errors.get('code'))}{_button(t(lang, 'factors.confirm'))}</form>"
        )
    elif "code" in errors:
        parts.append(_alert(errors["code"], error=True))
    send_label = t(lang, "email.send" if channel == "email" else "sms.send")
    parts.append(
        f'<form method="post" action="{action}" novalidate>{csrf_input(session)}'
        f'<input type="hidden" name="action" value="send">{send_fields}'
        f"{_button(send_label, secondary=bool(sent_to))}</form>"
    )
    parts.append(_back(lang))
    return render_page(lang=lang, title=t(lang, f"{channel}.title"), body="".join(parts), status=status)


def _post_code_channel(channel: CodeChannel) -> Response[str]:
    session = _fresh()
    form = _form(session)
    lang = _lang()
    if form.get("action") == "confirm":
        code = form.get("code", "")
        if not _valid_code_format(code):
            pending = manage.pending_enrolment_destination(session.sub, channel)
            return _code_page(
                session, channel, sent_to=pending, errors={"code": t(lang, "factors.code_invalid")}, status=400
            )
        if not manage.finish_code_enrolment(session.sub, channel, code, lang, _origin()):
            pending = manage.pending_enrolment_destination(session.sub, channel)
            return _code_page(
                session, channel, sent_to=pending, errors={"code": t(lang, "factors.code_wrong")}, status=400
            )
        return redirect(f"{BASE}?done=added")
    phone = form.get("phone", "")
    try:
        sent_to = manage.send_enrolment_code(session.sub, channel, lang, phone=phone if channel == "sms" else None)
    except InvalidInput:
        return _code_page(session, channel, errors={"phone": t(lang, "sms.phone_invalid")}, phone=phone, status=400)
    except CodeRateLimited as limited:
        pending = manage.pending_enrolment_destination(session.sub, channel)
        return _code_page(
            session,
            channel,
            sent_to=pending,
            errors={"code": _rate_message(lang, limited)},
            phone=phone,
            status=429,
        )
    return _code_page(session, channel, sent_to=sent_to)


@router.get(f"{BASE}/email", include_in_schema=False)
def handle_get_email_enrolment() -> Response[str]:
    return _code_page(_fresh(), "email")


@router.post(f"{BASE}/email", include_in_schema=False)
def handle_post_email_enrolment() -> Response[str]:
    return _post_code_channel("email")


@router.get(f"{BASE}/sms", include_in_schema=False)
def handle_get_sms_enrolment() -> Response[str]:
    return _code_page(_fresh(), "sms")


@router.post(f"{BASE}/sms", include_in_schema=False)
def handle_post_sms_enrolment() -> Response[str]:
    return _post_code_channel("sms")


# -- recovery codes


@router.get(f"{BASE}/recovery-codes", include_in_schema=False)
def handle_get_recovery_codes() -> Response[str]:
    session = _fresh()
    lang = _lang()
    current = next((f for f in manage.list_factors(session.sub) if f.kind == "recovery"), None)
    parts = [f"<p>{esc(t(lang, 'recovery.lead'))}</p>"]
    if current is not None:
        parts.append(f"<p>{esc(t(lang, 'recovery.current', count=current.remaining or 0))}</p>")
    parts.append(
        f'<form method="post" action="{BASE}/recovery-codes">{csrf_input(session)}'
        f"{_button(t(lang, 'recovery.generate'))}</form>"
    )
    parts.append(_back(lang))
    return render_page(lang=lang, title=t(lang, "recovery.title"), body="".join(parts))


@router.post(f"{BASE}/recovery-codes", include_in_schema=False)
def handle_generate_recovery_codes() -> Response[str]:
    session = _fresh()
    _form(session)
    lang = _lang()
    generated = manage.regenerate_recovery_codes(session.sub, lang, _origin())
    items = "".join(f'<li><code translate="no">{esc(code)}</code></li>' for code in generated)
    body = (
        _alert(t(lang, "recovery.shown_once"))
        + f'<h2 id="recovery-list-title">{esc(t(lang, "recovery.list"))}</h2>'
        + f'<ol class="recovery-codes" aria-labelledby="recovery-list-title">{items}</ol>'
        + f'<p class="no-print">{esc(t(lang, "recovery.print"))}</p>'
        + _back(lang)
    )
    return render_page(lang=lang, title=t(lang, "recovery.title"), body=body)
