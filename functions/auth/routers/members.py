"""Member pages: the Prime holder's list, invitation, suspension and deletion; the invitation link."""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth import members
from functions.auth.dal import get_store
from functions.auth.logic.discovery import resolve_issuer
from functions.auth.prime.pages import field_errors, message_page, origin_of, table, translate
from functions.auth.prime.service import hojin_record
from functions.auth.settings import get_settings
from functions.auth.web.layout import (
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    verify_csrf,
)
from functions.auth.web.layout import request_language as _lang
from functions.auth.web.messages import register_messages, t
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import Conflict, Forbidden, InvalidInput, NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

MEMBERS_PATH = "/account/members"
ACTIONS = ("suspend", "enable", "delete")

register_messages(
    {
        "ja": {
            "members.title": "メンバーの管理",
            "members.lead": "従業員に gBizIDメンバー のアカウントを発行し、利用停止・再開・削除ができます。",
            "members.caption": "{corporation} のメンバー",
            "members.empty": "メンバーはまだいません。",
            "members.col.email": "メールアドレス",
            "members.col.status": "状態",
            "members.col.actions": "操作",
            "members.status.INVITED": "招待中",
            "members.status.ACTIVE": "利用中",
            "members.status.SUSPENDED": "利用停止中",
            "members.action.suspend": "利用停止",
            "members.action.enable": "利用再開",
            "members.action.delete": "削除",
            "members.invite.title": "メンバーを招待する",
            "members.field.email": "メンバーのメールアドレス",
            "members.invite.submit": "招待メールを送る",
            "members.done.invited": "招待メールを送りました。",
            "members.done.suspend": "利用を停止しました。",
            "members.done.enable": "利用を再開しました。",
            "members.done.delete": "削除しました。",
            "accept.title": "gBizIDメンバーのパスワード設定",
            "accept.lead": "招待を受けたアカウントのパスワードを設定してください。",
            "accept.field.password": "新しいパスワード",
            "accept.field.confirm": "新しいパスワード (確認)",
            "accept.hint": "12文字以上で、英大文字・英小文字・数字・記号をそれぞれ含めてください。",
            "accept.submit": "パスワードを設定する",
            "accept.invalid": (
                "招待リンクが無効です (使用済み・期限切れ・入力誤り)。招待した方に再送を依頼してください。"
            ),
            "accept.done.title": "パスワードを設定しました",
            "accept.done.body": "ログインして、二要素認証を設定してください。",
            "accept.login": "ログインする",
        },
        "en": {
            "members.title": "Members",
            "members.lead": "Issue gBizID Member accounts to employees, and suspend, re-enable or delete them.",
            "members.caption": "Members of {corporation}",
            "members.empty": "No members yet.",
            "members.col.email": "E-mail",
            "members.col.status": "Status",
            "members.col.actions": "Actions",
            "members.status.INVITED": "Invited",
            "members.status.ACTIVE": "Active",
            "members.status.SUSPENDED": "Suspended",
            "members.action.suspend": "Suspend",
            "members.action.enable": "Re-enable",
            "members.action.delete": "Delete",
            "members.invite.title": "Invite a member",
            "members.field.email": "Member's e-mail address",
            "members.invite.submit": "Send the invitation",
            "members.done.invited": "The invitation was sent.",
            "members.done.suspend": "The member was suspended.",
            "members.done.enable": "The member was re-enabled.",
            "members.done.delete": "The member was deleted.",
            "accept.title": "Set your gBizID Member password",
            "accept.lead": "Choose the password of the account you were invited to.",
            "accept.field.password": "New password",
            "accept.field.confirm": "New password (again)",
            "accept.hint": "12 or more characters with upper and lower case letters, a digit and a symbol.",
            "accept.submit": "Set the password",
            "accept.invalid": (
                "The invitation link is not valid (used, expired or mistyped). Ask the sender for a new one."
            ),
            "accept.done.title": "Your password is set",
            "accept.done.body": "Log in and set up your second factor.",
            "accept.login": "Log in",
        },
    }
)


def _corporation_name(corporate_number: str) -> str:
    record = hojin_record(corporate_number) or {}
    return str(record.get("name") or corporate_number)


def _portal_base() -> str:
    event = router.current_event
    context = event.raw_event.get("requestContext")
    issuer = resolve_issuer(get_settings().oidc_issuer, event.headers, context if isinstance(context, dict) else {})
    return issuer.removesuffix("/oauth")


