"""A service call through the exchange: ``GET|POST /r1/{instance}/{class}/{code}/{subsystem}/{service}[/{path}]``.

The route only translates HTTP to :class:`functions.exchange.protocol.IncomingCall` and back; every check,
signature and log entry is :mod:`functions.exchange.protocol`'s.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from functions.exchange.logic import CLIENT_HEADER, MESSAGE_ID_HEADER, subsystem_id_from_parts
from functions.exchange.message_log import MessageLog
from functions.exchange.protocol import (
    REQUEST_SIGNATURE_HEADER,
    REQUEST_TIME_HEADER,
    RESPONSE_SIGNATURE_HEADER,
    RESPONSE_TIMESTAMP_HEADER,
    Exchange,
    IncomingCall,
)
from functions.exchange.routers.metadata import with_message_id
from functions.exchange.settings import get_settings
from functions.exchange.signing import KmsTimestamper
from platform_common.api import PROBLEM_CONTENT
from platform_common.errors import InvalidInput

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

_CODE = "^[A-Za-z0-9._-]{1,64}$"
_DESCRIPTION = (
    f"Headers: `{CLIENT_HEADER}` (INSTANCE/CLASS/CODE/SUBSYSTEM), `{MESSAGE_ID_HEADER}` (unique per client), "
    f"`{REQUEST_TIME_HEADER}` (RFC 3339, within 300 s), `{REQUEST_SIGNATURE_HEADER}` (detached ES256 JWS over the "
    f"canonical request; docs/integrators/exchange.md). The answer carries `{RESPONSE_SIGNATURE_HEADER}` (the "
    f"provider member's detached JWS over the canonical response) and `{RESPONSE_TIMESTAMP_HEADER}`. "
    "401 bad signature, 403 no access right or consent required, 409 replayed message id, 502 provider error, "
    "504 provider timeout."
)
_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "The provider's answer, signed"},
    400: {"description": "A malformed identifier or header (named in errors)", "content": PROBLEM_CONTENT},
    401: {"description": "The request signature is missing, wrong, or its time is off", "content": PROBLEM_CONTENT},
    403: {
        "description": "No access right (the same answer for an unknown service), or consent required",
        "content": PROBLEM_CONTENT,
    },
    409: {"description": "The X-Road-Id was used before by this client", "content": PROBLEM_CONTENT},
    502: {"description": "The provider failed", "content": PROBLEM_CONTENT},
    504: {"description": "The provider did not answer in time", "content": PROBLEM_CONTENT},
}


@cache
def get_exchange() -> Exchange:
    settings = get_settings()
    return Exchange(
        registry_table=settings.registry_table_name,
        log=MessageLog(settings.registry_table_name, settings.message_log_bucket_name),
        timestamper=KmsTimestamper(settings.signing_key_id),
        member_classes=settings.member_classes,
        provider_timeout_seconds=settings.provider_timeout_seconds,
    )


def _call(
    instance: str, member_class: str, member_code: str, subsystem: str, service: str, path: str | None
) -> Response[Any]:
    event = router.current_event
    provider = subsystem_id_from_parts(instance, member_class, member_code, subsystem, get_settings().member_classes)
    if not service or len(service) > 64 or not all(c.isalnum() or c in "._-" for c in service):
        raise InvalidInput.for_field("service", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    call = IncomingCall(
        method=event.http_method,
        path=event.path,
        query=event.multi_value_query_string_parameters or {},
        headers={str(name).lower(): str(value) for name, value in (event.headers or {}).items()},
        body=body,
        provider=provider,
        service_code=service,
        service_path=path,
    )
    answer = get_exchange().handle(call)
    return Response(
        status_code=answer.status, content_type=answer.content_type, body=answer.body, headers=answer.headers
    )


_INSTANCE = Annotated[str, Path(description=f"X-Road instance, {_CODE}")]
_CLASS = Annotated[str, Path(description="Provider's member class, e.g. GOV")]
_MEMBER = Annotated[str, Path(description=f"Provider's member code, {_CODE}")]
_SUBSYSTEM = Annotated[str, Path(description=f"Provider's subsystem code, {_CODE}")]
_SERVICE = Annotated[str, Path(description=f"Service code, {_CODE}")]
_PATH = Annotated[str, Path(description="The service's path (for the shipped services: a corporate number)")]
_BASE = "/r1/<instance>/<member_class>/<member_code>/<subsystem>/<service>"


@router.get(
    _BASE,
    summary="Call a service",
    description=_DESCRIPTION,
    tags=["x-road"],
    responses=_RESPONSES,
    middlewares=[with_message_id],
)
def handle_get_service(
    instance: _INSTANCE, member_class: _CLASS, member_code: _MEMBER, subsystem: _SUBSYSTEM, service: _SERVICE
) -> Response[Any]:
    return _call(instance, member_class, member_code, subsystem, service, None)


@router.post(
    _BASE,
    summary="Call a service (with a body)",
    description=_DESCRIPTION,
    tags=["x-road"],
    responses=_RESPONSES,
    middlewares=[with_message_id],
)
def handle_post_service(
    instance: _INSTANCE, member_class: _CLASS, member_code: _MEMBER, subsystem: _SUBSYSTEM, service: _SERVICE
) -> Response[Any]:
    return _call(instance, member_class, member_code, subsystem, service, None)


@router.get(
    _BASE + "/<path>",
    summary="Call a service at a path",
    description=_DESCRIPTION,
    tags=["x-road"],
    responses=_RESPONSES,
    middlewares=[with_message_id],
)
def handle_get_service_path(
    instance: _INSTANCE,
    member_class: _CLASS,
    member_code: _MEMBER,
    subsystem: _SUBSYSTEM,
    service: _SERVICE,
    path: _PATH,
) -> Response[Any]:
    return _call(instance, member_class, member_code, subsystem, service, path)


@router.post(
    _BASE + "/<path>",
    summary="Call a service at a path (with a body)",
    description=_DESCRIPTION,
    tags=["x-road"],
    responses=_RESPONSES,
    middlewares=[with_message_id],
)
def handle_post_service_path(
    instance: _INSTANCE,
    member_class: _CLASS,
    member_code: _MEMBER,
    subsystem: _SUBSYSTEM,
    service: _SERVICE,
    path: _PATH,
) -> Response[Any]:
    return _call(instance, member_class, member_code, subsystem, service, path)
