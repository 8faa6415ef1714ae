"""Storage of corporate records and API tokens (DynamoDB)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from functions.hojin_search.settings import get_settings
from platform_common import aws


@dataclass(frozen=True)
class HojinStore:
    hojin_table: str
    tokens_table: str

    def get_record(self, corporate_number: str) -> dict[str, Any] | None:
        item = (
            aws.client("dynamodb")
            .get_item(
                TableName=self.hojin_table,
                Key={"corporate_number": {"S": corporate_number}},
                ProjectionExpression="document",
            )
            .get("Item")
        )
        if item is None:
            return None
        document: dict[str, Any] = json.loads(item["document"]["S"])
        return document

    def token_exists(self, token_hash: str) -> bool:
        item = (
            aws.client("dynamodb")
            .get_item(
                TableName=self.tokens_table,
                Key={"token_hash": {"S": token_hash}},
                ProjectionExpression="token_hash, active",
            )
            .get("Item")
        )
        return item is not None and item.get("active", {}).get("BOOL", True)


@cache
def get_store() -> HojinStore:
    settings = get_settings()
    return HojinStore(settings.hojin_table_name, settings.api_tokens_table_name)
