"""The reviewers' jGrants pages: the queue (my assignments or the ministry's), one application (audited before
anything is shown) and the decision form (approve with the amount, reject or return with a reason).

Only this ministry's reviewers and operators get past the gate (403 for applicants and other ministries'
staff). The pages call the same review logic as the JSON API (:mod:`functions.submit.review.decisions`), never
the API over HTTP; a decision is a POST with the session's CSRF token, and a decision on a finished review is
shown as such (409).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.submit.applications.model import Application, Status
from functions.submit.applications.prefill import get_pointer
from functions.submit.applications.store import get_store
from functions.submit.applications.terms import SubsidyTerms, load_terms
from functions.submit.dal import get_store as catalogue
from functions.submit.principal import Principal
from functions.submit.review.decisions import Decision, decide, queue, review_view
from functions.submit.review.screening import requested_amount
from functions.submit.settings import get_settings
from functions.submit.staff import get_registry
from functions.submit.web import http, staff_pages
from functions.submit.web.schema_form import build_group, fields_of
from functions.submit.web.staff_texts import CHECKS, OUTCOMES, REVIEW_PATH, st
from functions.submit.web.texts import ATTACHMENT_STATES, STATUS_NAMES, t
from platform_common.browser_session import WebSession
from platform_common.errors import Conflict, InvalidInput, NotFound
from platform_common.japan_time import shown_time
from platform_common.web_layout import Language, error_summary, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

APPLICATION_ID: Final = re.compile(r"^[0-9a-f]{20}$")
QUEUE_STATUSES: Final = ("SUBMITTED", "UNDER_REVIEW", "RETURNED", "APPROVED", "REJECTED")
MAX_AMOUNT: Final = 10**12
MAX_REASON: Final = 2000


def _app_path(app_id: str, suffix: str = "") -> str:
    return f"{REVIEW_PATH}/applications/{app_id}{suffix}"


def _status(lang: Language, status: str) -> str:
    return STATUS_NAMES.get(status, {}).get(lang, status)


def _staff_names() -> dict[str, str]:
    return {m.sub: m.name for m in get_registry().list_staff()}


def _who(lang: Language, sub: str | None, principal: Principal, names: Mapping[str, str]) -> str:
    if not sub:
        return "—"
    return st(lang, "you") if sub == principal.sub else names.get(sub, sub)


# ------------------------------------------------------------------------------------------ the queue


@router.get(REVIEW_PATH, include_in_schema=False)
def handle_review_queue() -> Response[str]:
    lang = http.language(router)
    found = staff_pages.signed_in_staff(router, lang, staff_pages.REVIEW_ROLES)
    if isinstance(found, Response):
        return found
    session, principal = found
    params = http.query(router)
    default_scope = "mine" if "reviewer" in principal.staff_roles else "all"
    scope = params.get("scope") if params.get("scope") in ("mine", "all") else default_scope
    status = params.get("status") if params.get("status") in QUEUE_STATUSES else None
    titles = {s.id: s.title for s in catalogue().list_subsidies()}
    subsidy_ids = sorted(titles) if scope == "all" else []
    entries = queue(get_store(), principal, subsidy_ids, status, mine=scope == "mine")
    names = _staff_names()
    scopes = [("mine", st(lang, "queue_mine")), ("all", st(lang, "queue_all"))]
    statuses = [("", st(lang, "all_statuses"))] + [(s, _status(lang, s)) for s in QUEUE_STATUSES]
    filters = (
        f'<form class="form" method="get" action="{REVIEW_PATH}" role="search">'
        f'<input type="hidden" name="lang" value="{lang}">'
        + staff_pages.field("scope", st(lang, "queue_scope"), staff_pages.select("scope", scopes, scope))
        + staff_pages.field("status", st(lang, "queue_status"), staff_pages.select("status", statuses, status or ""))
        + f'<p><button class="button button--secondary" type="submit">{esc(st(lang, "show"))}</button></p></form>'
    )
    head = "".join(
        f'<th scope="col">{esc(st(lang, key))}</th>'
        for key in ("col_receipt", "col_subsidy", "col_corporation", "col_status", "col_submitted", "col_reviewer")
    )
    rows = "".join(
        f'<tr><th scope="row"><a href="{esc(with_query(_app_path(e["application_id"]), {"lang": lang}))}">'
        f"{esc(e.get('receipt_number') or e['application_id'])}</a></th>"
        f"<td>{esc(titles.get(e.get('subsidy_id', ''), e.get('subsidy_id', '')))}</td>"
        f"<td>{esc(e.get('corporate_number', ''))}</td>"
        f'<td data-status="{esc(e.get("status", ""))}">{esc(_status(lang, e.get("status", "")))}</td>'
        f"<td>{esc(shown_time(e.get('submitted_at')))}</td>"
        f"<td>{esc(_who(lang, e.get('assigned_reviewer'), principal, names))}</td></tr>"
        for e in entries
    )
    table = (
        f'<div class="table-wrap"><table class="data-table" id="queue"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f'<p id="queue">{esc(st(lang, "queue_none"))}</p>'
    )
    body = staff_pages.account_bar(lang, session, principal) + filters + table
    return staff_pages.page(router, lang, st(lang, "queue_title"), body)


# ------------------------------------------------------------------------------------------ one application


def _load(app_id: str) -> Application:
    app = get_store().get(app_id) if APPLICATION_ID.match(app_id) else None
    if app is None or app.status is Status.DRAFT:  # a draft is the applicant's alone
        raise NotFound(f"no application {app_id}")
    return app


def _facts(
    lang: Language, view: Mapping[str, Any], terms: SubsidyTerms, names: Mapping[str, str], me: Principal
) -> str:
    amount = requested_amount(terms.form_schema, view["form"])
    rows = [
        (t(lang, "receipt_number"), view.get("receipt_number") or "—"),
        (st(lang, "col_subsidy"), view["subsidy_title"]),
        (st(lang, "col_corporation"), view["corporate_number"]),
        (st(lang, "col_submitted"), shown_time(view.get("submitted_at"))),
        (st(lang, "requested"), "—" if amount is None else t(lang, "yen", amount=f"{amount:,}")),
        (t(lang, "col_max"), "—" if terms.max_amount is None else t(lang, "yen", amount=f"{terms.max_amount:,}")),
        (st(lang, "col_reviewer"), _who(lang, view.get("assigned_reviewer"), me, names)),
    ]
    mandate = view.get("on_behalf_under_mandate")
    if mandate:
        rows.append((st(lang, "applicant"), st(lang, "mandate", number=mandate.get("corporate_number", ""))))
    items = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in rows)
    return (
        f'<dl class="facts"><dt>{esc(t(lang, "status"))}</dt><dd id="application-status" '
        f'data-status="{esc(view["status"])}">{esc(_status(lang, view["status"]))}</dd>{items}</dl>'
    )


def _form_values(lang: Language, view: Mapping[str, Any], terms: SubsidyTerms) -> str:
    values = "".join(
        f"<dt>{esc(f.title)}</dt><dd>{esc(_shown(get_pointer(view['form'], f.pointer)))}</dd>"
        for f in fields_of(build_group(terms.form_schema))
    )
    return (
        f'<section aria-labelledby="form-values-title"><h2 id="form-values-title">{esc(st(lang, "form_values"))}'
        f'</h2><dl class="facts" id="form-values">{values}</dl></section>'
    )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _screening(lang: Language, view: Mapping[str, Any]) -> str:
    results = view.get("screening") or []
    if not results:
        listing = f"<p>{esc(st(lang, 'no_screening'))}</p>"
    else:
        listing = (
            '<ul id="screening">'
            + "".join(
                f'<li data-check="{esc(r.get("check", ""))}" data-passed="{str(bool(r.get("passed"))).lower()}">'
                f"<strong>{esc(st(lang, 'passed') if r.get('passed') else st(lang, 'failed'))}</strong> "
                f"{esc(CHECKS.get(str(r.get('check')), {}).get(lang, str(r.get('check'))))}"
                f"{(': ' + esc(r['why'])) if r.get('why') else ''}</li>"
                for r in results
            )
            + "</ul>"
        )
    return (
        f'<section aria-labelledby="screening-title"><h2 id="screening-title">{esc(st(lang, "screening"))}</h2>'
        f"{listing}</section>"
    )


def _attachments(lang: Language, view: Mapping[str, Any], terms: SubsidyTerms) -> str:
    labels = {a.code: (a.label_en if lang == "en" else a.label_ja) for a in terms.attachments}
    rows = "".join(
        f'<tr><th scope="row">{esc(a["file_name"])}</th><td>{esc(labels.get(a["kind"], a["kind"]))}</td>'
        f"<td>{esc(ATTACHMENT_STATES.get(a['state'], {}).get(lang, a['state']))}</td><td>"
        + (
            f'<a href="{esc(a["download_url"])}" aria-label="{esc(st(lang, "download_label", name=a["file_name"]))}"'
            f' rel="noreferrer">{esc(st(lang, "download"))}</a>'
            if a.get("download_url")
            else esc(st(lang, "not_verified"))
        )
        + "</td></tr>"
        for a in view.get("attachments", [])
    )
    head = "".join(
        f'<th scope="col">{esc(text)}</th>'
        for text in (t(lang, "col_file"), t(lang, "attachment_kind"), t(lang, "col_state"), st(lang, "download"))
    )
    listing = (
        f'<div class="table-wrap"><table class="data-table" id="attachments"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f'<p id="attachments">{esc(st(lang, "no_attachments"))}</p>'
    )
    return (
        f'<section aria-labelledby="attachments-title"><h2 id="attachments-title">'
        f"{esc(st(lang, 'attachments'))}</h2>{listing}</section>"
    )


def _history(lang: Language, view: Mapping[str, Any], me: Principal, names: Mapping[str, str]) -> str:
    head = "".join(
        f'<th scope="col">{esc(st(lang, key))}</th>' for key in ("col_at", "col_from", "col_to", "col_by", "col_reason")
    )
    rows = "".join(
        f"<tr><td>{esc(shown_time(h.get('at')))}</td><td>{esc(_status(lang, h.get('from', '')) or '—')}</td>"
        f"<td>{esc(_status(lang, h.get('to', '')))}</td><td>{esc(_who(lang, h.get('by'), me, names))}</td>"
        f"<td>{esc(h.get('reason') or '')}</td></tr>"
        for h in view.get("history", [])
    )
    return (
        f'<section aria-labelledby="history-title"><h2 id="history-title">{esc(st(lang, "history"))}</h2>'
        f'<div class="table-wrap"><table class="data-table" id="history"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div></section>"
    )


def _decision_shown(lang: Language, decision: Mapping[str, Any]) -> str:
    outcome = OUTCOMES.get(str(decision.get("outcome")), {}).get(lang, str(decision.get("outcome")))
    rows = [(st(lang, "decision_outcome"), outcome)]
    if decision.get("amount") is not None:
        rows.append((st(lang, "decision_amount"), t(lang, "yen", amount=f"{int(decision['amount']):,}")))
    if decision.get("reason"):
        rows.append((st(lang, "decision_reason"), str(decision["reason"])))
    return (
        '<dl class="facts" id="decision">'
        + "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in rows)
        + "</dl>"
    )


def _radio_id(index: int, value: str) -> str:
    """The first choice is ``field-outcome``, where the error summary's link lands."""
    return "field-outcome" if index == 0 else f"field-outcome-{value}"


