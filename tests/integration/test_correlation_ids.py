"""One correlation id across services: jGrants' request that calls the data exchange is logged under the
caller's ``X-Correlation-Id`` by both services, and the answer carries it back. A malformed id is not taken."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_B
from platform_common.observability import observability_for
from tests.integration.test_submit_applications import APPS, account, bearer, op  # noqa: F401  # op: a fixture
from tests.integration.test_submit_exchange import OWN_COPIES, catalogue  # noqa: F401  # a fixture


class _Lines(logging.Handler):
    def __init__(self, lines: list[dict[str, Any]]) -> None:
        super().__init__()
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logged() -> Iterator[list[dict[str, Any]]]:
    """The JSON log lines of jGrants and the exchange, each as its service's powertools logger formats them."""
    lines: list[dict[str, Any]] = []
    attached: list[tuple[logging.Logger, logging.Handler, int]] = []
    for service in ("submit", "exchange"):
        logger = observability_for(service).logger
        handler = _Lines(lines)
        handler.setFormatter(logger.registered_formatter)
        python_logger = logging.getLogger(logger.name)
        attached.append((python_logger, handler, python_logger.level))
        python_logger.addHandler(handler)
        python_logger.setLevel(logging.INFO)  # the tests log warnings only; these lines are information
    yield lines
    for python_logger, handler, level in attached:
        python_logger.removeHandler(handler)
        python_logger.setLevel(level)


def test_given_a_correlation_id_when_jgrants_calls_the_exchange_then_both_log_it_and_the_answer_returns_it(
    call_api: Any,
    op: Any,  # noqa: F811
    catalogue: str,  # noqa: F811
    logged: list[dict[str, Any]],
) -> None:
    sub = account("prime-correlation", "2", DEMO_CORP_B)
    headers = {**bearer(op, sub), "X-Correlation-Id": "deadline-day-0001"}

    # a new application (201) is what asks the exchange: a subsidy no other test applies to
    started = call_api("POST", APPS, headers=headers, body=json.dumps({"subsidy_id": OWN_COPIES["correlation"]}))

    assert started.status == 201, started.body
    assert started.headers["x-correlation-id"] == "deadline-day-0001"
    by_service = {(line["service"], line["message"]): line.get("correlation_id") for line in logged}
    assert by_service[("submit", "data exchange answered")] == "deadline-day-0001"
    assert by_service[("exchange", "exchange call")] == "deadline-day-0001"
    assert all(line.get("correlation_id") == "deadline-day-0001" for line in logged)


@pytest.mark.parametrize("given", ["bad\r\nX-Injected: 1", "x" * 129, "<script>", "", "-starts-with-a-dash", "日本語"])
def test_given_a_malformed_correlation_id_when_calling_then_the_gateway_request_id_is_used_instead(
    call_api: Any, given: str
) -> None:
    answer = call_api("GET", "/submit/health", headers={"X-Correlation-Id": given})

    returned = answer.headers["x-correlation-id"]
    assert returned != given
    assert len(returned) == 36  # API Gateway's request id (a UUID)
