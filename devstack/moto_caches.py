"""A lookup moto's server repeats on every request, computed once in the devstack.

Which service a request is for: moto lists its own package folder (a ``stat`` per service, about 150) on every
request to compare the host name with it (8 % of the devstack's CPU in the jGrants deadline drill); the folder
does not change while the process runs.

(Caching the parsed Amazon States Language of a state machine, 9 % more, was tried and left out: moto's parsed
program is not reusable across executions, and a stopped execution then kept running.)
"""

from __future__ import annotations

import threading

_installed = False
_lock = threading.Lock()


def cache_moto_lookups() -> None:
    """Install the cache (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto import backends

        modules = tuple(backends.list_of_moto_modules())
        backends.list_of_moto_modules = lambda: modules
        _installed = True
