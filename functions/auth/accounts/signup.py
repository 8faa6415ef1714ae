"""Self-service sign-up of Entry accounts with e-mail verification, without telling who already has one.

``start_signup`` answers the same for every address: a new address gets a Cognito user that cannot sign in
yet (``email_verified`` false) and a 6-digit code by e-mail; an address of a verified account gets a notice
instead (its owner learns someone tried); a pending sign-up gets a new code and the newest password. The
code is stored only as an HMAC under a random key sealed by KMS, expires after 15 minutes, allows 5 attempts,
and is re-sent at most once a minute and 5 times an hour.

``verify_signup`` needs the code and the password chosen at sign-up, so a sign-up planted by someone else
for this address cannot be completed by its owner's code with the planter's password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final, NoReturn

from functions.auth import notify
from functions.auth.accounts import clock, cognito
from functions.auth.accounts.store import (
    PendingSignup,
    count_signup_attempt,
    delete_pending_signup,
    email_key,
    get_pending_signup,
    put_pending_signup,
)
from functions.auth.audit import record_event
from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import AccountTier
from functions.auth.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.observability import observability_for

CODE_SECONDS: Final = 15 * 60
CODE_ATTEMPTS: Final = 5
RESEND_INTERVAL_SECONDS: Final = 60
SENDS_PER_HOUR: Final = 5
KEEP_PENDING_SECONDS: Final = 24 * 3600  # the pending item (and its send history) outlives the code
EXISTING_ACCOUNT_TEMPLATE: Final = "signup_existing_account"

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class RequestOrigin:
    source_ip: str | None = None
    user_agent: str | None = None


class VerificationFailed(Exception):  # an expected outcome, shown as a field error
    """The code is wrong, expired or used up, or the password is not the one chosen (never told apart)."""


def _context(sub: str) -> dict[str, str]:
    return {"purpose": "signup-verification", "sub": sub}


def _mac(key: bytes, email: str, code: str) -> bytes:
    return hmac.new(key, f"{email}\n{code}".encode(), hashlib.sha256).digest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _issue_code(email: str, sub: str, previous: PendingSignup | None, now: int) -> str | None:
    """Store a new code for ``email`` and return it, or ``None`` when the resend limit holds it back."""
    sends = tuple(moment for moment in (previous.sends if previous else ()) if moment > now - 3600)
    if sends and (now - max(sends) < RESEND_INTERVAL_SECONDS or len(sends) >= SENDS_PER_HOUR):
        return None
    code = new_code()
    key = secrets.token_bytes(32)
    sealed: bytes = aws.client("kms").encrypt(
        KeyId=get_settings().secrets_key_id, Plaintext=key, EncryptionContext=_context(sub)
    )["CiphertextBlob"]
    put_pending_signup(
        PendingSignup(
            email_hash=email_key(email),
            sub=sub,
            mac=_mac(key, email, code),
            key_ciphertext=sealed,
            issued_at=now,
            expires_at=now + CODE_SECONDS,
            attempts=0,
            sends=(*sends, now),
        ),
        keep_until=now + KEEP_PENDING_SECONDS,
    )
    return code


def start_signup(email: str, password: str, display_name: str | None, lang: str, origin: RequestOrigin) -> None:
    """Begin a sign-up for a checked address and a password that meets the policy (same outcome for all)."""
    now = clock.now()
    existing = cognito.get_user(email)
    if existing is not None and existing.email_verified:
        # Someone tried to sign up with the address of an account: tell its owner, tell the caller nothing.
        record_event(
            "account.signed_up",
            outcome="failure",
            actor_sub=None,
            subject_sub=existing.sub,
            source_ip=origin.source_ip,
            user_agent=origin.user_agent,
            detail={"reason": "existing_account"},
        )
        if EXISTING_ACCOUNT_TEMPLATE in notify.TEMPLATES:
            notify.notify_email(email, EXISTING_ACCOUNT_TEMPLATE, lang)
        else:
            _logger.warning("no notice template for a sign-up with an existing address")
        return
    if existing is None:
        sub = cognito.create_unverified_user(email, password, display_name)
    else:  # a sign-up not verified yet: the newest password counts (verification asks for it)
        sub = existing.sub
        cognito.set_password(email, password)
        if display_name:
            cognito.set_display_name(email, display_name)
    code = _issue_code(email, sub, get_pending_signup(email), now)
    record_event(
        "account.signed_up",
        outcome="success",
        actor_sub=sub,
        subject_sub=sub,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
        detail={"code_sent": "true" if code else "false"},
    )
    if code is not None:
        notify.notify_email(email, "signup_verification", lang, code=code)


def resend_code(email: str, lang: str) -> None:
    """Send a new code to a pending sign-up (rate-limited); nothing for any other address."""
    pending = get_pending_signup(email)
    if pending is None:
        return
    code = _issue_code(email, pending.sub, pending, clock.now())
    if code is not None:
        notify.notify_email(email, "signup_verification", lang, code=code)


def verify_signup(email: str, code: str, password: str, lang: str, origin: RequestOrigin) -> str:
    """Complete the sign-up: the Entry account can sign in. Returns its ``sub``; raises VerificationFailed."""
    now = clock.now()
    pending = get_pending_signup(email)
    if pending is None or pending.expires_at <= now or not count_signup_attempt(pending, CODE_ATTEMPTS):
        _fail(pending, origin, "no_valid_code")
    key: bytes = aws.client("kms").decrypt(
        KeyId=get_settings().secrets_key_id,
        CiphertextBlob=pending.key_ciphertext,
        EncryptionContext=_context(pending.sub),
    )["Plaintext"]
    if not hmac.compare_digest(_mac(key, email, code), pending.mac):
        _fail(pending, origin, "wrong_code")
    if not cognito.password_matches(email, password):
        _fail(pending, origin, "wrong_password")
    if not delete_pending_signup(pending):
        _fail(pending, origin, "already_used")
    cognito.mark_email_verified(email)
    cognito.add_to_group(email, AccountTier.ENTRY.value)
    store = get_store()
    if store.get_profile(pending.sub) is None:
        store.put_profile(ProfileItem(sub=pending.sub, email=email, tier=AccountTier.ENTRY, created_at=now))
    record_event(
        "account.email_verified",
        outcome="success",
        actor_sub=pending.sub,
        subject_sub=pending.sub,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
    )
    notify.notify_email(email, "welcome", lang)
    return pending.sub


def _fail(pending: PendingSignup | None, origin: RequestOrigin, reason: str) -> NoReturn:
    record_event(
        "account.email_verified",
        outcome="failure",
        actor_sub=None,
        subject_sub=pending.sub if pending else None,
        source_ip=origin.source_ip,
        user_agent=origin.user_agent,
        detail={"reason": reason},
    )
    raise VerificationFailed
