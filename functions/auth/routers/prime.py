"""Prime application pages: the applicant's form (/account/prime) and the operator's review."""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import AccountTier, StaffRole
from functions.auth.prime import service
from functions.auth.prime.models import (
    PROCEDURE_ONLINE,
    ApplicationStatus,
    PrimeApplicationItem,
    PrimeApplicationRequest,
)
from functions.auth.prime.online import SIGNATURE_FIELD
from functions.auth.prime.pages import (
    body_bytes,
    content_type,
    field_errors,
    message_page,
    origin_of,
    table,
    textarea,
    translate,
)
from functions.auth.prime.uploads import SEAL_FIELD, parse_multipart, seal_certificate_link
from functions.auth.settings import get_settings
from functions.auth.web.layout import (
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    verify_csrf,
)
from functions.auth.web.layout import request_language as _lang
from functions.auth.web.messages import register_messages, t
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from platform_common.japan_time import shown_time

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

APPLY_PATH = "/account/prime"
REVIEW_PATH = "/operator/prime-applications"
REVIEWERS = {StaffRole.OPERATOR, StaffRole.REVIEWER}
FIELDS = (
    "corporate_number",
    "corporation_name",
    "head_office_address",
    "representative_name",
    "representative_kana",
    "contact_phone",
)

register_messages(
    {
        "ja": {
            "prime.title": "gBizIDプライムの申請",
            "prime.lead": (
                "法人の代表者 (または個人事業主) として gBizIDプライム を申請します。"
                "入力した法人名と本店所在地は、法人番号の法人基本情報と照合します。"
            ),
            "prime.field.corporate_number": "法人番号 (13桁)",
            "prime.field.corporation_name": "法人名",
            "prime.field.head_office_address": "本店所在地",
            "prime.field.representative_name": "代表者氏名",
            "prime.field.representative_kana": "代表者氏名 (フリガナ)",
            "prime.field.contact_phone": "申請者の電話番号",
            "prime.field.seal_certificate": "印鑑証明書 (PDF・JPEG・PNG、5MBまで)",
            "prime.field.signed_application": "代表者の電子署名付き申請データ (お持ちの場合)",
            "prime.hint.signed_application": (
                "代表者の電子証明書で署名した申請データ (JWS) を貼り付けると、当日中に審査なしで発行されます。"
                "その場合、印鑑証明書は不要です。"
            ),
            "prime.submit": "申請する",
            "prime.received.title": "申請を受け付けました",
            "prime.received.body": "申請番号 {id} を受け付けました。審査の結果はメールでお知らせします。",
            "prime.pending.title": "審査中の申請があります",
            "prime.pending.body": "申請番号 {id} ({date} 受付) は審査中です。結果はメールでお知らせします。",
            "prime.approved.title": "gBizIDプライムが発行されました",
            "prime.approved.body": (
                "電子署名を確認し、このアカウントを gBizIDプライム にしました (申請番号 {id})。"
                "次回のログインから二要素認証が必要です。"
            ),
            "prime.already.title": "gBizIDプライムのアカウントです",
            "prime.already.body": "このアカウントは既に gBizIDプライム です。",
            "prime.back": "アカウントのトップへ",
            "review.title": "gBizIDプライムの審査",
            "review.caption": "審査待ちの申請 (受付の古い順)",
            "review.empty": "審査待ちの申請はありません。",
            "review.col.id": "申請番号",
            "review.col.corporation": "法人",
            "review.col.representative": "代表者",
            "review.col.submitted": "受付日時",
            "review.detail.title": "申請 {id} の審査",
            "review.seal": "印鑑証明書を表示する (新しいタブ)",
            "review.approve": "承認する",
            "review.reject": "却下する",
            "review.reason": "却下の理由 (申請者に通知されます)",
            "review.decided.approved": "申請 {id} を承認しました。",
            "review.decided.rejected": "申請 {id} を却下しました。",
            "review.status": "状態",
            "review.applicant": "申請者のメールアドレス",
            "review.back": "審査待ちの一覧へ",
        },
        "en": {
            "prime.title": "Apply for gBizID Prime",
            "prime.lead": (
                "Apply for a gBizID Prime account as the corporation's representative (or as a sole proprietor). "
                "The name and head-office address you enter are checked against the corporation's basic information."
            ),
            "prime.field.corporate_number": "Corporate number (13 digits)",
            "prime.field.corporation_name": "Corporation name",
            "prime.field.head_office_address": "Head-office address",
            "prime.field.representative_name": "Representative's name",
            "prime.field.representative_kana": "Representative's name in katakana",
            "prime.field.contact_phone": "Your phone number",
            "prime.field.seal_certificate": "Seal certificate (PDF, JPEG or PNG, up to 5 MB)",
            "prime.field.signed_application": "Application signed by the representative (if you have one)",
            "prime.hint.signed_application": (
                "Paste the application data signed with the representative's certificate (JWS) to get the account "
                "the same day without review; no seal certificate is needed then."
            ),
            "prime.submit": "Apply",
            "prime.received.title": "Application received",
            "prime.received.body": "We received application {id}. We will e-mail you the result of the review.",
            "prime.pending.title": "An application is under review",
            "prime.pending.body": "Application {id} (received {date}) is under review. We will e-mail you the result.",
            "prime.approved.title": "Your gBizID Prime account is ready",
            "prime.approved.body": (
                "The signature was verified and this account is now gBizID Prime (application {id}). "
                "From your next login a second factor is required."
            ),
            "prime.already.title": "This is a gBizID Prime account",
            "prime.already.body": "This account is a gBizID Prime account already.",
            "prime.back": "Back to your account",
            "review.title": "Review of gBizID Prime applications",
            "review.caption": "Applications waiting for review (oldest first)",
            "review.empty": "No application is waiting for review.",
            "review.col.id": "Application",
            "review.col.corporation": "Corporation",
            "review.col.representative": "Representative",
            "review.col.submitted": "Received",
            "review.detail.title": "Review of application {id}",
            "review.seal": "Open the seal certificate (new tab)",
            "review.approve": "Approve",
            "review.reject": "Reject",
            "review.reason": "Reason for rejection (sent to the applicant)",
            "review.decided.approved": "Application {id} was approved.",
            "review.decided.rejected": "Application {id} was rejected.",
            "review.status": "Status",
            "review.applicant": "Applicant's e-mail",
            "review.back": "Back to the review queue",
        },
    }
)


