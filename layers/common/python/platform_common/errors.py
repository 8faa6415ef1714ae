"""Typed domain errors and their problem+json form (RFC 9457).

Logic raises these; one table in :mod:`platform_common.api` turns them into responses. Every problem
carries an ``errors`` list of ``{"item", "message"}`` (the shape gBizINFO clients already read) naming the
offending field where there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar, Final

from aws_lambda_powertools.event_handler import Response

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:corporate-platform:problem:"


@dataclass(frozen=True)
class FieldError:
    item: str
    message: str


@dataclass
class DomainError(Exception):
    """Base of every error a client may see. Subclasses fix the status and the problem type."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)

    status: ClassVar[HTTPStatus] = HTTPStatus.BAD_REQUEST
    slug: ClassVar[str] = "bad-request"

    def __str__(self) -> str:
        return self.detail


class InvalidInput(DomainError):
    status = HTTPStatus.BAD_REQUEST
    slug = "invalid-input"

    @classmethod
    def for_field(cls, item: str, message: str) -> InvalidInput:
        return cls(detail=f"{item}: {message}", errors=[FieldError(item, message)])


class Unauthorized(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "unauthorized"


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"


class PreconditionFailed(DomainError):
    """An ``If-Match`` version that is no longer current: the client reloads, merges and retries."""

    status = HTTPStatus.PRECONDITION_FAILED
    slug = "precondition-failed"


class PayloadTooLarge(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    slug = "payload-too-large"


class UnsupportedMediaType(DomainError):
    """A body in a media type the operation does not read (its problem names ``body``)."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    slug = "unsupported-media-type"


class ServiceUnavailable(DomainError):
    """A dependency (another service, a key set) cannot be reached now; the client may retry."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "service-unavailable"


RETRY_AFTER_SECONDS: Final = 5  # what a 503 asks the client to wait: past a throttle's burst, short for a person


def problem_headers(exc: DomainError) -> dict[str, str] | None:
    """Headers a problem carries besides its body: ``Retry-After`` on a 503."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, ServiceUnavailable) else None


class RateLimited(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "rate-limited"


def problem_body(
    status: HTTPStatus,
    slug: str,
    detail: str,
    errors: list[FieldError] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": status.phrase,
        "status": int(status),
        "detail": detail,
        "errors": [{"item": e.item, "message": e.message} for e in errors or []],
    }
    if instance:
        body["instance"] = instance
    return body


def problem_response(
    status: HTTPStatus,
    slug: str,
    detail: str,
    errors: list[FieldError] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    return Response(
        status_code=int(status),
        content_type=PROBLEM_CONTENT_TYPE,
        body=json.dumps(problem_body(status, slug, detail, errors, instance), ensure_ascii=False),
        headers=headers,
    )
