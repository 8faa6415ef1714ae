"""Fault injection for tests: an AWS error answered instead of moto for chosen operations, N times.

:func:`inject` hooks ``before-send.<service>.<Operation>`` on the cached clients of :mod:`platform_common.aws`.
That event fires once per HTTP attempt, inside botocore's retry loop, so the client's retry handler (standard
mode, 3 attempts) sees each injected error as it would see AWS's: throttles and 5xx are retried with backoff,
other errors are raised at once. The handler points the request at a host moto does not serve, so an
injected failure never reaches moto's backends (a failed ``PutItem`` writes nothing). Backoff sleeps are
recorded instead of slept (:attr:`Injection.delays`), which keeps the tests fast and makes the backoff
observable.

    with inject("dynamodb", "TransactWriteItems", DYNAMODB_THROTTLE, times=2) as fault:
        ...  # the third attempt reaches moto
    assert fault.attempts == 3 and fault.injected == 2
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from xml.sax.saxutils import escape

import botocore.endpoint
from botocore.awsrequest import AWSResponse

from platform_common import aws

_ELSEWHERE = "https://fault-injected.invalid/"  # no moto backend matches it: the request goes nowhere


@dataclass(frozen=True)
class Fault:
    """An error as the service answers it: its code, HTTP status and (JSON services) modeled fields."""

    code: str
    status: int
    message: str = "injected fault"
    fields: Mapping[str, Any] = field(default_factory=dict)


# DynamoDB
DYNAMODB_THROTTLE = Fault(
    "ProvisionedThroughputExceededException", 400, "The level of configured provisioned throughput was exceeded"
)
DYNAMODB_THROTTLING = Fault("ThrottlingException", 400, "Rate of requests exceeds the allowed throughput")
DYNAMODB_INTERNAL = Fault("InternalServerError", 500, "Internal server error")
CONDITIONAL_CHECK_FAILED = Fault("ConditionalCheckFailedException", 400, "The conditional request failed")


def transaction_canceled(*reasons: str) -> Fault:
    """``TransactionCanceledException`` with one reason per item ("None", "ConditionalCheckFailed", ...)."""
    return Fault(
        "TransactionCanceledException",
        400,
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{', '.join(reasons)}]",
        {"CancellationReasons": [{"Code": reason} for reason in reasons]},
    )


# S3
S3_INTERNAL_ERROR = Fault("InternalError", 500, "We encountered an internal error. Please try again.")
S3_SLOW_DOWN = Fault("SlowDown", 503, "Please reduce your request rate.")
S3_ACCESS_DENIED = Fault("AccessDenied", 403, "Access Denied")
# KMS
KMS_INTERNAL = Fault("KMSInternalException", 500, "An internal error occurred")
KMS_DISABLED = Fault("DisabledException", 400, "The key is disabled")
# SES / SNS
SES_MESSAGE_REJECTED = Fault("MessageRejected", 400, "Email address is not verified")
SES_THROTTLING = Fault("Throttling", 400, "Maximum sending rate exceeded")
SNS_INTERNAL_ERROR = Fault("InternalError", 500, "Internal error")
# Step Functions
SFN_TASK_TIMED_OUT = Fault("TaskTimedOut", 400, "Task Timed Out")
SFN_TASK_DOES_NOT_EXIST = Fault("TaskDoesNotExist", 400, "Task does not exist anymore")
SFN_THROTTLING = Fault("ThrottlingException", 400, "Rate exceeded")


def _body(protocol: str, service_prefix: str, fault: Fault) -> bytes:
    if protocol in ("json", "rest-json"):
        body = {"__type": f"{service_prefix}#{fault.code}", "message": fault.message, **fault.fields}
        return json.dumps(body).encode()
    error = f"<Code>{escape(fault.code)}</Code><Message>{escape(fault.message)}</Message>"
    if protocol == "rest-xml":  # S3
        return f"<?xml version='1.0' encoding='UTF-8'?><Error>{error}<RequestId>injected</RequestId></Error>".encode()
    kind = "Receiver" if fault.status >= 500 else "Sender"  # query: SES, SNS
    envelope = (
        f"<ErrorResponse><Error><Type>{kind}</Type>{error}</Error><RequestId>injected</RequestId></ErrorResponse>"
    )
    return envelope.encode()


class _Raw:
    """The raw stream botocore reads an :class:`AWSResponse` from."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._data


@dataclass
class Injection:
    """What one :func:`inject` saw: attempts at the operations, errors injected, backoff delays asked for."""

    service: str
    operations: frozenset[str]
    fault: Fault
    times: int | None  # None: every attempt fails
    after: int = 0  # attempts let through before the first failure
    attempts: int = 0
    injected: int = 0
    delays: list[float] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # the operation of each attempt, in order
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def should_fail(self, operation: str) -> bool:
        with self._lock:
            self.attempts += 1
            self.calls.append(operation)
            if self.attempts <= self.after or (self.times is not None and self.injected >= self.times):
                return False
            self.injected += 1
            return True


def _clients(service: str) -> list[Any]:
    found = [aws.client(service)]
    if service in ("dynamodb", "s3"):
        found.append(aws.resource(service).meta.client)
    if service == "s3":
        found.append(aws.s3_presigner())
    return found


@contextmanager
def inject(
    service: str, operations: str | Sequence[str], fault: Fault, times: int | None = None, *, after: int = 0
) -> Iterator[Injection]:
    """Answer ``fault`` to the first ``times`` attempts (every attempt when None) of ``operations`` of
    ``service`` made through :mod:`platform_common.aws`, after letting the first ``after`` attempts through (the
    second of two signatures fails); other operations reach moto as usual."""
    names = frozenset([operations] if isinstance(operations, str) else operations)
    injection = Injection(service, names, fault, times, after)
    clients = _clients(service)
    hooks: list[tuple[Any, str, Any]] = []
    for client in clients:
        model = client.meta.service_model
        service_id = model.service_id.hyphenize()
        prefix = model.metadata.get("targetPrefix", model.service_name)

        def answer(request: Any, event_name: str, _protocol: str = model.protocol, _prefix: str = prefix,
                   **_kwargs: Any) -> AWSResponse | None:  # fmt: skip
            operation = event_name.rsplit(".", 1)[-1]
            if operation not in names or not injection.should_fail(operation):
                return None
            request.url = _ELSEWHERE  # moto's own before-send handler runs too: it must not match
            headers = {"Content-Type": "application/x-amz-json-1.0" if _protocol == "json" else "text/xml"}
            return AWSResponse(_ELSEWHERE, fault.status, headers, _Raw(_body(_protocol, _prefix, fault)))

        event = f"before-send.{service_id}"
        client.meta.events.register_first(event, answer, unique_id=f"fault-{id(injection)}-{id(client)}")
        hooks.append((client, event, answer))

    class _Clock:
        """botocore.endpoint's ``time``: backoff sleeps are recorded, not slept."""

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            injection.delays.append(seconds)

    try:
        with mock.patch.object(botocore.endpoint, "time", _Clock()):
            yield injection
    finally:
        for client, event, _answer in hooks:
            client.meta.events.unregister(event, unique_id=f"fault-{id(injection)}-{id(client)}")
