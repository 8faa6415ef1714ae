"""One call through the exchange, steps 1–7 of docs/design/exchange.md ("A call").

The exchange is the client member's security server and the provider member's: it authenticates the client
system by its request signature, refuses replays, checks the access right and (for private-sector clients) the
corporation's consent, then signs the request with the client member's KMS key, timestamps and logs it, verifies
that signature as the provider side, calls the service, signs the answer with the provider member's key,
timestamps and logs it, notes the access for the corporation, and answers.

Every refusal after authentication (403, 409) is one log entry with its outcome; a provider failure (502, 504)
is a signed answer entry after the request entry, so each forwarded request has its answer in the log. The
corporation's access record is written only for an answer the client received with data.

KMS failing (after the client's retries): before the request is signed and logged, nothing was forwarded, the
message id is released and the client gets the AWS error's 503 (the same request may be sent again); once it was
forwarded, an answer the provider member's key cannot sign is logged as ``signing-failed`` (unsigned; stamped if
the exchange key still signs), never delivered, and the client gets the 503.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.exchange import consent, registry
from functions.exchange.canonical import canonical_request, canonical_response
from functions.exchange.jws import JwsError, key_directory, sign_detached, verify_detached
from functions.exchange.logic import CLIENT_HEADER, MESSAGE_ID_HEADER, message_id_for, parse_client_id
from functions.exchange.message_log import Direction, Draft, MessageLog, stamped_digest
from functions.exchange.models import SubsystemId
from functions.exchange.providers import ForwardedRequest, ProviderError, ProviderTimeout, call_provider
from functions.exchange.replay import first_use, release
from functions.exchange.services import ServiceAnswer
from functions.exchange.signing import KmsSigner, Timestamper, kms_public_jwk
from platform_common.corporate_number import is_valid_corporate_number
from platform_common.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    ServiceUnavailable,
    Unauthorized,
    problem_body,
)
from platform_common.hash_chain import ChainUnavailable
from platform_common.observability import observability_for

REQUEST_TIME_HEADER: Final = "X-Road-Request-Time"
REQUEST_SIGNATURE_HEADER: Final = "X-Road-Request-Signature"
RESPONSE_SIGNATURE_HEADER: Final = "X-Road-Response-Signature"
RESPONSE_TIMESTAMP_HEADER: Final = "X-Road-Response-Timestamp"
MAX_SKEW: Final = timedelta(seconds=300)
PRIVATE_SECTOR: Final = "COM"
NO_RIGHT: Final = "the client subsystem has no access right to this service"
UNDELIVERED: Final = "signing-failed"  # the outcome of an answer the provider member's key could not sign

_logger = observability_for("exchange").logger


class ConsentRequired(Forbidden):
    slug = "consent-required"


class Replayed(Conflict):
    slug = "replay"


class SignatureRefused(Unauthorized):
    """One answer for every authentication failure: it never says whether the client subsystem exists."""

    @classmethod
    def because(cls, item: str, message: str) -> SignatureRefused:
        return cls(detail=f"{item}: {message}", errors=[FieldError(item, message)])


@dataclass(frozen=True)
class IncomingCall:
    method: str
    path: str
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    provider: SubsystemId
    service_code: str
    service_path: str | None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Authenticated:
    client: SubsystemId
    message_id: str
    request_time: str
    canonical: bytes


def parse_request_time(value: str | None, now: datetime) -> str:
    """``X-Road-Request-Time`` (RFC 3339 with an offset), within ±300 s of ``now``; returned as sent."""
    if not value:
        raise InvalidInput.for_field(REQUEST_TIME_HEADER, "the header is required (RFC 3339: 2025-04-01T09:30:00Z)")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput.for_field(REQUEST_TIME_HEADER, "must be an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise InvalidInput.for_field(REQUEST_TIME_HEADER, "must carry a time zone offset (Z or +09:00)")
    if abs(moment - now) > MAX_SKEW:
        raise SignatureRefused.because(REQUEST_TIME_HEADER, "is more than 300 seconds from the server's time")
    return value


def authenticate(
    method: str,
    path: str,
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
    body: bytes,
    member_classes: frozenset[str],
    now: datetime,
) -> Authenticated:
    """Step 1: the client system's detached JWS over the canonical request, by a key its subsystem registered."""
    client = parse_client_id(headers.get(CLIENT_HEADER.lower()), member_classes)
    sent_id = headers.get(MESSAGE_ID_HEADER.lower()) or ""
    if not sent_id:
        raise InvalidInput.for_field(MESSAGE_ID_HEADER, "the header is required: a unique id per request")
    message_id = message_id_for(sent_id)
    request_time = parse_request_time(headers.get(REQUEST_TIME_HEADER.lower()), now)
    signature = headers.get(REQUEST_SIGNATURE_HEADER.lower())
    if not signature:
        raise SignatureRefused.because(REQUEST_SIGNATURE_HEADER, "the header is required (detached JWS, ES256)")
    canonical = canonical_request(method, path, query, str(client), message_id, request_time, body)
    subsystem = registry.get_subsystem(client)
    keys = key_directory(subsystem.jwks or {}) if subsystem else {}
    try:
        verify_detached(signature, canonical, keys)
    except JwsError:
        raise SignatureRefused.because(REQUEST_SIGNATURE_HEADER, "does not verify for this client") from None
    return Authenticated(client, message_id, request_time, canonical)


