"""Account pages: sign-up and e-mail verification, login (password, then the second factor), logout, the
account home and the password change. Thin: forms are read and checked here, the work is in
:mod:`functions.auth.accounts`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie

import functions.auth.accounts.messages  # noqa: F401  # registers the pages' wording
from functions.auth import factors
from functions.auth.accounts import login as login_logic
from functions.auth.accounts import signup as signup_logic
from functions.auth.accounts.policy import (
    clean_display_name,
    is_relative_path,
    normalize_code,
    normalize_email,
    password_problems,
)
from functions.auth.audit import record_event
from functions.auth.dal import ProfileItem, get_store
from functions.auth.web import request as web_request
from functions.auth.web.layout import (
    anonymous_csrf,
    anonymous_csrf_input,
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    request_language,
    t,
    verify_anonymous_csrf,
    verify_csrf,
)
from functions.auth.web.session import (
    BrowserSession,
    LoginRequired,
    complete_second_factor,
    current_session,
    delete_session,
    end_session,
    make_cookie,
    pending_session,
    require_session,
    start_session,
)
from platform_common.errors import DomainError

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

FRESH_LOGIN_SECONDS = 5 * 60
_REQUEST_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_FACTOR_ORDER = ("totp", "email", "sms", "recovery")


def _event() -> Any:
    return router.current_event


def _lang() -> str:
    return request_language(_event())


def _origin() -> signup_logic.RequestOrigin:
    event = _event()
    return signup_logic.RequestOrigin(web_request.source_ip(event), web_request.user_agent(event))


def _notice(text: str, *, kind: str = "info") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<div class="notice notice--{kind}" role="{role}"><p>{esc(text)}</p></div>'


def _problems_text(lang: str, keys: list[str]) -> str:
    return " ".join(t(lang, key) for key in keys)


# -- where to go after the login


class _BadTarget(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _login_target(params: Mapping[str, str]) -> tuple[str, str]:
    """The checked ``return_to`` and OIDC ``request`` id; :class:`_BadTarget` for an off-site address."""
    return_to = params.get("return_to", "")
    request_id = params.get("request", "")
    if return_to and not is_relative_path(return_to):
        raise _BadTarget("login.bad_return_to")
    if request_id and (len(request_id) > 128 or not set(request_id) <= _REQUEST_ID_CHARS):
        raise _BadTarget("login.bad_request")
    return return_to, request_id


def _after_login(return_to: str, request_id: str) -> str:
    if return_to:
        return return_to
    if request_id:
        return "/oauth/authorize?" + urlencode({"request": request_id})
    return "/account"


def _target_query(return_to: str, request_id: str) -> str:
    params = {name: value for name, value in (("return_to", return_to), ("request", request_id)) if value}
    return ("?" + urlencode(params, quote_via=quote, safe="/")) if params else ""


def _target_inputs(return_to: str, request_id: str) -> str:
    inputs = []
    if return_to:
        inputs.append(f'<input type="hidden" name="return_to" value="{esc(return_to)}">')
    if request_id:
        inputs.append(f'<input type="hidden" name="request" value="{esc(request_id)}">')
    return "".join(inputs)


def _bad_target_page(lang: str, key: str) -> Response[str]:
    body = _notice(t(lang, key), kind="error") + f'<p><a href="/account/login">{esc(t(lang, "mfa.restart"))}</a></p>'
    return render_page(lang=lang, title=t(lang, "login.title"), body=body, status=400)


# -- sign-up


def _signup_page(
    lang: str, *, values: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None, status: int = 200
) -> Response[str]:
    values = values or {}
    errors = errors or {}
    token, cookies = anonymous_csrf(_event())
    body = f"""{error_summary(lang, errors)}
