"""The API-token page ``/hojin/tokens``: a gBizID user issues, lists and revokes their gBizINFO API tokens.

Sign-in goes through gBizID's OpenID Provider (:mod:`functions.hojin_search.token_portal`): no session →
``/hojin/tokens/login`` → the OP → ``/hojin/tokens/callback`` → back here with a session cookie. The forms
are plain HTML POSTs carrying the session's CSRF token; a new token is shown once, in the answer to the
form that issued it, and never again (the table keeps its SHA-256 only).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie

from functions.hojin_search import token_portal
from functions.hojin_search.pages_layout import (
    Language,
    choose_language,
    error_summary,
    esc,
    render_page,
    text_field,
    with_query,
)
from functions.hojin_search.routers.tokens import (
    MAX_TOKENS_PER_OWNER,
    TokenSummary,
    issue_token,
    list_tokens,
    revoke_token,
)
from functions.hojin_search.settings import SERVICE
from platform_common.browser_session import CSRF_FIELD, WebSession
from platform_common.errors import Conflict, DomainError, NotFound, ServiceUnavailable
from platform_common.japan_time import shown_time
from platform_common.observability import observability_for
from platform_common.relying_party import SignInRejected

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

LABEL_MAX: Final = 80
MAX_FORM_BYTES: Final = 8192
TOKEN_ID: Final = re.compile(r"^[0-9a-f]{24}$")

_TEXT: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "title": "APIトークンの管理",
        "intro": "gBizINFO REST API の利用に必要なAPIトークンを発行・失効できます。"
        "リクエストのヘッダー X-hojinInfo-api-token にトークンを指定してください。",
        "signed_in": "gBizIDでログインしています。",
        "logout": "ログアウト",
        "issue": "トークンを発行",
        "label": "用途（一覧に表示されます）",
        "label_hint": f"{LABEL_MAX}文字以内。例：社内システムとの連携",
        "issue_button": "発行する",
        "new_token_title": "トークンを発行しました",
        "new_token": "発行したトークン",
        "new_token_note": "このトークンは今だけ表示されます。再表示はできません。"
        "今すぐコピーして安全な場所に保管してください。",
        "copy_hint": "欄を選択してコピー（Ctrl+C、Macでは⌘+C）してください。",
        "list": "発行済みのトークン",
        "none": "発行済みのトークンはありません。",
        "col_label": "用途",
        "col_created": "発行日時",
        "col_last_used": "最終利用日時",
        "col_action": "操作",
        "never": "未使用",
        "revoke": "失効させる",
        "revoke_label": "「{label}」を失効させる",
        "revoked": "トークンを失効させました。このトークンを使ったリクエストは拒否されます。",
        "label_required": "用途を入力してください。",
        "label_too_long": f"用途は{LABEL_MAX}文字以内で入力してください。",
        "too_many": f"トークンは1人{MAX_TOKENS_PER_OWNER}個までです。不要なトークンを失効させてから発行してください。",
        "not_found": "そのトークンは見つかりません（失効済みの可能性があります）。",
        "bad_request": "リクエストが正しくありません。",
        "signed_out_title": "ログアウトしました",
        "signed_out": "APIトークン管理ページからログアウトしました。発行済みのトークンは引き続き使えます。",
        "sign_in_again": "もう一度ログインする",
        "sign_in_failed_title": "ログインできませんでした",
        "sign_in_expired": "ログインの手続きが見つからないか、有効期限が切れているか、すでに使われています。"
        "もう一度ログインしてください。",
        "sign_in_rejected": "ログインの応答を確認できませんでした。もう一度ログインしてください。",
        "unavailable_title": "ただいま利用できません",
        "unavailable": "ログインサービスに接続できません。しばらくしてからもう一度お試しください。",
        "back": "法人検索ページへ",
    },
    "en": {
        "title": "API tokens",
        "intro": "Issue and revoke the API tokens the gBizINFO REST API requires. Send a token in the "
        "X-hojinInfo-api-token request header.",
        "signed_in": "You are signed in with gBizID.",
        "logout": "Sign out",
        "issue": "Issue a token",
        "label": "What the token is for (shown in the list)",
        "label_hint": f"Up to {LABEL_MAX} characters, e.g. our in-house system",
        "issue_button": "Issue",
        "new_token_title": "Your token was issued",
        "new_token": "Your new token",
        "new_token_note": "This token is shown only now and cannot be shown again. Copy it and keep it somewhere safe.",
        "copy_hint": "Select the field and copy it (Ctrl+C, or ⌘+C on a Mac).",
        "list": "Your tokens",
        "none": "You have no tokens.",
        "col_label": "Purpose",
        "col_created": "Issued",
        "col_last_used": "Last used",
        "col_action": "Action",
        "never": "Never",
        "revoke": "Revoke",
        "revoke_label": "Revoke “{label}”",
        "revoked": "The token was revoked. Requests with it are refused from now on.",
        "label_required": "Enter what the token is for.",
        "label_too_long": f"Use at most {LABEL_MAX} characters.",
        "too_many": f"At most {MAX_TOKENS_PER_OWNER} tokens per person: revoke one you no longer need first.",
        "not_found": "No such token (it may have been revoked already).",
        "bad_request": "The request is not valid.",
        "signed_out_title": "Signed out",
        "signed_out": "You signed out of the API token page. Your tokens keep working.",
        "sign_in_again": "Sign in again",
        "sign_in_failed_title": "Sign-in failed",
        "sign_in_expired": "The sign-in was not found, has expired or was used already. Please sign in again.",
        "sign_in_rejected": "The sign-in answer could not be verified. Please sign in again.",
        "unavailable_title": "Temporarily unavailable",
        "unavailable": "The sign-in service cannot be reached. Please try again later.",
        "back": "Go to the corporation search",
    },
}


def _t(lang: Language, key: str, **values: object) -> str:
    text = _TEXT[lang][key]
    return text.format(**values) if values else text


def _logger() -> Any:
    return observability_for(SERVICE).logger


# ----------------------------------------------------------------------------------------- request helpers


def _event() -> Mapping[str, Any]:
    raw = router.current_event.raw_event
    return raw if isinstance(raw, Mapping) else {}


def _query() -> dict[str, str]:
    return {str(k): str(v) for k, v in (router.current_event.query_string_parameters or {}).items()}


def _lang() -> Language:
    return choose_language(_query().get("lang"), router.current_event.headers.get("cookie"))


def _form() -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the first value of each name); empty when too large."""
    event = _event()
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode("utf-8")
    if len(data) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    return {name: values[0] for name, values in parsed.items() if values}


