"""Audit events written in a change's own transaction, then appended to the ministry's audit chain.

A change (a subsidy edit, a staff change, an application's status) puts an ``AUDITPENDING#<id>`` item in the
same DynamoDB transaction as the change itself, so no change is stored without its event. Right after the
transaction the event is appended to the chain (:class:`platform_common.audit.AuditLog`) and the pending item
deleted; when that append fails, the scheduled run (:func:`flush_pending`) appends it later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from platform_common import aws
from platform_common.audit import AuditLog, AuditUnavailable, sanitize_detail
from platform_common.observability import observability_for

PENDING_PREFIX: Final = "AUDITPENDING#"
PENDING_SK: Final = "AUDITPENDING"
PENDING_INDEX_PK: Final = "AUDITPENDING"  # gsi1: every pending event, oldest first

_logger = observability_for("submit").logger


@dataclass(frozen=True)
class PendingAudit:
    """An audit event not yet in the chain (the arguments of :meth:`AuditLog.record_event`)."""

    kind: str
    actor_sub: str | None
    subject_sub: str | None = None
    corporate_number: str | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    detail: Mapping[str, str] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="microseconds"))

    def key(self) -> dict[str, Any]:
        return {"pk": {"S": PENDING_PREFIX + self.id}, "sk": {"S": PENDING_SK}}

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            **self.key(),
            "gsi1pk": {"S": PENDING_INDEX_PK},
            "gsi1sk": {"S": f"{self.created}#{self.id}"},
            "kind": {"S": self.kind},
            "created": {"S": self.created},
            "detail": {"M": {k: {"S": v} for k, v in sanitize_detail(self.detail).items()}},
        }
        optional = {
            "actor_sub": self.actor_sub,
            "subject_sub": self.subject_sub,
            "corporate_number": self.corporate_number,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
        }
        item.update({name: {"S": value} for name, value in optional.items() if value})
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> PendingAudit:
        def optional(name: str) -> str | None:
            value = item.get(name)
            return None if value is None else str(value["S"])

        return cls(
            kind=item["kind"]["S"],
            actor_sub=optional("actor_sub"),
            subject_sub=optional("subject_sub"),
            corporate_number=optional("corporate_number"),
            source_ip=optional("source_ip"),
            user_agent=optional("user_agent"),
            detail={k: str(v["S"]) for k, v in item.get("detail", {}).get("M", {}).items()},
            id=item["pk"]["S"].removeprefix(PENDING_PREFIX),
            created=item["created"]["S"],
        )

    def transact_put(self, table: str) -> dict[str, Any]:
        """The ``Put`` to include in the change's ``transact_write_items``."""
        return {"Put": {"TableName": table, "Item": self.to_item(), "ConditionExpression": "attribute_not_exists(pk)"}}


def append_pending(log: AuditLog, table: str, event: PendingAudit) -> bool:
    """Append the event to the chain and drop its pending item; ``False`` (it stays pending) when the chain
    cannot be appended to now. The change itself stands either way."""
    try:
        log.record_event(
            event.kind,
            outcome="success",
            actor_sub=event.actor_sub,
            subject_sub=event.subject_sub,
            corporate_number=event.corporate_number,
            source_ip=event.source_ip,
            user_agent=event.user_agent,
            detail={**event.detail, "pending_id": event.id},
        )
    except (AuditUnavailable, ClientError, BotoCoreError):
        _logger.warning("audit event left pending", extra={"pending_id": event.id, "kind": event.kind})
        return False
    aws.client("dynamodb").delete_item(TableName=table, Key=event.key())
    return True


def flush_pending(log: AuditLog, table: str, limit: int = 500) -> int:
    """Append every pending event, oldest first (the scheduled run); return how many were appended."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": PENDING_INDEX_PK}},
        "Limit": 100,
    }
    dynamodb = aws.client("dynamodb")
    appended = 0
    while appended < limit:
        page = dynamodb.query(**request)
        for item in page.get("Items", []):
            # The index may lag: read the item itself, it may have been appended and deleted meanwhile.
            current = dynamodb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)
            if "Item" in current and append_pending(log, table, PendingAudit.from_item(current["Item"])):
                appended += 1
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return appended
