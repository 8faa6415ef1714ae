"""The REST resolver every service is built on: validation on, errors mapped in one place, health and
OpenAPI routes. A service supplies its routers; this module supplies the rest."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel

from platform_common.errors import DomainError, FieldError, problem_response
from platform_common.observability import observability_for

API_VERSION = "0.1.0"


def field_errors_from_validation(exc: RequestValidationError) -> list[FieldError]:
    """Name each offending field by the last named part of pydantic's location ("query", "name" → "name")."""
    found: list[FieldError] = []
    for error in exc.errors():
        names = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
        item = names[-1] if names else "request"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        found.append(FieldError(item=item, message=message))
    return found


def _json_serializer(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=Encoder)


def build_resolver(service: str, title: str, description: str, routers: Iterable[Router]) -> APIGatewayRestResolver:
    """Return the service's resolver with its routers, the error table, health and OpenAPI routes."""
    # Japanese stays readable on the wire (UTF-8 JSON, no \u escapes).
    app = APIGatewayRestResolver(enable_validation=True, serializer=_json_serializer)
    logger = observability_for(service).logger

    @app.exception_handler(DomainError)
    def handle_domain_error(exc: DomainError) -> Response[str]:
        return problem_response(exc.status, exc.slug, exc.detail, exc.errors, app.current_event.path)

    @app.exception_handler(RequestValidationError)
    def handle_validation_error(exc: RequestValidationError) -> Response[str]:
        errors = field_errors_from_validation(exc)
        detail = "; ".join(f"{e.item}: {e.message}" for e in errors) or "the request is not valid"
        return problem_response(HTTPStatus.BAD_REQUEST, "invalid-input", detail, errors, app.current_event.path)

    @app.not_found
    def handle_not_found(_exc: Exception) -> Response[str]:
        path = app.current_event.path
        return problem_response(HTTPStatus.NOT_FOUND, "no-such-route", f"no route for {path}", instance=path)

    @app.exception_handler(Exception)
    def handle_unexpected(_exc: Exception) -> Response[str]:
        # The cause goes to the log (with its traceback), never to the client.
        logger.exception("unhandled error", extra={"path": app.current_event.path})
        return problem_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal-error", "an unexpected error occurred")

    for router in routers:
        app.include_router(router)

    @app.get(f"/{service}/health", summary="Liveness of the service", tags=["operations"])
    def handle_get_health() -> dict[str, str]:
        return {"status": "ok", "service": service, "version": API_VERSION}

    @app.get(f"/{service}/openapi.json", include_in_schema=False)
    def handle_get_openapi() -> Response[str]:
        return Response(
            status_code=200,
            content_type="application/json",
            body=openapi_document(app, title, description),
        )

    return app


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each offending field (gBizINFO's shape)",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"item": {"type": "string"}, "message": {"type": "string"}},
                "required": ["item", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}


def openapi_document(app: APIGatewayRestResolver, title: str, description: str) -> str:
    """The generated document, corrected to what the API really answers on invalid input: powertools
    documents 422 with its own error shape; we answer 400 problem+json (see ``build_resolver``)."""
    document = json.loads(app.get_openapi_json_schema(title=title, version=API_VERSION, description=description))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for schema_name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(schema_name, None)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses["400"] = {"description": "Invalid input: the problem names each field", "content": problem}
    return json.dumps(document, ensure_ascii=False, indent=2)


def json_body(model: BaseModel) -> dict[str, Any]:
    """A response model as its wire form: aliases (the real APIs' field names), JSON types."""
    return model.model_dump(mode="json", by_alias=True)