def _redirect(location: str, cookies: Sequence[Cookie] = ()) -> Response[str]:
    """303 See Other: the browser follows with a GET."""
    return Response(
        status_code=303,
        content_type="text/plain; charset=utf-8",
        body="",
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=list(cookies),
    )


def _page(lang: Language, title: str, body: str, *, status: int = 200, cookies: Sequence[Cookie] = ()) -> Response[str]:
    page = token_portal.TOKENS_PAGE
    switch = with_query(page, {"lang": "ja" if lang == "en" else "en"})
    response = render_page(lang=lang, title=title, body=body, switch_href=switch, status=status)
    response.cookies.extend(cookies)
    return response


def _sign_in_link(lang: Language) -> str:
    return (
        f'<p><a class="button" href="{esc(with_query(token_portal.LOGIN_PATH, {"lang": lang}))}">'
        + esc(_t(lang, "sign_in_again"))
        + "</a></p>"
    )


def _problem_page(lang: Language, title_key: str, message: str, status: int) -> Response[str]:
    body = f'<p class="notice notice--error" role="alert">{esc(message)}</p>{_sign_in_link(lang)}'
    return _page(lang, _t(lang, title_key), body, status=status)


def _unavailable(lang: Language) -> Response[str]:
    return _problem_page(lang, "unavailable_title", _t(lang, "unavailable"), 503)


# ------------------------------------------------------------------------------------------------ the page


def _csrf(session: WebSession) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(session.csrf_token)}">'


def _revoke_form(lang: Language, session: WebSession, token: TokenSummary) -> str:
    action = esc(with_query(token_portal.REVOKE_PATH, {"lang": lang}))
    name = esc(_t(lang, "revoke_label", label=token.label))  # names the token for screen readers
    return (
        f'<form method="post" action="{action}">{_csrf(session)}'
        f'<input type="hidden" name="token_id" value="{esc(token.id)}">'
        f'<button class="button button--secondary" type="submit" aria-label="{name}">{esc(_t(lang, "revoke"))}</button>'
        "</form>"
    )


