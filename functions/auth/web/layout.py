"""Server-rendered pages of gBizID: the portal's header and footer, forms, redirects, CSRF.

Every page is Japanese first with English a link away (``?lang=en``, remembered in the ``lang`` cookie),
has a skip link, labels and ``aria-describedby`` on every field with a hint or an error, and is sent with
``Content-Security-Policy: default-src 'self'; frame-ancestors 'none'`` (no inline script or style) and
``Cache-Control: no-store``. Callers pass ``body`` as HTML they built with :func:`esc` / :func:`form_field`.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from html import escape
from typing import Any, Final, Literal
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie

from functions.auth.web.messages import DEFAULT_LANGUAGE, LANGUAGES, Language, register_messages, t
from functions.auth.web.request import Event, cookies, path, path_with_query, query, raw_event
from functions.auth.web.session import BrowserSession, make_cookie
from platform_common.errors import Forbidden

__all__ = [
    "ANONYMOUS_CSRF_COOKIE",
    "CSRF_FIELD",
    "LANGUAGES",
    "PAGE_HEADERS",
    "CsrfRejected",
    "anonymous_csrf",
    "anonymous_csrf_input",
    "bind_request",
    "csrf_input",
    "error_summary",
    "esc",
    "form_field",
    "parse_form",
    "redirect",
    "register_messages",
    "render_page",
    "request_language",
    "t",
    "verify_anonymous_csrf",
    "verify_csrf",
]

CSRF_FIELD: Final = "csrf_token"
LANG_COOKIE: Final = "lang"
MAX_FORM_BYTES: Final = 64 * 1024

PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

_GLOBE: Final = (
    '<svg class="lang-switch__icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" '
    'height="20" fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3Z"/></svg>'
)

_CURRENT: ContextVar[Mapping[str, Any] | None] = ContextVar("gbizid_current_request", default=None)


class CsrfRejected(Forbidden):
    """A form without this session's CSRF token (a forged or stale submission)."""


def bind_request(event: Event) -> None:
    """Remember the request being served (the language switch links to the same page)."""
    _CURRENT.set(raw_event(event))


def esc(value: object) -> str:
    """HTML-escape text and attribute values."""
    return escape(str(value), quote=True)


def _as_language(value: str | None) -> Language | None:
    return "en" if value == "en" else "ja" if value == "ja" else None


def request_language(event: Event) -> Literal["ja", "en"]:
    """``?lang=`` first, then the ``lang`` cookie, then Japanese."""
    return _as_language(query(event).get("lang")) or _as_language(cookies(event).get(LANG_COOKIE)) or DEFAULT_LANGUAGE


def csrf_input(session: BrowserSession) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(session.csrf_token)}">'


def parse_form(event: Event) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (the first value of each name)."""
    raw = raw_event(event)
    body = raw.get("body") or ""
    data = base64.b64decode(body) if raw.get("isBase64Encoded") else str(body).encode("utf-8")
    if len(data) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200)
    return {name: values[0] for name, values in parsed.items() if values}


def verify_csrf(session: BrowserSession, form: Mapping[str, str]) -> None:
    """Raise :class:`CsrfRejected` (403) unless the form carries this session's token."""
    sent = form.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent.encode("utf-8"), session.csrf_token.encode("utf-8")):
        raise CsrfRejected(detail="the form's CSRF token is missing or does not match the session")


ANONYMOUS_CSRF_COOKIE: Final = "gbizid_csrf"


def anonymous_csrf(event: Event) -> tuple[str, list[Cookie]]:
    """The CSRF token of a form shown before any session (sign-up, login): double-submit, bound to a cookie.

    Returns the token and the cookie to set (none when the browser already holds one).
    """
    held = cookies(event).get(ANONYMOUS_CSRF_COOKIE, "")
    if 32 <= len(held) <= 64 and all(char.isalnum() or char in "-_" for char in held):
        return held, []
    token = secrets.token_urlsafe(32)
    return token, [make_cookie(ANONYMOUS_CSRF_COOKIE, token, max_age=2 * 3600)]


def anonymous_csrf_input(token: str) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(token)}">'


