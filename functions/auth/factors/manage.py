"""Enrolling, listing and removing second factors from the account pages.

Every change is audited (``factor.enrolled``, ``factor.removed``, ``recovery_codes.generated``, with
failures) and announced to the account's e-mail address (``factor_added`` / ``factor_removed``), so a
change the holder did not make is noticed. The pages require a fresh login before calling these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from functions.auth.dal import ProfileItem, get_store
from functions.auth.factors import clock, codes, possession_factors, recovery, totp
from functions.auth.factors.events import audit, notify_factor_change, send_code
from functions.auth.factors.phone import InvalidPhoneNumber, normalize_mobile_number
from functions.auth.factors.store import EnrolledFactor, get_factor_store
from functions.auth.models import AccountTier
from platform_common.errors import Conflict, InvalidInput, NotFound

Origin = Mapping[str, str | None]

FACTOR_LABELS: Final[dict[str, dict[str, str]]] = {
    "ja": {
        "totp": "認証アプリ (TOTP)",
        "email": "メール確認コード",
        "sms": "SMS確認コード",
        "recovery": "リカバリーコード",
    },
    "en": {"totp": "authenticator app (TOTP)", "email": "e-mail code", "sms": "SMS code", "recovery": "recovery codes"},
}


def factor_label(lang: str, kind: str) -> str:
    return FACTOR_LABELS["en" if lang == "en" else "ja"].get(kind, kind)


def _profile(sub: str) -> ProfileItem:
    profile = get_store().get_profile(sub)
    if profile is None:
        raise NotFound(detail="no such account")
    return profile


def _audit(kind: str, outcome: Literal["success", "failure"], sub: str, detail: dict[str, str], origin: Origin) -> None:
    audit(kind, outcome, sub, detail, source_ip=origin.get("source_ip"), user_agent=origin.get("user_agent"))


def must_keep_a_factor(profile: ProfileItem) -> bool:
    """Prime, Member and staff accounts cannot sign in without a possession factor."""
    return profile.tier in (AccountTier.PRIME, AccountTier.MEMBER) or profile.role is not None


def account_email(sub: str) -> str:
    return _profile(sub).email


def pending_enrolment_destination(sub: str, channel: Literal["email", "sms"]) -> str:
    """Where the outstanding enrolment code went, while it can still be entered ('' when none)."""
    pending = get_factor_store().get_code(sub, channel, "enrol")
    if pending is None or pending.expires_at <= clock.now() or pending.attempts >= codes.CODE_ATTEMPTS:
        return ""
    return pending.destination


def list_factors(sub: str) -> list[EnrolledFactor]:
    order = {"totp": 0, "email": 1, "sms": 2, "recovery": 3}
    return sorted(get_factor_store().list_factors(sub), key=lambda f: order.get(f.kind, 9))


def begin_totp_enrolment(sub: str) -> totp.TotpEnrolment:
    return totp.start_totp_enrolment(sub, _profile(sub).email)


def finish_totp_enrolment(sub: str, code: str, lang: str, origin: Origin) -> bool:
    profile = _profile(sub)
    if not totp.confirm_totp_enrolment(sub, code):
        _audit("factor.enrolled", "failure", sub, {"factor": "totp", "reason": "wrong_code"}, origin)
        return False
    _audit("factor.enrolled", "success", sub, {"factor": "totp"}, origin)
    notify_factor_change(profile.email, "factor_added", lang, factor_label(lang, "totp"))
    return True


def send_enrolment_code(sub: str, channel: Literal["email", "sms"], lang: str, phone: str | None = None) -> str:
    """Send a confirmation code to the account's e-mail or to the number being registered.

    Returns where it went (the e-mail address, or the E.164 number). Raises :class:`InvalidInput` naming
    ``phone`` for a number that is not a Japanese mobile number, :class:`codes.CodeRateLimited` when too
    many codes were sent.
    """
    if channel == "sms":
        try:
            destination = normalize_mobile_number(phone or "")
        except InvalidPhoneNumber as error:
            raise InvalidInput.for_field("phone", str(error)) from error
    else:
        destination = _profile(sub).email
    code = codes.issue_code(sub, channel, "enrol", destination)
    send_code(channel, destination, lang, code)
    return destination


def finish_code_enrolment(sub: str, channel: Literal["email", "sms"], code: str, lang: str, origin: Origin) -> bool:
    """Enable e-mail or SMS codes once the code sent for the enrolment comes back."""
    profile = _profile(sub)
    destination = codes.verify_code(sub, channel, "enrol", code)
    if destination is None:
        _audit("factor.enrolled", "failure", sub, {"factor": channel, "reason": "wrong_code"}, origin)
        return False
    store = get_factor_store()
    store.put_simple_factor(sub, channel, clock.now(), phone=destination if channel == "sms" else None)
    _audit("factor.enrolled", "success", sub, {"factor": channel}, origin)
    notify_factor_change(profile.email, "factor_added", lang, factor_label(lang, channel))
    return True


def regenerate_recovery_codes(sub: str, lang: str, origin: Origin) -> list[str]:
    """A new set of ten codes; the old set stops working. Shown once: the caller must not keep them."""
    profile = _profile(sub)
    generated = recovery.generate_recovery_codes(sub)
    _audit("recovery_codes.generated", "success", sub, {"count": str(len(generated))}, origin)
    notify_factor_change(profile.email, "factor_added", lang, factor_label(lang, "recovery"))
    return generated


def remove_factor(sub: str, kind: str, lang: str, origin: Origin, *, keep_session: str | None = None) -> None:
    """Remove one factor. An account that must use a second factor keeps at least one possession factor.
    Every session but ``keep_session`` (the one that removed it) and every token of the account ends."""
    profile = _profile(sub)
    store = get_factor_store()
    if store.get_factor(sub, kind) is None:
        _audit("factor.removed", "failure", sub, {"factor": kind, "reason": "not_enrolled"}, origin)
        raise NotFound(detail=f"{kind}: not enrolled")
    remaining = [k for k in possession_factors(sub) if k != kind]
    if kind != "recovery" and not remaining and must_keep_a_factor(profile):
        _audit("factor.removed", "failure", sub, {"factor": kind, "reason": "last_factor"}, origin)
        raise Conflict(detail=f"{kind}: the last second factor of an account that requires one")
    store.delete_factor(sub, kind)
    if kind == "totp":
        store.delete_pending_totp(sub)
    _audit("factor.removed", "success", sub, {"factor": kind}, origin)
    from functions.auth.revocation import revoke_access

    revoke_access(
        sub,
        reason="factor_removed",
        actor_sub=sub,
        keep_session=keep_session,
        corporate_number=profile.corporate_number,
        origin=origin,
    )
    notify_factor_change(profile.email, "factor_removed", lang, factor_label(lang, kind))
