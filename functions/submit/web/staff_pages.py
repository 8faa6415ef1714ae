"""What the staff pages (review and administration) share: the staff gate, the account bar and labelled fields
with their errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.submit import portal
from functions.submit.principal import Principal
from functions.submit.web import http
from functions.submit.web.staff_texts import STAFF_CHROME, st
from functions.submit.web.texts import t
from platform_common.browser_session import WebSession
from platform_common.web_layout import Language, esc, field_id, with_query

REVIEW_ROLES = frozenset({"reviewer", "operator"})
OPERATOR_ROLES = frozenset({"operator"})


def signed_in_staff(
    router: Router, lang: Language, roles: frozenset[str]
) -> tuple[WebSession, Principal] | Response[str]:
    """The session and principal of one of this ministry's staff with one of ``roles``; otherwise a redirect to
    sign in (not signed in) or a 403 page (signed in, but not such staff: applicants, other ministries' staff)."""
    found = http.require_sign_in(router, lang)
    if isinstance(found, Response):
        return found
    if not found[1].staff_roles & roles:
        key = "operator_only" if roles == OPERATOR_ROLES else "staff_only"
        return http.message_page(router, lang, "forbidden_title", st(lang, key), 403, chrome=STAFF_CHROME)
    return found


def page(router: Router, lang: Language, title: str, body: str, *, status: int = 200) -> Response[str]:
    return http.page(router, lang, title, body, status=status, chrome=STAFF_CHROME)


def message(
    router: Router, lang: Language, title_key: str, text: str, status: int, *, link: tuple[str, str] | None = None
) -> Response[str]:
    return http.message_page(router, lang, title_key, text, status, link=link, chrome=STAFF_CHROME)


def account_bar(lang: Language, session: WebSession, principal: Principal) -> str:
    action = esc(with_query(portal.LOGOUT_PATH, {"lang": lang}))
    roles = "・".join(st(lang, f"role_{r}") for r in sorted(principal.staff_roles))
    name = f"{principal.name or principal.sub} ({roles})"
    return (
        f'<form method="post" action="{action}" class="account-bar"><p>{esc(t(lang, "signed_in_as", name=name))} '
        f'{http.csrf_input(session)}<button class="button button--secondary" type="submit">'
        f"{esc(t(lang, 'logout'))}</button></p></form>"
    )


def notice(text: str | None) -> str:
    return f'<p class="notice" role="status" id="notice">{esc(text)}</p>' if text else ""


Control = Callable[[str, str], str]  # (the element's id, its aria attributes) -> the control's HTML


def field(name: str, label: str, control: Control, *, error: str | None = None, hint: str | None = None) -> str:
    """A labelled field whose hint and error the control refers to (``aria-describedby``); its id is
    :func:`platform_common.web_layout.field_id` of ``name``, as the error summary links to it."""
    ident = field_id(name)
    described = []
    parts = [f'<div class="form-field{" form-field--error" if error else ""}">']
    parts.append(f'<label class="form-field__label" for="{ident}">{esc(label)}</label>')
    if hint:
        parts.append(f'<p class="form-field__hint" id="{ident}-hint">{esc(hint)}</p>')
        described.append(f"{ident}-hint")
    if error:
        parts.append(f'<p class="form-field__error" id="{ident}-error">{esc(error)}</p>')
        described.append(f"{ident}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    if error:
        aria += ' aria-invalid="true"'
    parts.append(control(ident, aria))
    parts.append("</div>")
    return "".join(parts)


def text_input(name: str, value: object, *, kind: str = "text", extra: str = "") -> Control:
    shown = "" if value is None else str(value)
    return lambda ident, aria: (
        f'<input class="form-field__input" id="{ident}" name="{esc(name)}" type="{kind}" value="{esc(shown)}"'
        f"{extra}{aria}>"
    )


def text_area(name: str, value: str, rows: int, *, extra: str = "") -> Control:
    return lambda ident, aria: (
        f'<textarea class="form-field__input" id="{ident}" name="{esc(name)}" rows="{rows}"{extra}{aria}>'
        f"{esc(value)}</textarea>"
    )


def select(name: str, options: list[tuple[str, str]], chosen: str | None) -> Control:
    items = "".join(
        f'<option value="{esc(value)}"{" selected" if value == chosen else ""}>{esc(label)}</option>'
        for value, label in options
    )
    return lambda ident, aria: (
        f'<select class="form-field__input" id="{ident}" name="{esc(name)}"{aria}>{items}</select>'
    )


def errors_of(errors: Mapping[str, str], prefix: str) -> str | None:
    """The errors at ``prefix`` and below it, joined (a JSON text field collects its pointers' errors)."""
    found = [
        f"{name}: {text}" if name != prefix else text
        for name, text in errors.items()
        if name == prefix or name.startswith(prefix + "/")
    ]
    return " / ".join(found) or None
