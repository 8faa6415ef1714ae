"""gBizINFO ingest in the OpenData stack: trigger, function, dead letters, Glue catalog, Athena workgroup."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from aws_cdk.assertions import Match, Template

from functions.hojin_search.ingest.corporations import CORPORATION_SCHEMA
from functions.hojin_search.ingest.pipeline import activity_key
from functions.hojin_search.ingest.schema import CATEGORIES
from functions.hojin_search.ingest.validate import arrow_schema
from functions.hojin_search.ingest_handler import INCOMING
from infra.constructs.ingest import (
    ACTIVITIES_PREFIX,
    ACTIVITY_COLUMNS,
    CORPORATION_COLUMNS,
    CORPORATIONS_PREFIX,
    INCOMING_PREFIX,
    INGEST_HANDLER,
)
from infra.resource_specs import OPEN_DATA
from tests.infra.conftest import handler_of

_GLUE_TYPES = {pa.string(): "string", pa.int64(): "bigint", pa.int32(): "int", pa.float64(): "double"}


def _glue_type(data_type: pa.DataType) -> str:
    if pa.types.is_list(data_type):
        return f"array<{_glue_type(data_type.value_type)}>"
    return _GLUE_TYPES[data_type]


def _ingest_function(template: Template) -> tuple[str, dict[str, Any]]:
    functions = template.find_resources("AWS::Lambda::Function")
    ((logical_id, function),) = ((k, f) for k, f in functions.items() if handler_of(f["Properties"]) == INGEST_HANDLER)
    return logical_id, function["Properties"]


def _open_data_bucket(template: Template) -> str:
    (bucket_id,) = template.find_resources(
        "AWS::S3::Bucket",
        {"Properties": {"NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}}},
    )
    return bucket_id


def _location(table: Mapping[str, Any]) -> str:
    """``s3://<bucket ref>/<prefix>`` of a Glue table, the bucket written as its logical id."""
    parts = table["Properties"]["TableInput"]["StorageDescriptor"]["Location"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)


def test_open_data_bucket_sends_events_to_eventbridge_without_a_notification_custom_resource(
    open_data: Template,
) -> None:
    """Given the OpenData stack, then its open-data bucket has EventBridge on and no Custom::S3BucketNotifications
    resource (nor its handler function) exists."""
    bucket_id = _open_data_bucket(open_data)
    functions = open_data.find_resources("AWS::Lambda::Function")

    assert bucket_id.startswith("Bucketsopendata")
    assert not open_data.find_resources("Custom::S3BucketNotifications")
    assert len(functions) == 2  # the API function and the ingest function; no notification handler


def test_rule_sends_object_created_under_incoming_to_the_ingest_function_with_a_dead_letter_queue(
    open_data: Template,
) -> None:
    function_id, _ = _ingest_function(open_data)
    bucket_id = _open_data_bucket(open_data)
    (queue_id,) = open_data.find_resources("AWS::SQS::Queue")

    (rule,) = open_data.find_resources("AWS::Events::Rule").values()

    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"Ref": bucket_id}]}, "object": {"key": [{"prefix": INCOMING_PREFIX}]}},
    }
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    open_data.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com", "FunctionName": Match.any_value()},
    )


def test_the_rule_prefix_is_the_layout_the_ingest_handler_accepts() -> None:
    """The rule and the handler agree on where ministry files land."""
    assert INCOMING.fullmatch(f"{INCOMING_PREFIX}meti/subsidy/2026-04.csv")
    assert not INCOMING.fullmatch("parquet/activities/category=subsidy/source=x/data.parquet")


def test_failed_invocations_go_to_the_encrypted_dead_letter_queue(open_data: Template) -> None:
    function_id, _ = _ingest_function(open_data)
    (queue_id, queue), *_ = open_data.find_resources("AWS::SQS::Queue").items()

    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    open_data.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": function_id},
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}},
        },
    )
    # TLS only, like the buckets
    open_data.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )


def test_ingest_function_shares_the_api_code_layers_and_environment_and_runs_one_at_a_time(
    open_data: Template,
) -> None:
    _, ingest = _ingest_function(open_data)
    (api,) = (
        f["Properties"]
        for f in open_data.find_resources("AWS::Lambda::Function").values()
        if handler_of(f["Properties"]) == OPEN_DATA.functions[0].handler
    )

    assert ingest["Code"] == api["Code"]  # one image (or staged asset) of functions/hojin_search
    assert ingest.get("PackageType") == api.get("PackageType")
    assert ingest.get("Layers") == api.get("Layers")
    assert ingest["Environment"] == api["Environment"]
    assert ingest["ReservedConcurrentExecutions"] == 1
    assert ingest["MemorySize"] >= 2048
    assert ingest["Timeout"] == 900
    assert ingest["Architectures"] == ["arm64"]