<p>{esc(t(lang, "signup.lead"))}</p>
<form class="form" method="post" action="/account/signup" novalidate>
{anonymous_csrf_input(token)}
{
        form_field(
            "email",
            t(lang, "signup.email"),
            type="email",
            autocomplete="username",
            value=values.get("email", ""),
            error=errors.get("email"),
            spellcheck="false",
            autocapitalize="off",
            maxlength=254,
        )
    }
{
        form_field(
            "password",
            t(lang, "signup.password"),
            type="password",
            autocomplete="new-password",
            error=errors.get("password"),
            hint=t(lang, "signup.password_hint"),
            minlength=12,
            maxlength=256,
        )
    }
{
        form_field(
            "display_name",
            t(lang, "signup.display_name"),
            autocomplete="name",
            required=False,
            value=values.get("display_name", ""),
            error=errors.get("display_name"),
            hint=t(lang, "signup.display_name_hint"),
            maxlength=100,
        )
    }
<button class="button" type="submit">{esc(t(lang, "signup.submit"))}</button>
</form>
<p><a href="/account/login">{esc(t(lang, "signup.have_account"))}</a></p>"""
    return render_page(lang=lang, title=t(lang, "signup.title"), body=body, status=status, cookies=cookies)


@router.get("/account/signup", summary="Sign-up form of gBizID Entry accounts (HTML)", tags=["accounts"])
def handle_get_signup() -> Response[str]:
    return _signup_page(_lang())


@router.post("/account/signup", summary="Start a sign-up: a verification code by e-mail (HTML form)", tags=["accounts"])
def handle_post_signup() -> Response[str]:
    lang = _lang()
    form = parse_form(_event())
    verify_anonymous_csrf(_event(), form)
    errors: dict[str, str] = {}
    email = normalize_email(form.get("email", ""))
    if email is None:
        errors["email"] = t(lang, "field.email_invalid")
    password = form.get("password", "")
    problems = password_problems(password)
    if problems:
        errors["password"] = _problems_text(lang, problems)
    display_name = clean_display_name(form.get("display_name", ""))
    if display_name is None:
        errors["display_name"] = t(lang, "field.display_name_invalid")
    if errors or email is None:
        return _signup_page(lang, values=form, errors=errors, status=400)
    signup_logic.start_signup(email, password, display_name or None, lang, _origin())
    return _verify_page(lang, email=email, notice=t(lang, "verify.sent"))


def _verify_page(
    lang: str, *, email: str = "", notice: str = "", errors: Mapping[str, str] | None = None, status: int = 200
) -> Response[str]:
    errors = errors or {}
    token, cookies = anonymous_csrf(_event())
    body = f"""{_notice(notice) if notice else ""}{error_summary(lang, errors)}
<p>{esc(t(lang, "verify.lead"))}</p>
<form class="form" method="post" action="/account/signup/verify" novalidate>
{anonymous_csrf_input(token)}
{
        form_field(
            "email",
            t(lang, "verify.email"),
            type="email",
            autocomplete="username",
            value=email,
            error=errors.get("email"),
            spellcheck="false",
            autocapitalize="off",
            maxlength=254,
        )
    }
{
        form_field(
            "code",
            t(lang, "verify.code"),
            autocomplete="one-time-code",
            inputmode="numeric",
            error=errors.get("code"),
            hint=t(lang, "verify.code_hint"),
            maxlength=12,
        )
    }
{
        form_field(
            "password",
            t(lang, "verify.password"),
            type="password",
            autocomplete="current-password",
            error=errors.get("password"),
        )
    }
<button class="button" type="submit" name="action" value="verify">{esc(t(lang, "verify.submit"))}</button>
<button class="button button--secondary" type="submit" name="action" value="resend"
 formnovalidate>{esc(t(lang, "verify.resend"))}</button>
