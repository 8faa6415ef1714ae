"""Server-rendered pages of gBizINFO in the portal's look: header, footer, language switch, form fields.

Japanese first with English a link away (``?lang=en``, remembered in the ``lang`` cookie). Pages carry a
skip link, labelled fields with ``aria-describedby`` on errors, and are sent with a Content-Security-Policy
that allows no inline script or style (the bar chart uses SVG presentation attributes only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Final, Literal
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response

Language = Literal["ja", "en"]
LANG_COOKIE: Final = "lang"

PAGE_HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

_SITE: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "service": "法人デジタルプラットフォーム",
        "name": "gBizINFO 法人インフォメーション",
        "skip": "本文へ移動",
        "nav": "サイト内メニュー",
        "home": "トップページ",
        "search": "法人を検索",
        "sparql": "SPARQLで検索",
        "tokens": "APIトークン",
        "switch": "English",
        "footer": "法人番号をもとに法人の活動情報を公開するオープンデータサービスです。",
        "errors": "入力内容を確認してください",
    },
    "en": {
        "service": "Corporate Digital Platform",
        "name": "gBizINFO corporate information",
        "skip": "Skip to main content",
        "nav": "Site menu",
        "home": "Home",
        "search": "Search corporations",
        "sparql": "SPARQL query",
        "tokens": "API tokens",
        "switch": "日本語",
        "footer": "Open data on the activities of corporations, by corporate number.",
        "errors": "Please check what you entered",
    },
}

_GLOBE: Final = (
    '<svg class="lang-switch__icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" '
    'height="20" fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3Z"/></svg>'
)


def esc(value: object) -> str:
    """HTML-escape text and attribute values."""
    return escape(str(value), quote=True)


def choose_language(query_lang: str | None, cookie_header: str | None) -> Language:
    """``?lang=`` first, then the ``lang`` cookie, then Japanese."""
    if query_lang in ("ja", "en"):
        return "en" if query_lang == "en" else "ja"
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == LANG_COOKIE and value in ("ja", "en"):
            return "en" if value == "en" else "ja"
    return "ja"


def with_query(path: str, params: Mapping[str, str | Sequence[str]]) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((name, item) for item in values if item)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def text_field(
    name: str, label: str, *, value: str = "", error: str | None = None, hint: str | None = None, **attrs: str
) -> str:
    """A labelled text input; a hint or an error is tied to it with ``aria-describedby``."""
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
    attributes = [f'id="{field_id}"', f'name="{esc(name)}"', 'type="text"', f'value="{esc(value)}"']
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    if error:
        attributes.append('aria-invalid="true"')
    attributes.extend(f'{key.replace("_", "-")}="{esc(item)}"' for key, item in attrs.items())
    parts.append(f'<input class="form-field__input" {" ".join(attributes)}>')
    parts.append("</div>")
    return "\n".join(parts)


def select_field(
    name: str, label: str, options: Sequence[tuple[str, str]], *, value: str = "", error: str | None = None
) -> str:
    """A labelled select; ``options`` are (value, label) pairs, the first usually the empty "any"."""
    field_id = f"field-{name}"
    error_html = f'<p class="form-field__error" id="{field_id}-error">{esc(error)}</p>' if error else ""
    aria = f' aria-describedby="{field_id}-error" aria-invalid="true"' if error else ""
    items = "".join(
        f'<option value="{esc(code)}"{" selected" if code == value else ""}>{esc(text)}</option>'
        for code, text in options
    )
    return (
        f'<div class="form-field{" form-field--error" if error else ""}">'
        f'<label class="form-field__label" for="{field_id}">{esc(label)}</label>{error_html}'
        f'<select class="form-field__input" id="{field_id}" name="{esc(name)}"{aria}>{items}</select></div>'
    )


def error_summary(lang: Language, errors: Mapping[str, str]) -> str:
    """A summary at the top of a form, each error linking to its field (empty when there is none)."""
    if not errors:
        return ""
    items = "".join(f'<li><a href="#field-{esc(name)}">{esc(message)}</a></li>' for name, message in errors.items())
    return (
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">'
        f'<h2 class="error-summary__title" id="error-summary-title">{esc(_SITE[lang]["errors"])}</h2>'
        f"<ul>{items}</ul></div>"
    )


def render_page(
    *,
    lang: Language,
    title: str,
    body: str,
    switch_href: str,
    status: int = 200,
    remember_language: bool = False,
) -> Response[str]:
    """A full HTML page in the portal's look around ``body`` (HTML built with :func:`esc`)."""
    site = _SITE[lang]
    other = "en" if lang == "ja" else "ja"
    html = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{esc(title)} | {esc(site["name"])}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/design-tokens/tokens.css">
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<a class="skip-link" href="#main">{esc(site["skip"])}</a>
<header class="site-header">
<div class="container site-header__bar">
<p class="site-name">
<span class="site-name__primary">{esc(site["service"])}</span>
<span class="site-name__secondary">{esc(site["name"])}</span>
</p>
<a class="lang-switch" href="{esc(switch_href)}" hreflang="{other}" lang="{other}">
{_GLOBE}
<span>{esc(site["switch"])}</span>
</a>
</div>
<nav class="site-nav" aria-label="{esc(site["nav"])}">
<ul class="container site-nav__list">
<li><a href="{"/en/" if lang == "en" else "/"}">{esc(site["home"])}</a></li>
<li><a href="/hojin/search?lang={lang}">{esc(site["search"])}</a></li>
<li><a href="/hojin/sparql/query?lang={lang}">{esc(site["sparql"])}</a></li>
<li><a href="/hojin/tokens?lang={lang}">{esc(site["tokens"])}</a></li>
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
<p class="site-footer__name">{esc(site["service"])}</p>
<p><a class="lang-switch lang-switch--footer" href="{esc(switch_href)}" hreflang="{other}"
 lang="{other}">{esc(site["switch"])}</a></p>
<p class="site-footer__note">{esc(site["footer"])}</p>
</div>
</footer>
</body>
</html>
"""
    headers = dict(PAGE_HEADERS)
    if remember_language:
        headers["Set-Cookie"] = f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax; Secure"
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=html, headers=headers)
