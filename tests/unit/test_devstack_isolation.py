"""Two functions handling requests at once in the devstack's one process each see their own event."""

from __future__ import annotations

import threading
import time
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Router

from devstack.isolation import isolate_request_threads


def _event(marker: str) -> dict[str, Any]:
    return {
        "httpMethod": "GET",
        "path": "/whoami",
        "resource": "/whoami",
        "headers": {"x-marker": marker},
        "multiValueHeaders": {"x-marker": [marker]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"stage": "test", "path": "/whoami", "identity": {"sourceIp": "127.0.0.1"}},
        "body": None,
        "isBase64Encoded": False,
    }


def test_given_two_resolvers_in_two_threads_then_each_handler_reads_its_own_event() -> None:
    isolate_request_threads()
    seen: dict[str, tuple[str, str]] = {}
    both_started = threading.Barrier(2)

    def service(name: str) -> APIGatewayRestResolver:
        app, router = APIGatewayRestResolver(), Router()

        @router.get("/whoami")
        def whoami() -> dict[str, str]:
            before = router.current_event.headers["x-marker"]
            both_started.wait(timeout=5)  # the other thread has now resolved its own event
            time.sleep(0.05)
            seen[name] = (before, app.current_event.headers["x-marker"])
            return {}

        app.include_router(router)
        return app

    apps = {"auth": service("auth"), "submit": service("submit")}
    threads = [threading.Thread(target=apps[name].resolve, args=(_event(name), None)) for name in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert seen == {"auth": ("auth", "auth"), "submit": ("submit", "submit")}
