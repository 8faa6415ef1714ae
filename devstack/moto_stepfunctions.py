"""moto's Step Functions, made to stop an execution that waits for a task token.

``StopExecution`` marks moto's execution as stopping, but a task waiting for its token (``waitForTaskToken``:
the reviewer's decision) goes on waiting until its token comes or its timeout (days) passes, and the execution
stays ``RUNNING`` meanwhile; AWS aborts it at once. A withdrawn application's review then looked alive in the
devstack. The stop now also wakes the execution's waiting callbacks, which find the execution stopped.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_installed = False
_lock = threading.Lock()


def stop_waiting_executions() -> None:
    """Install the change (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        from moto.stepfunctions.parser.asl.eval.environment import Environment

        original = Environment.set_stop

        @functools.wraps(original)
        def set_stop(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            for endpoint in list(self.callback_pool_manager._pool.values()):
                endpoint.interrupt_all()

        Environment.set_stop = set_stop  # type: ignore[method-assign]
        _installed = True
