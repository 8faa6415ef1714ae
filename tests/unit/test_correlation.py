"""Correlation ids: taken from the caller when well formed, kept per request, forwarded, and restored after a
nested call (the devstack runs every service in one process)."""

from __future__ import annotations

from typing import Any

from platform_common import correlation
from platform_common.observability import observability_for


def _event(header: str | None = None, request_id: str | None = "3f1c0a52-9d4e-4c1b-8a65-1b2f2a0e9c11") -> Any:
    event: dict[str, Any] = {"headers": {"x-correlation-id": header} if header is not None else None}
    if request_id is not None:
        event["requestContext"] = {"requestId": request_id}
    return event


def test_the_callers_well_formed_id_wins_over_the_gateways_request_id() -> None:
    assert correlation.from_event(_event("deadline-day.0001:a_b")) == "deadline-day.0001:a_b"
    assert correlation.from_event(_event("bad id\r\nSet-Cookie: x")) == "3f1c0a52-9d4e-4c1b-8a65-1b2f2a0e9c11"
    assert correlation.from_event(_event("x" * 129)) == "3f1c0a52-9d4e-4c1b-8a65-1b2f2a0e9c11"


def test_an_event_without_header_or_request_id_gets_a_fresh_id() -> None:
    first = correlation.from_event({"source": "aws.events"})
    assert correlation.well_formed(first)
    assert first != correlation.from_event({"source": "aws.events"})


def test_the_id_is_forwarded_during_the_request_and_restored_after_a_nested_one() -> None:
    logger = observability_for("submit").logger
    assert correlation.outgoing_headers() == {}
    with correlation.bound("outer-1", logger):
        assert correlation.outgoing_headers() == {"X-Correlation-Id": "outer-1"}
        with correlation.bound("inner-2", logger):
            assert correlation.current() == "inner-2"
        assert correlation.current() == "outer-1"
        assert logger.get_correlation_id() == "outer-1"
    assert correlation.current() is None


def test_the_decorated_handler_answers_with_the_id_in_its_headers() -> None:
    @correlation.correlated(observability_for("submit").logger)
    def handler(event: Any, context: Any) -> dict[str, Any]:
        return {"statusCode": 200, "multiValueHeaders": {"Content-Type": ["application/json"]}, "body": "{}"}

    answer = handler(_event("from-the-caller"), None)

    assert answer["multiValueHeaders"]["X-Correlation-Id"] == ["from-the-caller"]