</form>"""
    return render_page(lang=lang, title=t(lang, "verify.title"), body=body, status=status, cookies=cookies)


@router.get("/account/signup/verify", summary="E-mail verification form (HTML)", tags=["accounts"])
def handle_get_signup_verify() -> Response[str]:
    return _verify_page(_lang())


@router.post("/account/signup/verify", summary="Verify the e-mail address with its code (HTML form)", tags=["accounts"])
def handle_post_signup_verify() -> Response[str]:
    lang = _lang()
    form = parse_form(_event())
    verify_anonymous_csrf(_event(), form)
    email = normalize_email(form.get("email", ""))
    if form.get("action") == "resend":
        if email is None:
            return _verify_page(lang, errors={"email": t(lang, "field.email_invalid")}, status=400)
        signup_logic.resend_code(email, lang)
        return _verify_page(lang, email=email, notice=t(lang, "verify.resent"))
    errors: dict[str, str] = {}
    if email is None:
        errors["email"] = t(lang, "field.email_invalid")
    code = normalize_code(form.get("code", ""))
    if code is None:
        errors["code"] = t(lang, "field.code_invalid")
    password = form.get("password", "")
    if not password:
        errors["password"] = t(lang, "field.required")
    if errors or email is None or code is None:
        return _verify_page(lang, email=form.get("email", ""), errors=errors, status=400)
    try:
        signup_logic.verify_signup(email, code, password, lang, _origin())
    except signup_logic.VerificationFailed:
        return _verify_page(lang, email=email, errors={"code": t(lang, "verify.failed")}, status=400)
    return redirect("/account/login?verified=1")


# -- login


def _login_page(
    lang: str,
    *,
    return_to: str = "",
    request_id: str = "",
    email: str = "",
    notice: str = "",
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    errors = errors or {}
    token, cookies = anonymous_csrf(_event())
    body = f"""{_notice(notice) if notice else ""}{error_summary(lang, errors)}
<form class="form" method="post" action="/account/login" novalidate>
{anonymous_csrf_input(token)}{_target_inputs(return_to, request_id)}
{
        form_field(
            "email",
            t(lang, "login.email"),
            type="email",
            autocomplete="username",
            value=email,
            error=errors.get("email"),
            spellcheck="false",
            autocapitalize="off",
            maxlength=254,
        )
    }
{
        form_field(
            "password",
            t(lang, "login.password"),
            type="password",
            autocomplete="current-password",
            error=errors.get("password"),
        )
    }
