"""The ``basic`` ingest against S3 and DynamoDB (moto): Parquet set, hojin records (deleted too), changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.hojin_search.ingest.corporations import CORPORATIONS_PREFIX, POINTER_KEY, read_corporations
from functions.hojin_search.ingest.pipeline import ingest_file
from functions.hojin_search.ingest.store import AwsOpenDataStore

NTA = Path(__file__).resolve().parent.parent / "fixtures" / "nta"
# A day of its own, far from the other tests' changes.
DAY1, DAY2 = datetime(2001, 2, 3, tzinfo=UTC), datetime(2001, 2, 4, tzinfo=UTC)


@pytest.fixture
def store(aws_platform: dict[str, Any]) -> Iterator[AwsOpenDataStore]:
    stack = aws_platform["opendata"]
    store = AwsOpenDataStore(
        stack.name("bucket", "open-data"), stack.name("table", "hojin"), stack.name("table", "changes")
    )
    before = set(store.list_keys(""))
    yield store
    for key in set(store.list_keys("")) - before:  # leave the shared bucket as it was
        store.delete_object(key)
    for number in ("6010001999901", "2011101999902", "1430001999905", "2010002999904", "5700150999906"):
        store.delete_records([number])


def test_given_the_full_file_and_a_diff_then_records_changes_and_parquet_follow(store) -> None:
    for name, day in (("13_tokyo_all_20250331.csv", DAY1), ("diff_20250401.csv", DAY2)):
        report = ingest_file(
            (NTA / name).read_bytes(),
            ministry="nta",
            category="basic",
            source_name=name,
            now=day,
            store=store,
            publish=None,
        )
        assert report.rows_rejected == 0

    table = read_corporations(store)
    assert table is not None
    assert table.column("corporate_number").to_pylist() == [
        "1430001999905",
        "2010002999904",
        "2011101999902",
        "5700150999906",
        "6010001999901",
    ]
    parts = [k for k in store.list_keys(CORPORATIONS_PREFIX) if k != POINTER_KEY]
    assert parts == json.loads(store.get_object(POINTER_KEY) or b"{}")["parts"]  # the first set's parts are gone
    dynamodb = boto3.client("dynamodb")
    renamed = dynamodb.get_item(TableName=store.hojin_table, Key={"corporate_number": {"S": "6010001999901"}})["Item"]
    assert json.loads(renamed["document"]["S"])["name"] == "株式会社見本デジタル"
    deleted = dynamodb.get_item(TableName=store.hojin_table, Key={"corporate_number": {"S": "9010401999903"}})
    assert "Item" not in deleted
    changes = dynamodb.query(
        TableName=store.changes_table,
        KeyConditionExpression="#d = :d",
        ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":d": {"S": "20010204"}},
    )["Items"]
    assert {c["key"]["S"] for c in changes} >= {"6010001999901#basic", "9010401999903#basic"}