def _profile(session: BrowserSession) -> ProfileItem | None:
    return get_store().get_profile(session.sub)


def _form_page(
    lang: str,
    session: BrowserSession,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
) -> Response[str]:
    def field(name: str, **attrs: str | bool) -> str:
        return form_field(
            name,
            t(lang, f"prime.field.{name}"),
            value=values.get(name, ""),
            error=errors.get(name),
            **attrs,  # type: ignore[arg-type]
        )

    form_error = errors.get("form")
    body = "".join(
        [
            f"<p>{esc(t(lang, 'prime.lead'))}</p>",
            error_summary(lang, {k: v for k, v in errors.items() if k != "form"}),
            f'<p class="notice notice--error" role="alert">{esc(form_error)}</p>' if form_error else "",
            f'<form method="post" action="{APPLY_PATH}" enctype="multipart/form-data" novalidate>',
            csrf_input(session),
            field("corporate_number", inputmode="numeric", autocomplete="off", maxlength="13"),
            field("corporation_name", autocomplete="organization"),
            field("head_office_address", autocomplete="street-address"),
            field("representative_name", autocomplete="off"),
            field("representative_kana", autocomplete="off"),
            field("contact_phone", type="tel", autocomplete="tel"),
            form_field(
                SEAL_FIELD,
                t(lang, "prime.field.seal_certificate"),
                type="file",
                required=False,
                error=errors.get(SEAL_FIELD),
                accept="application/pdf,image/jpeg,image/png",
            ),
            textarea(
                SIGNATURE_FIELD,
                t(lang, "prime.field.signed_application"),
                values.get(SIGNATURE_FIELD, ""),
                errors.get(SIGNATURE_FIELD),
                hint=t(lang, "prime.hint.signed_application"),
            ),
            f'<button class="button" type="submit">{esc(t(lang, "prime.submit"))}</button>',
            "</form>",
        ]
    )
    return render_page(lang=lang, title=t(lang, "prime.title"), body=body, status=status)