def _decision_form(
    lang: Language,
    session: WebSession,
    app_id: str,
    posted: Mapping[str, str],
    errors: Mapping[str, str],
    suggested_amount: int | None,
) -> str:
    chosen = posted.get("outcome", "")
    outcome_error = errors.get("outcome")
    invalid = ' aria-invalid="true"' if outcome_error else ""
    radios = "".join(
        f'<div><input type="radio" name="outcome" value="{value}" id="{_radio_id(i, value)}"'
        f"{' checked' if chosen == value else ''}{invalid}> "
        f'<label for="{_radio_id(i, value)}">{esc(labels[lang])}</label></div>'
        for i, (value, labels) in enumerate(OUTCOMES.items())
    )
    described = ' aria-describedby="field-outcome-error"' if outcome_error else ""
    fieldset = (
        f'<fieldset class="form-field{" form-field--error" if outcome_error else ""}"{described}>'
        f'<legend class="form-field__label">{esc(st(lang, "outcome"))}</legend>'
        + (f'<p class="form-field__error" id="field-outcome-error">{esc(outcome_error)}</p>' if outcome_error else "")
        + radios
        + "</fieldset>"
    )
    amount = posted.get("amount", "" if suggested_amount is None else str(suggested_amount))
    action = esc(with_query(_app_path(app_id, "/decision"), {"lang": lang}))
    return (
        f'<section aria-labelledby="decision-title"><h2 id="decision-title">{esc(st(lang, "decision_title"))}</h2>'
        f"<p>{esc(st(lang, 'decision_intro'))}</p>"
        + error_summary(lang, errors)
        + f'<form class="form" method="post" action="{action}" id="decision-form" novalidate>'
        + http.csrf_input(session)
        + fieldset
        + staff_pages.field(
            "amount",
            st(lang, "amount"),
            staff_pages.text_input("amount", amount, extra=' inputmode="numeric" autocomplete="off"'),
            error=errors.get("amount"),
            hint=st(lang, "amount_hint"),
        )
        + staff_pages.field(
            "reason",
            st(lang, "reason"),
            staff_pages.text_area("reason", posted.get("reason", ""), 4, extra=f' maxlength="{MAX_REASON}"'),
            error=errors.get("reason"),
        )
        + f'<p><button class="button" type="submit" id="decide">{esc(st(lang, "decide"))}</button></p></form>'
        "</section>"
    )


