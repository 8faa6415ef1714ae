"""One-time codes by e-mail and SMS: generated, sent, kept only as an HMAC, expiring, rate-limited.

- Six digits from :mod:`secrets`; valid for 5 minutes; 5 verification attempts, then the code is void.
- A code is bound to its use (``login`` or ``enrol``) and its channel; a new code replaces the old one.
- Sending is limited per user across both channels: one code per minute and ten per hour.
- Stored: the HMAC-SHA256 of the code under a per-code key sealed by KMS (:mod:`.macs`), never the code.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Final, Literal

from functions.auth.factors import clock
from functions.auth.factors.macs import mac, new_mac_key, open_mac_key
from functions.auth.factors.store import CodeItem, get_factor_store
from platform_common.errors import FieldError, RateLimited

CodeChannel = Literal["email", "sms"]
CodePurpose = Literal["login", "enrol"]

CODE_DIGITS: Final = 6
CODE_TTL_SECONDS: Final = 5 * 60
CODE_ATTEMPTS: Final = 5
SEND_INTERVAL_SECONDS: Final = 60
SENDS_PER_HOUR: Final = 10
HOUR: Final = 3600


@dataclass
class CodeRateLimited(RateLimited):
    """Too many codes sent: ``limit`` names which limit (``per_minute`` or ``per_hour``)."""

    limit: str = "per_minute"
    retry_after: int = SEND_INTERVAL_SECONDS


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _message(channel: str, purpose: str, code: str) -> str:
    return f"{channel}:{purpose}:{code}"


def check_send_allowed(sends: list[int], now: int) -> None:
    """Raise :class:`CodeRateLimited` if another code may not be sent at ``now`` (pure)."""
    recent = sorted(t for t in sends if t > now - HOUR)
    if recent and now - recent[-1] < SEND_INTERVAL_SECONDS:
        wait = SEND_INTERVAL_SECONDS - (now - recent[-1])
        raise CodeRateLimited(
            detail=f"one code per minute: try again in {wait} seconds",
            errors=[FieldError("code", "one code per minute")],
            limit="per_minute",
            retry_after=wait,
        )
    if len(recent) >= SENDS_PER_HOUR:
        wait = recent[-SENDS_PER_HOUR] + HOUR - now
        raise CodeRateLimited(
            detail=f"ten codes per hour: try again in {wait} seconds",
            errors=[FieldError("code", "ten codes per hour")],
            limit="per_hour",
            retry_after=wait,
        )


def _record_send(sub: str, now: int) -> None:
    store = get_factor_store()
    for _ in range(3):  # optimistic lock: a concurrent send makes us re-read and re-check
        sends, version = store.get_sends(sub)
        check_send_allowed(sends, now)
        kept = [t for t in sends if t > now - HOUR] + [now]
        if store.put_sends(sub, kept, version, expires_at=now + HOUR):
            return
    raise CodeRateLimited(detail="one code per minute: try again in 60 seconds", limit="per_minute")


def issue_code(sub: str, channel: CodeChannel, purpose: CodePurpose, destination: str) -> str:
    """Create and store a code for ``destination`` after the rate limit allows it; return it to send."""
    now = clock.now()
    _record_send(sub, now)
    code = new_code()
    key, key_ciphertext = new_mac_key(sub, f"{channel}-code")
    get_factor_store().put_code(
        sub,
        CodeItem(
            kind=channel,
            purpose=purpose,
            mac=mac(key, _message(channel, purpose, code)),
            key_ciphertext=key_ciphertext,
            destination=destination,
            issued_at=now,
            expires_at=now + CODE_TTL_SECONDS,
        ),
    )
    return code


def verify_code(sub: str, channel: CodeChannel, purpose: CodePurpose, code: str) -> str | None:
    """Consume the outstanding code if ``code`` matches; return where it was sent, else ``None``.

    Each guess is counted before it is checked (atomically), so five wrong guesses void the code even
    when they arrive at once.
    """
    store = get_factor_store()
    stored = store.get_code(sub, channel, purpose)
    if stored is None:
        return None
    if stored.expires_at <= clock.now():
        store.delete_code(sub, channel, purpose)
        return None
    if not store.count_code_attempt(sub, channel, purpose, CODE_ATTEMPTS):
        store.delete_code(sub, channel, purpose)
        return None
    candidate = code.strip().replace(" ", "")
    if len(candidate) != CODE_DIGITS or not candidate.isascii() or not candidate.isdigit():
        return None
    key = open_mac_key(sub, f"{channel}-code", stored.key_ciphertext)
    if not hmac.compare_digest(mac(key, _message(channel, purpose, candidate)), stored.mac):
        return None
    if not store.consume_code(sub, channel, purpose, stored.issued_at):
        return None
    return stored.destination
