"""A corporation's consent to a private-sector client, and the corporation's record of who fetched its data.

Only the corporation's gBizID **Prime** holder grants or revokes (userinfo: account type 2 with that corporate
number). A consent names the client subsystem (member class ``COM``), the purpose, the services (codes) and an
expiry of at most one year. Nothing here is cached: :func:`active_consent` reads the table strongly consistent,
so a revocation refuses the client's very next request. Every grant and revocation is audited.

Items (registry table): ``CONSENT#{corporate number}`` / ``{client}#{consent id}`` (gsi1 ``CONSENTS#{client}``
/ ``{corporate number}#{consent id}``) and ``ACCESS#{corporate number}`` / ``{time}#{message id}``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.exchange import registry
from functions.exchange.callers import Caller
from functions.exchange.models import SubsystemId
from functions.exchange.settings import get_settings
from platform_common import aws
from platform_common.errors import InvalidInput, NotFound

PRIVATE_SECTOR: Final = "COM"
PURPOSE_MAX: Final = 200
MAX_DAYS: Final = 366  # "at most one year": a consent given today may run to the same date next year
MAX_SERVICES: Final = 20
HISTORY_LIMIT: Final = 200
JST: Final = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Consent:
    corporate_number: str
    consent_id: str
    client: SubsystemId
    purpose: str
    services: tuple[str, ...]
    granted_at: datetime
    expires_at: datetime
    granted_by: str
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.granted_at <= now < self.expires_at

    def covers(self, service_code: str, now: datetime) -> bool:
        return self.active(now) and service_code in self.services

    def to_json(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "corporate_number": self.corporate_number,
            "client": str(self.client),
            "purpose": self.purpose,
            "services": list(self.services),
            "granted_at": self.granted_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True)
class AccessRecord:
    at: datetime
    client: SubsystemId
    service_code: str
    message_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "client": str(self.client),
            "service_code": self.service_code,
            "message_id": self.message_id,
        }


def _table() -> str:
    return get_settings().registry_table_name


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _consent_from(item: Mapping[str, Any]) -> Consent:
    revoked = item.get("revoked_at", {}).get("S")
    return Consent(
        corporate_number=item["corporate_number"]["S"],
        consent_id=item["consent_id"]["S"],
        client=SubsystemId(*item["client"]["S"].split("/")),
        purpose=item["purpose"]["S"],
        services=tuple(value["S"] for value in item["services"]["L"]),
        granted_at=_time(item["granted_at"]["S"]),
        expires_at=_time(item["expires_at"]["S"]),
        granted_by=item["granted_by"]["S"],
        revoked_at=_time(revoked) if revoked else None,
    )


def _consent_items(corporate_number: str, prefix: str = "") -> list[dict[str, Any]]:
    paginator = aws.client("dynamodb").get_paginator("query")
    items: list[dict[str, Any]] = []
    expression = "pk = :pk AND begins_with(sk, :prefix)" if prefix else "pk = :pk"
    values: dict[str, Any] = {":pk": {"S": f"CONSENT#{corporate_number}"}}
    if prefix:
        values[":prefix"] = {"S": prefix}
    for page in paginator.paginate(
        TableName=_table(),
        KeyConditionExpression=expression,
        ExpressionAttributeValues=values,
        ConsistentRead=True,  # a revocation is seen by the very next read
    ):
        items.extend(page.get("Items", []))
    return items


# ------------------------------------------------------------------------------------- what the exchange asks


def active_consent(corporate_number: str, client: SubsystemId, service_code: str, now: datetime) -> Consent | None:
    """The corporation's consent that lets ``client`` fetch ``service_code`` now, if any (no cache)."""
    for item in _consent_items(corporate_number, f"{client}#"):
        consent = _consent_from(item)
        if consent.client == client and consent.covers(service_code, now):
            return consent
    return None


def record_access(corporate_number: str, client: SubsystemId, service_code: str, message_id: str, at: datetime) -> None:
    """Note, for the corporation's own view, that ``client`` fetched ``service_code`` about it."""
    moment = at.astimezone(UTC).isoformat(timespec="microseconds")
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "pk": {"S": f"ACCESS#{corporate_number}"},
            "sk": {"S": f"{moment}#{message_id}"},
            "at": {"S": moment},
            "client": {"S": str(client)},
            "service_code": {"S": service_code},
            "message_id": {"S": message_id},
        },
    )


