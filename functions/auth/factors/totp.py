"""TOTP (RFC 6238) with any authenticator app: enrolment with a confirmed code, replay-safe verification.

30-second steps, 6 digits, one step of drift either way (``valid_window=1``). The secret is sealed with
the KMS ``secrets`` key (:mod:`functions.auth.factor_secrets`, factor ``totp``) while pending and once
enabled, so the pending ciphertext becomes the factor unchanged. The last accepted time step is stored
with the factor, and a conditional update accepts only a later step: the same code, or a code of an
earlier step, is never accepted twice for the same user.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Final

import pyotp
import segno

from functions.auth.factor_secrets import open_factor_secret, seal_factor_secret
from functions.auth.factors import clock
from functions.auth.factors.store import PendingTotp, get_factor_store
from functions.auth.settings import get_settings

ISSUER: Final = "GビズID"
STEP_SECONDS: Final = 30
DIGITS: Final = 6
VALID_WINDOW: Final = 1
PENDING_SECONDS: Final = 15 * 60
CONFIRM_ATTEMPTS: Final = 5
FACTOR: Final = "totp"


@dataclass(frozen=True)
class TotpEnrolment:
    """What the enrolment page shows: the secret three ways (QR code, grouped text, otpauth URI)."""

    secret: str
    uri: str
    expires_at: int

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    def qr_svg(self, label: str) -> str:
        """The otpauth URI as an inline SVG QR code whose accessible name is ``label``."""
        svg: str = segno.make(self.uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
        safe = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        return svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" ', 1)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: int) -> int | None:
    """The time step (``now // 30`` ± 1) whose code is ``code``, latest first; ``None`` if none is."""
    candidate = code.strip().replace(" ", "")
    if len(candidate) != DIGITS or not candidate.isascii() or not candidate.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = now // STEP_SECONDS
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), candidate):
            found = step  # keep looping: same time for every guess, and the latest step wins
    return found


def start_totp_enrolment(sub: str, email: str) -> TotpEnrolment:
    """Return the pending secret (a new one when none is pending or it expired)."""
    store = get_factor_store()
    key_id = get_settings().secrets_key_id
    now = clock.now()
    pending = store.get_pending_totp(sub)
    if pending is not None and pending.expires_at > now and pending.attempts < CONFIRM_ATTEMPTS:
        secret = open_factor_secret(key_id, sub, FACTOR, pending.secret_ciphertext)
        return TotpEnrolment(secret, provisioning_uri(secret, email), pending.expires_at)
    secret = pyotp.random_base32()
    expires_at = now + PENDING_SECONDS
    ciphertext = seal_factor_secret(key_id, sub, FACTOR, secret)
    store.put_pending_totp(sub, PendingTotp(ciphertext, now, expires_at, attempts=0))
    return TotpEnrolment(secret, provisioning_uri(secret, email), expires_at)


def confirm_totp_enrolment(sub: str, code: str) -> bool:
    """Enable the pending secret if ``code`` is one of its current codes (5 attempts, then start again)."""
    store = get_factor_store()
    now = clock.now()
    pending = store.get_pending_totp(sub)
    if pending is None or pending.expires_at <= now:
        return False
    if not store.count_pending_totp_attempt(sub, CONFIRM_ATTEMPTS):
        store.delete_pending_totp(sub)
        return False
    secret = open_factor_secret(get_settings().secrets_key_id, sub, FACTOR, pending.secret_ciphertext)
    step = matching_step(secret, code, now)
    if step is None:
        return False
    # The confirming step counts as used: the same code cannot then complete a login.
    return store.enable_totp(sub, pending.secret_ciphertext, now, last_step=step)


def verify_totp(sub: str, code: str) -> bool:
    """Whether ``code`` is a current code of the user's TOTP secret that was never accepted before."""
    store = get_factor_store()
    found = store.get_totp(sub)
    if found is None:
        return False
    factor, last_step = found
    secret = open_factor_secret(get_settings().secrets_key_id, sub, FACTOR, factor.secret_ciphertext)
    step = matching_step(secret, code, clock.now())
    if step is None or (last_step is not None and step <= last_step):
        return False
    return store.accept_totp_step(sub, step)
