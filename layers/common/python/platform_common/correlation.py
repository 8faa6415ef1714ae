"""One correlation id per request, across the services a request goes through.

A request's id is its ``X-Correlation-Id`` header when that is well formed, else API Gateway's request id,
else a fresh one (a scheduled run, a workflow step). :func:`correlated` puts it in every log line of the
service (powertools' ``correlation_id`` key) and in the response header; :func:`outgoing_headers` forwards
it on calls to another service of the platform (the data exchange, the OpenID Provider, its JWKS), whose
handler then logs under the same id. A CloudWatch Logs Insights query on ``correlation_id`` across the log
groups of the services finds the whole story of one request (docs/operators/runbook.md).

The header comes from the caller: only a short run of letters, digits and ``. _ : -`` is taken, so it can
neither break a log line nor smuggle a header into a response.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

from aws_lambda_powertools import Logger

HEADER: Final = "X-Correlation-Id"
MAX_LENGTH: Final = 128
_WELL_FORMED: Final = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")
_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def well_formed(value: object) -> bool:
    return isinstance(value, str) and _WELL_FORMED.fullmatch(value) is not None


def _header(event: Mapping[str, Any], name: str) -> str | None:
    """The last value of a header, whatever its case (single- and multi-value forms of the proxy event)."""
    wanted = name.lower()
    for key, values in (event.get("multiValueHeaders") or {}).items():
        if key.lower() == wanted and values:
            return str(values[-1])
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value)
    return None


def from_event(event: Mapping[str, Any]) -> str:
    """The id of this request: the caller's header if well formed, API Gateway's request id, or a new one."""
    given = _header(event, HEADER) if isinstance(event, Mapping) else None
    if well_formed(given):
        return str(given)
    context = event.get("requestContext") if isinstance(event, Mapping) else None
    request_id = context.get("requestId") if isinstance(context, Mapping) else None
    if well_formed(request_id):
        return str(request_id)
    return str(uuid.uuid4())


def current() -> str | None:
    return _current.get()


def outgoing_headers() -> dict[str, str]:
    """Headers to send on a call to another service of the platform: the current id, when there is one."""
    value = _current.get()
    return {HEADER: value} if value else {}


@contextmanager
def bound(value: str, logger: Logger) -> Iterator[str]:
    """Make ``value`` the current id and the ``correlation_id`` of the logger's lines, then restore both: a
    service called in the same process (the devstack, the tests) must not change its caller's id."""
    token = _current.set(value)
    before = logger.get_correlation_id()
    logger.set_correlation_id(value)
    try:
        yield value
    finally:
        logger.set_correlation_id(before)
        _current.reset(token)


def _answer_with(result: Any, value: str) -> None:
    if not isinstance(result, dict) or "statusCode" not in result:
        return  # not an HTTP answer (a workflow step, a scheduled run)
    if isinstance(result.get("multiValueHeaders"), dict):
        result["multiValueHeaders"][HEADER] = [value]
    else:
        result["headers"] = {**(result.get("headers") or {}), HEADER: value}


def correlated(logger: Logger) -> Callable[[Handler], Handler]:
    """Decorate a Lambda handler: the request's id in every log line and in the answer's header."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            with bound(from_event(event if isinstance(event, Mapping) else {}), logger) as value:
                result = handler(event, context)
                _answer_with(result, value)
                return result

        return wrapper  # type: ignore[return-value]

    return decorate
