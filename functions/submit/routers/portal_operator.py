"""The ministry operators' jGrants pages: the catalogue (list, create, edit with the version shown) and the staff
registry (add or change a role, remove). Plain forms, each POST with the session's CSRF token.

Every change goes through the catalogue's and the registry's own logic (:mod:`functions.submit.catalog.editing`,
:mod:`functions.submit.staff`), judged for the same principal as the JSON API: checked (the form schema against
JSON Schema 2020-12, each error shown with its JSON pointer), versioned (an edit over a version that is no longer
current is refused and says which is) and audited. Dates are typed in Japan time, as jGrants' deadlines are set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from functions.submit.catalog.documents import SubsidyCreateRequest
from functions.submit.catalog.editing import CatalogueChange, create_subsidy, update_subsidy
from functions.submit.dal import SubsidyItem, get_store
from functions.submit.models import SubsidyContent
from functions.submit.principal import JST
from functions.submit.schedule import audit_log, match_saved_searches
from functions.submit.staff import SUB_PATTERN, StaffMember, StaffMemberRequest, get_registry
from functions.submit.web import http, staff_pages
from functions.submit.web.staff_pages import field, select, text_area, text_input
from functions.submit.web.staff_texts import OPERATOR_PATH, st
from functions.submit.web.texts import t
from platform_common.browser_session import WebSession
from platform_common.digits import is_ascii_digits
from platform_common.errors import Conflict, FieldError, InvalidInput, NotFound, PreconditionFailed
from platform_common.japan_time import shown_time
from platform_common.web_layout import Language, error_summary, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

SUBSIDIES_PATH: Final = f"{OPERATOR_PATH}/subsidies"
NEW_SUBSIDY_PATH: Final = f"{SUBSIDIES_PATH}/new"
STAFF_PATH: Final = f"{OPERATOR_PATH}/staff"
SUBSIDY_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SUB: Final = re.compile(SUB_PATTERN)
LOCAL_DATETIME: Final = "%Y-%m-%dT%H:%M"
TEXT_FIELDS: Final = (
    ("name", "field_name"),
    ("title", "field_title"),
    ("subsidy_catch_phrase", "field_catch"),
    ("use_purpose", "field_purpose"),
    ("industry", "field_industry"),
    ("target_area_search", "field_area"),
    ("target_area_detail", "field_area_detail"),
    ("target_number_of_employees", "field_employees"),
    ("subsidy_rate", "field_rate"),
)
DATE_FIELDS: Final = (
    ("acceptance_start_datetime", "field_start"),
    ("acceptance_end_datetime", "field_end"),
    ("project_end_deadline", "field_project_end"),
)
# the form's fields, top to bottom: where the error summary points
FIELD_ORDER: Final = (
    "id",
    *(name for name, _ in TEXT_FIELDS),
    "detail",
    "subsidy_max_limit",
    *(name for name, _ in DATE_FIELDS),
    "published",
    "minimum_tier",
    "attachments",
    "form_schema",
)


def _operator(lang: Language) -> tuple[WebSession, Any] | Response[str]:
    return staff_pages.signed_in_staff(router, lang, staff_pages.OPERATOR_ROLES)


# ------------------------------------------------------------------------------------------ the catalogue


@router.get(SUBSIDIES_PATH, include_in_schema=False)
def handle_operator_subsidies() -> Response[str]:
    lang = http.language(router)
    found = _operator(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    items = sorted(get_store().list_items(), key=lambda i: i.id)
    head = "".join(
        f'<th scope="col">{esc(st(lang, key))}</th>'
        for key in ("col_title", "col_id", "col_name", "col_published", "col_version", "col_updated")
    )
    rows = "".join(_summary_row(lang, item) for item in items)
    body = (
        staff_pages.account_bar(lang, session, principal)
        + f'<p><a class="button" href="{esc(with_query(NEW_SUBSIDY_PATH, {"lang": lang}))}">'
        f"{esc(st(lang, 'new_subsidy'))}</a></p>"
        f'<div class="table-wrap"><table class="data-table" id="subsidies"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
    return staff_pages.page(router, lang, st(lang, "subsidies_title"), body)


def _summary_row(lang: Language, item: SubsidyItem) -> str:
    subsidy = item.to_subsidy()
    href = with_query(f"{SUBSIDIES_PATH}/{subsidy.id}", {"lang": lang})
    updated = shown_time(subsidy.updated_date)
    return (
        f'<tr><th scope="row"><a href="{esc(href)}">{esc(subsidy.title)}</a></th><td>{esc(subsidy.id)}</td>'
        f"<td>{esc(subsidy.name)}</td>"
        f"<td>{esc(st(lang, 'published_yes' if subsidy.published else 'published_no'))}</td>"
        f"<td>{item.version}</td><td>{esc(updated)}</td></tr>"
    )


def _local(value: datetime | None) -> str:
    return value.astimezone(JST).strftime(LOCAL_DATETIME) if value else ""


def _values_of(item: SubsidyItem) -> dict[str, str]:
    """What the edit form shows of a stored subsidy (the same names the form posts)."""
    subsidy = item.to_subsidy()
    values = {name: str(getattr(subsidy, name) or "") for name, _ in TEXT_FIELDS}
    values.update({name: _local(getattr(subsidy, name)) for name, _ in DATE_FIELDS})
    attachments = [a.model_dump(exclude_none=True) for a in subsidy.attachments]
    values.update(
        {
            "id": subsidy.id,
            "detail": subsidy.detail or "",
            "subsidy_max_limit": "" if subsidy.subsidy_max_limit is None else str(subsidy.subsidy_max_limit),
            "published": "1" if subsidy.published else "",
            "minimum_tier": subsidy.minimum_tier,
            "attachments": json.dumps(attachments, ensure_ascii=False, indent=2),
            "form_schema": ""
            if subsidy.form_schema is None
            else json.dumps(subsidy.form_schema, ensure_ascii=False, indent=2),
        }
    )
    return values


def _subsidy_form(
    lang: Language,
    session: WebSession,
    action: str,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    version: int | None,
) -> str:
    def error(name: str) -> str | None:
        return staff_pages.errors_of(errors, name)

    parts = [
        error_summary(lang, {name: error(name) or "" for name in FIELD_ORDER if error(name)}),
        f'<form class="form" method="post" action="{esc(with_query(action, {"lang": lang}))}" id="subsidy-form" '
        f"novalidate>{http.csrf_input(session)}",
    ]
    if version is None:
        parts.append(
            field(
                "id",
                st(lang, "field_id"),
                text_input("id", values.get("id"), extra=' maxlength="64"'),
                error=error("id"),
            )
        )
    else:
        parts.append(f'<input type="hidden" name="version" value="{version}">')
    for name, key in TEXT_FIELDS:
        parts.append(field(name, st(lang, key), text_input(name, values.get(name)), error=error(name)))
    parts.append(
        field(
            "detail", st(lang, "field_detail"), text_area("detail", values.get("detail", ""), 4), error=error("detail")
        )
    )
    parts.append(
        field(
            "subsidy_max_limit",
            st(lang, "field_max"),
            text_input("subsidy_max_limit", values.get("subsidy_max_limit"), extra=' inputmode="numeric"'),
            error=error("subsidy_max_limit"),
        )
    )
    for name, key in DATE_FIELDS:
        parts.append(
            field(name, st(lang, key), text_input(name, values.get(name), kind="datetime-local"), error=error(name))
        )
    checked = " checked" if values.get("published") else ""
    parts.append(
        f'<div class="form-field"><input id="field-published" name="published" type="checkbox" value="1"{checked}>'
        f' <label for="field-published">{esc(st(lang, "field_published"))}</label></div>'
    )
    tiers = [("entry", st(lang, "tier_entry")), ("prime", st(lang, "tier_prime"))]
    parts.append(
        field(
            "minimum_tier",
            st(lang, "field_tier"),
            select("minimum_tier", tiers, values.get("minimum_tier", "entry")),
            error=error("minimum_tier"),
        )
    )
    parts.append(
        field(
            "attachments",
            st(lang, "field_attachments"),
            text_area("attachments", values.get("attachments", "[]"), 6, extra=' spellcheck="false"'),
            error=error("attachments"),
            hint=st(lang, "attachments_hint"),
        )
    )
    parts.append(
        field(
            "form_schema",
            st(lang, "field_schema"),
            text_area("form_schema", values.get("form_schema", ""), 16, extra=' spellcheck="false"'),
            error=error("form_schema"),
            hint=st(lang, "schema_hint"),
        )
    )
    parts.append(f'<p><button class="button" type="submit">{esc(st(lang, "save"))}</button></p></form>')
    return "".join(parts)


def _read_subsidy(lang: Language, posted: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted form as a subsidy document, and the errors of fields that could not be read."""
    errors: dict[str, str] = {}
    content: dict[str, Any] = {}
    for name, _ in TEXT_FIELDS:
        content[name] = posted.get(name, "").strip() or None
    content["detail"] = posted.get("detail", "").strip() or None
    limit = posted.get("subsidy_max_limit", "").replace(",", "").strip()
    if limit and not (limit.isascii() and limit.isdigit()):
        errors["subsidy_max_limit"] = t(lang, "invalid", detail=limit)
    content["subsidy_max_limit"] = int(limit) if limit and "subsidy_max_limit" not in errors else None
    for name, _ in DATE_FIELDS:
        typed = posted.get(name, "").strip()
        try:
            content[name] = datetime.strptime(typed, LOCAL_DATETIME).replace(tzinfo=JST) if typed else None
        except ValueError:
            errors[name] = t(lang, "invalid", detail=typed)
    content["published"] = posted.get("published") == "1"
    content["minimum_tier"] = posted.get("minimum_tier", "entry")
    for name, empty in (("attachments", []), ("form_schema", None)):
        typed = posted.get(name, "").strip()
        try:
            content[name] = json.loads(typed) if typed else empty
        except json.JSONDecodeError as bad:
            errors[name] = st(lang, "json_invalid", detail=f"{bad.msg}, line {bad.lineno} column {bad.colno}")
        except RecursionError:
            errors[name] = st(lang, "json_invalid", detail="nested too deeply")
    return content, errors


