"""moto's transactions in the devstack: a cancelled transaction leaves its items as they were, others untouched."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from devstack.moto_dynamodb import tune_dynamodb


@pytest.fixture
def table() -> Iterator[str]:
    tune_dynamodb()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-northeast-1")
        name = f"t-{uuid.uuid4().hex[:8]}"  # unique: another mock may be active around this one (session fixtures)
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield name


def _item(pk: str, value: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": "A"}, "v": {"S": value}}


def test_given_a_cancelled_transaction_then_its_items_are_as_before_and_others_untouched(table: str) -> None:
    client = boto3.client("dynamodb", region_name="ap-northeast-1")
    client.put_item(TableName=table, Item=_item("changed", "before"))
    client.put_item(TableName=table, Item=_item("bystander", "kept"))

    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": _item("changed", "after")}},
                {"Put": {"TableName": table, "Item": _item("new", "x")}},
                {"Put": {"TableName": table, "Item": _item("bystander", "y"), "ConditionExpression": "v = :no",
                         "ExpressionAttributeValues": {":no": {"S": "no"}}}},
            ]
        )  # fmt: skip

    items = {i["pk"]["S"]: i["v"]["S"] for i in client.scan(TableName=table)["Items"]}
    assert items == {"changed": "before", "bystander": "kept"}


def test_given_a_transaction_that_succeeds_then_every_item_is_written(table: str) -> None:
    client = boto3.client("dynamodb", region_name="ap-northeast-1")
    client.put_item(TableName=table, Item=_item("old", "1"))

    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": _item("a", "1")}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "old"}, "sk": {"S": "A"}}}},
        ]
    )

    assert sorted(i["pk"]["S"] for i in client.scan(TableName=table)["Items"]) == ["a"]