def _statements_of_role(template: Template, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_ingest_role_writes_the_records_changes_and_bucket_and_nothing_else(open_data: Template) -> None:
    _, ingest = _ingest_function(open_data)
    role_id = ingest["Role"]["Fn::GetAtt"][0]
    statements = _statements_of_role(open_data, role_id)
    tables = open_data.find_resources("AWS::DynamoDB::Table")
    by_key = {t["Properties"]["KeySchema"][0]["AttributeName"]: i for i, t in tables.items()}

    dynamodb_resources = json.dumps(
        [s["Resource"] for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    )
    assert by_key["corporate_number"] in dynamodb_resources  # hojin
    assert by_key["day"] in dynamodb_resources  # changes
    assert by_key["token_hash"] not in dynamodb_resources  # never the API tokens
    assert not any("*" in a for s in statements for a in _actions(s) if a.startswith(("dynamodb:", "s3:")))
    (delete,) = (s for s in statements if "s3:DeleteObject" in _actions(s))
    deletable = [json.dumps(resource) for resource in delete["Resource"]]
    assert [
        d.endswith(f'/{p}*"]]}}') for d, p in zip(deletable, (ACTIVITIES_PREFIX, "parquet/corporations/"), strict=True)
    ] == [
        True,
        True,
    ]
    (listing,) = (s for s in statements if "s3:ListBucket" in _actions(s))
    assert "Condition" not in listing  # public open data; a missing key must be a 404, not a 403
    assert activity_key("subsidy", "x").startswith(ACTIVITIES_PREFIX)  # what a corrected file deletes


def test_glue_tables_cover_the_parquet_layout_with_the_ingest_columns(open_data: Template) -> None:
    bucket_id = _open_data_bucket(open_data)
    (database,) = open_data.find_resources("AWS::Glue::Database").values()
    database_name = database["Properties"]["DatabaseInput"]["Name"]
    tables = {t["Properties"]["TableInput"]["Name"]: t for t in open_data.find_resources("AWS::Glue::Table").values()}

    assert sorted(tables) == sorted(["corporations", *(f"activities_{c}" for c in CATEGORIES)])
    assert _location(tables["corporations"]) == f"s3://<{bucket_id}>/{CORPORATIONS_PREFIX}"
    for category in CATEGORIES:
        table = tables[f"activities_{category}"]
        assert table["Properties"]["DatabaseName"] == database_name
        assert _location(table) == f"s3://<{bucket_id}>/{ACTIVITIES_PREFIX}category={category}/"
        assert activity_key(category, "s1").startswith(f"{ACTIVITIES_PREFIX}category={category}/")
        descriptor = table["Properties"]["TableInput"]["StorageDescriptor"]
        assert descriptor["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == list(ACTIVITY_COLUMNS[category])


@pytest.mark.parametrize("category", CATEGORIES)
def test_activity_columns_are_the_schema_the_ingest_writes(category: str) -> None:
    assert ACTIVITY_COLUMNS[category] == tuple((f.name, _glue_type(f.type)) for f in arrow_schema(category))


def test_corporation_columns_are_the_schema_of_the_corporations_parquet() -> None:
    assert tuple((f.name, _glue_type(f.type)) for f in CORPORATION_SCHEMA) == CORPORATION_COLUMNS


def test_athena_workgroup_encrypts_results_with_kms_in_its_own_bucket_and_enforces_it(open_data: Template) -> None:
    (workgroup,) = open_data.find_resources("AWS::Athena::WorkGroup").values()
    configuration = workgroup["Properties"]["WorkGroupConfiguration"]
    result = configuration["ResultConfiguration"]
    bucket_id = _open_data_bucket(open_data)

    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] > 0
    assert result["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"
    assert "Fn::GetAtt" in result["EncryptionConfiguration"]["KmsKey"]
    results_bucket = result["OutputLocation"]["Fn::Join"][1][1]["Ref"]
    assert results_bucket != bucket_id
    props = open_data.find_resources("AWS::S3::Bucket")[results_bucket]["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "DestinationBucketName" in props["LoggingConfiguration"]
    assert (
        props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "aws:kms"
    )
