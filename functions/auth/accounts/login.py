"""The password step of the login, the lockout, known devices, and the password change.

Lockout: 5 failed logins within 15 minutes lock the address for 15 minutes, whether or not it belongs to an
account, so a lock says nothing about existence; while locked even the right password is refused. Every
failure has the same answer (unknown address, wrong password, unverified or disabled account).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Final

from functions.auth import factors, notify
from functions.auth.accounts import clock, cognito
from functions.auth.accounts.signup import RequestOrigin
from functions.auth.accounts.store import (
    LoginLock,
    clear_login_lock,
    get_login_lock,
    is_known_device,
    put_login_lock,
    remember_device,
)
from functions.auth.audit import record_event
from functions.auth.dal import ProfileItem, get_store
from functions.auth.logic.assurance import ACR_BY_TIER, ACR_ENTRY, ACR_MEMBER
from functions.auth.models import AccountTier

FAILURE_LIMIT: Final = 5
FAILURE_WINDOW_SECONDS: Final = 15 * 60
LOCK_SECONDS: Final = 15 * 60
DEVICE_COOKIE: Final = "gbizid_device"
DEVICE_SECONDS: Final = 2 * 365 * 24 * 3600


class LoginRefusal(Enum):
    INVALID = "invalid"  # anything wrong with the address or password (one answer for all)
    LOCKED = "locked"


class LoginRefused(Exception):  # an expected outcome, shown on the form
    def __init__(self, refusal: LoginRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class PasswordChecked:
    profile: ProfileItem
    acr: str
    second_factor_required: bool
    new_device: bool


def is_locked(email: str, now: int) -> bool:
    return get_login_lock(email).locked_until > now


def record_failure(email: str, now: int) -> bool:
    """Count a failed login for the address; return whether it is now locked."""
    for _ in range(5):  # optimistic concurrency: retry when another request wrote meanwhile
        lock = get_login_lock(email)
        failures = (*(moment for moment in lock.failures if moment > now - FAILURE_WINDOW_SECONDS), now)
        locked = len(failures) >= FAILURE_LIMIT
        updated = LoginLock(
            failures=() if locked else failures,
            locked_until=now + LOCK_SECONDS if locked else lock.locked_until,
            version=lock.version + 1,
        )
        if put_login_lock(email, updated, lock.version, keep_until=now + FAILURE_WINDOW_SECONDS + LOCK_SECONDS):
            return locked
    return True  # under heavy contention, err on the side of the lock


def acr_for(profile: ProfileItem) -> str:
    if profile.tier is not None:
        return ACR_BY_TIER[profile.tier]
    return ACR_MEMBER if profile.role is not None else ACR_ENTRY


def needs_second_factor(profile: ProfileItem) -> bool:
    check = getattr(factors, "second_factor_required", None)
    if callable(check):
        return bool(check(profile))
    return profile.role is not None or profile.tier in (AccountTier.PRIME, AccountTier.MEMBER)


def device_hash(value: str | None) -> str | None:
    if not value or len(value) > 128:
        return None
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_device_id() -> str:
    return secrets.token_urlsafe(32)


def check_password(email: str, password: str, *, device_id: str, lang: str, origin: RequestOrigin) -> PasswordChecked:
    """The password step. Raises :class:`LoginRefused`; on success the lockout counter is cleared."""
    now = clock.now()
    audit_origin = {"source_ip": origin.source_ip, "user_agent": origin.user_agent}
    if is_locked(email, now):
        record_event("login.locked", outcome="failure", actor_sub=None, detail={"reason": "locked"}, **audit_origin)
        raise LoginRefused(LoginRefusal.LOCKED)
    user = cognito.get_user(email)
    accepted = cognito.password_matches(email, password)
    profile = get_store().get_profile(user.sub) if user is not None else None
    if not accepted or user is None or not user.email_verified or not user.enabled or profile is None:
        reason = "unknown_account" if user is None else "wrong_password" if not accepted else "not_usable"
        subject = user.sub if user is not None else None
        record_event(
            "login.failed",
            outcome="failure",
            actor_sub=None,
            subject_sub=subject,
            detail={"reason": reason},
            **audit_origin,
        )
        if record_failure(email, now):
            record_event(
                "login.locked",
                outcome="failure",
                actor_sub=None,
                subject_sub=subject,
                detail={"reason": "too_many_failures"},
                **audit_origin,
            )
            raise LoginRefused(LoginRefusal.LOCKED)
        raise LoginRefused(LoginRefusal.INVALID)
    clear_login_lock(email)
    known = device_hash(device_id)
    new_device = known is None or not is_known_device(profile.sub, known)
    if known is not None:
        remember_device(profile.sub, known, now, keep_until=now + DEVICE_SECONDS)
    if new_device:
        when = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M UTC")
        notify.notify_email(profile.email, "new_device_login", lang, when=when, ip=origin.source_ip or "-")
    return PasswordChecked(
        profile=profile,
        acr=acr_for(profile),
        second_factor_required=needs_second_factor(profile),
        new_device=new_device,
    )


def record_login(profile: ProfileItem, amr: tuple[str, ...], origin: RequestOrigin) -> None:
    """Audit a completed login (password, and the second factor where one was required)."""
    record_event(
        "login.succeeded",
        outcome="success",
        actor_sub=profile.sub,
        subject_sub=profile.sub,
        corporate_number=profile.corporate_number,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
        detail={"amr": " ".join(amr)},
    )


class PasswordChangeRefused(Exception):  # shown next to the current-password field
    pass


def change_password(
    profile: ProfileItem, current: str, new: str, lang: str, origin: RequestOrigin, *, keep_session: str | None = None
) -> None:
    """Change the password after checking the current one; notify the holder and audit. Every other
    session (all but ``keep_session``, the one that made the change) and every token of the account ends."""
    if not cognito.password_matches(profile.email, current):
        record_event(
            "password.changed",
            outcome="failure",
            actor_sub=profile.sub,
            subject_sub=profile.sub,
            source_ip=origin.source_ip,
            user_agent=origin.user_agent,
            detail={"reason": "wrong_current_password"},
        )
        raise PasswordChangeRefused
    cognito.set_password(profile.email, new)
    record_event(
        "password.changed",
        outcome="success",
        actor_sub=profile.sub,
        subject_sub=profile.sub,
        corporate_number=profile.corporate_number,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
    )
    from functions.auth.revocation import revoke_access

    revoke_access(
        profile.sub,
        reason="password_changed",
        actor_sub=profile.sub,
        keep_session=keep_session,
        corporate_number=profile.corporate_number,
        origin={"source_ip": origin.source_ip, "user_agent": origin.user_agent},
    )
    notify.notify_email(profile.email, "password_changed", lang)
