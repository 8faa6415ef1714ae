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


def test_given_two_requests_of_one_function_at_once_then_each_log_line_carries_its_own_correlation_id() -> None:
    import io
    import json

    from aws_lambda_powertools import Logger

    isolate_request_threads()
    stream = io.StringIO()
    logger = Logger(service="isolation-test", stream=stream, level="INFO")
    both_set = threading.Barrier(2)

    def request(marker: str) -> None:
        logger.set_correlation_id(marker)
        both_set.wait(timeout=5)  # the other request has set its id by now
        assert logger.get_correlation_id() == marker
        logger.info("handled", extra={"marker": marker})

    threads = [threading.Thread(target=request, args=(marker,)) for marker in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert sorted((line["marker"], line["correlation_id"]) for line in lines) == [
        ("first", "first"),
        ("second", "second"),
    ]


def test_given_two_requests_of_one_resolver_at_once_then_each_keeps_its_route_to_the_end() -> None:
    isolate_request_threads()
    app = APIGatewayRestResolver(enable_validation=True)  # its response validation reads the route
    both_in = threading.Barrier(2)

    def pause(app: APIGatewayRestResolver, next_middleware: Any) -> Any:
        """Runs before the response validation: the fast request ends (and clears its routing context) here."""
        both_in.wait(timeout=5)
        if app.current_event.headers["x-marker"] == "slow":
            time.sleep(0.1)
        return next_middleware(app)

    app.use(middlewares=[pause])

    @app.get("/whoami")
    def whoami() -> dict[str, str]:
        return {"marker": app.current_event.headers["x-marker"]}

    answers: dict[str, dict[str, Any]] = {}
    threads = [
        threading.Thread(target=lambda m=marker: answers.__setitem__(m, app.resolve(_event(m), None)))
        for marker in ("slow", "fast")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert {m: (a["statusCode"], a["body"]) for m, a in answers.items()} == {
        "slow": (200, '{"marker":"slow"}'),
        "fast": (200, '{"marker":"fast"}'),
    }


def test_given_a_logger_created_in_a_thread_then_the_other_loggers_there_keep_their_own_service() -> None:
    import io
    import json

    from aws_lambda_powertools import Logger

    isolate_request_threads()
    stream = io.StringIO()
    first = Logger(service="isolation-first", stream=stream, level="INFO")
    first.append_keys(correlation_id="kept-by-first")
    Logger(service="isolation-second", stream=io.StringIO())  # a module imported later, in the same thread

    first.info("after the second logger was created")

    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert (line["service"], line["correlation_id"]) == ("isolation-first", "kept-by-first")
    assert "correlation_id" not in Logger(service="isolation-third", stream=io.StringIO()).get_current_keys()
