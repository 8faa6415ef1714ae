"""Error pages for browsers: a domain error on a page route is answered with a page, not problem+json.

The auth handler's exception handlers ask :func:`wants_page`; a JSON client (``Accept: application/json``
or ``application/problem+json`` preferred over HTML), and every protocol endpoint (token, userinfo, JWKS,
discovery), keeps the problem+json answer with the same status.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response

from functions.auth.web.layout import esc, register_messages, render_page, t
from functions.auth.web.request import header, path

# Routes that serve HTML to a person (the hosted pages); anything else is an API.
PAGE_PREFIXES: Final = ("/account", "/operator")
PAGE_PATHS: Final = frozenset({"/oauth/authorize", "/oauth/logout"})
_HTML_TYPES: Final = ("text/html", "application/xhtml+xml")
_JSON_TYPES: Final = ("application/json", "application/problem+json")
KNOWN_STATUSES: Final = (400, 401, 403, 404, 405, 409, 429)

register_messages(
    {
        "ja": {
            "errorpage.title.400": "入力内容を受け付けられませんでした",
            "errorpage.text.400": "送信された内容に誤りがあります。前のページに戻って確認してください。",
            "errorpage.title.401": "ログインが必要です",
            "errorpage.text.401": "このページを利用するにはログインしてください。",
            "errorpage.title.403": "このページを利用する権限がありません",
            "errorpage.text.403": (
                "お使いのアカウントではこの操作はできません。別のアカウントでログインするか、"
                "アカウントの管理者にお問い合わせください。"
            ),
            "errorpage.title.404": "ページが見つかりません",
            "errorpage.text.404": "お探しのページ、または対象の情報は見つかりませんでした。",
            "errorpage.title.405": "この方法では利用できません",
            "errorpage.text.405": "このページはこの方法では利用できません。",
            "errorpage.title.409": "この操作は現在の状態ではできません",
            "errorpage.text.409": "情報が変更された可能性があります。ページを再読み込みしてからやり直してください。",
            "errorpage.title.429": "しばらくしてからお試しください",
            "errorpage.text.429": "短時間に多くの操作がありました。時間をおいてやり直してください。",
            "errorpage.title.other": "エラーが発生しました",
            "errorpage.text.other": "時間をおいてやり直してください。",
            "errorpage.status": "ステータス {status}",
            "errorpage.login": "ログインする",
        },
        "en": {
            "errorpage.title.400": "The request could not be accepted",
            "errorpage.text.400": "Something in what was sent is not valid. Go back and check it.",
            "errorpage.title.401": "Please log in",
            "errorpage.text.401": "Log in to use this page.",
            "errorpage.title.403": "You cannot use this page",
            "errorpage.text.403": (
                "Your account cannot do this. Log in with another account or ask the administrator of your account."
            ),
            "errorpage.title.404": "Page not found",
            "errorpage.text.404": "The page, or what it refers to, could not be found.",
            "errorpage.title.405": "Not available this way",
            "errorpage.text.405": "This page cannot be used with this method.",
            "errorpage.title.409": "This cannot be done now",
            "errorpage.text.409": "The information may have changed. Reload the page and try again.",
            "errorpage.title.429": "Please try again later",
            "errorpage.text.429": "There were many requests in a short time. Wait a while and try again.",
            "errorpage.title.other": "Something went wrong",
            "errorpage.text.other": "Please try again later.",
            "errorpage.status": "Status {status}",
            "errorpage.login": "Log in",
        },
    }
)


def _quality(accept: str, media_types: tuple[str, ...]) -> float:
    """The highest ``q`` the Accept header gives any of ``media_types`` (0 when none is named)."""
    best = 0.0
    for part in accept.split(","):
        fields = [field.strip() for field in part.split(";")]
        if fields[0].lower() not in media_types:
            continue
        q = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def is_page_path(request_path: str) -> bool:
    return request_path in PAGE_PATHS or any(
        request_path == prefix or request_path.startswith(prefix + "/") for prefix in PAGE_PREFIXES
    )


def wants_page(event: Any) -> bool:
    """A person's browser on a page route: it accepts HTML at least as much as JSON."""
    if not is_page_path(path(event)):
        return False
    accept = header(event, "accept") or ""
    html = _quality(accept, _HTML_TYPES)
    return html > 0 and html >= _quality(accept, _JSON_TYPES)


def error_page(lang: str, status: int) -> Response[str]:
    """A page in the portal's look telling what happened, with ``status``; never the internal detail."""
    key = str(status) if status in KNOWN_STATUSES else "other"
    known = {int(member) for member in HTTPStatus}
    phrase = HTTPStatus(status).phrase if lang == "en" and status in known else ""  # English pages only
    login = (
        f'<p><a class="button" href="/account/login">{esc(t(lang, "errorpage.login"))}</a></p>'
        if status == HTTPStatus.UNAUTHORIZED
        else ""
    )
    status_line = " ".join(filter(None, (t(lang, "errorpage.status", status=str(status)), phrase)))
    body = (
        f'<p class="notice notice--error" role="alert">{esc(t(lang, "errorpage.text." + key))}</p>'
        f'<p class="error-status">{esc(status_line)}</p>'
        f"{login}"
        f'<p><a href="/account">{esc(t(lang, "error.back"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, "errorpage.title." + key), body=body, status=status)
