"""The devstack creates what the resource specifications say, the same ones the CDK constructs read."""

from __future__ import annotations

import json
from typing import Any

from infra.resource_specs import CENTRAL_STACKS, IDENTITY
from platform_common import aws


def test_every_table_has_the_key_schema_indexes_and_ttl_of_its_spec(aws_platform: dict[str, Any]) -> None:
    dynamodb = aws.client("dynamodb")
    for stack in aws_platform.values():
        for table in stack.spec.tables:
            described = dynamodb.describe_table(TableName=stack.name("table", table.id))["Table"]
            keys = {k["KeyType"]: k["AttributeName"] for k in described["KeySchema"]}
            assert keys["HASH"] == table.partition_key.name
            assert keys.get("RANGE") == (table.sort_key.name if table.sort_key else None)
            assert {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])} == {
                i.name for i in table.indexes
            }
            if table.ttl_attribute:
                ttl = dynamodb.describe_time_to_live(TableName=stack.name("table", table.id))
                assert ttl["TimeToLiveDescription"]["AttributeName"] == table.ttl_attribute


def test_archive_buckets_are_write_once(aws_platform: dict[str, Any]) -> None:
    s3 = aws.client("s3")
    bucket = aws_platform["identity"].name("bucket", "audit-archive")

    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]

    assert lock["ObjectLockEnabled"] == "Enabled"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_the_user_pool_has_a_group_per_tier_and_role(aws_platform: dict[str, Any]) -> None:
    pool_id = aws_platform["identity"].resolve(IDENTITY.functions[0].environment["USER_POOL_ID"])

    groups = aws.client("cognito-idp").list_groups(UserPoolId=pool_id)["Groups"]

    assert {g["GroupName"] for g in groups} == set(IDENTITY.user_pools[0].groups)


def test_state_machine_definitions_are_the_spec_with_names_substituted(aws_platform: dict[str, Any]) -> None:
    stack = aws_platform["meti"]
    arn = stack.values[("state_machine", "application-review", "arn")]

    definition = aws.client("stepfunctions").describe_state_machine(stateMachineArn=arn)["definition"]

    assert "${" not in definition
    screen = json.loads(definition)["States"]["Screen"]["Parameters"]
    assert screen["FunctionName"] == stack.values[("function", "submit", "name")]
    functions = aws.client("lambda").list_functions()["Functions"]
    assert screen["FunctionName"] in {f["FunctionName"] for f in functions}  # the task finds the function


def test_the_signing_key_is_an_rsa_signing_key(aws_platform: dict[str, Any]) -> None:
    key_id = aws_platform["identity"].values[("key", "oidc-signing", "id")]

    metadata = aws.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]

    assert (metadata["KeyUsage"], metadata["KeySpec"]) == ("SIGN_VERIFY", "RSA_2048")


def test_central_stacks_are_all_provisioned(aws_platform: dict[str, Any]) -> None:
    assert {s.scope for s in CENTRAL_STACKS} <= set(aws_platform)