def _page(
    lang: str,
    session: BrowserSession,
    *,
    email: str = "",
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    holder = members.require_prime_holder(get_store().get_profile(session.sub))
    errors = errors or {}
    corporation = _corporation_name(str(holder.corporate_number))
    rows = []
    for member in members.list_members(holder):
        buttons = "".join(
            f'<form class="form--inline" method="post" action="{MEMBERS_PATH}/{esc(member.sub)}">'
            f'{csrf_input(session)}<input type="hidden" name="action" value="{action}">'
            f'<button class="button button--secondary" type="submit" '
            f'aria-label="{esc(t(lang, f"members.action.{action}"))} {esc(member.email)}">'
            f"{esc(t(lang, f'members.action.{action}'))}</button></form>"
            for action in ACTIONS
            if not (action == "suspend" and member.status is members.MemberStatus.SUSPENDED)
            and not (action == "enable" and member.status is not members.MemberStatus.SUSPENDED)
        )
        rows.append((esc(member.email), esc(t(lang, f"members.status.{member.status.value}")), buttons))
    headers = [t(lang, "members.col.email"), t(lang, "members.col.status"), t(lang, "members.col.actions")]
    body = "".join(
        [
            f'<p class="notice" role="status">{esc(notice)}</p>' if notice else "",
            f"<p>{esc(t(lang, 'members.lead'))}</p>",
            table(t(lang, "members.caption", corporation=corporation), headers, rows, t(lang, "members.empty")),
            f"<h2>{esc(t(lang, 'members.invite.title'))}</h2>",
            error_summary(lang, errors),
            f'<form class="form" method="post" action="{MEMBERS_PATH}" novalidate>{csrf_input(session)}',
            form_field(
                "email",
                t(lang, "members.field.email"),
                type="email",
                autocomplete="email",
                value=email,
                error=errors.get("email"),
            ),
            f'<button class="button" type="submit">{esc(t(lang, "members.invite.submit"))}</button></form>',
        ]
    )
    return render_page(lang=lang, title=t(lang, "members.title"), body=body, status=status)


@router.get(MEMBERS_PATH, include_in_schema=False)
def handle_get_members() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    done = (event.query_string_parameters or {}).get("done", "")
    notice = t(lang, f"members.done.{done}") if done in ("invited", *ACTIONS) else ""
    try:
        return _page(lang, session, notice=notice)
    except Forbidden as error:
        return message_page(lang, error)


@router.post(MEMBERS_PATH, include_in_schema=False)
def handle_post_member_invitation() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    form = parse_form(event)
    verify_csrf(session, form)
    profile = get_store().get_profile(session.sub)
    try:
        holder = members.require_prime_holder(profile)
        members.invite_member(
            holder,
            form.get("email", ""),
            portal_base_url=_portal_base(),
            corporation_name=_corporation_name(str(holder.corporate_number)),
            lang=lang,
            origin=origin_of(event),
        )
    except InvalidInput as error:
        return _page(lang, session, email=form.get("email", ""), errors=field_errors(lang, error), status=400)
    except Forbidden as error:
        return message_page(lang, error)
    return redirect(f"{MEMBERS_PATH}?done=invited")


@router.get(members.ACCEPT_PATH, include_in_schema=False)
def handle_get_member_invitation() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    token = (event.query_string_parameters or {}).get("token", "")
    if not members.invitation_valid(token):
        return _accept_invalid(lang)
    return _accept_page(lang, token, {})


def _accept_invalid(lang: str) -> Response[str]:
    body = f'<p class="notice notice--error" role="alert">{esc(t(lang, "accept.invalid"))}</p>'
    return render_page(lang=lang, title=t(lang, "accept.title"), body=body, status=404)


def _accept_page(lang: str, token: str, errors: Mapping[str, str], status: int = 200) -> Response[str]:
    body = "".join(
        [
            f"<p>{esc(t(lang, 'accept.lead'))}</p>",
            error_summary(lang, errors),
            f'<form method="post" action="{members.ACCEPT_PATH}" novalidate>',
            f'<input type="hidden" name="token" value="{esc(token)}">',
            form_field(
                "password",
                t(lang, "accept.field.password"),
                type="password",
                autocomplete="new-password",
                error=errors.get("password"),
                hint=t(lang, "accept.hint"),
            ),
            form_field(
                "confirm",
                t(lang, "accept.field.confirm"),
                type="password",
                autocomplete="new-password",
                error=errors.get("confirm"),
            ),
            f'<button class="button" type="submit">{esc(t(lang, "accept.submit"))}</button></form>',
        ]
    )
    return render_page(lang=lang, title=t(lang, "accept.title"), body=body, status=status)


@router.post(members.ACCEPT_PATH, include_in_schema=False)
def handle_post_member_invitation_acceptance() -> Response[str]:
    # No session and no CSRF token here: the one-time token in the form is the credential.
    event = router.current_event
    lang = _lang(event)
    form = parse_form(event)
    token = form.get("token", "")
    password = form.get("password", "")
    if password != form.get("confirm", ""):
        return _accept_page(lang, token, {"confirm": translate(lang, "the passwords differ")}, status=400)
    try:
        members.accept_invitation(token, password, origin=origin_of(event))
    except InvalidInput as error:
        return _accept_page(lang, token, field_errors(lang, error), status=400)
    except (NotFound, Conflict):
        return _accept_invalid(lang)
    body = (
        f'<p class="notice" role="status">{esc(t(lang, "accept.done.body"))}</p>'
        f'<p><a class="button" href="/account/login">{esc(t(lang, "accept.login"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, "accept.done.title"), body=body)


@router.post(f"{MEMBERS_PATH}/<member_sub>", include_in_schema=False)
def handle_post_member_action(member_sub: str) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    form = parse_form(event)
    verify_csrf(session, form)
    action = form.get("action", "")
    profile = get_store().get_profile(session.sub)
    origin = origin_of(event)
    try:
        if action == "delete":
            members.delete_member(profile, member_sub, origin=origin)
        elif action in ("suspend", "enable"):
            members.set_member_enabled(profile, member_sub, enabled=action == "enable", origin=origin)
        else:
            raise InvalidInput.for_field("action", "suspend, enable or delete")
    except (Forbidden, NotFound, InvalidInput) as error:
        return message_page(lang, error)
    return redirect(f"{MEMBERS_PATH}?done={action}")
