"""X-Road's REST metadata services (protocol r1): ``listMethods``, ``allowedMethods``, ``getOpenAPI``,
``listClients``, and the signed key directory ``/r1/{instance}/keys``.

The registry's contents (members, subsystems, services and their descriptions, public keys) are what X-Road's
global configuration shows every member, so these answer on the ``X-Road-Client`` header alone; only
``allowedMethods``, which tells what a client may call, needs the client's request signature."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.exchange import registry
from functions.exchange.dal import get_store
from functions.exchange.directory import signed_directory
from functions.exchange.logic import (
    CLIENT_HEADER,
    MESSAGE_ID_HEADER,
    list_methods,
    message_id_for,
    parse_client_id,
    subsystem_id_from_parts,
)
from functions.exchange.protocol import authenticate
from functions.exchange.services import INTERNAL
from functions.exchange.settings import get_settings
from platform_common.api import json_body
from platform_common.errors import DomainError, InvalidInput, NotFound, ServiceUnavailable, problem_response

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


def with_message_id(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Every answer, a problem included, carries the request's ``X-Road-Id`` (the client's or a new one)."""
    message_id = message_id_for(app.current_event.headers.get(MESSAGE_ID_HEADER))
    try:
        response = next_middleware(app)
    except DomainError as exc:
        # The same problem the resolver's error table makes, plus the message id.
        response = problem_response(exc.status, exc.slug, exc.detail, exc.errors, app.current_event.path)
    response.headers[MESSAGE_ID_HEADER] = message_id
    return response


_IDENTIFIER_PATTERN = "^[A-Za-z0-9._-]{1,64}$"


@router.get(
    "/r1/<instance>/<member_class>/<member_code>/<subsystem>/listMethods",
    summary="Services a subsystem provides (X-Road listMethods)",
    description=f"Requires the `{CLIENT_HEADER}` header (INSTANCE/CLASS/CODE/SUBSYSTEM). "
    f"The response carries `{MESSAGE_ID_HEADER}`: the client's, or a new UUID.",
    tags=["x-road metadata"],
    response_description="The subsystem's services",
    middlewares=[with_message_id],
)
def handle_list_methods(
    instance: Annotated[str, Path(description=f"X-Road instance, {_IDENTIFIER_PATTERN}")],
    member_class: Annotated[str, Path(description="Member class, e.g. GOV or COM")],
    member_code: Annotated[str, Path(description=f"Member code, {_IDENTIFIER_PATTERN}")],
    subsystem: Annotated[str, Path(description=f"Subsystem code, {_IDENTIFIER_PATTERN}")],
) -> dict[str, Any]:
    member_classes = get_settings().member_classes
    parse_client_id(router.current_event.headers.get(CLIENT_HEADER), member_classes)
    provider = subsystem_id_from_parts(instance, member_class, member_code, subsystem, member_classes)
    body: dict[str, Any] = json_body(list_methods(get_store(), provider))
    return body


def _lower_headers() -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (router.current_event.headers or {}).items()}


def _service_identifier(service: registry.Service) -> dict[str, str]:
    provider = service.provider
    return {
        "xroad_instance": provider.xroad_instance,
        "member_class": provider.member_class,
        "member_code": provider.member_code,
        "subsystem_code": provider.subsystem_code,
        "service_code": service.service_code,
        "service_type": "OPENAPI",
        "object_type": "SERVICE",
    }


@router.get(
    "/r1/<instance>/<member_class>/<member_code>/<subsystem>/allowedMethods",
    summary="Services of a subsystem the calling client may call (X-Road allowedMethods)",
    description=f"Signed like a service call: `{CLIENT_HEADER}`, `{MESSAGE_ID_HEADER}`, `X-Road-Request-Time`, "
    "`X-Road-Request-Signature` (docs/integrators/exchange.md).",
    tags=["x-road metadata"],
    response_description="The services the client holds an access right to",
    middlewares=[with_message_id],
)
def handle_allowed_methods(
    instance: Annotated[str, Path(description=f"X-Road instance, {_IDENTIFIER_PATTERN}")],
    member_class: Annotated[str, Path(description="Member class, e.g. GOV or COM")],
    member_code: Annotated[str, Path(description=f"Member code, {_IDENTIFIER_PATTERN}")],
    subsystem: Annotated[str, Path(description=f"Subsystem code, {_IDENTIFIER_PATTERN}")],
) -> dict[str, Any]:
    member_classes = get_settings().member_classes
    provider = subsystem_id_from_parts(instance, member_class, member_code, subsystem, member_classes)
    event = router.current_event
    query = event.multi_value_query_string_parameters or {}
    auth = authenticate("GET", event.path, query, _lower_headers(), b"", member_classes, datetime.now(UTC))
    allowed = [
        service
        for service in registry.list_services(provider)
        if registry.access_right(provider, service.service_code, auth.client) is not None
    ]
    return {"service": [_service_identifier(service) for service in allowed]}


