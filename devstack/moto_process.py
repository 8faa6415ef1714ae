"""moto's AWS server in a process of its own, beside the gateway's process.

The functions' code and moto's emulation of AWS each take a core this way (one process would share one core
through its interpreter lock: in the jGrants deadline drill half of the devstack's CPU was moto's). moto's
Lambda cannot run a function without Docker, so its ``Invoke`` (a state machine's task, an S3 notification)
is handed to the gateway's process, where the functions live (:mod:`devstack.lambda_runtime`): a POST to
``/__devstack/invoke/{function}`` on the gateway, carrying a secret made for this run so that nothing else on
the machine can call the functions that way.

    python -m devstack.moto_process --port P --gateway http://127.0.0.1:8000   (started by devstack.server)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Final

INVOKE_PATH: Final = "/__devstack/invoke/"
INVOKE_SECRET_HEADER: Final = "X-Devstack-Invoke-Secret"
INVOKE_SECRET_ENV: Final = "DEVSTACK_INVOKE_SECRET"
PARENT_PID_ENV: Final = "DEVSTACK_PARENT_PID"
FUNCTION_ERROR_HEADER: Final = "X-Amz-Function-Error"


def forward_invokes_to(gateway: str, secret: str) -> None:
    """moto's ``Invoke`` of a function becomes a call of the gateway's process; a function the gateway does not
    know (404) is left to moto."""
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.invoke

    def invoke(self: Any, body: str | bytes | None, request_headers: Any, response_headers: Any) -> Any:
        data = body.encode() if isinstance(body, str) else (body or b"")
        request = urllib.request.Request(  # noqa: S310 (the gateway on loopback)
            gateway + INVOKE_PATH + self.function_name,
            data=data,
            method="POST",
            headers={INVOKE_SECRET_HEADER: secret, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=int(self.timeout) + 30) as answer:  # noqa: S310
                if answer.headers.get(FUNCTION_ERROR_HEADER):
                    response_headers["x-amz-function-error"] = answer.headers[FUNCTION_ERROR_HEADER]
                return answer.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return original(self, data.decode(), request_headers, response_headers)
            raise

    LambdaFunction.invoke = invoke  # type: ignore[method-assign]
    # No Docker here: moto's data page would otherwise try to reach it for each function.
    LambdaFunction.docker_client = property(lambda self: None)  # type: ignore[assignment,method-assign]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.moto_process", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--gateway", required=True, help="the gateway's base URL, for moto's Lambda invokes")
    args = parser.parse_args(argv)

    from moto.server import ThreadedMotoServer

    from devstack.moto_caches import cache_moto_lookups
    from devstack.moto_dynamodb import tune_dynamodb
    from devstack.moto_stepfunctions import stop_waiting_executions

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per AWS call is noise in the devstack's log
    sys.setswitchinterval(0.0005)  # many request threads, each mostly short work: hand over often
    tune_dynamodb()
    cache_moto_lookups()
    stop_waiting_executions()
    forward_invokes_to(args.gateway.rstrip("/"), os.environ[INVOKE_SECRET_ENV])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    parent = int(os.environ.get(PARENT_PID_ENV) or os.getppid())
    threading.Thread(target=_stop_when_orphaned, args=(parent, stopped), daemon=True).start()
    stopped.wait()
    server.stop()


def _stop_when_orphaned(parent: int, stopped: threading.Event) -> None:
    """A devstack killed outright (SIGKILL) cannot stop its moto: moto notices and stops itself."""
    while not stopped.is_set():
        if os.getppid() != parent:
            stopped.set()
        time.sleep(1)


if __name__ == "__main__":
    main()
    os._exit(0)  # executions parked in moto (waiting for a task token) are threads; do not wait for them
