"""The applicant's jGrants pages: the form generated from the subsidy's schema (prefilled, saved as a draft on
the server), attachments uploaded through the page, submission with the receipt, "my applications" and
withdrawal. Each POST carries the session's CSRF token; every action goes through the same logic as the
JSON API (drafts, attachments, submission), judged for the same principal.

The submit form holds an idempotency key made when the page was drawn, so a double click or a resent form
is one application with one receipt. Drafts are saved with the version the page showed; a stale save
shows the saved draft and the fields that differ, never overwriting a colleague's work silently.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.submit import portal
from functions.submit.applications.access import corporations_of, require_access
from functions.submit.applications.drafts import save_draft
from functions.submit.applications.model import Application, Status, is_editable
from functions.submit.applications.prefill import exchange_documents, get_pointer, hojin_record, prefill
from functions.submit.applications.store import StaleVersion, get_store
from functions.submit.applications.submission import submit, withdraw
from functions.submit.applications.terms import SubsidyTerms, load_terms
from functions.submit.attachments import EXTENSIONS, MAX_BYTES, Attachment, attachments_of, complete, request_upload
from functions.submit.principal import Principal
from functions.submit.scan import scanner_named
from functions.submit.settings import get_settings
from functions.submit.web import http
from functions.submit.web.schema_form import build_group, fields_of, read_form, render_group
from functions.submit.web.texts import ATTACHMENT_STATES, STATUS_NAMES, t
from platform_common import aws
from platform_common.browser_session import WebSession
from platform_common.digits import is_ascii_digits
from platform_common.errors import Conflict, FieldError, InvalidInput, NotFound
from platform_common.japan_time import shown_time
from platform_common.web_layout import Language, error_summary, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

APPLICATION_ID: Final = re.compile(r"^[0-9a-f]{20}$")
ATTACHMENT_ID: Final = re.compile(r"^[0-9a-f]{20}$")
IDEMPOTENCY_KEY: Final = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CONTENT_TYPE_OF: Final = {ext: content for content, fmt in (
    ("application/pdf", "pdf"),
    ("image/png", "png"),
    ("image/jpeg", "jpeg"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("text/csv", "csv"),
) for ext in EXTENSIONS[fmt]}  # fmt: skip


def _path(app_id: str, suffix: str = "") -> str:
    return f"{portal.APPLICATIONS_PATH}/{app_id}{suffix}"


def _prefilled(principal: Principal, app: Application, terms: SubsidyTerms) -> dict[str, Any]:
    own = principal.corporate_number == app.corporate_number
    exchanged = exchange_documents(terms.form_schema, app.corporate_number)
    found = prefill(terms.form_schema, principal.claims, hojin_record(app.corporate_number), own, exchanged)
    return {f.pointer: f.value for f in found}


def _load(principal: Principal, app_id: str) -> Application:
    if not APPLICATION_ID.match(app_id):
        raise NotFound(f"no application {app_id}")
    return require_access(principal, get_store().get(app_id), app_id)[0]


def _signed_in(lang: Language) -> tuple[WebSession, Principal] | Response[str]:
    return http.require_sign_in(router, lang)


def _not_found(lang: Language) -> Response[str]:
    return http.message_page(router, lang, "conflict_title", t(lang, "not_found"), 404)


def _account_bar(lang: Language, session: WebSession, principal: Principal) -> str:
    action = esc(with_query(portal.LOGOUT_PATH, {"lang": lang}))
    name = principal.name or principal.corporate_number or ""
    return (
        f'<form method="post" action="{action}" class="account-bar"><p>{esc(t(lang, "signed_in_as", name=name))} '
        f'{http.csrf_input(session)}<button class="button button--secondary" type="submit">'
        f"{esc(t(lang, 'logout'))}</button></p></form>"
    )


# ------------------------------------------------------------------------------------------ the form page


def _error_text(lang: Language, error: FieldError) -> str:
    return t(lang, "required") if error.message == "required" else t(lang, "invalid", detail=error.message)


def _attachment_section(
    lang: Language,
    session: WebSession,
    app: Application,
    terms: SubsidyTerms,
    attachments: Sequence[Attachment],
    errors: Mapping[str, str],
) -> str:
    needs = [a for a in terms.attachments if a.exchange_service is None]
    label_of = {a.code: (a.label_en if lang == "en" else a.label_ja) for a in terms.attachments}
    rows = "".join(
        f'<tr><th scope="row">{esc(a.file_name)}</th><td>{esc(label_of.get(a.kind, a.kind))}</td>'
        f"<td>{esc(ATTACHMENT_STATES.get(a.state.value, {}).get(lang, a.state.value))}</td></tr>"
        for a in attachments
    )
    head = "".join(f'<th scope="col">{esc(t(lang, key))}</th>' for key in ("col_file", "attachment_kind", "col_state"))
    listing = (
        f'<div class="table-wrap"><table class="data-table" id="attachment-list"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f'<p id="attachment-list">{esc(t(lang, "no_attachments"))}</p>'
    )
    exchange = "".join(
        f"<li>{esc(label_of[a.code])}{esc(t(lang, 'by_exchange'))}</li>"
        for a in terms.attachments
        if a.exchange_service
    )
    options = "".join(
        f'<option value="{esc(a.code)}">{esc(label_of[a.code])} ({esc(", ".join(a.formats).upper())})</option>'
        for a in needs
    )
    kind_error, file_error = errors.get("kind"), errors.get("file")
    action = esc(with_query(_path(app.application_id, "/attachments"), {"lang": lang}))
    upload = (
        f'<form class="form" method="post" action="{action}" enctype="multipart/form-data">{http.csrf_input(session)}'
        + _simple_error_field("kind", t(lang, "attachment_kind"), kind_error,
                              f'<select class="form-field__input" id="field-kind" name="kind" required{{aria}}>'
                              f'{options}</select>')
        + _simple_error_field("file", t(lang, "attachment_file"), file_error,
                              '<input class="form-field__input" id="field-file" name="file" type="file" required'
                              ' accept=".pdf,.png,.jpg,.jpeg,.xlsx,.docx,.csv"{aria}>',
                              hint=t(lang, "attachment_hint", mb=http.MAX_PAGE_UPLOAD_BYTES // (1024 * 1024)))
        + f'<p><button class="button button--secondary" type="submit">{esc(t(lang, "upload"))}</button></p></form>'
    )  # fmt: skip
    missing = "".join(
        f'<li id="attachment-missing-{esc(c)}">{esc(m)}</li>' for c, m in errors.items() if c.startswith("attachments/")
    )
    missing_html = f'<ul class="form-field__error" role="alert">{missing}</ul>' if missing else ""
    return (
        f'<section aria-labelledby="attachments-title" id="attachments"><h2 id="attachments-title">'
        f"{esc(t(lang, 'attachments'))}</h2>{missing_html}{listing}"
        + (f"<ul>{exchange}</ul>" if exchange else "")
        + (upload if needs else "")
        + "</section>"
    )


def _simple_error_field(name: str, label: str, error: str | None, control: str, hint: str | None = None) -> str:
    described = []
    parts = [f'<div class="form-field{" form-field--error" if error else ""}">']
    parts.append(f'<label class="form-field__label" for="field-{name}">{esc(label)}</label>')
    if hint:
        parts.append(f'<p class="form-field__hint" id="field-{name}-hint">{esc(hint)}</p>')
        described.append(f"field-{name}-hint")
    if error:
        parts.append(f'<p class="form-field__error" id="field-{name}-error">{esc(error)}</p>')
        described.append(f"field-{name}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    if error:
        aria += ' aria-invalid="true"'
    parts.append(control.replace("{aria}", aria))
    parts.append("</div>")
    return "".join(parts)


def _form_page(
    lang: Language,
    session: WebSession,
    principal: Principal,
    app: Application,
    *,
    form: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    stale: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> Response[str]:
    terms = load_terms(app.subsidy_id)
    group = build_group(terms.form_schema)
    prefilled = _prefilled(principal, app, terms)
    errors = dict(errors or {})
    field_errors = {k: v for k, v in errors.items() if k.startswith("/")}
    parts = [_account_bar(lang, session, principal)]
    parts.append(
        f'<p>{esc(t(lang, "status"))}: <strong id="application-status">'
        f"{esc(STATUS_NAMES[app.status.value][lang])}</strong></p>"
    )
    if notice:
        parts.append(f'<p class="notice" role="status" id="notice">{esc(notice)}</p>')
    if stale:
        items = "".join(f"<li>{esc(title)}: {esc(t(lang, 'stale_yours', value=value))}</li>" for title, value in stale)
        parts.append(f'<div class="notice notice--error" role="alert" id="stale"><p>{esc(t(lang, "stale"))}</p>'
                     f"<ul>{items}</ul></div>")  # fmt: skip
    parts.append(error_summary(lang, {k: v for k, v in errors.items() if k.startswith("/")}))
    action = esc(with_query(_path(app.application_id), {"lang": lang}))
    parts.append(
        f'<section aria-labelledby="form-title"><h2 id="form-title">{esc(t(lang, "form_title"))}</h2>'
        f"<p>{esc(t(lang, 'form_intro'))}</p>"
        f'<form class="form" method="post" action="{action}" id="application-form" novalidate>'
        f'{http.csrf_input(session)}<input type="hidden" name="version" value="{app.version}">'
        + render_group(group, lang, form if form is not None else app.form, prefilled, field_errors)
        + f'<p><button class="button button--secondary" type="submit" name="action" value="save">'
        f"{esc(t(lang, 'save'))}</button></p></form></section>"
    )
    parts.append(
        _attachment_section(lang, session, app, terms, attachments_of(get_store(), app.application_id), errors)
    )
    submit_action = esc(with_query(_path(app.application_id, "/submit"), {"lang": lang}))
    parts.append(
        f'<section aria-labelledby="submit-title"><h2 id="submit-title">{esc(t(lang, "submit_title"))}</h2>'
        f"<p>{esc(t(lang, 'submit_intro'))}</p>"
        f'<form method="post" action="{submit_action}">{http.csrf_input(session)}'
        f'<input type="hidden" name="idempotency_key" value="{secrets.token_urlsafe(24)}">'
        f'<p><button class="button" type="submit">{esc(t(lang, "submit"))}</button></p></form></section>'
    )
    return http.page(router, lang, terms.title, "".join(parts), status=status)


def _view_page(lang: Language, session: WebSession, principal: Principal, app: Application) -> Response[str]:
    """A submitted (or closed) application: its status, receipt and what was sent, read-only."""
    terms = load_terms(app.subsidy_id)
    values = "".join(
        f"<dt>{esc(f.title)}</dt><dd>{esc(get_pointer(app.form, f.pointer) or '—')}</dd>"
        for f in fields_of(build_group(terms.form_schema))
    )
    parts = [
        _account_bar(lang, session, principal),
        f'<dl class="facts"><dt>{esc(t(lang, "status"))}</dt><dd id="application-status">'
        f"{esc(STATUS_NAMES[app.status.value][lang])}</dd>"
        f"<dt>{esc(t(lang, 'receipt_number'))}</dt><dd>{esc(app.receipt_number or '—')}</dd></dl>",
        f'<h2>{esc(t(lang, "view_title"))}</h2><dl class="facts">{values}</dl>',
        _withdraw_form(lang, session, app),
    ]
    return http.page(router, lang, terms.title, "".join(parts))


def _withdraw_form(lang: Language, session: WebSession, app: Application) -> str:
    if app.status not in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        return ""
    action = esc(with_query(_path(app.application_id, "/withdraw"), {"lang": lang}))
    name = esc(t(lang, "withdraw_label", title=app.subsidy_title))
    return (
        f'<form method="post" action="{action}">{http.csrf_input(session)}'
        f'<button class="button button--secondary" type="submit" aria-label="{name}">'
        f"{esc(t(lang, 'withdraw'))}</button></form>"
    )


@router.get(f"{portal.APPLICATIONS_PATH}/<application_id>", include_in_schema=False)
def handle_application_page(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    try:
        app = _load(principal, application_id)
    except NotFound:
        return _not_found(lang)
    if not is_editable(app.status):
        return _view_page(lang, session, principal, app)
    params = http.query(router)
    notice = t(lang, "saved", at=shown_time(app.updated_at)) if params.get("saved") == "1" else None
    uploaded = params.get("uploaded", "")
    if ATTACHMENT_ID.match(uploaded):
        shown = next((a for a in attachments_of(get_store(), app.application_id) if a.attachment_id == uploaded), None)
        if shown is not None:
            state = ATTACHMENT_STATES.get(shown.state.value, {}).get(lang, shown.state.value)
            notice = t(lang, "uploaded", name=shown.file_name, state=state)
    return _form_page(lang, session, principal, app, notice=notice)


@router.post(f"{portal.APPLICATIONS_PATH}/<application_id>", include_in_schema=False)
def handle_save_draft(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, _signed_in(lang))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    try:
        app = _load(principal, application_id)
    except NotFound:
        return _not_found(lang)
    version = posted.get("version", "")
    if not is_ascii_digits(version) or len(version) > 9:
        return http.message_page(router, lang, "conflict_title", t(lang, "bad_request"), 400)
    terms = load_terms(app.subsidy_id)
    group = build_group(terms.form_schema)
    prefilled = _prefilled(principal, app, terms)
    typed = read_form(group, posted, app.form, prefilled)
    try:
        save_draft(get_store(), principal, application_id, int(version), typed)
    except StaleVersion as stale:
        current = stale.current
        differ = [
            (
                f.title,
                str(get_pointer(typed, f.pointer) if get_pointer(typed, f.pointer) is not None else t(lang, "empty")),
            )
            for f in fields_of(group)
            if get_pointer(typed, f.pointer) != get_pointer(current.form, f.pointer)
        ]
        return _form_page(lang, session, principal, current, stale=differ, status=409)
    except Conflict as refused:
        return http.message_page(router, lang, "conflict_title", refused.detail or t(lang, "bad_request"), 409)
    return redirect(with_query(_path(application_id), {"lang": lang, "saved": "1"}))


@router.post(f"{portal.APPLICATIONS_PATH}/<application_id>/attachments", include_in_schema=False)
def handle_upload(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    fields, upload, too_large = http.multipart(router)
    mb = http.MAX_PAGE_UPLOAD_BYTES // (1024 * 1024)
    if too_large:  # nothing was read (not even the CSRF token): refuse without acting
        return http.message_page(router, lang, "conflict_title", t(lang, "file_too_large", mb=mb), 413)
    session.verify_csrf(fields)
    try:
        app = _load(principal, application_id)
    except NotFound:
        return _not_found(lang)
    errors: dict[str, str] = {}
    kind = fields.get("kind", "")
    if not kind:
        errors["kind"] = t(lang, "kind_missing")
    if upload is None or not upload.body:
        errors["file"] = t(lang, "file_missing")
    elif len(upload.body) > min(http.MAX_PAGE_UPLOAD_BYTES, MAX_BYTES):
        errors["file"] = t(lang, "file_too_large", mb=mb)
    if errors or upload is None:
        return _form_page(lang, session, principal, app, errors=errors, status=400)
    extension = "." + upload.file_name.rpartition(".")[2].lower() if "." in upload.file_name else ""
    content_type = CONTENT_TYPE_OF.get(extension, upload.content_type)
    digest = base64.b64encode(hashlib.sha256(upload.body).digest()).decode()
    terms, bucket = load_terms(app.subsidy_id), get_settings().attachments_bucket_name
    try:
        attachment, _ = request_upload(
            get_store(), bucket, app, terms, kind=kind, file_name=upload.file_name,
            content_type=content_type, size=len(upload.body), sha256=digest,
        )  # fmt: skip
    except InvalidInput as invalid:
        shown = {
            ("file" if e.item in ("file_name", "content_type", "size") else "kind"): e.message for e in invalid.errors
        }
        return _form_page(lang, session, principal, app, errors=shown, status=400)
    except Conflict as refused:
        return _form_page(lang, session, principal, app, errors={"file": refused.detail or ""}, status=409)
    # the same checksum S3 enforces on a presigned upload: a body altered on the way is refused by S3 itself
    aws.client("s3").put_object(
        Bucket=bucket, Key=attachment.s3_key, Body=upload.body, ContentType=content_type, ChecksumSHA256=digest
    )
    done = complete(get_store(), bucket, scanner_named(get_settings().malware_scanner), app, attachment.attachment_id,
                    principal.sub)  # fmt: skip
    return redirect(with_query(_path(application_id), {"lang": lang, "uploaded": done.attachment_id}) + "#attachments")


@router.post(f"{portal.APPLICATIONS_PATH}/<application_id>/submit", include_in_schema=False)
def handle_submit(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, _signed_in(lang))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    try:
        app = _load(principal, application_id)
    except NotFound:
        return _not_found(lang)
    key = posted.get("idempotency_key", "")
    if not IDEMPOTENCY_KEY.match(key):
        return http.message_page(router, lang, "conflict_title", t(lang, "bad_request"), 400)
    terms = load_terms(app.subsidy_id)
    try:
        submit(get_store(), principal, terms, application_id, key, datetime.now(UTC))
    except InvalidInput as invalid:
        labels = {a.code: (a.label_en if lang == "en" else a.label_ja) for a in terms.attachments}
        errors: dict[str, str] = {}
        for error in invalid.errors:
            if error.item.startswith("attachments/"):
                code = error.item.partition("/")[2]
                errors[error.item] = t(lang, "attachment_missing", label=labels.get(code, code))
            else:
                errors.setdefault(error.item, _error_text(lang, error))
        return _form_page(lang, session, principal, app, errors=errors, status=400)
    except Conflict as refused:
        if app.status in (Status.DRAFT, Status.RETURNED):
            return _form_page(lang, session, principal, app, notice=refused.detail, status=409)
        return http.message_page(router, lang, "conflict_title", refused.detail or "", 409)
    return redirect(with_query(_path(application_id, "/receipt"), {"lang": lang}))


@router.get(f"{portal.APPLICATIONS_PATH}/<application_id>/receipt", include_in_schema=False)
def handle_receipt(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    _, principal = found
    try:
        app = _load(principal, application_id)
    except NotFound:
        return _not_found(lang)
    if not app.receipt_number:
        return redirect(with_query(_path(application_id), {"lang": lang}))
    body = (
        f'<p class="notice" role="status">{esc(app.subsidy_title)}</p>'
        f'<dl class="facts"><dt>{esc(t(lang, "receipt_number"))}</dt><dd id="receipt-number">'
        f"{esc(app.receipt_number)}</dd><dt>{esc(t(lang, 'status'))}</dt>"
        f"<dd>{esc(STATUS_NAMES[app.status.value][lang])}</dd></dl>"
        f"<p>{esc(t(lang, 'receipt_note'))}</p>"
        f'<p><a class="button" href="{esc(with_query(portal.APPLICATIONS_PATH, {"lang": lang}))}">'
        f"{esc(t(lang, 'to_list'))}</a></p>"
    )
    return http.page(router, lang, t(lang, "receipt_title"), body)


@router.post(f"{portal.APPLICATIONS_PATH}/<application_id>/withdraw", include_in_schema=False)
def handle_withdraw(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    session.verify_csrf(http.form(router))
    try:
        _load(principal, application_id)
        withdraw(get_store(), principal, application_id, None)
    except NotFound:
        return _not_found(lang)
    except Conflict as refused:
        return http.message_page(router, lang, "conflict_title", refused.detail or "", 409)
    return redirect(with_query(portal.APPLICATIONS_PATH, {"lang": lang, "withdrawn": "1"}))


# ------------------------------------------------------------------------------------------ my applications


@router.get(portal.APPLICATIONS_PATH, include_in_schema=False)
def handle_my_applications() -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    store = get_store()
    apps = [app for number in corporations_of(principal) for app in store.for_corporation(number)]
    parts = [_account_bar(lang, session, principal)]
    if http.query(router).get("withdrawn") == "1":
        parts.append(f'<p class="notice" role="status" id="notice">{esc(t(lang, "withdrawn"))}</p>')
    if not apps:
        parts.append(f'<p id="applications">{esc(t(lang, "apps_none"))}</p>')
    else:
        head = "".join(
            f'<th scope="col">{esc(t(lang, key))}</th>'
            for key in ("col_title", "col_status", "col_receipt", "col_updated", "col_action")
        )
        rows = "".join(
            f'<tr><th scope="row"><a href="{esc(with_query(_path(a.application_id), {"lang": lang}))}">'
            f"{esc(a.subsidy_title)}</a></th>"
            f'<td data-status="{a.status.value}">{esc(STATUS_NAMES[a.status.value][lang])}</td>'
            f"<td>{esc(a.receipt_number or '—')}</td><td>{esc(shown_time(a.updated_at))}</td>"
            f"<td>{_withdraw_form(lang, session, a)}</td></tr>"
            for a in apps
        )
        parts.append(
            f'<div class="table-wrap"><table class="data-table" id="applications"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    return http.page(router, lang, t(lang, "apps_title"), "".join(parts))
