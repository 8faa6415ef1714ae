"""Operator page of one account: disable it (every session and token ends at once) or re-enable it.

Reached from the audit trail (an account's ``sub``). Operators only, with a fresh login; an operator
cannot disable their own account. The work is in :mod:`functions.auth.revocation`.
"""

from __future__ import annotations

from typing import Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth import revocation
from functions.auth.accounts import cognito
from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import StaffRole
from functions.auth.prime.pages import origin_of
from functions.auth.web.layout import (
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    request_language,
    t,
    verify_csrf,
)
from functions.auth.web.messages import register_messages
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

BASE: Final = "/operator/accounts"
OPERATORS: Final = {StaffRole.OPERATOR}
FRESH_SECONDS: Final = 15 * 60  # disabling an account is a decision: a recent password check
REASON_MAX: Final = 100

register_messages(
    {
        "ja": {
            "opacct.title": "アカウントの利用停止・再開",
            "opacct.lead": (
                "利用停止すると、このアカウントはログインできなくなり、すべてのセッションとトークン"
                "(利用システムのものを含む) が直ちに無効になります。"
            ),
            "opacct.sub": "アカウントID (sub)",
            "opacct.kind": "種別",
            "opacct.corporate_number": "法人番号",
            "opacct.state": "状態",
            "opacct.state.enabled": "利用中",
            "opacct.state.disabled": "利用停止中",
            "opacct.reason": "理由 (監査記録に残ります。個人情報は書かないでください)",
            "opacct.disable": "利用停止する",
            "opacct.enable": "利用を再開する",
            "opacct.reason_required": "理由を入力してください (100文字以内)。",
            "opacct.self": "自分のアカウントは利用停止できません。",
            "opacct.done.disabled": "利用を停止しました。すべてのセッションとトークンを無効にしました。",
            "opacct.done.enabled": "利用を再開しました。",
        },
        "en": {
            "opacct.title": "Disable or re-enable an account",
            "opacct.lead": (
                "A disabled account cannot log in, and every session and token it has (those of relying "
                "systems included) stops working at once."
            ),
            "opacct.sub": "Account ID (sub)",
            "opacct.kind": "Type",
            "opacct.corporate_number": "Corporate number",
            "opacct.state": "Status",
            "opacct.state.enabled": "Enabled",
            "opacct.state.disabled": "Disabled",
            "opacct.reason": "Reason (kept in the audit trail; no personal data)",
            "opacct.disable": "Disable",
            "opacct.enable": "Re-enable",
            "opacct.reason_required": "Enter a reason (at most 100 characters).",
            "opacct.self": "You cannot disable your own account.",
            "opacct.done.disabled": "The account was disabled; every session and token was revoked.",
            "opacct.done.enabled": "The account was re-enabled.",
        },
    }
)


def _profile(sub: str) -> ProfileItem:
    profile = get_store().get_profile(sub) if sub and len(sub) <= 128 else None
    if profile is None:
        raise NotFound(detail="no such account")
    return profile


def _enabled(profile: ProfileItem) -> bool:
    user = cognito.get_user(profile.email)
    return user is not None and user.enabled


def _page(
    lang: str,
    session: BrowserSession,
    profile: ProfileItem,
    *,
    notice: str = "",
    alert: str = "",
    errors: dict[str, str] | None = None,
    reason: str = "",
    status: int = 200,
) -> Response[str]:
    errors = errors or {}
    enabled = _enabled(profile)
    kind = profile.tier.value if profile.tier else profile.role.value if profile.role else "-"
    facts = [
        (t(lang, "opacct.sub"), f"<code>{esc(profile.sub)}</code>"),
        (t(lang, "opacct.kind"), esc(kind)),
        (t(lang, "opacct.corporate_number"), esc(profile.corporate_number or "-")),
        (t(lang, "opacct.state"), esc(t(lang, "opacct.state." + ("enabled" if enabled else "disabled")))),
    ]
    listing = "".join(f"<dt>{esc(name)}</dt><dd>{value}</dd>" for name, value in facts)
    action = "disable" if enabled else "enable"
    reason_field = (
        form_field(
            "reason",
            t(lang, "opacct.reason"),
            autocomplete="off",
            value=reason,
            error=errors.get("reason"),
            maxlength=REASON_MAX,
        )
        if enabled
        else ""
    )
    button_class = "button" if enabled else "button button--secondary"
    body = (
        (f'<p class="notice" role="status">{esc(notice)}</p>' if notice else "")
        + (f'<p class="notice notice--error" role="alert">{esc(alert)}</p>' if alert else "")
        + f"<p>{esc(t(lang, 'opacct.lead'))}</p>"
        + f'<dl class="summary-list">{listing}</dl>'
        + error_summary(lang, errors)
        + f'<form class="form" method="post" action="{BASE}/{esc(profile.sub)}" novalidate>'
        + csrf_input(session)
        + f'<input type="hidden" name="action" value="{action}">'
        + reason_field
        + f'<button class="{button_class}" type="submit">{esc(t(lang, "opacct." + action))}</button></form>'
    )
    return render_page(lang=lang, title=t(lang, "opacct.title"), body=body, status=status)


@router.get(f"{BASE}/<sub>", summary="An account, to disable or re-enable (operators)", include_in_schema=False)
def handle_get_operator_account(sub: str) -> Response[str]:
    event = router.current_event
    lang = request_language(event)
    session = require_session(event, fresh_seconds=FRESH_SECONDS, roles=OPERATORS)
    done = (event.query_string_parameters or {}).get("done", "")
    notice = t(lang, f"opacct.done.{done}") if done in ("disabled", "enabled") else ""
    return _page(lang, session, _profile(sub), notice=notice)


@router.post(f"{BASE}/<sub>", summary="Disable or re-enable an account (operators)", include_in_schema=False)
def handle_post_operator_account(sub: str) -> Response[str]:
    event = router.current_event
    lang = request_language(event)
    session = require_session(event, fresh_seconds=FRESH_SECONDS, roles=OPERATORS)
    form = parse_form(event)
    verify_csrf(session, form)
    profile = _profile(sub)
    action = form.get("action", "")
    reason = form.get("reason", "").strip()
    if action == "disable":
        if not reason or len(reason) > REASON_MAX:
            errors = {"reason": t(lang, "opacct.reason_required")}
            return _page(lang, session, profile, errors=errors, reason=reason[:REASON_MAX], status=400)
        if profile.sub == session.sub:
            return _page(lang, session, profile, alert=t(lang, "opacct.self"), reason=reason, status=409)
    elif action != "enable":
        return _page(lang, session, profile, status=400)
    revocation.set_account_enabled(
        profile.sub,
        enabled=action == "enable",
        operator_sub=session.sub,
        reason=reason,
        origin=origin_of(event),
    )
    return redirect(f"{BASE}/{profile.sub}?done={action}d")
