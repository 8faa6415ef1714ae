"""Mail that must not be lost: written to the outbox in the transaction that decides to send it, then sent.

An ``OUTBOX#<id>`` item holds one message (recipient, subject, text). It is put in the same transaction as
the state it reports (a saved search's notified subsidies, an application's receipt), sent through SES right
after, and deleted once SES accepted it. When SES fails the item stays and the scheduled run
(:func:`retry_outbox`) sends it again, so a message is sent at least once; a crash between SES accepting it and
the delete can send it twice, never zero times.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from functions.submit.settings import get_settings
from platform_common import aws
from platform_common.observability import emit_metric, observability_for

OUTBOX_PREFIX: Final = "OUTBOX#"
OUTBOX_SK: Final = "MAIL"
OUTBOX_INDEX_PK: Final = "OUTBOX"  # gsi1: every unsent message, oldest first

_logger = observability_for("submit").logger


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    purpose: str  # what the mail is for ("saved_search", "receipt"): metrics and logs, never the address
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="microseconds"))

    def key(self) -> dict[str, Any]:
        return {"pk": {"S": OUTBOX_PREFIX + self.id}, "sk": {"S": OUTBOX_SK}}

    def to_item(self) -> dict[str, Any]:
        return {
            **self.key(),
            "gsi1pk": {"S": OUTBOX_INDEX_PK},
            "gsi1sk": {"S": f"{self.created}#{self.id}"},
            "to": {"S": self.to},
            "subject": {"S": self.subject},
            "body": {"S": self.body},
            "purpose": {"S": self.purpose},
            "created": {"S": self.created},
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Mail:
        return cls(
            to=item["to"]["S"],
            subject=item["subject"]["S"],
            body=item["body"]["S"],
            purpose=item.get("purpose", {}).get("S", "mail"),
            id=item["pk"]["S"].removeprefix(OUTBOX_PREFIX),
            created=item["created"]["S"],
        )

    def transact_put(self, table: str) -> dict[str, Any]:
        """The ``Put`` to include in the deciding transaction."""
        return {"Put": {"TableName": table, "Item": self.to_item(), "ConditionExpression": "attribute_not_exists(pk)"}}


def send_from_outbox(table: str, sender: str, mail: Mail) -> bool:
    """Send one outbox message and delete it; ``False`` (it stays for the next run) when SES fails."""
    try:
        aws.client("ses").send_email(
            Source=sender,
            Destination={"ToAddresses": [mail.to]},
            Message={
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": mail.body, "Charset": "UTF-8"}},
            },
        )
    except (ClientError, BotoCoreError) as exc:
        error = exc.response.get("Error", {}).get("Code", "ClientError") if isinstance(exc, ClientError) else "BotoCore"
        _logger.warning(
            "mail left in the outbox", extra={"outbox_id": mail.id, "purpose": mail.purpose, "error": error}
        )
        emit_metric("NotificationsFailed", service="submit", scope=get_settings().ministry)  # the stack's alarm
        return False
    aws.client("dynamodb").delete_item(TableName=table, Key=mail.key())
    return True


def retry_outbox(table: str, sender: str, limit: int = 500) -> tuple[int, int]:
    """Send every message left in the outbox, oldest first; return (sent, still waiting)."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": OUTBOX_INDEX_PK}},
        "Limit": 100,
    }
    dynamodb = aws.client("dynamodb")
    sent = waiting = 0
    while sent + waiting < limit:
        page = dynamodb.query(**request)
        for item in page.get("Items", []):
            current = dynamodb.get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]}, ConsistentRead=True)
            if "Item" not in current:
                continue  # sent meanwhile
            if send_from_outbox(table, sender, Mail.from_item(current["Item"])):
                sent += 1
            else:
                waiting += 1
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sent, waiting
