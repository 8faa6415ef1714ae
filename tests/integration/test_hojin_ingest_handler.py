"""The S3-triggered ingest function under moto: a file under incoming/ becomes records, changes and a report."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.seed_open_data import put_hojin_records


def _event(bucket: str, key: str) -> dict[str, Any]:
    return {"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": bucket}, "object": {"key": key}}}]}


@pytest.fixture(scope="module")
def opendata(aws_platform: dict[str, Any]) -> Any:
    stack = aws_platform["opendata"]
    put_hojin_records(stack.name("table", "hojin"), DEMO_CORPORATIONS)
    return stack


def test_given_a_file_under_incoming_when_the_handler_runs_then_records_changes_and_report_are_written(
    opendata,
) -> None:
    from functions.hojin_search.ingest_handler import lambda_handler

    bucket = opendata.name("bucket", "open-data")
    key = "incoming/meti/subsidy/r6-subsidy.csv"
    body = (
        "corporate_number,title,amount,date_of_approval,government_departments,target\n"
        f'{DEMO_CORP_A},事業再構築補助金,"2,000,000",令和6年5月1日,経済産業省,中小企業\n'
        f"{DEMO_CORP_A},壊れた行,-1,2024-05-01,経済産業省,\n"
    ).encode("cp932")
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=body)

    result = lambda_handler(_event(bucket, key), _Context())

    [outcome] = result["results"]
    assert (outcome["status"], outcome["rejected"]) == ("ingested", 1)
    report = json.loads(s3.get_object(Bucket=bucket, Key=outcome["report"])["Body"].read())
    assert report["encoding"] == "cp932"
    assert report["rejected"][0]["line"] == 3
    item = boto3.client("dynamodb").get_item(
        TableName=opendata.name("table", "hojin"), Key={"corporate_number": {"S": DEMO_CORP_A}}
    )["Item"]
    subsidies = json.loads(item["document"]["S"])["subsidy"]
    assert {
        "title": "事業再構築補助金",
        "amount": 2000000,
        "date_of_approval": "2024-05-01",
        "government_departments": "経済産業省",
        "target": "中小企業",
    } in subsidies
    changes = boto3.client("dynamodb").scan(TableName=opendata.name("table", "changes"))["Items"]
    assert f"{DEMO_CORP_A}#subsidy" in {c["key"]["S"] for c in changes}
    assert s3.get_object(Bucket=bucket, Key="bulk/manifest.json")["ContentLength"] > 0

    again = lambda_handler(_event(bucket, key), _Context())
    assert again["results"][0]["status"] == "unchanged"


def test_given_a_key_outside_the_layout_then_it_is_skipped(opendata) -> None:
    from functions.hojin_search.ingest_handler import lambda_handler

    result = lambda_handler(_event(opendata.name("bucket", "open-data"), "incoming/meti/unknown/x.csv"), _Context())

    assert result["results"][0]["status"] == "skipped"


class _Context:
    function_name = "ingest"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:ingest"
    aws_request_id = "test"


def test_given_published_bulk_files_when_listed_then_each_has_size_checksum_and_a_link(opendata, call_api) -> None:
    from functions.hojin_search.ingest_handler import lambda_handler

    bucket = opendata.name("bucket", "open-data")
    key = "incoming/meti/procurement/p.json"
    body = json.dumps(
        [
            {
                "corporate_number": DEMO_CORP_A,
                "title": "調達",
                "amount": 5,
                "date_of_order": "2024-06-01",
                "government_departments": "省",
            }
        ]
    )
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body.encode())
    lambda_handler(_event(bucket, key), _Context())

    response = call_api("GET", "/hojin/bulk")

    assert response.status == 200
    files = response.json()["files"]
    entry = next(f for f in files if f["key"] == "bulk/procurement/procurement.csv")
    assert entry["bytes"] > 0
    assert len(entry["sha256"]) == 64
    assert bucket in entry["url"]
