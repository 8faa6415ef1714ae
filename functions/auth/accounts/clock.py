"""The one clock of the account logic, so tests can move time (code expiry, lockout windows)."""

from __future__ import annotations

import time


def now() -> int:
    """Epoch seconds. Tests replace this function (``monkeypatch.setattr(clock, "now", ...)``)."""
    return int(time.time())
