"""Storage of the subsidy catalogue (DynamoDB, one item per subsidy holding its full document and its version)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from botocore.exceptions import ClientError

from functions.submit.models import Subsidy
from functions.submit.settings import get_settings
from platform_common import aws


class SubsidyCatalogue(Protocol):
    """What the logic needs from the catalogue (the DynamoDB store, or a fake in unit tests)."""

    def list_subsidies(self) -> list[Subsidy]: ...


class StaleVersion(Exception):
    """The subsidy changed since the version the operator edited (or it exists already, for a create)."""


@dataclass(frozen=True)
class SubsidyItem:
    """The stored item: key ``id``, ``document`` (the subsidy as JSON) and ``version`` (operators' lock)."""

    id: str
    document: str
    version: int = 1

    @classmethod
    def from_subsidy(cls, subsidy: Subsidy, version: int = 1) -> SubsidyItem:
        return cls(id=subsidy.id, document=subsidy.model_dump_json(exclude_none=True), version=version)

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> SubsidyItem:
        version = int(item["version"]["N"]) if "version" in item else 1
        return cls(id=item["id"]["S"], document=item["document"]["S"], version=version)

    def to_dynamodb(self) -> dict[str, Any]:
        return {"id": {"S": self.id}, "document": {"S": self.document}, "version": {"N": str(self.version)}}

    def to_subsidy(self) -> Subsidy:
        return Subsidy.model_validate_json(self.document)


@dataclass(frozen=True)
class SubsidyStore:
    subsidies_table: str

    def _scan(self) -> Iterator[SubsidyItem]:
        # A ministry's catalogue holds hundreds of subsidies: a paginated scan is cheap enough.
        paginator = aws.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(
            TableName=self.subsidies_table,
            ProjectionExpression="id, document, #version",
            ExpressionAttributeNames={"#version": "version"},
        ):
            for item in page.get("Items", []):
                yield SubsidyItem.from_dynamodb(item)

    def list_subsidies(self) -> list[Subsidy]:
        return [item.to_subsidy() for item in self._scan()]

    def list_items(self) -> list[SubsidyItem]:
        return list(self._scan())

    def get_item(self, subsidy_id: str) -> SubsidyItem | None:
        found = aws.client("dynamodb").get_item(
            TableName=self.subsidies_table, Key={"id": {"S": subsidy_id}}, ConsistentRead=True
        )
        return SubsidyItem.from_dynamodb(found["Item"]) if "Item" in found else None

    def get_subsidy(self, subsidy_id: str) -> Subsidy | None:
        """The subsidy's document (published or not: callers decide who may see a draft)."""
        item = self.get_item(subsidy_id)
        return item.to_subsidy() if item else None

    def put_subsidy(self, subsidy: Subsidy) -> None:
        """Overwrite the subsidy, whatever its version (the devstack seed; operators use :meth:`write`)."""
        aws.client("dynamodb").put_item(
            TableName=self.subsidies_table, Item=SubsidyItem.from_subsidy(subsidy).to_dynamodb()
        )

    def write(self, item: SubsidyItem, expected_version: int | None, also: list[dict[str, Any]]) -> None:
        """Store ``item`` in one transaction with ``also`` (its pending audit event): a create when
        ``expected_version`` is None (refused if the id exists), else only over that version.
        Raises :class:`StaleVersion` when the condition fails."""
        put: dict[str, Any] = {"TableName": self.subsidies_table, "Item": item.to_dynamodb()}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(id)"
        else:
            # Items the seed wrote carry version 1 or none at all.
            unversioned = " OR attribute_not_exists(#version)" if expected_version == 1 else ""
            put["ConditionExpression"] = f"attribute_exists(id) AND (#version = :expected{unversioned})"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=[{"Put": put}, *also])
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException" and any(
                r.get("Code") == "ConditionalCheckFailed" for r in reasons[:1]
            ):
                raise StaleVersion(item.id) from exc
            raise


@cache
def get_store() -> SubsidyStore:
    return SubsidyStore(get_settings().subsidies_table_name)