def verify_anonymous_csrf(event: Event, form: Mapping[str, str]) -> None:
    """Raise :class:`CsrfRejected` unless the form's token equals the browser's CSRF cookie."""
    held = cookies(event).get(ANONYMOUS_CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if not held or not sent or not hmac.compare_digest(sent.encode("utf-8"), held.encode("utf-8")):
        raise CsrfRejected(detail="the form's CSRF token is missing or does not match the browser's")


def redirect(location: str, cookies: Iterable[Cookie] = ()) -> Response[str]:
    """303 See Other (the browser follows with a GET)."""
    return Response(
        status_code=303,
        content_type="text/plain; charset=utf-8",
        body="",
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=list(cookies),
    )


def form_field(
    name: str,
    label: str,
    *,
    type: str = "text",  # the HTML attribute's name
    autocomplete: str | None = None,
    required: bool = True,
    value: str = "",
    error: str | None = None,
    **attrs: str | int | bool | None,
) -> str:
    """A labelled input. ``hint=`` adds a description; an error is shown next to the field and announced.

    Other keyword arguments become attributes (``inputmode="numeric"``, ``maxlength=6``; ``_`` → ``-``).
    Password fields never echo their value.
    """
    hint = attrs.pop("hint", None)
    field_id = f"field-{name}"
    described: list[str] = []
    parts = [f'<div class="form-field{" form-field--error" if error else ""}">']
    parts.append(f'<label class="form-field__label" for="{field_id}">{esc(label)}</label>')
    if hint:
        parts.append(f'<p class="form-field__hint" id="{field_id}-hint">{esc(hint)}</p>')
        described.append(f"{field_id}-hint")
    if error:
        parts.append(f'<p class="form-field__error" id="{field_id}-error">{esc(error)}</p>')
        described.append(f"{field_id}-error")
    attributes = [f'id="{field_id}"', f'name="{esc(name)}"', f'type="{esc(type)}"']
    if autocomplete:
        attributes.append(f'autocomplete="{esc(autocomplete)}"')
    if value and type != "password":
        attributes.append(f'value="{esc(value)}"')
    if required:
        attributes.append("required")
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    if error:
        attributes.append('aria-invalid="true"')
    for key, attr_value in attrs.items():
        attr = key.rstrip("_").replace("_", "-")
        if attr_value is None or attr_value is False:
            continue
        attributes.append(attr if attr_value is True else f'{attr}="{esc(attr_value)}"')
    parts.append(f'<input class="form-field__input" {" ".join(attributes)}>')
    parts.append("</div>")
    return "\n".join(parts)


def error_summary(lang: str, errors: Mapping[str, str]) -> str:
    """A summary at the top of a form, each error linking to its field (empty when there is none)."""
    if not errors:
        return ""
    items = "".join(f'<li><a href="#field-{esc(name)}">{esc(message)}</a></li>' for name, message in errors.items())
    return (
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
        f'<h2 class="error-summary__title" id="error-summary-title">{esc(t(lang, "form.error_summary"))}</h2>'
        f'<ul class="error-summary__list">{items}</ul></div>'
    )


def _language_switch(lang: Language) -> tuple[str, str]:
    other: Language = "en" if lang == "ja" else "ja"
    current = _CURRENT.get()
    href = path_with_query(current, lang=other) if current else f"/account?lang={other}"
    return other, href


def render_page(
    *,
    lang: str,
    title: str,
    body: str,
    status: int = 200,
    cookies: Iterable[Cookie] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    """A full HTML page in the portal's look around ``body`` (HTML), with the security headers."""
    page_lang: Language = "en" if lang == "en" else "ja"
    other, switch_href = _language_switch(page_lang)
    switch_label = t(page_lang, "site.switch")
    html = f"""<!DOCTYPE html>
<html lang="{page_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="referrer" content="no-referrer">
<title>{esc(title)} | {esc(t(page_lang, "site.service"))}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/design-tokens/tokens.css">
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<a class="skip-link" href="#main">{esc(t(page_lang, "site.skip"))}</a>
<header class="site-header">
<div class="container site-header__bar">
<p class="site-name">
<span class="site-name__primary">{esc(t(page_lang, "site.service"))}</span>
<span class="site-name__secondary">{esc(t(page_lang, "site.name"))}</span>
</p>
<a class="lang-switch" href="{esc(switch_href)}" hreflang="{other}" lang="{other}">
{_GLOBE}
<span>{esc(switch_label)}</span>
</a>
</div>
<nav class="site-nav" aria-label="{esc(t(page_lang, "site.nav"))}">
<ul class="container site-nav__list">
<li><a href="/account">{esc(t(page_lang, "nav.account"))}</a></li>
</ul>
</nav>
</header>
<main id="main" tabindex="-1">
<div class="container account-page">
<h1 id="page-title">{esc(title)}</h1>
{body}
</div>
</main>
<footer class="site-footer">
<div class="container site-footer__inner">
<p class="site-footer__name">{esc(t(page_lang, "site.name"))}</p>
<p><a class="lang-switch lang-switch--footer" href="{esc(switch_href)}" hreflang="{other}"
 lang="{other}">{esc(switch_label)}</a></p>
<p class="site-footer__note">{esc(t(page_lang, "site.footer_note"))}</p>
</div>
</footer>
</body>
</html>
"""
    all_cookies = list(cookies)
    current = _CURRENT.get()
    chosen = _as_language(query(current).get("lang")) if current else None
    if chosen and not any(cookie.name == LANG_COOKIE for cookie in all_cookies):
        all_cookies.append(make_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600))
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=html,
        headers={**PAGE_HEADERS, **(headers or {})},
        cookies=all_cookies,
    )


def current_path() -> str:
    """The path of the request being served (``/account`` outside a request)."""
    current = _CURRENT.get()
    return path(current) if current else "/account"