def _notice_page(lang: str, title_key: str, body_key: str, **params: str) -> Response[str]:
    body = (
        f'<p class="notice" role="status">{esc(t(lang, body_key, **params))}</p>'
        f'<p><a href="/account">{esc(t(lang, "prime.back"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, title_key), body=body)


def _validation_errors(lang: str, error: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item.get("loc") else "form"
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        if item.get("type") in ("missing", "string_too_short"):
            message = t(lang, "form.required") if name != "contact_phone" else message
        found.setdefault(name, translate(lang, message))
    return found


@router.get(APPLY_PATH, include_in_schema=False)
def handle_get_prime_application() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    profile = _profile(session)
    if profile is not None and profile.tier is AccountTier.PRIME:
        return _notice_page(lang, "prime.already.title", "prime.already.body")
    if profile is None or profile.tier is AccountTier.MEMBER or profile.role is not None:
        return message_page(lang, Forbidden(detail="only a corporate account can apply for a Prime account"))
    pending = service.pending_application_of(session.sub)
    if pending is not None and pending.status is ApplicationStatus.SUBMITTED:
        return _notice_page(
            lang,
            "prime.pending.title",
            "prime.pending.body",
            id=pending.application_id,
            date=shown_time(pending.submitted_at),
        )
    values = {"corporate_number": profile.corporate_number or ""}
    return _form_page(lang, session, values, {})


@router.post(APPLY_PATH, include_in_schema=False)
def handle_post_prime_application() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    try:
        form = parse_multipart(content_type(event), body_bytes(event))
    except InvalidInput as error:
        return _form_page(lang, session, {}, field_errors(lang, error), status=400)
    verify_csrf(session, form.fields)
    values = {name: form.fields.get(name, "") for name in (*FIELDS, SIGNATURE_FIELD)}
    try:
        request = PrimeApplicationRequest.model_validate({name: values[name] for name in FIELDS})
    except ValidationError as error:
        return _form_page(lang, session, values, _validation_errors(lang, error), status=400)
    seal = form.files.get(SEAL_FIELD)
    try:
        application = service.submit_application(
            _profile(session),
            request,
            seal_certificate=seal.content if seal else None,
            signed_application=values[SIGNATURE_FIELD],
            lang=lang,
            origin=origin_of(event),
        )
    except InvalidInput as error:
        return _form_page(lang, session, values, field_errors(lang, error), status=400)
    except (Conflict, Forbidden) as error:
        return message_page(lang, error)
    if application.procedure == PROCEDURE_ONLINE:
        return _notice_page(lang, "prime.approved.title", "prime.approved.body", id=application.application_id)
    return _notice_page(lang, "prime.received.title", "prime.received.body", id=application.application_id)


# -- operator review -----------------------------------------------------------------------------------------


@router.get(REVIEW_PATH, include_in_schema=False)
def handle_get_prime_applications() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    require_session(event, roles=REVIEWERS)
    query = event.query_string_parameters or {}
    notice = ""
    decided, outcome = query.get("decided", ""), query.get("outcome", "")
    if decided and outcome in ("approved", "rejected") and decided.isalnum():
        notice = f'<p class="notice" role="status">{esc(t(lang, f"review.decided.{outcome}", id=decided))}</p>'
    rows = [
        (
            f'<a href="{REVIEW_PATH}/{esc(app.application_id)}">{esc(app.application_id)}</a>',
            f"{esc(app.corporation_name)}<br><small>{esc(app.corporate_number)}</small>",
            esc(app.representative_name),
            esc(shown_time(app.submitted_at)),
        )
        for app in service.list_applications()
    ]
    headers = [t(lang, f"review.col.{name}") for name in ("id", "corporation", "representative", "submitted")]
    body = notice + table(t(lang, "review.caption"), headers, rows, t(lang, "review.empty"))
    return render_page(lang=lang, title=t(lang, "review.title"), body=body)


def _detail_page(
    lang: str,
    session: BrowserSession,
    application: PrimeApplicationItem,
    errors: Mapping[str, str] | None = None,
    reason: str = "",
    status: int = 200,
) -> Response[str]:
    errors = errors or {}
    facts = [
        (t(lang, "review.status"), application.status.value),
        (t(lang, "prime.field.corporate_number"), application.corporate_number),
        (t(lang, "prime.field.corporation_name"), application.corporation_name),
        (t(lang, "prime.field.head_office_address"), application.head_office_address),
        (t(lang, "prime.field.representative_name"), application.representative_name),
        (t(lang, "prime.field.representative_kana"), application.representative_kana),
        (t(lang, "prime.field.contact_phone"), application.contact_phone),
        (t(lang, "review.applicant"), application.applicant_email),
        (t(lang, "review.col.submitted"), shown_time(application.submitted_at)),
    ]
    facts_html = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts)
    parts = [error_summary(lang, errors), f'<dl class="summary-list">{facts_html}</dl>']
    if application.seal_certificate_key:
        parts.append(
            f'<p><a href="{REVIEW_PATH}/{esc(application.application_id)}/seal-certificate" target="_blank" '
            f'rel="noopener">{esc(t(lang, "review.seal"))}</a></p>'
        )
    if application.status is ApplicationStatus.SUBMITTED:
        action = f"{REVIEW_PATH}/{esc(application.application_id)}"
        parts.append(
            f'<form method="post" action="{action}" novalidate>{csrf_input(session)}'
            '<input type="hidden" name="decision" value="approve">'
            f'<button class="button" type="submit">{esc(t(lang, "review.approve"))}</button></form>'
        )
        parts.append(
            f'<form method="post" action="{action}" novalidate>{csrf_input(session)}'
            '<input type="hidden" name="decision" value="reject">'
            + textarea("reason", t(lang, "review.reason"), reason, errors.get("reason"), rows=3)
            + f'<button class="button button--secondary" type="submit">{esc(t(lang, "review.reject"))}</button>'
            "</form>"
        )
    parts.append(f'<p><a href="{REVIEW_PATH}">{esc(t(lang, "review.back"))}</a></p>')
    title = t(lang, "review.detail.title", id=application.application_id)
    return render_page(lang=lang, title=title, body="".join(parts), status=status)


@router.get(f"{REVIEW_PATH}/<application_id>", include_in_schema=False)
def handle_get_prime_application_detail(application_id: str) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event, roles=REVIEWERS)
    application = service.find_application(application_id)
    if application is None:
        return message_page(lang, NotFound(detail="no such application waiting for review"))
    return _detail_page(lang, session, application)


