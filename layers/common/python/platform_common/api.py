"""The REST resolver every service is built on: validation on, errors mapped in one place, health and
OpenAPI routes. A service supplies its routers; this module supplies the rest."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.json_encoder import Encoder
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from platform_common.aws import is_unavailable
from platform_common.errors import (
    DomainError,
    FieldError,
    ServiceUnavailable,
    problem_headers,
    problem_response,
)
from platform_common.observability import observability_for
from platform_common.request_guard import install_request_guard
from platform_common.security_headers import add_security_headers

API_VERSION = "0.1.0"


@dataclass(frozen=True)
class Answers:
    """What the operations under a path prefix answer besides 200 and 400, for their OpenAPI document:
    the statuses of their problems, and whether they are pages (HTML, and error pages for browsers)."""

    prefix: str
    problems: tuple[int, ...] = ()
    html: bool = False
    redirects: tuple[int, ...] = ()  # 303 to the sign-in or after a form, 302 back to a relying party


def field_errors_from_validation(exc: RequestValidationError) -> list[FieldError]:
    """Name each offending field by the last named part of pydantic's location ("query", "name" → "name")."""
    found: list[FieldError] = []
    for error in exc.errors():
        names = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
        item = names[-1] if names else "request"
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        found.append(FieldError(item=item, message=message))
    return found


def aws_error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def _json_serializer(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=Encoder)


class SecureResolver(APIGatewayRestResolver):
    """A REST resolver whose every response (pages, JSON, redirects, errors, 404s) carries the security headers."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        result = super().resolve(event, context)
        add_security_headers(result)
        return result


def build_resolver(
    service: str,
    title: str,
    description: str,
    routers: Iterable[Router],
    answers: Sequence[Answers] = (),
) -> APIGatewayRestResolver:
    """Return the service's resolver with its routers, the error table, health and OpenAPI routes."""
    # Japanese stays readable on the wire (UTF-8 JSON, no \u escapes).
    app = SecureResolver(enable_validation=True, serializer=_json_serializer)
    install_request_guard(app)  # bodies that are not UTF-8, not JSON or too deep: 4xx, not 500
    logger = observability_for(service).logger

    @app.exception_handler(DomainError)
    def handle_domain_error(exc: DomainError) -> Response[str]:
        path = app.current_event.path
        return problem_response(exc.status, exc.slug, exc.detail, exc.errors, path, problem_headers(exc))

    @app.exception_handler(RequestValidationError)
    def handle_validation_error(exc: RequestValidationError) -> Response[str]:
        errors = field_errors_from_validation(exc)
        detail = "; ".join(f"{e.item}: {e.message}" for e in errors) or "the request is not valid"
        return problem_response(HTTPStatus.BAD_REQUEST, "invalid-input", detail, errors, app.current_event.path)

    @app.not_found
    def handle_not_found(_exc: Exception) -> Response[str]:
        path = app.current_event.path
        return problem_response(HTTPStatus.NOT_FOUND, "no-such-route", f"no route for {path}", instance=path)

    @app.exception_handler([ClientError, BotoCoreError])
    def handle_aws_error(exc: ClientError | BotoCoreError) -> Response[str]:
        """An AWS call that failed after the client's retries: a throttle or an AWS fault is a 503 the client
        may retry (each write is one request or one transaction, so nothing was half-written); anything
        else is ours to fix (500)."""
        if not is_unavailable(exc):
            unexpected: Response[str] = handle_unexpected(exc)
            return unexpected
        logger.warning("dependency unavailable", extra={"path": app.current_event.path, "error": aws_error_code(exc)})
        unavailable = ServiceUnavailable("a service the platform depends on is busy: retry shortly")
        # through the DomainError handler in force (a service may have its own: pages for browsers)
        handler = app.exception_handler_manager.lookup_exception_handler(ServiceUnavailable) or handle_domain_error
        response: Response[str] = handler(unavailable)
        return response

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
            body=openapi_document(app, title, description, answers),
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


# A route's ``responses`` name their problem bodies with this (the schema is added to every document).
PROBLEM_CONTENT: dict[str, Any] = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER_HEADER: Final[dict[str, Any]] = {"description": "Seconds to wait", "schema": {"type": "integer"}}
REDIRECT: Final[dict[str, Any]] = {
    "headers": {"Location": {"description": "Where the browser goes next", "schema": {"type": "string"}}},
    "content": {"text/plain": {"schema": {"type": "string", "maxLength": 0}}},
}


def openapi_document(app: APIGatewayRestResolver, title: str, description: str, answers: Sequence[Answers] = ()) -> str:
    """The generated document, corrected to what the API really answers: powertools documents 422 with its
    own error shape, we answer 400 problem+json (see ``build_resolver``); every operation with a path
    parameter may answer 404, every one with a body 413 and 415 (:mod:`platform_common.request_guard`), and
    the service's ``answers`` add the rest, and mark its pages as HTML. Any operation may answer 503 (AWS
    unavailable beyond the retries, with ``Retry-After``) and 500 (a fault of ours, with no detail)."""
    document = json.loads(app.get_openapi_json_schema(title=title, version=API_VERSION, description=description))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for schema_name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(schema_name, None)
    problem = PROBLEM_CONTENT
    html = {"text/html": {"schema": {"type": "string"}}}
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault(
                    "400", {"description": "Invalid input: the problem names each field", "content": problem}
                )
            statuses: set[int] = {HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.SERVICE_UNAVAILABLE}
            if "{" in path:
                statuses.add(HTTPStatus.NOT_FOUND)
            if "requestBody" in operation:
                statuses |= {HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.UNSUPPORTED_MEDIA_TYPE}
            applying = [a for a in answers if path.startswith(a.prefix)]
            for answer in applying:
                statuses.update(answer.problems)
            for status in sorted(statuses):
                responses.setdefault(str(status), {"description": HTTPStatus(status).phrase, "content": problem})
            responses["503"].setdefault("headers", {"Retry-After": RETRY_AFTER_HEADER})
            for status in sorted({code for a in applying for code in a.redirects}):
                responses.setdefault(str(status), {**REDIRECT, "description": HTTPStatus(status).phrase})
            for code, response in responses.items():  # an error declared by the route without its body
                if code.startswith(("4", "5")):
                    response.setdefault("content", problem)
            if any(a.html for a in applying):  # a page: HTML to browsers, problem+json to JSON clients on error
                for code, response in responses.items():
                    if code.startswith("2"):
                        response["content"] = html
                    elif code.startswith("4"):
                        response["content"] = {**html, **response.get("content", problem)}
    return json.dumps(document, ensure_ascii=False, indent=2)


def json_body(model: BaseModel) -> dict[str, Any]:
    """A response model as its wire form: aliases (the real APIs' field names), JSON types."""
    return model.model_dump(mode="json", by_alias=True)
