"""The exchange portal: sign-in through gBizID, the landing page, and the corporation's consents and access
history (its Prime holder). Forms are plain HTML POSTs carrying the session's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.exchange import consent, portal, registry
from functions.exchange.callers import PRIME, Caller
from functions.exchange.settings import SERVICE
from functions.exchange.web import http
from functions.exchange.web.texts import checkboxes, date_input, t, text_input
from platform_common.browser_session import WebSession
from platform_common.errors import DomainError, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from platform_common.japan_time import shown_time
from platform_common.observability import observability_for
from platform_common.relying_party import SignInRejected
from platform_common.web_layout import Language, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

DEFAULT_CONSENT_DAYS: Final = 90


def _logger() -> Any:
    return observability_for(SERVICE).logger


def account_bar(lang: Language, session: WebSession) -> str:
    action = esc(with_query(portal.LOGOUT_PATH, {"lang": lang}))
    return (
        f'<form method="post" action="{action}"><p>{esc(t(lang, "signed_in"))} {http.csrf_input(session)}'
        f'<button class="button button--secondary" type="submit">{esc(t(lang, "logout"))}</button></p></form>'
    )


# ------------------------------------------------------------------------------------------------- sign-in


@router.get(portal.LOGIN_PATH, include_in_schema=False)
def handle_login() -> Response[str]:
    lang = http.language(router)
    if not portal.configured():
        return http.message_page(router, lang, "unavailable_title", t(lang, "unavailable"), 503)
    # read before the OP is asked: in the devstack the OP answers in this process, and its request replaces ours
    back = http.query(router).get("return_to", "")
    # only a page of the portal: never an address elsewhere (an open redirect)
    if not back.startswith(portal.PREFIX + "/") or back.startswith("//") or "\\" in back:
        back = portal.HOME_PATH
    try:
        start = portal.relying_party().start_login(ui_locales=lang)
    except ServiceUnavailable:
        return http.message_page(router, lang, "unavailable_title", t(lang, "unavailable"), 503)
    cookie = portal.sessions().begin_login(
        state=start.state,
        nonce=start.nonce,
        code_verifier=start.code_verifier,
        return_to=with_query(back, {"lang": lang}),
    )
    return redirect(start.url, [cookie])


@router.get(portal.CALLBACK_PATH, include_in_schema=False)
def handle_callback() -> Response[str]:
    lang = http.language(router)
    sessions = portal.sessions()
    pending = sessions.take_login(http.event(router))  # one use: a replayed callback finds nothing
    if pending is None:
        return http.message_page(router, lang, "sign_in_failed_title", t(lang, "sign_in_failed"), 400)
    party = portal.relying_party()
    try:
        done = party.finish_login(
            state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier, params=http.query(router)
        )
        claims = party.userinfo(done)  # account type and corporation, fresh at every sign-in
    except SignInRejected as rejected:
        _logger().warning("exchange portal sign-in rejected", extra={"items": [e.item for e in rejected.errors]})
        return http.message_page(router, lang, "sign_in_failed_title", t(lang, "sign_in_failed"), 400)
    except DomainError:
        return http.message_page(router, lang, "unavailable_title", t(lang, "unavailable"), 503)
    kept: dict[str, Any] = {
        name: claims[name] for name in ("account_type", "corporate_number", "name") if name in claims
    }
    _, cookie = sessions.start(done.sub, kept)
    return_to = pending.return_to if pending.return_to.startswith(portal.PREFIX + "/") else portal.HOME_PATH
    return redirect(return_to, [cookie, sessions.cookies.expired(sessions.cookies.login)])


@router.post(portal.LOGOUT_PATH, include_in_schema=False)
def handle_logout() -> Response[str]:
    lang = http.language(router)
    session = portal.sessions().current(http.event(router)) if portal.configured() else None
    if session is None:
        return redirect(with_query(portal.HOME_PATH, {"lang": lang}))
    session.verify_csrf(http.csrf_of(http.form(router)))
    expired = portal.sessions().end(session)
    sign_in = esc(with_query(portal.LOGIN_PATH, {"lang": lang}))
    body = (
        f'<p role="status">{esc(t(lang, "signed_out"))}</p>'
        f'<p><a class="button" href="{sign_in}">{esc(t(lang, "sign_in"))}</a></p>'
    )
    return http.page(router, lang, t(lang, "signed_out_title"), body, cookies=[expired])


# ---------------------------------------------------------------------------------------------- the portal


@router.get(portal.HOME_PATH, include_in_schema=False)
def handle_home() -> Response[str]:
    lang = http.language(router)
    found = http.require_sign_in(router, lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    parts = [account_bar(lang, session), "<ul>"]
    if caller.operator:
        href = esc(with_query(portal.MEMBERS_PATH, {"lang": lang}))
        parts.append(f'<li><a href="{href}">{esc(t(lang, "you_operator"))}</a></li>')
    if caller.corporate_number and caller.account_type in ("2", "3"):
        for member in registry.members_of_corporation(caller.corporate_number):
            href = esc(with_query(f"{portal.MEMBERS_PATH}/{member.member_class}/{member.member_code}", {"lang": lang}))
            parts.append(f'<li><a href="{href}">{esc(t(lang, "you_admin", member=member.name))}</a></li>')
    if caller.account_type == PRIME and caller.corporate_number:
        href = esc(with_query(portal.CONSENTS_PATH, {"lang": lang}))
        parts.append(f'<li><a href="{href}">{esc(t(lang, "you_prime"))}</a></li>')
    if len(parts) == 2:
        parts.append(f"<li>{esc(t(lang, 'you_nothing'))}</li>")
    parts.append("</ul>")
    return http.page(router, lang, t(lang, "portal_title"), "".join(parts))


# ------------------------------------------------------------------------------------------------ consents


def _state(lang: Language, item: consent.Consent, now: datetime) -> str:
    if item.revoked_at is not None:
        return t(lang, "state_revoked", at=shown_time(item.revoked_at))
    return t(lang, "state_active") if item.active(now) else t(lang, "state_expired")


def _consent_rows(lang: Language, session: WebSession, consents: list[consent.Consent], now: datetime) -> str:
    if not consents:
        return f'<p id="consents">{esc(t(lang, "consents_none"))}</p>'
    head = "".join(
        f'<th scope="col">{esc(t(lang, key))}</th>'
        for key in ("col_client", "col_purpose", "col_services", "col_expires", "col_state", "col_action")
    )
    rows = []
    for item in consents:
        action = ""
        if item.active(now):
            label = esc(t(lang, "revoke_consent_label", client=str(item.client), purpose=item.purpose))
            action = (
                f'<form method="post" action="{esc(with_query(portal.CONSENTS_PATH + "/revoke", {"lang": lang}))}">'
                f'{http.csrf_input(session)}<input type="hidden" name="consent_id" value="{esc(item.consent_id)}">'
                f'<button class="button button--secondary" type="submit" aria-label="{label}">'
                f"{esc(t(lang, 'revoke'))}</button></form>"
            )
        rows.append(
            f'<tr><th scope="row">{esc(item.client)}</th><td>{esc(item.purpose)}</td>'
            f"<td>{esc(', '.join(item.services))}</td>"
            f"<td>{esc(shown_time(item.expires_at - timedelta(seconds=1)))}</td>"
            f"<td>{esc(_state(lang, item, now))}</td><td>{action}</td></tr>"
        )
    return (
        f'<div class="table-wrap"><table class="data-table" id="consents"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _history(lang: Language, records: list[consent.AccessRecord]) -> str:
    if not records:
        return f'<p id="history">{esc(t(lang, "history_none"))}</p>'
    head = "".join(
        f'<th scope="col">{esc(t(lang, key))}</th>' for key in ("col_at", "col_client", "col_service", "col_message")
    )
    rows = "".join(
        f"<tr><td>{esc(shown_time(record.at))}</td><td>{esc(record.client)}</td><td>{esc(record.service_code)}</td>"
        f"<td><code>{esc(record.message_id)}</code></td></tr>"
        for record in records
    )
    return (
        f'<div class="table-wrap"><table class="data-table" id="history"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _consents_page(
    lang: Language,
    session: WebSession,
    caller: Caller,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response[str]:
    now = datetime.now(UTC)
    values = values or {}
    errors = errors or {}
    services = consent.consentable_services()
    default_expiry = (now.astimezone(consent.JST).date() + timedelta(days=DEFAULT_CONSENT_DAYS)).isoformat()
    action = esc(with_query(portal.CONSENTS_PATH, {"lang": lang}))
    form = (
        f'<section aria-labelledby="grant-title"><h2 id="grant-title">{esc(t(lang, "grant_consent"))}</h2>'
        f"{http.errors_html(lang, errors)}"
        f'<form class="form" method="post" action="{action}">{http.csrf_input(session)}'
        + text_input(
            "client",
            t(lang, "consent_client"),
            value=http.first(values, "client"),
            error=errors.get("client"),
            hint="JP-DEV/COM/1234567890123/accounting-system",
            extra='required autocomplete="off" spellcheck="false"',
        )
        + text_input(
            "purpose",
            t(lang, "consent_purpose"),
            value=http.first(values, "purpose"),
            error=errors.get("purpose"),
            hint=t(lang, "consent_purpose_hint"),
            extra=f'required maxlength="{consent.PURPOSE_MAX}"',
        )
        + checkboxes(
            "services",
            t(lang, "consent_services"),
            [(s.service_code, f"{s.title}（{s.service_code}）") for s in services],
            checked=values.get("services", []),
            error=errors.get("services"),
        )
        + date_input(
            "expires_on",
            t(lang, "consent_expires"),
            value=http.first(values, "expires_on") or default_expiry,
            error=errors.get("expires_on"),
        )
        + f'<p><button class="button" type="submit">{esc(t(lang, "grant_consent"))}</button></p></form></section>'
    )
    body = "".join(
        (
            account_bar(lang, session),
            f"<p>{esc(t(lang, 'consents_intro'))}</p>",
            http.notice(message),
            form,
            f'<section aria-labelledby="list-title"><h2 id="list-title">{esc(t(lang, "consents_list"))}</h2>',
            _consent_rows(lang, session, consent.consents_of(caller), now),
            "</section>",
            f'<section aria-labelledby="history-title"><h2 id="history-title">{esc(t(lang, "history"))}</h2>',
            _history(lang, consent.history_of(caller)),
            "</section>",
        )
    )
    return http.page(router, lang, t(lang, "consents_title"), body, status=status)


def _prime(lang: Language) -> tuple[WebSession, Caller] | Response[str]:
    found = http.require_sign_in(router, lang)
    if isinstance(found, Response):
        return found
    if found[1].account_type != PRIME or found[1].corporate_number is None:
        return http.message_page(router, lang, "forbidden_title", t(lang, "prime_only"), 403)
    return found


@router.get(portal.CONSENTS_PATH, include_in_schema=False)
def handle_consents_page() -> Response[str]:
    lang = http.language(router)
    found = _prime(lang)
    if isinstance(found, Response):
        return found
    done = http.query(router).get("done")
    message = (
        t(lang, "consent_revoked") if done == "revoked" else t(lang, "consent_granted") if done == "granted" else None
    )
    return _consents_page(lang, *found, message=message)


@router.post(portal.CONSENTS_PATH, include_in_schema=False)
def handle_grant_consent() -> Response[str]:
    lang = http.language(router)
    found = _prime(lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    fields = http.form(router)
    session.verify_csrf(http.csrf_of(fields))
    try:
        consent.grant_consent(
            caller,
            http.first(fields, "client"),
            http.first(fields, "purpose"),
            fields.get("services", []),
            http.first(fields, "expires_on"),
            datetime.now(UTC),
        )
    except InvalidInput as error:
        return _consents_page(lang, session, caller, values=fields, errors=http.field_errors(error), status=400)
    return redirect(with_query(portal.CONSENTS_PATH, {"lang": lang, "done": "granted"}))


@router.post(portal.CONSENTS_PATH + "/revoke", include_in_schema=False)
def handle_revoke_consent() -> Response[str]:
    lang = http.language(router)
    found = _prime(lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    fields = http.form(router)
    session.verify_csrf(http.csrf_of(fields))
    try:
        consent.revoke_consent(caller, http.first(fields, "consent_id"), datetime.now(UTC))
    except (InvalidInput, NotFound):
        return http.message_page(router, lang, "not_found_title", t(lang, "not_found"), 404)
    except Forbidden:
        return http.message_page(router, lang, "forbidden_title", t(lang, "prime_only"), 403)
    return redirect(with_query(portal.CONSENTS_PATH, {"lang": lang, "done": "revoked"}))
