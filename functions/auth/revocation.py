"""Ending an account's access at once: browser sessions, refresh-token families, access tokens.

Called when a Member is suspended or deleted, when a holder changes the password or removes a second
factor (the session that made the change stays), and when an operator disables an account. Afterwards:

- every stored browser session of the account is deleted (found through gsi1 ``SESSIONSUB#<sub>``), so an
  old cookie signs nobody in;
- every refresh-token family of the account is revoked (gsi1 ``FAMILYSUB#<sub>``), so an old refresh token
  is refused by the token endpoint;
- access tokens issued before now are refused by userinfo (``USER#<sub>`` / ``REVOKED``).

The token endpoint and userinfo also refuse an account that is disabled in Cognito or has no profile any
more (:func:`account_active`), so an account disabled in the console loses its tokens as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from functions.auth.accounts import cognito
from functions.auth.audit import record_event
from functions.auth.dal import ProfileItem, get_store
from functions.auth.oidc import clock
from functions.auth.oidc.store import get_oidc_store
from functions.auth.settings import get_settings
from functions.auth.web.session import delete_sessions_of
from platform_common import aws
from platform_common.errors import NotFound

Origin = Mapping[str, Any]  # source_ip, user_agent (a RequestOrigin of either module)

Reason = Literal[
    "member_suspended",
    "member_deleted",
    "password_changed",
    "factor_removed",
    "account_disabled",
]
REASONS: Final[tuple[str, ...]] = (
    "member_suspended",
    "member_deleted",
    "password_changed",
    "factor_removed",
    "account_disabled",
)


@dataclass(frozen=True)
class Revocation:
    sessions_ended: int
    families_revoked: int


def revoke_access(
    sub: str,
    *,
    reason: Reason,
    actor_sub: str | None,
    keep_session: str | None = None,
    refuse_access_tokens: bool = True,
    corporate_number: str | None = None,
    origin: Origin | None = None,
) -> Revocation:
    """End every session of ``sub`` but ``keep_session`` (a session's ``id_hash``), revoke every refresh
    token family and (``refuse_access_tokens``) the access tokens issued so far; audit ``access.revoked``."""
    if reason not in REASONS:
        raise ValueError(f"unknown revocation reason {reason!r}")
    sessions = delete_sessions_of(sub, keep_id_hash=keep_session)
    store = get_oidc_store()
    families = store.revoke_families_of(sub)
    if refuse_access_tokens:
        store.set_tokens_not_before(sub, clock.now())
    where = dict(origin or {})
    record_event(
        "access.revoked",
        outcome="success",
        actor_sub=actor_sub,
        subject_sub=sub,
        corporate_number=corporate_number,
        source_ip=where.get("source_ip"),
        user_agent=where.get("user_agent"),
        detail={"reason": reason, "sessions_ended": str(sessions), "families_revoked": str(families)},
    )
    return Revocation(sessions, families)


def account_active(profile: ProfileItem | None) -> bool:
    """The account still has its profile and is not disabled in Cognito (suspended members and accounts an
    operator disabled are). The profile is the account record: a deleted account has none."""
    if profile is None:
        return False
    user = cognito.get_user(profile.email)
    return user is None or user.enabled


def access_token_revoked(sub: str, issued_at: object) -> bool:
    """An access token of ``sub`` issued (``iat``) before the account's access was last revoked."""
    not_before = get_oidc_store().tokens_not_before(sub)
    if not_before == 0:
        return False
    return not isinstance(issued_at, int) or issued_at < not_before


def set_account_enabled(
    sub: str, *, enabled: bool, operator_sub: str, reason: str, origin: Origin | None = None
) -> ProfileItem:
    """An operator disables (Cognito AdminDisableUser, then every session and token ends) or re-enables
    an account. ``reason`` is a short note for the audit trail (no personal data)."""
    profile = get_store().get_profile(sub)
    where = dict(origin or {})
    kind = "account.enabled" if enabled else "account.disabled"
    if profile is None:
        record_event(
            kind,
            outcome="failure",
            actor_sub=operator_sub,
            subject_sub=sub,
            source_ip=where.get("source_ip"),
            user_agent=where.get("user_agent"),
            detail={"reason": "no_such_account"},
        )
        raise NotFound(detail="no such account")
    client = aws.client("cognito-idp")
    pool = get_settings().user_pool_id
    if enabled:
        client.admin_enable_user(UserPoolId=pool, Username=profile.email)
    else:
        client.admin_disable_user(UserPoolId=pool, Username=profile.email)
    record_event(
        kind,
        outcome="success",
        actor_sub=operator_sub,
        subject_sub=sub,
        corporate_number=profile.corporate_number,
        source_ip=where.get("source_ip"),
        user_agent=where.get("user_agent"),
        detail={"note": reason[:100]} if reason else None,
    )
    if not enabled:
        revoke_access(
            sub,
            reason="account_disabled",
            actor_sub=operator_sub,
            corporate_number=profile.corporate_number,
            origin=origin,
        )
    return profile
