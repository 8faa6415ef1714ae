"""Storage of the subsidy catalogue (DynamoDB, one item per subsidy holding its full document)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from functions.submit.models import Subsidy
from functions.submit.settings import get_settings
from platform_common import aws


class SubsidyCatalogue(Protocol):
    """What the logic needs from the catalogue (the DynamoDB store, or a fake in unit tests)."""

    def list_subsidies(self) -> list[Subsidy]: ...


@dataclass(frozen=True)
class SubsidyItem:
    """The stored item: key ``id`` and ``document``, the subsidy as jGrants JSON."""

    id: str
    document: str

    @classmethod
    def from_subsidy(cls, subsidy: Subsidy) -> SubsidyItem:
        return cls(id=subsidy.id, document=subsidy.model_dump_json(exclude_none=True))

    @classmethod
    def from_dynamodb(cls, item: dict[str, Any]) -> SubsidyItem:
        return cls(id=item["id"]["S"], document=item["document"]["S"])

    def to_dynamodb(self) -> dict[str, Any]:
        return {"id": {"S": self.id}, "document": {"S": self.document}}

    def to_subsidy(self) -> Subsidy:
        return Subsidy.model_validate_json(self.document)


@dataclass(frozen=True)
class SubsidyStore:
    subsidies_table: str

    def _scan(self) -> Iterator[SubsidyItem]:
        # A ministry's catalogue holds hundreds of subsidies: a paginated scan is cheap enough.
        paginator = aws.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(TableName=self.subsidies_table, ProjectionExpression="id, document"):
            for item in page.get("Items", []):
                yield SubsidyItem.from_dynamodb(item)

    def list_subsidies(self) -> list[Subsidy]:
        return [item.to_subsidy() for item in self._scan()]

    def put_subsidy(self, subsidy: Subsidy) -> None:
        aws.client("dynamodb").put_item(
            TableName=self.subsidies_table, Item=SubsidyItem.from_subsidy(subsidy).to_dynamodb()
        )


@cache
def get_store() -> SubsidyStore:
    return SubsidyStore(get_settings().subsidies_table_name)