<button class="button" type="submit">{esc(t(lang, "login.submit"))}</button>
</form>
<p><a href="/account/signup">{esc(t(lang, "login.signup"))}</a></p>"""
    return render_page(lang=lang, title=t(lang, "login.title"), body=body, status=status, cookies=cookies)


@router.get("/account/login", summary="Login form (HTML)", tags=["accounts"])
def handle_get_login() -> Response[str]:
    lang = _lang()
    params = web_request.query(_event())
    try:
        return_to, request_id = _login_target(params)
    except _BadTarget as bad:
        return _bad_target_page(lang, bad.key)
    notice = ""
    if params.get("verified") == "1":
        notice = t(lang, "login.verified")
    elif params.get("logged_out") == "1":
        notice = t(lang, "login.logged_out")
    return _login_page(lang, return_to=return_to, request_id=request_id, notice=notice)


@router.post("/account/login", summary="Check the e-mail address and password (HTML form)", tags=["accounts"])
def handle_post_login() -> Response[str]:
    event = _event()
    lang = _lang()
    form = parse_form(event)
    verify_anonymous_csrf(event, form)
    try:
        return_to, request_id = _login_target(form)
    except _BadTarget as bad:
        return _bad_target_page(lang, bad.key)
    email = normalize_email(form.get("email", ""))
    password = form.get("password", "")
    errors: dict[str, str] = {}
    if email is None:
        errors["email"] = t(lang, "field.email_invalid")
    if not password:
        errors["password"] = t(lang, "field.required")
    if errors or email is None:
        return _login_page(
            lang, return_to=return_to, request_id=request_id, email=form.get("email", ""), errors=errors, status=400
        )
    device_id = web_request.cookies(event).get(login_logic.DEVICE_COOKIE) or login_logic.new_device_id()
    try:
        checked = login_logic.check_password(email, password, device_id=device_id, lang=lang, origin=_origin())
    except login_logic.LoginRefused as refused:
        locked = refused.refusal is login_logic.LoginRefusal.LOCKED
        message = t(lang, "login.locked" if locked else "login.failed")
        return _login_page(
            lang,
            return_to=return_to,
            request_id=request_id,
            email=email,
            errors={"password": message},
            status=429 if locked else 400,
        )
    # A new session identifier at every login: one planted before it is worthless (session fixation).
    end_session(event)  # its expired cookie is not sent: the new session's cookie has the same name
    session, session_cookie = start_session(
        checked.profile.sub, amr=("pwd",), acr=checked.acr, second_factor_pending=checked.second_factor_required
    )
    cookies: list[Cookie] = [session_cookie]
    if login_logic.DEVICE_COOKIE not in web_request.cookies(event):
        cookies.append(make_cookie(login_logic.DEVICE_COOKIE, device_id, max_age=login_logic.DEVICE_SECONDS))
    if checked.second_factor_required:
        return redirect("/account/login/second-factor" + _target_query(return_to, request_id), cookies)
    login_logic.record_login(checked.profile, session.amr, _origin())
    return redirect(_after_login(return_to, request_id), cookies)


# -- second factor


def _available(sub: str) -> list[str]:
    found = [str(kind) for kind in factors.available_factors(sub)]
    return [kind for kind in _FACTOR_ORDER if kind in found]


def _second_factor_page(
    lang: str,
    session: BrowserSession,
    *,
    return_to: str,
    request_id: str,
    chosen: str = "",
    notice: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response[str]:
    available = _available(session.sub)
    if not available:
        body = _notice(t(lang, "mfa.none"), kind="error") + (
            f'<p><a href="/account/login">{esc(t(lang, "mfa.restart"))}</a></p>'
        )
        return render_page(lang=lang, title=t(lang, "mfa.title"), body=body, status=status)
    selected = chosen if chosen in available else available[0]
    options = "\n".join(
        f'<div class="choice"><input type="radio" id="method-{kind}" name="method" value="{kind}"'
        f"{' checked' if kind == selected else ''}>"
        f'<label for="method-{kind}">{esc(t(lang, "mfa." + kind))}</label></div>'
        for kind in available
    )
    senders = [kind for kind in ("email", "sms") if kind in available]
    send_buttons = "\n".join(
        f'<button class="button button--secondary" type="submit" name="send" value="{kind}">'
        f"{esc(t(lang, 'mfa.send_' + kind))}</button>"
        for kind in senders
    )
    send_form = (
        f"""<h2>{esc(t(lang, "mfa.send_title"))}</h2>
<form class="form" method="post" action="/account/login/second-factor{esc(_target_query(return_to, request_id))}">
{csrf_input(session)}<input type="hidden" name="action" value="send">
{send_buttons}
</form>"""
        if senders
        else ""
    )
    errors = {"code": error} if error else {}
    body = f"""{_notice(notice) if notice else ""}{error_summary(lang, errors)}
<p>{esc(t(lang, "mfa.lead"))}</p>
<form class="form" method="post" action="/account/login/second-factor{esc(_target_query(return_to, request_id))}"
 novalidate>
{csrf_input(session)}<input type="hidden" name="action" value="verify">
<fieldset class="form-fieldset"><legend>{esc(t(lang, "mfa.method"))}</legend>
{options}
</fieldset>
{
        form_field(
            "code",
            t(lang, "mfa.code"),
            autocomplete="one-time-code",
            error=error,
            hint=t(lang, "mfa.code_hint"),
            spellcheck="false",
            autocapitalize="off",
            maxlength=32,
        )
    }
