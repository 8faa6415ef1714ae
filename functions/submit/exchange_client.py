"""jGrants as a client of the data exchange (docs/design/exchange.md): the ministry's own client subsystem.

The ministry is a ``GOV`` member, so its calls need an access right but no consent. Requests are signed as
docs/integrators/exchange.md describes (ES256 detached JWS over the canonical request) with the subsystem's
private key, which is kept in Secrets Manager (``EXCHANGE_CLIENT_SECRET_ID``; JSON ``{"client":
"INSTANCE/GOV/CODE/SUBSYSTEM", "private_jwk": {...}}``, put by an operator, by the seed in the devstack) and
cached for five minutes. The exchange signs, timestamps and logs every call; the answer's ``X-Road-Id`` is the
message-log key kept with what was fetched (provenance).

A service is named by its full X-Road identifier, ``INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE``; the corporation
is the one path segment after it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from functions.submit.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.corporate_number import is_valid_corporate_number
from platform_common.correlation import outgoing_headers
from platform_common.errors import ServiceUnavailable
from platform_common.observability import observability_for

SERVICE_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}(/[A-Za-z0-9._-]{1,64}){4}$")
KEY_CACHE_SECONDS: Final = 300
TIMEOUT_SECONDS: Final = 12.0  # the exchange gives a provider 10 s

_logger = observability_for(SERVICE).logger
_cached: tuple[float, ExchangeCredentials] | None = None
_transport: httpx.BaseTransport | None = None  # tests route the exchange in process


def use_transport(transport: httpx.BaseTransport | None) -> None:
    global _transport
    _transport = transport


class ExchangeUnavailable(ServiceUnavailable):
    """The exchange is not configured, could not be reached, or refused the call."""


@dataclass(frozen=True)
class ExchangeCredentials:
    client: str  # INSTANCE/GOV/CODE/SUBSYSTEM
    kid: str
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Fetched:
    service: str  # the service identifier asked for
    status: int
    body: bytes
    content_type: str
    message_id: str  # X-Road-Id: the message-log entries of this exchange
    response_signature: str  # the provider member's detached JWS over the canonical response
    response_timestamp: str

    def document(self) -> dict[str, Any]:
        found = json.loads(self.body)
        if not isinstance(found, dict):
            raise ExchangeUnavailable(f"the data exchange's answer from {self.service} is not a JSON object")
        return found


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_number(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def credentials_from(secret_text: str) -> ExchangeCredentials:
    """The client identifier and its private P-256 key from the secret's JSON."""
    try:
        found = json.loads(secret_text)
        jwk = found["private_jwk"]
        public = ec.EllipticCurvePublicNumbers(_b64url_number(jwk["x"]), _b64url_number(jwk["y"]), ec.SECP256R1())
        numbers = ec.EllipticCurvePrivateNumbers(_b64url_number(jwk["d"]), public)
        return ExchangeCredentials(str(found["client"]), str(jwk["kid"]), numbers.private_key())
    except (ValueError, KeyError, TypeError) as error:
        raise ExchangeUnavailable("the data exchange client's secret is not set up") from error


def credentials() -> ExchangeCredentials:
    global _cached
    settings = get_settings()
    if not settings.exchange_url or not settings.exchange_client_secret_id:
        raise ExchangeUnavailable("the data exchange is not configured for this ministry")
    if _cached is not None and time.monotonic() - _cached[0] < KEY_CACHE_SECONDS:
        return _cached[1]
    try:
        text = aws.client("secretsmanager").get_secret_value(SecretId=settings.exchange_client_secret_id)[
            "SecretString"
        ]
    except (ClientError, BotoCoreError, KeyError) as error:
        raise ExchangeUnavailable("the data exchange client's key cannot be read") from error
    found = credentials_from(text)
    _cached = (time.monotonic(), found)
    return found


def forget_credentials() -> None:
    global _cached
    _cached = None


def signed_headers(creds: ExchangeCredentials, method: str, path: str, now: datetime) -> dict[str, str]:
    """The X-Road headers of a signed request without a query or body (docs/integrators/exchange.md)."""
    message_id = str(uuid.uuid4())
    request_time = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    canonical = "\n".join([method, path, creds.client, message_id, request_time, hashlib.sha256(b"").hexdigest()])
    header = _b64url(json.dumps({"alg": "ES256", "kid": creds.kid}, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{header}.{_b64url(canonical.encode())}".encode()
    r, s = decode_dss_signature(creds.key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    signature = _b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return {
        "X-Road-Client": creds.client,
        "X-Road-Id": message_id,
        "X-Road-Request-Time": request_time,
        "X-Road-Request-Signature": f"{header}..{signature}",
    }


def fetch(service: str, corporate_number: str) -> Fetched:
    """GET the service's answer about the corporation through the exchange (2xx only, else ExchangeUnavailable)."""
    if not SERVICE_ID.fullmatch(service):
        raise ExchangeUnavailable(f"{service!r} is not a service identifier INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE")
    if not is_valid_corporate_number(corporate_number):
        raise ExchangeUnavailable("the application's corporate number is not valid")
    creds = credentials()
    path = f"/r1/{service}/{corporate_number}"
    headers = signed_headers(creds, "GET", path, datetime.now(UTC))
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, transport=_transport) as http:
            answer = http.get(get_settings().exchange_url.rstrip("/") + path, headers={**headers, **outgoing_headers()})
    except httpx.HTTPError as error:
        _logger.warning("data exchange unreachable", extra={"exchange_service": service, "error": type(error).__name__})
        raise ExchangeUnavailable("the data exchange could not be reached") from error
    if not 200 <= answer.status_code < 300:
        _logger.warning(
            "data exchange refused",
            extra={"exchange_service": service, "status": answer.status_code, "x_road_id": headers["X-Road-Id"]},
        )
        raise ExchangeUnavailable(f"the data exchange answered {answer.status_code} for {service}")
    # the exchange's message id ties this line to its signed message log (and the correlation id to its logs)
    _logger.info("data exchange answered", extra={"exchange_service": service, "x_road_id": headers["X-Road-Id"]})
    return Fetched(
        service=service,
        status=answer.status_code,
        body=answer.content,
        content_type=answer.headers.get("content-type", "application/json").split(";")[0].strip(),
        message_id=answer.headers.get("x-road-id", headers["X-Road-Id"]),
        response_signature=answer.headers.get("x-road-response-signature", ""),
        response_timestamp=answer.headers.get("x-road-response-timestamp", ""),
    )