def _validation_errors(lang: Language, invalid: ValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in invalid.errors():
        where = "/".join(str(part) for part in error["loc"]) or "form"
        found.setdefault(where, t(lang, "invalid", detail=error["msg"]))
    return found


def _domain_errors(lang: Language, errors: list[FieldError]) -> dict[str, str]:
    return {e.item: t(lang, "invalid", detail=e.message) for e in errors}


def _after_change(change: CatalogueChange, now: datetime) -> None:
    if change.newly_published:
        match_saved_searches(now)  # as the API does: saved searches hear of a newly published subsidy at once


def _edit_page(
    lang: Language,
    session: WebSession,
    principal: Any,
    title: str,
    action: str,
    values: Mapping[str, str],
    *,
    version: int | None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    alert: str | None = None,
    status: int = 200,
) -> Response[str]:
    body = staff_pages.account_bar(lang, session, principal) + staff_pages.notice(notice)
    if alert:
        body += f'<div class="notice notice--error" role="alert" id="stale">{alert}</div>'
    body += _subsidy_form(lang, session, action, values, errors or {}, version=version)
    return staff_pages.page(router, lang, title, body, status=status)


# registered before the templated path, so "new" is never read as a subsidy id
@router.get(NEW_SUBSIDY_PATH, include_in_schema=False)
def handle_new_subsidy() -> Response[str]:
    lang = http.language(router)
    found = _operator(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    values = {"minimum_tier": "entry", "attachments": "[]"}
    return _edit_page(lang, session, principal, st(lang, "new_subsidy"), SUBSIDIES_PATH, values, version=None)


@router.post(SUBSIDIES_PATH, include_in_schema=False)
def handle_create_subsidy() -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, _operator(lang))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    content, errors = _read_subsidy(lang, posted)
    subsidy_id = posted.get("id", "").strip()
    if subsidy_id and not SUBSIDY_ID.match(subsidy_id):
        errors["id"] = t(lang, "invalid", detail="A-Z a-z 0-9 _ -")
    now = datetime.now(UTC)
    try:
        if errors:
            raise InvalidInput("the form could not be read")
        request = SubsidyCreateRequest.model_validate({**content, "id": subsidy_id or None})
        change = create_subsidy(get_store(), audit_log(), principal, request, now)
    except ValidationError as invalid:
        errors = _validation_errors(lang, invalid)
    except (InvalidInput, Conflict) as refused:
        errors = {**errors, **_domain_errors(lang, refused.errors)}
    else:
        _after_change(change, now)
        target = with_query(f"{SUBSIDIES_PATH}/{change.item.id}", {"lang": lang, "created": str(change.item.version)})
        return redirect(target)
    return _edit_page(
        lang,
        session,
        principal,
        st(lang, "new_subsidy"),
        SUBSIDIES_PATH,
        posted,
        version=None,
        errors=errors,
        status=400,
    )


@router.get(f"{SUBSIDIES_PATH}/<subsidy_id>", include_in_schema=False)
def handle_edit_subsidy(subsidy_id: str) -> Response[str]:
    lang = http.language(router)
    found = _operator(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    item = get_store().get_item(subsidy_id) if SUBSIDY_ID.match(subsidy_id) else None
    if item is None:
        return staff_pages.message(router, lang, "conflict_title", t(lang, "not_found"), 404)
    params = http.query(router)
    notice = None
    if is_ascii_digits(params.get("saved", "")):
        notice = st(lang, "saved", version=params["saved"])
    elif is_ascii_digits(params.get("created", "")):
        notice = st(lang, "created", version=params["created"])
    title = f"{st(lang, 'edit_subsidy')}: {item.to_subsidy().title}"
    return _edit_page(
        lang,
        session,
        principal,
        title,
        f"{SUBSIDIES_PATH}/{subsidy_id}",
        _values_of(item),
        version=item.version,
        notice=notice,
    )


@router.post(f"{SUBSIDIES_PATH}/<subsidy_id>", include_in_schema=False)
def handle_update_subsidy(subsidy_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, _operator(lang))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    item = get_store().get_item(subsidy_id) if SUBSIDY_ID.match(subsidy_id) else None
    version = posted.get("version", "")
    if item is None:
        return staff_pages.message(router, lang, "conflict_title", t(lang, "not_found"), 404)
    if not is_ascii_digits(version) or len(version) > 9:
        return staff_pages.message(router, lang, "conflict_title", t(lang, "bad_request"), 400)
    content, errors = _read_subsidy(lang, posted)
    now = datetime.now(UTC)
    path = f"{SUBSIDIES_PATH}/{subsidy_id}"
    title = f"{st(lang, 'edit_subsidy')}: {item.to_subsidy().title}"
    try:
        if errors:
            raise InvalidInput("the form could not be read")
        request = SubsidyContent.model_validate(content)
        change = update_subsidy(get_store(), audit_log(), principal, subsidy_id, int(version), request, now)
    except ValidationError as invalid:
        errors = _validation_errors(lang, invalid)
    except PreconditionFailed:
        latest = get_store().get_item(subsidy_id)
        current = latest.version if latest else int(version)
        link = with_query(path, {"lang": lang})
        alert = (
            f"<p>{esc(st(lang, 'stale', version=current))}</p>"
            f'<p><a href="{esc(link)}">{esc(st(lang, "reload"))}</a></p>'
        )
        # the operator's typed values stay on the page, with the version they were based on
        return _edit_page(lang, session, principal, title, path, posted, version=int(version), alert=alert, status=409)
    except (InvalidInput, Conflict) as refused:
        errors = {**errors, **_domain_errors(lang, refused.errors)}
    else:
        _after_change(change, now)
        return redirect(with_query(path, {"lang": lang, "saved": str(change.item.version)}))
    return _edit_page(lang, session, principal, title, path, posted, version=int(version), errors=errors, status=400)


# ------------------------------------------------------------------------------------------ the staff


def _staff_page(
    lang: Language,
    session: WebSession,
    principal: Any,
    *,
    posted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    alert: str | None = None,
    status: int = 200,
) -> Response[str]:
    posted, errors = posted or {}, errors or {}
    staff = sorted(get_registry().list_staff(), key=lambda m: (m.role, m.name, m.sub))
    head = "".join(
        f'<th scope="col">{esc(st(lang, key))}</th>'
        for key in ("col_staff_name", "col_role", "col_sub", "col_email", "col_action")
    )
    rows = "".join(
        f'<tr><th scope="row">{esc(m.name)}</th><td data-role="{m.role}">{esc(st(lang, f"role_{m.role}"))}</td>'
        f"<td><code>{esc(m.sub)}</code></td><td>{esc(m.email or '—')}</td><td>"
        f'<form method="post" action="{esc(with_query(f"{STAFF_PATH}/{m.sub}/remove", {"lang": lang}))}">'
        f'{http.csrf_input(session)}<button class="button button--secondary" type="submit" '
        f'aria-label="{esc(st(lang, "remove_label", name=m.name))}">{esc(st(lang, "remove"))}</button></form>'
        "</td></tr>"
        for m in staff
    )
    roles = [("reviewer", st(lang, "role_reviewer")), ("operator", st(lang, "role_operator"))]
    add = (
        f'<section aria-labelledby="add-title"><h2 id="add-title">{esc(st(lang, "add_staff"))}</h2>'
        + error_summary(lang, errors)
        + f'<form class="form" method="post" action="{esc(with_query(STAFF_PATH, {"lang": lang}))}" id="staff-form" '
        f"novalidate>{http.csrf_input(session)}"
        + field(
            "sub",
            st(lang, "field_sub"),
            text_input("sub", posted.get("sub"), extra=' maxlength="128"'),
            error=errors.get("sub"),
        )
        + field(
            "role",
            st(lang, "field_role"),
            select("role", roles, posted.get("role", "reviewer")),
            error=errors.get("role"),
        )
        + field(
            "name",
            st(lang, "field_staff_name"),
            text_input("name", posted.get("name"), extra=' maxlength="100"'),
            error=errors.get("name"),
        )
        + field(
            "email",
            st(lang, "field_email"),
            text_input("email", posted.get("email"), kind="email"),
            error=errors.get("email"),
        )
        + f'<p><button class="button" type="submit">{esc(st(lang, "add"))}</button></p></form></section>'
    )
    body = (
        staff_pages.account_bar(lang, session, principal)
        + staff_pages.notice(notice)
        + (f'<p class="notice notice--error" role="alert" id="alert">{esc(alert)}</p>' if alert else "")
        + f'<div class="table-wrap"><table class="data-table" id="staff"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>" + add
    )
    return staff_pages.page(router, lang, st(lang, "staff_title"), body, status=status)


def _refusal(lang: Language, refused: Conflict) -> str:
    if any(e.item == "role" for e in refused.errors):  # the registry's last-operator rule
        return st(lang, "last_operator")
    return refused.detail


@router.get(STAFF_PATH, include_in_schema=False)
def handle_staff() -> Response[str]:
    lang = http.language(router)
    found = _operator(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    params = http.query(router)
    notice = st(lang, "staff_saved") if params.get("saved") == "1" else None
    notice = st(lang, "staff_removed") if params.get("removed") == "1" else notice
    return _staff_page(lang, session, principal, notice=notice)


@router.post(STAFF_PATH, include_in_schema=False)
def handle_put_staff() -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, _operator(lang))
    if isinstance(found, Response):
        return found
    session, principal, posted = found
    sub = posted.get("sub", "").strip()
    errors: dict[str, str] = {}
    if not SUB.match(sub):
        errors["sub"] = t(lang, "required") if not sub else t(lang, "invalid", detail="A-Z a-z 0-9 _ -")
    try:
        request = StaffMemberRequest.model_validate(
            {
                "role": posted.get("role", ""),
                "name": posted.get("name", "").strip(),
                "email": posted.get("email", "").strip() or None,
            }
        )
    except ValidationError as invalid:
        errors.update(_validation_errors(lang, invalid))
        return _staff_page(lang, session, principal, posted=posted, errors=errors, status=400)
    if errors:
        return _staff_page(lang, session, principal, posted=posted, errors=errors, status=400)
    member = StaffMember(sub=sub, role=request.role, name=request.name, email=request.email)
    try:
        get_registry().put(principal, member)
    except Conflict as refused:
        return _staff_page(lang, session, principal, posted=posted, alert=_refusal(lang, refused), status=409)
    return redirect(with_query(STAFF_PATH, {"lang": lang, "saved": "1"}))


@router.post(f"{STAFF_PATH}/<sub>/remove", include_in_schema=False)
def handle_remove_staff(sub: str) -> Response[str]:
    lang = http.language(router)
    found = _operator(lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    session.verify_csrf(http.form(router))
    if not SUB.match(sub):
        return staff_pages.message(router, lang, "conflict_title", t(lang, "bad_request"), 400)
    try:
        get_registry().remove(principal, sub)
    except NotFound:
        return _staff_page(lang, session, principal, alert=t(lang, "bad_request"), status=404)
    except Conflict as refused:
        return _staff_page(lang, session, principal, alert=_refusal(lang, refused), status=409)
    return redirect(with_query(STAFF_PATH, {"lang": lang, "removed": "1"}))