def _token_table(lang: Language, session: WebSession, tokens: Sequence[TokenSummary]) -> str:
    heading = f'<h2 id="list-title">{esc(_t(lang, "list"))}</h2>'
    if not tokens:
        return (
            f'<section aria-labelledby="list-title">{heading}<p id="token-count">{esc(_t(lang, "none"))}</p></section>'
        )
    head = "".join(
        f'<th scope="col">{esc(_t(lang, key))}</th>'
        for key in ("col_label", "col_created", "col_last_used", "col_action")
    )
    rows = "".join(
        "<tr>"
        f'<th scope="row">{esc(token.label)}</th>'
        f"<td>{esc(shown_time(token.created, empty=_t(lang, 'never')))}</td>"
        f"<td>{esc(shown_time(token.last_used, empty=_t(lang, 'never')))}</td>"
        f"<td>{_revoke_form(lang, session, token)}</td>"
        "</tr>"
        for token in tokens
    )
    return (
        f'<section aria-labelledby="list-title">{heading}<div class="table-wrap"><table class="data-table" id="tokens">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def _issue_form(lang: Language, session: WebSession, label: str, errors: Mapping[str, str]) -> str:
    action = esc(with_query(token_portal.ISSUE_PATH, {"lang": lang}))
    return (
        f'<section aria-labelledby="issue-title"><h2 id="issue-title">{esc(_t(lang, "issue"))}</h2>'
        f"{error_summary(lang, errors)}"
        f'<form class="form" method="post" action="{action}">{_csrf(session)}'
        + text_field(
            "label",
            _t(lang, "label"),
            value=label,
            error=errors.get("label"),
            hint=_t(lang, "label_hint"),
            maxlength=str(LABEL_MAX),
            required="required",
            autocomplete="off",
        )
        + f'<p><button class="button" type="submit">{esc(_t(lang, "issue_button"))}</button></p></form></section>'
    )


def _new_token(lang: Language, token: str) -> str:
    return (
        '<section class="notice" aria-labelledby="new-token-title" role="status">'
        f'<h2 id="new-token-title">{esc(_t(lang, "new_token_title"))}</h2>'
        f"<p><strong>{esc(_t(lang, 'new_token_note'))}</strong></p>"
        + text_field(
            "new_token",
            _t(lang, "new_token"),
            value=token,
            hint=_t(lang, "copy_hint"),
            readonly="readonly",
            autocomplete="off",
            spellcheck="false",
        )
        + "</section>"
    )


def _tokens_page(
    lang: Language,
    session: WebSession,
    *,
    new_token: str | None = None,
    notice: str | None = None,
    label: str = "",
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    logout_action = esc(with_query(token_portal.LOGOUT_PATH, {"lang": lang}))
    parts = [
        f"<p>{esc(_t(lang, 'intro'))}</p>",
        f'<form method="post" action="{logout_action}"><p>{esc(_t(lang, "signed_in"))} '
        f'{_csrf(session)}<button class="button button--secondary" type="submit">{esc(_t(lang, "logout"))}</button>'
        "</p></form>",
    ]
    if notice:
        parts.append(f'<p class="notice" role="status" id="notice">{esc(notice)}</p>')
    if new_token:
        parts.append(_new_token(lang, new_token))
    parts.append(_issue_form(lang, session, label, errors or {}))
    parts.append(_token_table(lang, session, list_tokens(session.sub)))
    return _page(lang, _t(lang, "title"), "".join(parts), status=status)


def _session_or_login(lang: Language) -> WebSession | Response[str]:
    session = token_portal.sessions().current(_event())
    if session is None:
        return _redirect(with_query(token_portal.LOGIN_PATH, {"lang": lang}))
    return session


@router.get(token_portal.TOKENS_PAGE, include_in_schema=False)
def handle_tokens_page() -> Response[str]:
    lang = _lang()
    found = _session_or_login(lang)
    if isinstance(found, Response):
        return found
    notice = _t(lang, "revoked") if _query().get("revoked") == "1" else None
    return _tokens_page(lang, found, notice=notice)


@router.post(token_portal.ISSUE_PATH, include_in_schema=False)
def handle_issue_token_form() -> Response[str]:
    lang = _lang()
    found = _session_or_login(lang)
    if isinstance(found, Response):
        return found
    form = _form()
    found.verify_csrf(form)
    label = " ".join(form.get("label", "").split())  # no control characters or runs of spaces in the list
    if not label:
        return _tokens_page(lang, found, errors={"label": _t(lang, "label_required")}, status=400)
    if len(label) > LABEL_MAX:
        return _tokens_page(lang, found, label=label, errors={"label": _t(lang, "label_too_long")}, status=400)
    try:
        issued = issue_token(found.sub, label)
    except Conflict:
        return _tokens_page(lang, found, label=label, errors={"label": _t(lang, "too_many")}, status=409)
    _logger().info("api token issued on the token page", extra={"token_id": issued.id})
    return _tokens_page(lang, found, new_token=issued.token)


@router.post(token_portal.REVOKE_PATH, include_in_schema=False)
def handle_revoke_token_form() -> Response[str]:
    lang = _lang()
    found = _session_or_login(lang)
    if isinstance(found, Response):
        return found
    form = _form()
    found.verify_csrf(form)
    token_id = form.get("token_id", "")
    if not TOKEN_ID.match(token_id):
        return _tokens_page(lang, found, notice=_t(lang, "bad_request"), status=400)
    try:
        revoke_token(found.sub, token_id)
    except NotFound:
        return _tokens_page(lang, found, notice=_t(lang, "not_found"), status=404)
    _logger().info("api token revoked on the token page", extra={"token_id": token_id})
    return _redirect(with_query(token_portal.TOKENS_PAGE, {"lang": lang, "revoked": "1"}))


@router.post(token_portal.LOGOUT_PATH, include_in_schema=False)
def handle_logout() -> Response[str]:
    lang = _lang()
    session = token_portal.sessions().current(_event())
    if session is None:
        return _redirect(with_query(token_portal.TOKENS_PAGE, {"lang": lang}))
    session.verify_csrf(_form())
    expired = token_portal.sessions().end(session)
    search = esc(with_query("/hojin/search", {"lang": lang}))
    body = (
        f'<p role="status">{esc(_t(lang, "signed_out"))}</p>{_sign_in_link(lang)}'
        f'<p><a href="{search}">{esc(_t(lang, "back"))}</a></p>'
    )
    return _page(lang, _t(lang, "signed_out_title"), body, cookies=[expired])


# ------------------------------------------------------------------------------------------------- sign-in


@router.get(token_portal.LOGIN_PATH, include_in_schema=False)
def handle_login() -> Response[str]:
    lang = _lang()
    if not token_portal.configured():
        return _unavailable(lang)
    try:
        start = token_portal.relying_party().start_login(ui_locales=lang)
    except ServiceUnavailable:
        return _unavailable(lang)
    cookie = token_portal.sessions().begin_login(
        state=start.state,
        nonce=start.nonce,
        code_verifier=start.code_verifier,
        return_to=with_query(token_portal.TOKENS_PAGE, {"lang": lang}),
    )
    return _redirect(start.url, [cookie])


@router.get(token_portal.CALLBACK_PATH, include_in_schema=False)
def handle_callback() -> Response[str]:
    lang = _lang()
    sessions = token_portal.sessions()
    pending = sessions.take_login(_event())  # one use: a replayed callback finds nothing
    if pending is None:
        return _problem_page(lang, "sign_in_failed_title", _t(lang, "sign_in_expired"), 400)
    try:
        signed_in = token_portal.relying_party().finish_login(
            state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier, params=_query()
        )
    except SignInRejected as rejected:
        _logger().warning("token page sign-in rejected", extra={"items": [e.item for e in rejected.errors]})
        return _problem_page(lang, "sign_in_failed_title", _t(lang, "sign_in_rejected"), 400)
    except DomainError:
        return _unavailable(lang)
    _, cookie = sessions.start(signed_in.sub)
    return_to = (
        pending.return_to if pending.return_to.startswith(token_portal.TOKENS_PAGE) else token_portal.TOKENS_PAGE
    )
    return _redirect(return_to, [cookie, sessions.cookies.expired(sessions.cookies.login)])