<button class="button" type="submit">{esc(t(lang, "mfa.submit"))}</button>
</form>
{send_form}"""
    return render_page(lang=lang, title=t(lang, "mfa.title"), body=body, status=status)


def _pending_or_restart() -> tuple[BrowserSession | None, str, str]:
    params = web_request.query(_event())
    try:
        return_to, request_id = _login_target(params)
    except _BadTarget:
        return_to, request_id = "", ""
    return pending_session(_event()), return_to, request_id


@router.get("/account/login/second-factor", summary="Second-factor step of the login (HTML)", tags=["accounts"])
def handle_get_second_factor() -> Response[str]:
    session, return_to, request_id = _pending_or_restart()
    if session is None:
        return redirect("/account/login" + _target_query(return_to, request_id))
    return _second_factor_page(_lang(), session, return_to=return_to, request_id=request_id)


@router.post("/account/login/second-factor", summary="Verify the second factor (HTML form)", tags=["accounts"])
def handle_post_second_factor() -> Response[str]:
    lang = _lang()
    session, return_to, request_id = _pending_or_restart()
    if session is None:
        return redirect("/account/login" + _target_query(return_to, request_id))
    form = parse_form(_event())
    verify_csrf(session, form)

    def page(**kwargs: Any) -> Response[str]:
        return _second_factor_page(lang, session, return_to=return_to, request_id=request_id, **kwargs)

    if form.get("action") == "send":
        kind = form.get("send", "")
        if kind not in ("email", "sms") or kind not in _available(session.sub):
            return page(error=t(lang, "mfa.failed"), status=400)
        try:
            factors.send_login_code(session.sub, "email" if kind == "email" else "sms", lang)
        except DomainError:  # rate limited (or the factor went away meanwhile)
            return page(chosen=kind, notice=t(lang, "mfa.send_limited"), status=429)
        return page(chosen=kind, notice=t(lang, "mfa.sent"))
    kind = form.get("method", "")
    code = form.get("code", "").strip()
    if kind not in _available(session.sub) or not code:
        return page(chosen=kind, error=t(lang, "mfa.failed"), status=400)
    if not factors.verify_login_factor(session.sub, kind, code):
        locked = getattr(factors, "login_factor_locked", None)
        if callable(locked) and locked(session.sub):
            delete_session(session)
            body = _notice(t(lang, "mfa.locked"), kind="error") + (
                f'<p><a href="/account/login">{esc(t(lang, "mfa.restart"))}</a></p>'
            )
            return render_page(lang=lang, title=t(lang, "mfa.title"), body=body, status=429)
        return page(chosen=kind, error=t(lang, "mfa.failed"), status=400)
    amr_by_factor: Mapping[str, str] = getattr(factors, "AMR_BY_FACTOR", {})
    completed = complete_second_factor(session, amr_by_factor.get(kind, "otp"))
    profile = get_store().get_profile(session.sub)
    if profile is not None:
        login_logic.record_login(profile, completed.amr, _origin())
    return redirect(_after_login(return_to, request_id))


# -- logout


@router.post("/account/logout", summary="Log out (HTML form)", tags=["accounts"])
def handle_post_logout() -> Response[str]:
    event = _event()
    session = current_session(event) or pending_session(event)
    if session is None:
        return redirect("/account/login")
    verify_csrf(session, parse_form(event))
    cookie = end_session(event)
    origin = _origin()
    record_event(
        "session.ended",
        outcome="success",
        actor_sub=session.sub,
        subject_sub=session.sub,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
        detail={"reason": "logout"},
    )
    return redirect("/account/login?logged_out=1", [cookie])


# -- home and password


def _profile(session: BrowserSession) -> ProfileItem:
    profile = get_store().get_profile(session.sub)
    if profile is None:  # the account was removed while signed in
        raise LoginRequired("/account")
    return profile


def _logout_form(lang: str, session: BrowserSession) -> str:
    return f"""<form class="form form--inline" method="post" action="/account/logout">
{csrf_input(session)}<button class="button button--secondary" type="submit">{esc(t(lang, "home.logout"))}</button>
</form>"""


@router.get("/account", summary="The signed-in account's home (HTML)", tags=["accounts"])
def handle_get_account() -> Response[str]:
    lang = _lang()
    session = require_session(_event())
    profile = _profile(session)
    rows = [(t(lang, "home.email"), profile.email)]
    if profile.tier is not None:
        rows.append((t(lang, "home.tier"), t(lang, f"tier.{profile.tier.value}")))
        rows.append((t(lang, "home.corporate_number"), profile.corporate_number or t(lang, "home.none")))
    if profile.role is not None:
        rows.append((t(lang, "home.role"), t(lang, f"role.{profile.role.value}")))
    details = "\n".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in rows)
    links = [("/account/factors", "home.factors"), ("/account/password", "home.password")]
    if profile.tier is not None:
        links.append(("/account/prime", "home.prime"))
        links.append(("/account/members", "home.members"))
        links.append(("/account/mandates", "home.mandates"))
    links.append(("/account/activity", "home.activity"))
    menu = "\n".join(f'<li><a href="{href}">{esc(t(lang, key))}</a></li>' for href, key in links)
    body = f"""<dl class="summary-list">
{details}
</dl>
<h2 id="menu-title">{esc(t(lang, "home.menu"))}</h2>
<ul class="link-list" aria-labelledby="menu-title">
{menu}
</ul>
{_logout_form(lang, session)}"""
    return render_page(lang=lang, title=t(lang, "home.title"), body=body)


def _password_page(
    lang: str,
    session: BrowserSession,
    email: str,
    *,
    notice: str = "",
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    errors = errors or {}
    body = f"""{_notice(notice) if notice else ""}{error_summary(lang, errors)}
