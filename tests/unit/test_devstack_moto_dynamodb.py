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


def test_given_queries_then_they_answer_their_partition_in_key_order_with_pages_and_indexes() -> None:
    tune_dynamodb()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-northeast-1")
        name = f"q-{uuid.uuid4().hex[:8]}"
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
            GlobalSecondaryIndexes=[{"IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                   {"AttributeName": "sk", "KeyType": "RANGE"}]}],
            BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
        for pk in ("b", "a", "c"):
            for sk in ("3", "1", "2"):
                item = {"pk": {"S": pk}, "sk": {"S": sk}} | ({"g": {"S": "even"}} if sk != "2" else {})
                client.put_item(TableName=name, Item=item)

        def keys(answer: dict[str, object]) -> list[str]:
            return [i["pk"]["S"] + i["sk"]["S"] for i in answer["Items"]]  # type: ignore[attr-defined]

        b = {":p": {"S": "b"}}
        by_key = {"TableName": name, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": b}
        assert keys(client.query(**by_key)) == ["b1", "b2", "b3"]
        assert keys(client.query(**by_key, ScanIndexForward=False)) == ["b3", "b2", "b1"]
        first = client.query(**by_key, Limit=2)
        assert keys(first) == ["b1", "b2"]
        assert keys(client.query(**by_key, ExclusiveStartKey=first["LastEvaluatedKey"])) == ["b3"]
        ranged = client.query(TableName=name, KeyConditionExpression="pk = :p AND sk > :s",
                              ExpressionAttributeValues={":p": {"S": "c"}, ":s": {"S": "1"}})  # fmt: skip
        assert keys(ranged) == ["c2", "c3"]
        nothing = {":p": {"S": "none"}}
        assert client.query(**by_key | {"ExpressionAttributeValues": nothing})["Items"] == []
        indexed = client.query(TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                               ExpressionAttributeValues={":g": {"S": "even"}})  # fmt: skip
        assert sorted(keys(indexed)) == ["a1", "a3", "b1", "b3", "c1", "c3"]
        assert [k[1] for k in keys(indexed)] == sorted(k[1] for k in keys(indexed))  # the index's range order
        assert [i["pk"]["S"] + i["sk"]["S"] for i in client.scan(TableName=name)["Items"]] == [
            "a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"]  # fmt: skip
