"""X-Road's REST metadata services (protocol r1): ``listMethods`` for now."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.exchange.dal import get_store
from functions.exchange.logic import (
    CLIENT_HEADER,
    MESSAGE_ID_HEADER,
    list_methods,
    message_id_for,
    parse_client_id,
    subsystem_id_from_parts,
)
from functions.exchange.settings import get_settings
from platform_common.api import json_body
from platform_common.errors import DomainError, problem_response

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
