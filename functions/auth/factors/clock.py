"""The one clock of the second factors, so tests can move time (expiry, rate limits, TOTP steps)."""

from __future__ import annotations

import time


def now() -> int:
    """Epoch seconds. Tests replace this function (``monkeypatch.setattr(clock, "now", ...)``)."""
    return int(time.time())