def _application_page(
    lang: Language,
    session: WebSession,
    principal: Principal,
    app: Application,
    *,
    posted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response[str]:
    # audited before anything is shown: a read that cannot be audited is refused (503)
    view = review_view(get_store(), principal, app, get_settings().attachments_bucket_name)
    terms = load_terms(app.subsidy_id)
    names = _staff_names()
    parts = [staff_pages.account_bar(lang, session, principal), staff_pages.notice(notice)]
    if failure := view.get("review_failure"):
        text = st(lang, "review_failed", at=shown_time(failure.get("at")), error=failure.get("error", ""))
        parts.append(f'<p class="notice notice--error" role="alert" id="review-failure">{esc(text)}</p>')
    parts.append(_facts(lang, view, terms, names, principal))
    if view.get("decision"):
        parts.append(_decision_shown(lang, view["decision"]))
    if view["status"] == Status.UNDER_REVIEW.value and not view.get("decision_pending"):
        suggested = requested_amount(terms.form_schema, view["form"])
        parts.append(_decision_form(lang, session, app.application_id, posted or {}, errors or {}, suggested))
    elif view.get("decision_pending"):
        parts.append(f'<p class="notice" role="status">{esc(st(lang, "decision_pending"))}</p>')
    parts += [_screening(lang, view), _form_values(lang, view, terms), _attachments(lang, view, terms)]
    parts.append(_history(lang, view, principal, names))
    return staff_pages.page(
        router, lang, f"{st(lang, 'review_title')}: {app.subsidy_title}", "".join(parts), status=status
    )


@router.get(f"{REVIEW_PATH}/applications/<application_id>", include_in_schema=False)
def handle_review_application(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = staff_pages.signed_in_staff(router, lang, staff_pages.REVIEW_ROLES)
    if isinstance(found, Response):
        return found
    session, principal = found
    try:
        app = _load(application_id)
    except NotFound:
        return staff_pages.message(router, lang, "conflict_title", st(lang, "not_found"), 404)
    notice = st(lang, "deciding") if http.query(router).get("decided") == "1" else None
    return _application_page(lang, session, principal, app, notice=notice)


def _read_decision(lang: Language, posted: Mapping[str, str]) -> tuple[Decision | None, dict[str, str]]:
    """The decision the form asks for, or the errors of its fields (in the page's language)."""
    errors: dict[str, str] = {}
    outcome = posted.get("outcome", "")
    if outcome not in OUTCOMES:
        errors["outcome"] = st(lang, "outcome_required")
    amount: int | None = None
    typed = posted.get("amount", "").replace(",", "").replace("，", "").strip()
    if outcome == "approve":
        if not typed:
            errors["amount"] = st(lang, "amount_required")
        elif not typed.isascii() or not typed.isdigit() or not 1 <= int(typed) <= MAX_AMOUNT:
            errors["amount"] = st(lang, "amount_invalid")
        else:
            amount = int(typed)
    reason = posted.get("reason", "").strip()[:MAX_REASON] or None
    if outcome in ("reject", "return") and reason is None:
        errors["reason"] = st(lang, "reason_required")
    if errors:
        return None, errors
    return Decision(
        "approve" if outcome == "approve" else "reject" if outcome == "reject" else "return", amount, reason
    ), {}


@router.post(f"{REVIEW_PATH}/applications/<application_id>/decision", include_in_schema=False)
def handle_decision(application_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, staff_pages.signed_in_staff(router, lang, staff_pages.REVIEW_ROLES))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    try:
        app = _load(application_id)
    except NotFound:
        return staff_pages.message(router, lang, "conflict_title", st(lang, "not_found"), 404)
    decision, errors = _read_decision(lang, posted)
    if decision is None:
        return _application_page(lang, session, principal, app, posted=posted, errors=errors, status=400)
    try:
        decide(get_store(), principal, app, load_terms(app.subsidy_id), decision)
    except InvalidInput as invalid:  # the amount above the maximum or the amount asked for
        shown = {e.item: t(lang, "invalid", detail=e.message) for e in invalid.errors}
        return _application_page(lang, session, principal, app, posted=posted, errors=shown, status=400)
    except Conflict:
        finished = app.status is not Status.SUBMITTED
        key = "finished" if finished else "not_waiting"
        link = (st(lang, "review_title"), with_query(_app_path(application_id), {"lang": lang}))
        return staff_pages.message(router, lang, "conflict_title", st(lang, key), 409, link=link)
    return redirect(with_query(_app_path(application_id), {"lang": lang, "decided": "1"}))
