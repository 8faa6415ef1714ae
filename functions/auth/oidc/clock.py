"""The OpenID Provider's time source: one function, so tests can move the clock (expiry of codes)."""

from __future__ import annotations

import time


def now() -> int:
    """Epoch seconds."""
    return int(time.time())
