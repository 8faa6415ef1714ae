"""The jGrants pages anyone may open (subsidy search and details) and the sign-in through gBizID.

Sign-in: ``/jgrants/login`` → the OP (code flow with PKCE, scopes of :data:`functions.submit.portal.SCOPE`)
→ ``/jgrants/callback``, which verifies the ID token, reads userinfo once and keeps its claims with the new
session: the pages build the same :class:`~functions.submit.principal.Principal` from them as the API does
from a bearer token. Starting an application is a POST with the session's CSRF token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.submit import portal
from functions.submit.applications.access import procedure_codes
from functions.submit.applications.drafts import start_application
from functions.submit.applications.store import get_store as application_store
from functions.submit.applications.terms import load_terms
from functions.submit.dal import get_store
from functions.submit.logic import is_accepting, keyword_terms, matches_search, sort_subsidies
from functions.submit.models import KEYWORD_MIN_LENGTH, Subsidy, SubsidySearch
from functions.submit.principal import Principal, today_jst
from functions.submit.routers.portal_saved_searches import save_search_form
from functions.submit.settings import SERVICE
from functions.submit.web import http
from functions.submit.web.texts import t
from platform_common.browser_session import WebSession
from platform_common.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from platform_common.japan_time import shown_time
from platform_common.observability import observability_for
from platform_common.relying_party import SignInRejected
from platform_common.web_layout import Language, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

KEYWORD_MAX: Final = 255
SUBSIDY_ID: Final = r"^[A-Za-z0-9_-]{1,64}$"


def _yen(lang: Language, amount: int | None) -> str:
    return "—" if amount is None else t(lang, "yen", amount=f"{amount:,}")


def _tier(lang: Language, subsidy: Subsidy) -> str:
    return t(lang, "tier_prime" if subsidy.minimum_tier == "prime" else "tier_entry")


# ------------------------------------------------------------------------------------------ search


def _search_form(lang: Language, keyword: str, accepting: bool) -> str:
    checked = " checked" if accepting else ""
    return (
        f'<form class="form" method="get" action="{portal.SUBSIDIES_PATH}" role="search">'
        f'<input type="hidden" name="lang" value="{lang}">'
        '<div class="form-field"><label class="form-field__label" for="field-keyword">'
        f"{esc(t(lang, 'keyword'))}</label>"
        f'<p class="form-field__hint" id="field-keyword-hint">{esc(t(lang, "keyword_hint"))}</p>'
        f'<input class="form-field__input" id="field-keyword" name="keyword" type="search" value="{esc(keyword)}" '
        f'maxlength="{KEYWORD_MAX}" aria-describedby="field-keyword-hint"></div>'
        f'<div class="form-field"><input id="field-accepting" name="acceptance" type="checkbox" value="1"{checked}>'
        f' <label for="field-accepting">{esc(t(lang, "accepting"))}</label></div>'
        f'<p><button class="button" type="submit">{esc(t(lang, "search"))}</button></p></form>'
    )


@router.get(portal.SUBSIDIES_PATH, include_in_schema=False)
def handle_subsidy_list() -> Response[str]:
    lang, params = http.language(router), http.query(router)
    keyword = " ".join(params.get("keyword", "").split())[:KEYWORD_MAX]
    accepting = params.get("acceptance") == "1"
    search = SubsidySearch(keyword=keyword, accepting_only=accepting, sort="acceptance_end_datetime", order="ASC")
    now, terms = datetime.now(UTC), keyword_terms(keyword)
    found = sort_subsidies(
        (s for s in get_store().list_subsidies() if matches_search(s, search, terms, now)), search.sort, search.order
    )
    rows = "".join(
        "<tr>"
        f'<th scope="row"><a href="{esc(with_query(f"{portal.SUBSIDIES_PATH}/{s.id}", {"lang": lang}))}">'
        f"{esc(s.title)}</a></th>"
        f"<td>{esc(_yen(lang, s.subsidy_max_limit))}</td>"
        f"<td>{esc(shown_time(s.acceptance_end_datetime))}</td>"
        f"<td>{esc(_tier(lang, s))}</td></tr>"
        for s in found
    )
    head = "".join(
        f'<th scope="col">{esc(t(lang, key))}</th>' for key in ("col_title", "col_max", "col_deadline", "col_tier")
    )
    table = (
        f'<div class="table-wrap"><table class="data-table" id="subsidies"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f"<p>{esc(t(lang, 'none'))}</p>"
    )
    who = http.signed_in(router)
    save = save_search_form(lang, who[0], keyword, accepting) if who and len(keyword) >= KEYWORD_MIN_LENGTH else ""
    body = (
        _search_form(lang, keyword, accepting)
        + save
        + f'<section aria-labelledby="results-title"><h2 id="results-title" role="status">'
        f"{esc(t(lang, 'results', count=len(found)))}</h2>{table}</section>"
    )
    return http.page(router, lang, t(lang, "list_title"), body)


# ------------------------------------------------------------------------------------------ details


def _apply_section(lang: Language, subsidy: Subsidy, who: tuple[WebSession, Principal] | None) -> str:
    here = f"{portal.SUBSIDIES_PATH}/{subsidy.id}"
    if not is_accepting(subsidy, datetime.now(UTC)):
        return f'<p class="notice" role="status">{esc(t(lang, "closed"))}</p>'
    if who is None:
        return (
            f'<p><a class="button" href="{esc(http.login_href(lang, here))}">{esc(t(lang, "sign_in_to_apply"))}</a></p>'
        )
    session, principal = who
    mandated = [g for g in principal.mandates if g.covers(procedure_codes(), today_jst())]
    if not mandated and not principal.meets_tier(subsidy.minimum_tier):
        return f'<p class="notice notice--error" role="alert" id="tier-notice">{esc(t(lang, "tier_too_low"))}</p>'
    choose = ""
    if mandated:  # an adviser (or a corporation's own account holding mandates) chooses whom it applies for
        own = [(principal.corporate_number, principal.corporate_number)] if principal.corporate_number else []
        options = own + [(g.corporate_number, f"{g.corporation_name or ''} {g.corporate_number}") for g in mandated]
        items = "".join(f'<option value="{esc(value)}">{esc(label)}</option>' for value, label in options)
        label = "申請する法人" if lang == "ja" else "Apply for"
        choose = (
            f'<div class="form-field"><label class="form-field__label" for="field-corporate_number">{esc(label)}'
            f'</label><select class="form-field__input" id="field-corporate_number" name="corporate_number">'
            f"{items}</select></div>"
        )
    action = esc(with_query(f"{here}/apply", {"lang": lang}))
    return (
        f'<form method="post" action="{action}">{http.csrf_input(session)}{choose}'
        f'<p><button class="button" type="submit">{esc(t(lang, "apply"))}</button></p></form>'
    )


@router.get(f"{portal.SUBSIDIES_PATH}/<subsidy_id>", include_in_schema=False)
def handle_subsidy_detail(subsidy_id: str) -> Response[str]:
    lang = http.language(router)
    subsidy = get_store().get_subsidy(subsidy_id) if _valid_id(subsidy_id) else None
    if subsidy is None or not subsidy.published:
        return http.message_page(router, lang, "conflict_title", t(lang, "not_found"), 404)
    rows = [
        ("col_max", _yen(lang, subsidy.subsidy_max_limit)),
        ("detail_rate", subsidy.subsidy_rate or "—"),
        ("detail_area", subsidy.target_area_detail or subsidy.target_area_search or "—"),
        ("detail_employees", subsidy.target_number_of_employees or "—"),
        (
            "detail_window",
            f"{shown_time(subsidy.acceptance_start_datetime)} – {shown_time(subsidy.acceptance_end_datetime)}",
        ),
        ("col_tier", _tier(lang, subsidy)),
    ]
    facts = "".join(f"<dt>{esc(t(lang, key))}</dt><dd>{esc(value)}</dd>" for key, value in rows)
    needs = "".join(
        f"<li>{esc(a.label_en if lang == 'en' else a.label)}"
        f"{esc(t(lang, 'by_exchange')) if a.exchange_service else ''}</li>"
        for a in subsidy.attachments
    )
    body = (
        f"<p>{esc(subsidy.subsidy_catch_phrase or '')}</p>"
        f'<dl class="facts">{facts}</dl>'
        f'<h2 id="attachments-title">{esc(t(lang, "detail_attachments"))}</h2><ul>{needs}</ul>'
        + _apply_section(lang, subsidy, http.signed_in(router))
    )
    return http.page(router, lang, subsidy.title, body)


def _valid_id(subsidy_id: str) -> bool:
    return 0 < len(subsidy_id) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in subsidy_id)


@router.post(f"{portal.SUBSIDIES_PATH}/<subsidy_id>/apply", include_in_schema=False)
def handle_apply(subsidy_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, http.require_sign_in(router, lang))
    if isinstance(found, Response):
        return found
    _session, principal, posted = found
    if not _valid_id(subsidy_id):
        return http.message_page(router, lang, "conflict_title", t(lang, "not_found"), 404)
    corporate_number = posted.get("corporate_number") or None
    try:
        terms = load_terms(subsidy_id)
        started = start_application(application_store(), principal, terms, corporate_number, datetime.now(UTC))
    except Forbidden:
        return http.message_page(router, lang, "forbidden_title", t(lang, "tier_too_low"), 403)
    except (Conflict, InvalidInput) as refused:
        return http.message_page(router, lang, "conflict_title", refused.detail or t(lang, "closed"), 409)
    except NotFound:
        return http.message_page(router, lang, "conflict_title", t(lang, "not_found"), 404)
    app_id = started.application.application_id
    return redirect(with_query(f"{portal.APPLICATIONS_PATH}/{app_id}", {"lang": lang}))


# ------------------------------------------------------------------------------------------ sign-in


def _sign_in_problem(lang: Language, key: str, status: int) -> Response[str]:
    link = (t(lang, "sign_in"), with_query(portal.LOGIN_PATH, {"lang": lang}))
    title = "unavailable_title" if status == 503 else "sign_in_failed_title"
    return http.message_page(router, lang, title, t(lang, key), status, link=link)


def _return_to(value: str | None) -> str:
    """Only a page of ours (``/jgrants/...``, no scheme, host or backslash): never an open redirect."""
    if value and value.startswith(portal.PREFIX + "/") and "//" not in value and "\\" not in value:
        return value
    return portal.APPLICATIONS_PATH


@router.get(portal.LOGIN_PATH, include_in_schema=False)
def handle_login() -> Response[str]:
    lang = http.language(router)
    # read before calling the OP: an in-process call to another service's resolver replaces the current event
    return_to = with_query(_return_to(http.query(router).get("return_to")), {"lang": lang})
    if not portal.configured():
        return _sign_in_problem(lang, "unavailable", 503)
    try:
        start = portal.relying_party().start_login(ui_locales=lang)
    except ServiceUnavailable:
        return _sign_in_problem(lang, "unavailable", 503)
    cookie = portal.sessions().begin_login(
        state=start.state,
        nonce=start.nonce,
        code_verifier=start.code_verifier,
        return_to=return_to,
    )
    return redirect(start.url, [cookie])


@router.get(portal.CALLBACK_PATH, include_in_schema=False)
def handle_callback() -> Response[str]:
    lang = http.language(router)
    if not portal.configured():
        return _sign_in_problem(lang, "unavailable", 503)
    sessions = portal.sessions()
    pending = sessions.take_login(http.event(router))  # one use: a replayed callback finds nothing
    if pending is None:
        return _sign_in_problem(lang, "sign_in_expired", 400)
    party = portal.relying_party()
    try:
        done = party.finish_login(
            state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier, params=http.query(router)
        )
        claims = party.userinfo(done)  # the principal's claims, fresh at every sign-in
    except SignInRejected as rejected:
        observability_for(SERVICE).logger.warning(
            "jgrants sign-in rejected", extra={"items": [e.item for e in rejected.errors]}
        )
        return _sign_in_problem(lang, "sign_in_rejected", 400)
    except DomainError:
        return _sign_in_problem(lang, "unavailable", 503)
    _, cookie = sessions.start(done.sub, claims)
    return redirect(_return_to(pending.return_to), [cookie, sessions.cookies.expired(sessions.cookies.login)])


@router.post(portal.LOGOUT_PATH, include_in_schema=False)
def handle_logout() -> Response[str]:
    lang = http.language(router)
    found = http.signed_in(router)
    if found is None:
        return redirect(with_query(portal.SUBSIDIES_PATH, {"lang": lang}))
    session, _ = found
    session.verify_csrf(http.form(router))
    expired = portal.sessions().end(session)
    body = (
        f'<p role="status">{esc(t(lang, "signed_out"))}</p>'
        f'<p><a class="button" href="{esc(with_query(portal.LOGIN_PATH, {"lang": lang}))}">'
        f"{esc(t(lang, 'sign_in'))}</a></p>"
    )
    return http.page(router, lang, t(lang, "signed_out_title"), body, cookies=[expired])
