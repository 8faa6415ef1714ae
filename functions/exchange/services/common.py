"""What an internal data service receives and answers, and the helpers the three services share."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from platform_common import aws
from platform_common.corporate_number import is_valid_corporate_number
from platform_common.errors import problem_body

JSON = "application/json"
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class ServiceRequest:
    method: str
    path: str | None  # what follows the service code in the URL (one segment), if anything
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class ServiceAnswer:
    status: int
    body: bytes
    content_type: str = JSON


def json_answer(value: Any, status: int = 200) -> ServiceAnswer:
    return ServiceAnswer(status, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def problem_answer(status: int, slug: str, detail: str, item: str | None = None) -> ServiceAnswer:
    from http import HTTPStatus

    from platform_common.errors import FieldError

    errors = [FieldError(item, detail)] if item else []
    body = problem_body(HTTPStatus(status), slug, detail, errors)
    return ServiceAnswer(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), PROBLEM)


def corporate_number_in(request: ServiceRequest) -> str | ServiceAnswer:
    """The corporate number the URL names, or the 400/405 answer that says why there is none."""
    if request.method != "GET":
        return problem_answer(405, "method-not-allowed", "this service answers GET only")
    number = request.path or ""
    if not is_valid_corporate_number(number):
        return problem_answer(400, "invalid-input", "must be a 13-digit corporate number", "corporate_number")
    return number


def hojin_document(table_name: str, corporate_number: str) -> dict[str, Any] | None:
    """The corporation's gBizINFO record (open data), or ``None``."""
    if not table_name:
        return None
    key = {"corporate_number": {"S": corporate_number}}
    item = aws.client("dynamodb").get_item(TableName=table_name, Key=key, ProjectionExpression="document").get("Item")
    if not item or "document" not in item:
        return None
    document = json.loads(item["document"]["S"])
    return document if isinstance(document, dict) else None


def corporate_number_parameter() -> dict[str, Any]:
    return {
        "name": "corporate_number",
        "in": "path",
        "required": True,
        "description": "法人番号 (13 digits, with the check digit)",
        "schema": {"type": "string", "pattern": "^[0-9]{13}$"},
    }


def problem_responses() -> dict[str, Any]:
    problem = {"content": {PROBLEM: {"schema": {"type": "object"}}}}
    return {
        "400": {"description": "Not a corporate number", **problem},
        "404": {"description": "No such corporation", **problem},
    }
