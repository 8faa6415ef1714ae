"""One-time codes for the demo accounts, shared by every end-to-end test of the session.

The OpenID Provider refuses a TOTP code that was used already (replay protection), and the demo accounts are
shared by the tests of one devstack: a test that signs in within the same 30-second step as another one would
present a used code. Every test takes its codes here, which waits for the next step when needed.
"""

from __future__ import annotations

import time

import pyotp

_LAST_CODE: dict[str, str] = {}


def fresh_totp(secret: str) -> str:
    """The current TOTP code, waiting for the next step if this one was used already in this session."""
    totp = pyotp.TOTP(secret)
    while (code := totp.now()) == _LAST_CODE.get(secret):
        time.sleep(1)
    _LAST_CODE[secret] = code
    return code