@router.get(f"{REVIEW_PATH}/<application_id>/seal-certificate", include_in_schema=False)
def handle_get_prime_seal_certificate(application_id: str) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    require_session(event, roles=REVIEWERS)
    application = service.find_application(application_id)
    if application is None or not application.seal_certificate_key:
        return message_page(lang, NotFound(detail="no such application waiting for review"))
    return redirect(
        seal_certificate_link(get_settings().seal_certificates_bucket_name, application.seal_certificate_key)
    )


@router.post(f"{REVIEW_PATH}/<application_id>", include_in_schema=False)
def handle_post_prime_decision(application_id: str) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event, roles=REVIEWERS)
    form = parse_form(event)
    verify_csrf(session, form)
    decision = form.get("decision", "")
    if decision not in ("approve", "reject"):
        error = InvalidInput(detail="decision: approve or reject", errors=[FieldError("decision", "approve or reject")])
        return message_page(lang, error)
    try:
        result = service.decide_application(
            application_id,
            operator_sub=session.sub,
            approve=decision == "approve",
            reason=form.get("reason"),
            origin=origin_of(event),
        )
    except InvalidInput as error:
        application = service.find_application(application_id)
        if application is None:
            return message_page(lang, NotFound(detail="no such application waiting for review"))
        return _detail_page(
            lang, session, application, field_errors(lang, error), reason=form.get("reason", ""), status=400
        )
    except (Conflict, NotFound) as error:
        return message_page(lang, error)
    outcome = "approved" if result.application.status is ApplicationStatus.APPROVED else "rejected"
    return redirect(f"{REVIEW_PATH}?decided={application_id}&outcome={outcome}")
