"""Hostile input refused before a route sees it, with a 4xx that names what is wrong.

Powertools' request validation reads a JSON body with ``json.loads`` on the decoded text. Unguarded, a body
that is not UTF-8 (or not base64 when flagged so), a content type it cannot read, or JSON nested thousands
deep ends as a ``UnicodeDecodeError``, ``NotImplementedError`` or ``RecursionError``: a 500. This guard takes
the validation middleware's place (it runs first, before any user middleware) and answers those with 400,
413 or 415 instead. It also refuses path and query values that did not decode as UTF-8: API Gateway and the
devstack hand them over with U+FFFD in place of each undecodable byte, which no legitimate value contains.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Final

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware

from platform_common.errors import FieldError, InvalidInput, PayloadTooLarge, UnsupportedMediaType

MAX_JSON_BODY_BYTES: Final = 1024 * 1024  # the largest API document (a subsidy's form schema) is ~50 KB
MAX_JSON_DEPTH: Final = 32  # our deepest model (a JSON Schema form) nests ~8 levels
REPLACEMENT_CHARACTER: Final = "\ufffd"
_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((child, depth) for child in node)
    return deepest


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def body_bytes(event: dict[str, Any]) -> bytes:
    """The request body as sent: base64-decoded when API Gateway flagged it binary."""
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return str(body).encode("utf-8", errors="surrogatepass")
    try:
        return base64.b64decode(str(body), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidInput.for_field("body", "the body is flagged base64 but is not valid base64") from error


def body_text(event: dict[str, Any], item: str = "body") -> str:
    """The request body as text, or a 400 naming it when it is not UTF-8 (a route that reads its own body)."""
    data = body_bytes(event)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput.for_field(item, f"not valid UTF-8 (byte {error.start})") from error


def parse_json_body(event: dict[str, Any]) -> Any:
    """The JSON document of a request, or a 4xx naming the body: too large, not UTF-8, not JSON, too deep."""
    data = body_bytes(event)
    if len(data) > MAX_JSON_BODY_BYTES:
        raise PayloadTooLarge(
            detail=f"the body exceeds {MAX_JSON_BODY_BYTES // 1024} KB",
            errors=[FieldError("body", f"at most {MAX_JSON_BODY_BYTES} bytes")],
        )
    if not data:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput.for_field("body", f"not valid UTF-8 (byte {error.start})") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.for_field("body", f"not valid JSON: {error.msg} at {error.pos}") from error
    except RecursionError as error:  # the C decoder's own limit, reached long after ours
        raise InvalidInput.for_field("body", f"nested deeper than {MAX_JSON_DEPTH} levels") from error
    if json_depth(document) > MAX_JSON_DEPTH:
        raise InvalidInput.for_field("body", f"nested deeper than {MAX_JSON_DEPTH} levels")
    return document


def refuse_undecoded_text(event: dict[str, Any]) -> None:
    """Refuse control characters in the path, and path parameters and query values holding U+FFFD (bytes
    that were not UTF-8). Powertools routes again on the path, and its ``$`` matches before a final newline:
    ``/applications/%0A`` would reach the list of applications instead of a 400 for the identifier."""
    if _CONTROL_CHARACTERS.search(str(event.get("path") or "")):
        raise InvalidInput.for_field("path", "the path contains control characters")
    for name, value in (event.get("pathParameters") or {}).items():
        if REPLACEMENT_CHARACTER in str(value):
            raise InvalidInput.for_field(str(name), "the path is not valid UTF-8")
    for name, values in (event.get("multiValueQueryStringParameters") or {}).items():
        if REPLACEMENT_CHARACTER in str(name) or any(REPLACEMENT_CHARACTER in str(v) for v in values or ()):
            raise InvalidInput.for_field(str(name), "the query string is not valid UTF-8")


class GuardedRequestValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, with the body read by :func:`parse_json_body` and JSON only."""

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response[Any]:
        refuse_undecoded_text(app.current_event.raw_event)
        return super().handler(app, next_middleware)

    def _get_body(self, app: Any) -> Any:
        # Only JSON bodies are declared in our APIs; forms and uploads are read by the pages themselves.
        content_type = app.current_event.headers.get("content-type", "").strip()
        if content_type and not is_json_media_type(content_type):
            raise UnsupportedMediaType(
                detail=f"the body must be application/json, not {content_type[:80]}",
                errors=[FieldError("body", "send Content-Type: application/json")],
            )
        return parse_json_body(app.current_event.raw_event)


def install_request_guard(app: APIGatewayRestResolver) -> None:
    """Put the guard where powertools keeps its request validation (the first middleware of every route)."""
    # powertools leaves the middleware's __init__ unannotated
    app._request_validation_middleware = GuardedRequestValidation()  # type: ignore[no-untyped-call]
