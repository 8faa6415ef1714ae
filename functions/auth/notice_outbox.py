"""Notices that SES or SNS refused for now: kept in the accounts table and sent again by the schedule.

A notice (an account change told to its holder: welcome, Prime decisions, factor and password changes,
invitations, mandates, new-device logins) must not be lost because the mail or SMS service failed at the
moment of the change: the change stands, and the notice waits as a ``NOTICE#<id>`` item (template, language,
parameters, recipient) until the scheduled run (:func:`retry_notices`, every few minutes) sends it. The item
expires with the table's TTL after :data:`KEEP_SECONDS`: a notice older than that no longer helps anyone.

One-time codes are never kept: a code is a secret and expires within minutes; the person asks for a new one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from functions.auth.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.observability import observability_for

Channel = Literal["email", "sms"]
NOTICE_PREFIX: Final = "NOTICE#"
NOTICE_SK: Final = "NOTICE"
NOTICE_INDEX_PK: Final = "NOTICEOUTBOX"  # gsi1: every waiting notice, oldest first
KEEP_SECONDS: Final = 3 * 24 * 3600
CODE_TEMPLATES: Final = frozenset({"signup_verification", "email_otp", "sms_otp"})

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class Notice:
    channel: Channel
    to: str
    template: str
    lang: str
    params: Mapping[str, str]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="microseconds"))

    def key(self) -> dict[str, Any]:
        return {"pk": {"S": NOTICE_PREFIX + self.id}, "sk": {"S": NOTICE_SK}}

    def to_item(self, now: float) -> dict[str, Any]:
        return {
            **self.key(),
            "gsi1pk": {"S": NOTICE_INDEX_PK},
            "gsi1sk": {"S": f"{self.created}#{self.id}"},
            "channel": {"S": self.channel},
            "to": {"S": self.to},
            "template": {"S": self.template},
            "lang": {"S": self.lang},
            "params": {"M": {name: {"S": value} for name, value in self.params.items()}},
            "created": {"S": self.created},
            "attempts": {"N": "1"},
            "expires_at": {"N": str(int(now) + KEEP_SECONDS)},
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Notice:
        channel: Channel = "sms" if item["channel"]["S"] == "sms" else "email"
        return cls(
            channel=channel,
            to=item["to"]["S"],
            template=item["template"]["S"],
            lang=item["lang"]["S"],
            params={name: value["S"] for name, value in item.get("params", {}).get("M", {}).items()},
            id=item["pk"]["S"].removeprefix(NOTICE_PREFIX),
            created=item["created"]["S"],
        )


def keeps(template: str) -> bool:
    """Whether a failed send of ``template`` is kept for a later try (never a one-time code)."""
    return template not in CODE_TEMPLATES


def keep(notice: Notice) -> None:
    """Put a notice that could not be sent in the outbox."""
    aws.client("dynamodb").put_item(
        TableName=get_settings().accounts_table_name,
        Item=notice.to_item(time.time()),
        ConditionExpression="attribute_not_exists(pk)",
    )


Sender = Callable[[Notice], bool]  # sends one notice; False when the channel refused it (it stays)


def retry_notices(send: Sender, limit: int = 500) -> tuple[int, int]:
    """Send the waiting notices, oldest first, deleting each one sent; return (sent, still waiting)."""
    table = get_settings().accounts_table_name
    dynamodb = aws.client("dynamodb")
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": NOTICE_INDEX_PK}},
        "Limit": 100,
    }
    sent = waiting = 0
    while sent + waiting < limit:
        page = dynamodb.query(**request)
        for item in page.get("Items", []):
            key = {"pk": item["pk"], "sk": item["sk"]}
            current = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
            if current is None:
                continue  # sent meanwhile
            if send(Notice.from_item(current)):
                dynamodb.delete_item(TableName=table, Key=key)
                sent += 1
                continue
            waiting += 1
            dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    if sent or waiting:
        _logger.info("notice outbox run", extra={"sent": sent, "waiting": waiting})
    return sent, waiting