<p>{esc(t(lang, "password.lead"))}</p>
<form class="form" method="post" action="/account/password" novalidate>
{csrf_input(session)}
<input type="hidden" name="username" autocomplete="username" value="{esc(email)}">
{
        form_field(
            "current_password",
            t(lang, "password.current"),
            type="password",
            autocomplete="current-password",
            error=errors.get("current_password"),
        )
    }
{
        form_field(
            "new_password",
            t(lang, "password.new"),
            type="password",
            autocomplete="new-password",
            error=errors.get("new_password"),
            hint=t(lang, "signup.password_hint"),
            minlength=12,
            maxlength=256,
        )
    }
{
        form_field(
            "confirm_password",
            t(lang, "password.confirm"),
            type="password",
            autocomplete="new-password",
            error=errors.get("confirm_password"),
        )
    }
<button class="button" type="submit">{esc(t(lang, "password.submit"))}</button>
</form>"""
    return render_page(lang=lang, title=t(lang, "password.title"), body=body, status=status)


@router.get(
    "/account/password", summary="Password change form (HTML; needs a login in the last 5 minutes)", tags=["accounts"]
)
def handle_get_password() -> Response[str]:
    session = require_session(_event(), fresh_seconds=FRESH_LOGIN_SECONDS)
    return _password_page(_lang(), session, _profile(session).email)


@router.post("/account/password", summary="Change the password (HTML form)", tags=["accounts"])
def handle_post_password() -> Response[str]:
    lang = _lang()
    event = _event()
    session = require_session(event, fresh_seconds=FRESH_LOGIN_SECONDS)
    form = parse_form(event)
    verify_csrf(session, form)
    current = form.get("current_password", "")
    new = form.get("new_password", "")
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = t(lang, "field.required")
    problems = password_problems(new)
    if problems:
        errors["new_password"] = _problems_text(lang, problems)
    elif new == current:
        errors["new_password"] = t(lang, "password.same")
    if form.get("confirm_password", "") != new:
        errors["confirm_password"] = t(lang, "password.mismatch")
    profile = _profile(session)
    if errors:
        return _password_page(lang, session, profile.email, errors=errors, status=400)
    try:
        login_logic.change_password(profile, current, new, lang, _origin(), keep_session=session.id_hash)
    except login_logic.PasswordChangeRefused:
        wrong = {"current_password": t(lang, "password.wrong_current")}
        return _password_page(lang, session, profile.email, errors=wrong, status=400)
    return _password_page(lang, session, profile.email, notice=t(lang, "password.changed"))
