"""API Gateway REST proxy events and Lambda invocation, in-process.

The gateway and the tests both turn a request into the event API Gateway sends (payload format 1.0) and
call the function's ``lambda_handler`` with a Lambda context, so a handler cannot tell the devstack from
the cloud.
"""

from __future__ import annotations

import base64
import importlib
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from devstack.naming import ACCOUNT_ID, REGION
from functions.route_table import RouteMatch, Service

STAGE = "dev"
_TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/problem+json")


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as ``context`` (the attributes powertools reads)."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 10
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _is_text(content_type: str | None) -> bool:
    return content_type is None or content_type.startswith(_TEXT_TYPES)


def build_proxy_event(
    match: RouteMatch,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]],
    query: Mapping[str, Sequence[str]],
    body: bytes,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    single_headers = {name: values[-1] for name, values in multi_headers.items()}
    lower = {name.lower(): value for name, value in single_headers.items()}
    content_type = lower.get("content-type")
    is_base64 = bool(body) and not _is_text(content_type)
    if body and not is_base64:
        try:
            text_body: str | None = body.decode("utf-8")
        except UnicodeDecodeError:
            is_base64 = True
    if is_base64:
        text_body = base64.b64encode(body).decode("ascii")
    elif not body:
        text_body = None
    multi_query = {name: list(values) for name, values in query.items()}
    request_id = str(uuid.uuid4())
    return {
        "resource": match.route.path,
        "path": path,
        "httpMethod": method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": f"devstack-{match.route.service}",
            "resourceId": "devstack",
            "resourcePath": match.route.path,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": "HTTP/1.1",
            "domainName": lower.get("host", "127.0.0.1"),
            "identity": {"sourceIp": source_ip, "userAgent": lower.get("user-agent", "")},
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def invoke(service: Service, event: dict[str, Any]) -> dict[str, Any]:
    """Call the service's handler as Lambda would. The module is imported on first use (cold start)."""
    handler = importlib.import_module(f"functions.{service}.handler")
    result: dict[str, Any] = handler.lambda_handler(event, LambdaContext(function_name=f"devstack-{service}"))
    return result


def response_body(result: Mapping[str, Any]) -> bytes:
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        return base64.b64decode(body)
    return str(body).encode("utf-8")


def response_headers(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Single and multi-value headers of a proxy response, merged (Set-Cookie may repeat)."""
    merged: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    for name, values in multi.items():
        merged.extend((name, str(value)) for value in values)
    seen = {name.lower() for name in multi}
    for name, value in (result.get("headers") or {}).items():
        if name.lower() not in seen:
            merged.append((name, str(value)))
    return merged
