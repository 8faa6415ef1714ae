"""The portal's page shell for server-rendered pages of any service: document, header, language switch,
skip link, footer, security headers, escaping and labelled form fields.

Japanese first with English a link away (``?lang=en``, remembered in the ``lang`` cookie). Each service
describes its own chrome (:class:`SiteChrome`: names, menu, footer note); the shell, the CSS and the
headers are the same everywhere. Pages are sent with a Content-Security-Policy that allows no inline script
or style, so any script is a file under ``/static`` and every page works without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final, Literal
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie

Language = Literal["ja", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("ja", "en")
LANG_COOKIE: Final = "lang"

PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

_GLOBE: Final = (
    '<svg class="lang-switch__icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" '
    'height="20" fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3Z"/></svg>'
)
_COMMON: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "skip": "本文へ移動",
        "nav": "サイト内メニュー",
        "switch": "English",
        "errors": "入力内容を確認してください",
    },
    "en": {
        "skip": "Skip to main content",
        "nav": "Site menu",
        "switch": "日本語",
        "errors": "Please check what you entered",
    },
}


@dataclass(frozen=True)
class SiteChrome:
    """What one service shows around its pages, per language: names, menu (label, href) and footer note."""

    service: Mapping[Language, str]
    name: Mapping[Language, str]
    menu: Mapping[Language, Sequence[tuple[str, str]]]
    footer: Mapping[Language, str]


def esc(value: object) -> str:
    """HTML-escape text and attribute values."""
    return escape(str(value), quote=True)


def other_language(lang: Language) -> Language:
    return "en" if lang == "ja" else "ja"


def choose_language(query_lang: str | None, cookie_header: str | None) -> Language:
    """``?lang=`` first, then the ``lang`` cookie, then Japanese."""
    if query_lang in LANGUAGES:
        return "en" if query_lang == "en" else "ja"
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANG_COOKIE and value in LANGUAGES:
            return "en" if value == "en" else "ja"
    return "ja"


def with_query(path: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((name, item) for item in values if item)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def field_id(name: str) -> str:
    """The HTML id of the field named ``name`` (any characters outside ``[A-Za-z0-9_-]`` become ``.``)."""
    return "field-" + "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "." for c in name.strip("/"))


def error_summary(lang: Language, errors: Mapping[str, str]) -> str:
    """A summary at the top of a form, each error linking to its field (empty when there is none)."""
    if not errors:
        return ""
    items = "".join(f'<li><a href="#{field_id(name)}">{esc(message)}</a></li>' for name, message in errors.items())
    return (
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
        f'<h2 class="error-summary__title" id="error-summary-title">{esc(_COMMON[lang]["errors"])}</h2>'
        f"<ul>{items}</ul></div>"
    )


def render_document(
    *,
    chrome: SiteChrome,
    lang: Language,
    title: str,
    body: str,
    switch_href: str,
    status: int = 200,
    cookies: Iterable[Cookie] = (),
    scripts: Sequence[str] = (),
) -> Response[str]:
    """A full HTML page in the portal's look around ``body`` (HTML built with :func:`esc`).

    ``scripts`` are paths under ``/static`` loaded with ``defer`` (progressive enhancement only)."""
    common, other = _COMMON[lang], other_language(lang)
    menu = "".join(f'<li><a href="{esc(href)}">{esc(label)}</a></li>' for label, href in chrome.menu[lang])
    script_tags = "".join(f'<script src="{esc(src)}" defer></script>' for src in scripts)
    html = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{esc(title)} | {esc(chrome.name[lang])}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/design-tokens/tokens.css">
<link rel="stylesheet" href="/static/portal.css">
{script_tags}
</head>
<body>
<a class="skip-link" href="#main">{esc(common["skip"])}</a>
<header class="site-header">
<div class="container site-header__bar">
<p class="site-name">
<span class="site-name__primary">{esc(chrome.service[lang])}</span>
<span class="site-name__secondary">{esc(chrome.name[lang])}</span>
</p>
<a class="lang-switch" href="{esc(switch_href)}" hreflang="{other}" lang="{other}">
{_GLOBE}
<span>{esc(common["switch"])}</span>
</a>
</div>
<nav class="site-nav" aria-label="{esc(common["nav"])}">
<ul class="container site-nav__list">{menu}</ul>
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
<p class="site-footer__name">{esc(chrome.service[lang])}</p>
<p><a class="lang-switch lang-switch--footer" href="{esc(switch_href)}" hreflang="{other}"
 lang="{other}">{esc(common["switch"])}</a></p>
<p class="site-footer__note">{esc(chrome.footer[lang])}</p>
</div>
</footer>
</body>
</html>
"""
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=html,
        headers=dict(PAGE_HEADERS),
        cookies=list(cookies),
    )


def redirect(location: str, cookies: Iterable[Cookie] = ()) -> Response[str]:
    """303 See Other: the browser follows with a GET."""
    return Response(
        status_code=303,
        content_type="text/plain; charset=utf-8",
        body="",
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=list(cookies),
    )
