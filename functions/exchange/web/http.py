"""Request and response helpers of the exchange portal's pages: language, forms, the page shell, the session
(or a redirect to sign in) and the caller it stands for."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie

from functions.exchange import portal
from functions.exchange.callers import Caller, caller_from_claims
from functions.exchange.web.texts import CHROME, t
from platform_common.browser_session import CSRF_FIELD, WebSession
from platform_common.errors import DomainError
from platform_common.web_layout import (
    Language,
    choose_language,
    error_summary,
    esc,
    other_language,
    redirect,
    render_document,
    with_query,
)

MAX_FORM_BYTES: Final = 300 * 1024  # an OpenAPI document fits
MAX_FORM_FIELDS: Final = 60


def event(router: Router) -> Mapping[str, Any]:
    raw = router.current_event.raw_event
    return raw if isinstance(raw, Mapping) else {}


def query(router: Router) -> dict[str, str]:
    return {str(k): str(v) for k, v in (router.current_event.query_string_parameters or {}).items()}


def language(router: Router) -> Language:
    return choose_language(query(router).get("lang"), router.current_event.headers.get("cookie"))


def form(router: Router) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body, every value of each name; empty when too large."""
    raw = event(router)
    body = raw.get("body") or ""
    data = base64.b64decode(body) if raw.get("isBase64Encoded") else str(body).encode("utf-8")
    if len(data) > MAX_FORM_BYTES:
        return {}
    return parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)


def first(fields: Mapping[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


def csrf_of(fields: Mapping[str, list[str]]) -> dict[str, str]:
    return {CSRF_FIELD: first(fields, CSRF_FIELD)}


def page(
    router: Router, lang: Language, title: str, body: str, *, status: int = 200, cookies: Sequence[Cookie] = ()
) -> Response[str]:
    """A page in the portal's look; the language switch links to the same page in the other language."""
    switch = with_query(router.current_event.path, {**query(router), "lang": other_language(lang)})
    return render_document(
        chrome=CHROME, lang=lang, title=title, body=body, switch_href=switch, status=status, cookies=cookies
    )


def csrf_input(session: WebSession) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(session.csrf_token)}">'


def signed_in(router: Router) -> tuple[WebSession, Caller] | None:
    session = portal.sessions().current(event(router)) if portal.configured() else None
    if session is None:
        return None
    return session, caller_from_claims(session.sub, session.claims)


def require_sign_in(router: Router, lang: Language) -> tuple[WebSession, Caller] | Response[str]:
    """The session and its caller, or a redirect to sign in and come back to this page (GET only)."""
    found = signed_in(router)
    if found is not None:
        return found
    back = router.current_event.path if router.current_event.http_method == "GET" else portal.HOME_PATH
    return redirect(with_query(portal.LOGIN_PATH, {"lang": lang, "return_to": back}))


def message_page(router: Router, lang: Language, title_key: str, message: str, status: int) -> Response[str]:
    role = "alert" if status >= 400 else "status"
    body = f'<p class="notice{" notice--error" if status >= 400 else ""}" role="{role}">{esc(message)}</p>'
    home = with_query(portal.HOME_PATH, {"lang": lang})
    body += f'<p><a href="{esc(home)}">{esc(t(lang, "home"))}</a></p>'
    return page(router, lang, t(lang, title_key), body, status=status)


def field_errors(error: DomainError) -> dict[str, str]:
    """What to show beside each field: the error's items, or the detail under ``form``."""
    found = {item.item: item.message for item in error.errors}
    return found or {"form": error.detail}


def errors_html(lang: Language, errors: Mapping[str, str]) -> str:
    return error_summary(lang, errors)


def notice(text: str | None) -> str:
    return f'<p class="notice" role="status" id="notice">{esc(text)}</p>' if text else ""