def access_history(corporate_number: str, limit: int = HISTORY_LIMIT) -> list[AccessRecord]:
    """Who fetched what about the corporation and when, newest first."""
    answer = aws.client("dynamodb").query(
        TableName=_table(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCESS#{corporate_number}"}},
        ScanIndexForward=False,
        Limit=limit,
    )
    return [
        AccessRecord(
            at=_time(item["at"]["S"]),
            client=SubsystemId(*item["client"]["S"].split("/")),
            service_code=item["service_code"]["S"],
            message_id=item["message_id"]["S"],
        )
        for item in answer.get("Items", [])
    ]


# ------------------------------------------------------------------------------------- what the Prime holder does


def consents_of(caller: Caller) -> list[Consent]:
    """The caller's corporation's consents, newest first (revoked and expired ones included)."""
    corporate_number = caller.require_prime()
    found = [_consent_from(item) for item in _consent_items(corporate_number)]
    return sorted(found, key=lambda consent: consent.granted_at, reverse=True)


def history_of(caller: Caller) -> list[AccessRecord]:
    return access_history(caller.require_prime())


def consentable_services() -> list[registry.Service]:
    """The services a consent can cover: those that are not public (public data needs no consent)."""
    by_code = {service.service_code: service for service in registry.catalogue() if not service.public}
    return [by_code[code] for code in sorted(by_code)]


def expiry_of(expires_on: str, today: date) -> datetime:
    """The end of ``expires_on`` (YYYY-MM-DD, Japan time): after today, at most a year away."""
    try:
        day = date.fromisoformat(expires_on.strip())
    except ValueError as error:
        raise InvalidInput.for_field("expires_on", "must be a date, YYYY-MM-DD") from error
    if day < today:
        raise InvalidInput.for_field("expires_on", "must not be in the past")
    if day > today + timedelta(days=MAX_DAYS - 1):
        raise InvalidInput.for_field("expires_on", "must be at most one year from today")
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=JST)


def grant_consent(
    caller: Caller, client_text: str, purpose: str, services: Iterable[str], expires_on: str, now: datetime
) -> Consent:
    """The caller's corporation lets a private-sector client fetch these services about it until the date."""
    corporate_number = caller.require_prime()
    client = registry.parse_subsystem_id(client_text, "client")
    if client.member_class != PRIVATE_SECTOR:
        raise InvalidInput.for_field("client", "consent is given to private-sector (COM) clients only")
    if registry.get_subsystem(client) is None:
        raise InvalidInput.for_field("client", f"no subsystem {client} in the registry")
    clean_purpose = registry.check_name("purpose", purpose, PURPOSE_MAX)
    wanted = list(dict.fromkeys(code.strip() for code in services if code.strip()))
    if not wanted:
        raise InvalidInput.for_field("services", "choose at least one service")
    if len(wanted) > MAX_SERVICES:
        raise InvalidInput.for_field("services", f"at most {MAX_SERVICES} services")
    known = {service.service_code for service in consentable_services()}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise InvalidInput.for_field("services", f"unknown or public services: {', '.join(unknown[:5])}")
    expires_at = expiry_of(expires_on, now.astimezone(JST).date())
    consent = Consent(
        corporate_number=corporate_number,
        consent_id=secrets.token_hex(10),
        client=client,
        purpose=clean_purpose,
        services=tuple(wanted),
        granted_at=now.astimezone(UTC),
        expires_at=expires_at.astimezone(UTC),
        granted_by=caller.sub,
        revoked_at=None,
    )
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "pk": {"S": f"CONSENT#{corporate_number}"},
            "sk": {"S": f"{client}#{consent.consent_id}"},
            "corporate_number": {"S": corporate_number},
            "consent_id": {"S": consent.consent_id},
            "client": {"S": str(client)},
            "purpose": {"S": clean_purpose},
            "services": {"L": [{"S": code} for code in consent.services]},
            "granted_at": {"S": consent.granted_at.isoformat()},
            "expires_at": {"S": consent.expires_at.isoformat()},
            "granted_by": {"S": caller.sub},
            "gsi1pk": {"S": f"CONSENTS#{client}"},
            "gsi1sk": {"S": f"{corporate_number}#{consent.consent_id}"},
        },
        ConditionExpression="attribute_not_exists(pk)",
    )
    registry.audit(
        "exchange.consent_granted",
        caller,
        corporate_number,
        consent_id=consent.consent_id,
        client=str(client),
        services=",".join(consent.services),
        expires_at=consent.expires_at.isoformat(),
    )
    return consent


def revoke_consent(caller: Caller, consent_id: str, now: datetime) -> Consent:
    """Withdraw a consent of the caller's corporation at once (another corporation's consent is not found)."""
    corporate_number = caller.require_prime()
    if not consent_id or len(consent_id) > 64 or not consent_id.isalnum():
        raise InvalidInput.for_field("consent_id", "is not a consent id")
    match = [item for item in _consent_items(corporate_number) if item["consent_id"]["S"] == consent_id]
    if not match:
        raise NotFound("no such consent of your corporation")
    item = match[0]
    try:
        aws.client("dynamodb").update_item(
            TableName=_table(),
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET revoked_at = :now, revoked_by = :sub",
            ConditionExpression="attribute_not_exists(revoked_at)",
            ExpressionAttributeValues={":now": {"S": now.astimezone(UTC).isoformat()}, ":sub": {"S": caller.sub}},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise NotFound("the consent was revoked already") from error
        raise
    registry.audit(
        "exchange.consent_revoked", caller, corporate_number, consent_id=consent_id, client=item["client"]["S"]
    )
    return _consent_from({**item, "revoked_at": {"S": now.astimezone(UTC).isoformat()}})


def services_of(values: Sequence[str] | str) -> list[str]:
    """Service codes from a form or a JSON list (a comma-separated string is accepted too)."""
    if isinstance(values, str):
        return [part for part in values.split(",") if part.strip()]
    return list(values)
