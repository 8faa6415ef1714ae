"""The replay guard: each client's ``X-Road-Id`` is accepted once (``SEEN#{client}`` / ``{message id}``).

A conditional put, so two concurrent requests with one id cannot both pass. Kept 24 hours (DynamoDB TTL on
``expires_at``); the request-time window (±300 s) is far shorter, so an id that has expired from the guard
belongs to a request that would be refused for its time anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from botocore.exceptions import ClientError

from platform_common import aws

KEEP: Final = timedelta(hours=24)


def first_use(table_name: str, client: str, message_id: str, now: datetime) -> bool:
    """Record the id; ``False`` if this client has used it before."""
    try:
        aws.client("dynamodb").put_item(
            TableName=table_name,
            Item={
                "pk": {"S": f"SEEN#{client}"},
                "sk": {"S": message_id},
                "seen_at": {"S": now.isoformat()},
                "expires_at": {"N": str(int((now + KEEP).timestamp()))},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release(table_name: str, client: str, message_id: str) -> None:
    """Forget a recorded id whose request was then neither forwarded nor logged (KMS could not sign it): the 503
    the client gets says "send it again", and the same signed request must then not be taken for a replay."""
    aws.client("dynamodb").delete_item(
        TableName=table_name, Key={"pk": {"S": f"SEEN#{client}"}, "sk": {"S": message_id}}
    )
