"""Calling a provider's service: an internal data service in this process, or an external HTTPS endpoint.

An external provider receives the request as the client sent it, plus the exchange's headers: ``X-Road-Client``,
``X-Road-Id``, ``X-Road-Request-Time`` and ``X-Road-Request-Signature`` (the client member's detached JWS over
the canonical request, which it verifies with the member's key from ``/r1/{instance}/keys``). No redirects are
followed; the answer is read up to :data:`MAX_ANSWER_BYTES`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from functions.exchange.services import INTERNAL, ServiceAnswer, ServiceRequest
from platform_common.correlation import outgoing_headers

MAX_ANSWER_BYTES: Final = 5 * 1024 * 1024
_FORWARDED_ANSWER_HEADERS: Final = ("content-type",)


class ProviderError(RuntimeError):
    """The provider could not be reached or answered with a server error (the client gets 502)."""


class ProviderTimeout(RuntimeError):
    """The provider did not answer in time (the client gets 504)."""


@dataclass(frozen=True)
class ForwardedRequest:
    method: str
    service_path: str | None
    query: Mapping[str, Sequence[str]]
    body: bytes
    content_type: str | None
    exchange_headers: Mapping[str, str]  # X-Road-Client, X-Road-Id, X-Road-Request-Time, X-Road-Request-Signature


def is_internal(endpoint: str) -> bool:
    return endpoint in INTERNAL


def call_provider(endpoint: str, request: ForwardedRequest, timeout_seconds: float) -> ServiceAnswer:
    """The provider's answer; raises :class:`ProviderError` or :class:`ProviderTimeout`."""
    internal = INTERNAL.get(endpoint)
    if internal is not None:
        try:
            return internal.handle(ServiceRequest(request.method, request.service_path, request.query, request.body))
        except Exception as exc:  # an internal service's failure is the provider's error, never the client's 500
            raise ProviderError(f"internal service {endpoint} failed") from exc
    if not endpoint.startswith("https://"):
        raise ProviderError("the service has no usable endpoint")
    url = endpoint.rstrip("/") + (f"/{request.service_path}" if request.service_path else "")
    headers = {**dict(request.exchange_headers), **outgoing_headers()}  # the request's id goes on to the provider
    if request.content_type:
        headers["Content-Type"] = request.content_type
    try:
        with (
            httpx.Client(timeout=timeout_seconds, follow_redirects=False) as client,
            client.stream(
                request.method,
                url,
                params=[(name, value) for name, values in request.query.items() for value in values],
                content=request.body or None,
                headers=headers,
            ) as answer,
        ):
            body = b""
            for chunk in answer.iter_bytes():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise ProviderError("the provider's answer is too large")
    except httpx.TimeoutException as exc:
        raise ProviderTimeout("the provider did not answer in time") from exc
    except httpx.HTTPError as exc:
        raise ProviderError("the provider could not be reached") from exc
    if answer.status_code >= 500:
        raise ProviderError(f"the provider answered {answer.status_code}")
    return ServiceAnswer(answer.status_code, body, answer.headers.get("content-type", "application/octet-stream"))