def _problem(error: DomainError, path: str) -> bytes:
    body = problem_body(error.status, error.slug, error.detail, error.errors, path)
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _corporation_of(call: IncomingCall) -> str | None:
    """The corporation a request is about: the path segment after the service code, if it is a corporate number."""
    return call.service_path if call.service_path and is_valid_corporate_number(call.service_path) else None


@dataclass(frozen=True)
class Exchange:
    """The protocol with its stores: the registry table, the message log, the timestamper."""

    registry_table: str
    log: MessageLog
    timestamper: Timestamper
    member_classes: frozenset[str]
    provider_timeout_seconds: float = 10.0

    def _append(self, draft: Draft) -> None:
        try:
            self.log.append(draft)
        except ChainUnavailable:
            raise ServiceUnavailable("the message log is busy; nothing was exchanged, try again") from None

    def _unsigned_draft(
        self, auth: Authenticated, call: IncomingCall, direction: Direction, outcome: str, message: bytes
    ) -> Draft:
        """A log entry nobody signed (a refused request, an answer that could not be signed), not timestamped."""
        return Draft(
            message_id=auth.message_id,
            client=str(auth.client),
            provider=str(call.provider),
            service=call.service_code,
            direction=direction,
            outcome=outcome,
            message=message,
            signer="",
            signature="",
            timestamp="",
        )

    def _timestamped(self, draft: Draft) -> Draft:
        return replace(draft, timestamp=self.timestamper.stamp(stamped_digest(draft.message_hash, "")))

    def _log_refusal(self, auth: Authenticated, call: IncomingCall, outcome: str) -> None:
        """A refused request: the client's canonical request, timestamped; nothing was signed on its behalf."""
        self._append(self._timestamped(self._unsigned_draft(auth, call, "request", outcome, auth.canonical)))

    def _release(self, auth: Authenticated) -> None:
        try:
            release(self.registry_table, str(auth.client), auth.message_id)
        except (ClientError, BotoCoreError):  # DynamoDB is down too: the client sends it with a new id
            _logger.exception("message id not released", extra={"message_id": auth.message_id})

    def _log_undelivered(self, auth: Authenticated, call: IncomingCall, response: bytes) -> None:
        """The answer entry of a forwarded request whose answer could not be signed: the provider's canonical
        answer, unsigned, outcome ``signing-failed`` (the client receives a 503, not the answer)."""
        draft = self._unsigned_draft(auth, call, "response", UNDELIVERED, response)
        try:
            draft = self._timestamped(draft)
        except (ClientError, BotoCoreError):
            _logger.warning("undelivered answer not timestamped", extra={"message_id": auth.message_id})
        self._append(draft)

    def _signed_draft(
        self, auth: Authenticated, call: IncomingCall, direction: Direction, outcome: str, message: bytes, key_id: str
    ) -> Draft:
        member = "/".join(str(call.provider if direction == "response" else auth.client).split("/")[:3])
        signature = sign_detached(message, KmsSigner(key_id))
        draft = Draft(
            message_id=auth.message_id,
            client=str(auth.client),
            provider=str(call.provider),
            service=call.service_code,
            direction="response" if direction == "response" else "request",
            outcome=outcome,
            message=message,
            signer=member,
            signature=signature,
            timestamp="",
        )
        return replace(draft, timestamp=self.timestamper.stamp(stamped_digest(draft.message_hash, signature)))

    def handle(self, call: IncomingCall, now: datetime | None = None) -> Answer:
        """Run one call; a :class:`DomainError` is raised for every refusal before the provider is called."""
        moment = now or datetime.now(UTC)
        auth = authenticate(call.method, call.path, call.query, call.headers, call.body, self.member_classes, moment)
        # Step 2: replay
        if not first_use(self.registry_table, str(auth.client), auth.message_id, moment):
            self._log_refusal(auth, call, "replay")
            raise Replayed("this X-Road-Id was used before by this client; send each request with a new id")
        # Step 3: access right (the same 403 whether or not the provider has such a service)
        service = registry.get_service(call.provider, call.service_code)
        right = registry.access_right(call.provider, call.service_code, auth.client) if service else None
        if service is None or right is None:
            self._log_refusal(auth, call, "denied")
            raise Forbidden(NO_RIGHT)
        # Step 4: consent of the corporation the data is about, read on every request
        corporation = _corporation_of(call)
        if auth.client.member_class == PRIVATE_SECTOR and not service.public:
            found = consent.active_consent(corporation, auth.client, call.service_code, moment) if corporation else None
            if found is None:
                self._log_refusal(auth, call, "consent-required")
                raise ConsentRequired("the corporation has not consented to this client fetching this service")
        client_key = registry.member_key_id(auth.client)
        provider_key = registry.member_key_id(call.provider)
        if not client_key or not provider_key:
            self._log_refusal(auth, call, "member-key-missing")
            raise ServiceUnavailable("a member of this exchange has no signing key yet; ask the exchange operator")
        # Step 5: the client-side security server signs, timestamps and logs the request
        try:
            request_draft = self._signed_draft(auth, call, "request", "forwarded", auth.canonical, client_key)
        except (ClientError, BotoCoreError):
            self._release(auth)
            raise
        self._append(request_draft)
        # Step 6: the provider side verifies the client member's signature, then calls the service
        answer = self._call_provider(call, auth, request_draft, client_key, service.endpoint)
        outcome = {502: "provider-error", 504: "provider-timeout"}.get(answer.status, "ok")
        if outcome == "ok" and answer.status >= 400:
            outcome = "refused-by-provider"
        response = canonical_response(answer.status, auth.message_id, answer.body)
        try:
            response_draft = self._signed_draft(auth, call, "response", outcome, response, provider_key)
        except (ClientError, BotoCoreError):
            self._log_undelivered(auth, call, response)
            raise
        self._append(response_draft)
        if outcome == "ok" and corporation:
            consent.record_access(corporation, auth.client, call.service_code, auth.message_id, moment)
        _logger.info(
            "exchange call",
            extra={
                "client": str(auth.client),
                "provider": str(call.provider),
                "exchange_service": call.service_code,  # "service" is the log line's own field
                "message_id": auth.message_id,
                "status": answer.status,
                "outcome": outcome,
            },
        )
        # Step 7: the provider's answer with the provider member's signature and its timestamp
        return Answer(
            answer.status,
            answer.body,
            answer.content_type,
            {
                MESSAGE_ID_HEADER: auth.message_id,
                RESPONSE_SIGNATURE_HEADER: response_draft.signature,
                RESPONSE_TIMESTAMP_HEADER: response_draft.timestamp,
            },
        )

    def _call_provider(
        self, call: IncomingCall, auth: Authenticated, request: Draft, client_key: str, endpoint: str
    ) -> ServiceAnswer:
        # The provider side trusts the member's published key, not the client side's word
        verify_detached(request.signature, request.message, key_directory({"keys": [kms_public_jwk(client_key)]}))
        forwarded = ForwardedRequest(
            method=call.method,
            service_path=call.service_path,
            query=call.query,
            body=call.body,
            content_type=call.header("content-type"),
            exchange_headers={
                CLIENT_HEADER: str(auth.client),
                MESSAGE_ID_HEADER: auth.message_id,
                REQUEST_TIME_HEADER: auth.request_time,
                REQUEST_SIGNATURE_HEADER: request.signature,
            },
        )
        try:
            return call_provider(endpoint, forwarded, self.provider_timeout_seconds)
        except ProviderTimeout:
            error: DomainError = _GatewayTimeout("the provider did not answer in time")
        except ProviderError:
            _logger.warning(
                "provider failed", extra={"provider": str(call.provider), "exchange_service": call.service_code}
            )
            error = _BadGateway("the provider could not answer")
        return ServiceAnswer(int(error.status), _problem(error, call.path), "application/problem+json")


class _BadGateway(DomainError):
    status = HTTPStatus.BAD_GATEWAY
    slug = "provider-error"


class _GatewayTimeout(DomainError):
    status = HTTPStatus.GATEWAY_TIMEOUT
    slug = "provider-timeout"