@router.get(
    "/r1/<instance>/<member_class>/<member_code>/<subsystem>/getOpenAPI",
    summary="The OpenAPI 3 description of one service (X-Road getOpenAPI)",
    description=f"Requires the `{CLIENT_HEADER}` header.",
    tags=["x-road metadata"],
    response_description="The service's OpenAPI 3 document",
    middlewares=[with_message_id],
)
def handle_get_open_api(
    instance: Annotated[str, Path(description=f"X-Road instance, {_IDENTIFIER_PATTERN}")],
    member_class: Annotated[str, Path(description="Member class, e.g. GOV or COM")],
    member_code: Annotated[str, Path(description=f"Member code, {_IDENTIFIER_PATTERN}")],
    subsystem: Annotated[str, Path(description=f"Subsystem code, {_IDENTIFIER_PATTERN}")],
    serviceCode: Annotated[str | None, Query(description="The service's code")] = None,  # X-Road's name
) -> dict[str, Any]:
    member_classes = get_settings().member_classes
    parse_client_id(router.current_event.headers.get(CLIENT_HEADER), member_classes)
    provider = subsystem_id_from_parts(instance, member_class, member_code, subsystem, member_classes)
    if not serviceCode:
        raise InvalidInput.for_field("serviceCode", "the query parameter is required")
    service = registry.get_service(provider, serviceCode)
    if service is None:
        raise NotFound(f"{provider} provides no service {serviceCode}")
    internal = INTERNAL.get(service.endpoint)
    if service.openapi:
        document: dict[str, Any] = json.loads(service.openapi)
    elif internal is not None:
        document = dict(internal.openapi)
    else:
        raise NotFound(f"the service {serviceCode} has no OpenAPI description")
    return document


@router.get(
    "/r1/<instance>/listClients",
    summary="Members and subsystems of the instance (X-Road listClients)",
    tags=["x-road metadata"],
    response_description="Every member and its subsystems",
    middlewares=[with_message_id],
)
def handle_list_clients(
    instance: Annotated[str, Path(description=f"X-Road instance, {_IDENTIFIER_PATTERN}")],
) -> dict[str, Any]:
    if instance != get_settings().xroad_instance:
        raise NotFound(f"this exchange serves the instance {get_settings().xroad_instance}")
    found: list[dict[str, Any]] = []
    for member in sorted(registry.list_members(), key=lambda m: m.member):
        ident = {"xroad_instance": member.member[0], "member_class": member.member_class}
        found.append({"id": {**ident, "member_code": member.member_code, "object_type": "MEMBER"}, "name": member.name})
        for sub in sorted(registry.list_subsystems(member.member), key=lambda s: s.subsystem.subsystem_code):
            found.append(
                {
                    "id": {
                        **ident,
                        "member_code": member.member_code,
                        "subsystem_code": sub.subsystem.subsystem_code,
                        "object_type": "SUBSYSTEM",
                    },
                    "name": sub.name,
                }
            )
    return {"member": found}


@router.get(
    "/r1/<instance>/keys",
    summary="The signed key directory: every member's public key and the exchange's key",
    description="Verify the `signature` (detached JWS over the canonical JSON of the other fields) with the "
    "exchange's key you trust; then verify members' signatures with `members`.",
    tags=["x-road metadata"],
    response_description="The key directory",
)
def handle_get_keys(
    instance: Annotated[str, Path(description=f"X-Road instance, {_IDENTIFIER_PATTERN}")],
) -> dict[str, Any]:
    settings = get_settings()
    if instance != settings.xroad_instance:
        raise NotFound(f"this exchange serves the instance {settings.xroad_instance}")
    if not settings.signing_key_id:
        raise ServiceUnavailable("the exchange has no signing key configured")
    return signed_directory(instance, settings.signing_key_id)
