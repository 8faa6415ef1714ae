"""Second factors of gBizID: TOTP, e-mail and SMS one-time codes, recovery codes.

The login pages (:mod:`functions.auth.routers.account`) call the four functions below; the factor pages
(:mod:`functions.auth.routers.factors`) enrol and remove factors through :mod:`.manage`. Everything is
verified here, by the auth function itself, so it behaves the same in the devstack and the cloud.

- :func:`second_factor_required`: Prime, Member and staff always; an Entry account once it enrolled one.
- :func:`available_factors`: what this user can use now (``totp``, ``email``, ``sms``, ``recovery``).
- :func:`send_login_code`: an e-mail or SMS code for the login (1 a minute, 10 an hour).
- :func:`verify_login_factor`: replay-safe; after :data:`LOGIN_FAILURE_LIMIT` wrong codes in
  :data:`LOGIN_FAILURE_WINDOW_SECONDS` every code is refused (audited ``login.second_factor_failed``),
  and the pending login must start again with the password after the window.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from functions.auth.dal import ProfileItem, get_store
from functions.auth.factors import clock, codes, recovery, totp
from functions.auth.factors.codes import CodeRateLimited
from functions.auth.factors.events import audit, send_code
from functions.auth.factors.store import get_factor_store
from functions.auth.models import AccountTier
from platform_common.errors import InvalidInput

__all__ = [
    "FACTOR_KINDS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_WINDOW_SECONDS",
    "CodeRateLimited",
    "FactorKind",
    "available_factors",
    "login_factor_locked",
    "possession_factors",
    "second_factor_required",
    "send_login_code",
    "verify_login_factor",
]

FactorKind = Literal["totp", "email", "sms", "recovery"]
FACTOR_KINDS: Final[tuple[FactorKind, ...]] = get_args(FactorKind)
POSSESSION_FACTORS: Final[frozenset[str]] = frozenset({"totp", "email", "sms"})
LOGIN_FAILURE_LIMIT: Final = 5
LOGIN_FAILURE_WINDOW_SECONDS: Final = 15 * 60

# RFC 8176 method of each factor, for the session's amr (e-mail and SMS codes are "otp" too; SMS adds "sms").
AMR_BY_FACTOR: Final[dict[str, str]] = {"totp": "otp", "email": "otp", "sms": "sms", "recovery": "otp"}


def possession_factors(sub: str) -> list[FactorKind]:
    """The user's enabled factors that prove possession (recovery codes are a fallback, not one)."""
    return [kind for kind in available_factors(sub) if kind in POSSESSION_FACTORS]


def second_factor_required(profile: ProfileItem) -> bool:
    """Prime, Member and staff accounts always; an Entry account once it has enrolled a factor."""
    if profile.tier in (AccountTier.PRIME, AccountTier.MEMBER) or profile.role is not None:
        return True
    return bool(possession_factors(profile.sub))


def available_factors(sub: str) -> list[FactorKind]:
    """The user's enabled factors, in a fixed order; recovery only while unused codes remain."""
    enrolled = {f.kind: f for f in get_factor_store().list_factors(sub)}
    found: list[FactorKind] = []
    for kind in FACTOR_KINDS:
        factor = enrolled.get(kind)
        if factor is None or (kind == "recovery" and not factor.remaining):
            continue
        found.append(kind)
    return found


def send_login_code(sub: str, kind: Literal["email", "sms"], lang: str) -> None:
    """Send a login code by e-mail or SMS to the enrolled address or number (rate-limited)."""
    store = get_factor_store()
    if kind == "email":
        profile = get_store().get_profile(sub)
        if profile is None or store.get_factor(sub, "email") is None:
            raise InvalidInput.for_field("factor", "e-mail codes are not enabled for this account")
        destination = profile.email
    elif kind == "sms":
        factor = store.get_factor(sub, "sms")
        if factor is None or not factor.phone:
            raise InvalidInput.for_field("factor", "SMS codes are not enabled for this account")
        destination = factor.phone
    else:
        raise InvalidInput.for_field("factor", "codes are sent by e-mail or SMS only")
    code = codes.issue_code(sub, kind, "login", destination)
    send_code(kind, destination, lang, code)


def login_factor_locked(sub: str) -> bool:
    """Whether too many wrong codes were given in the current window (every code is refused)."""
    failures, window_ends = get_factor_store().get_failures(sub)
    return failures >= LOGIN_FAILURE_LIMIT and window_ends > clock.now()


def _check(sub: str, kind: str, code: str) -> bool:
    if kind == "totp":
        return totp.verify_totp(sub, code)
    if kind == "email":
        return codes.verify_code(sub, "email", "login", code) is not None
    if kind == "sms":
        return codes.verify_code(sub, "sms", "login", code) is not None
    if kind == "recovery":
        return recovery.use_recovery_code(sub, code)
    return False


def verify_login_factor(sub: str, kind: FactorKind | str, code: str) -> bool:
    """Check a login code of an enabled factor. A wrong code counts toward the limit and is audited."""
    store = get_factor_store()
    now = clock.now()
    failures, window_ends = store.get_failures(sub)
    if failures and window_ends <= now:
        store.clear_failures(sub)
        failures = 0
    if failures >= LOGIN_FAILURE_LIMIT:
        audit("login.second_factor_failed", "failure", sub, {"factor": str(kind), "reason": "locked"})
        return False
    if kind in available_factors(sub) and _check(sub, kind, code):
        store.clear_failures(sub)
        return True
    failures = store.add_failure(sub, now + LOGIN_FAILURE_WINDOW_SECONDS)
    reason = "locked" if failures >= LOGIN_FAILURE_LIMIT else "wrong_code"
    audit(
        "login.second_factor_failed",
        "failure",
        sub,
        {"factor": str(kind), "reason": reason, "failures": str(failures)},
    )
    return False
