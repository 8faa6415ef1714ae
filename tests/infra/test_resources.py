"""Resources built from infra/resource_specs.py: tables, buckets, keys, topics, the user pool, workflows."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.app import stack_name
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, StackSpec, TableSpec, ministry
from tests.infra.conftest import Synthesized


def _key_schema(spec: TableSpec | Any) -> list[dict[str, str]]:
    schema = [{"AttributeName": spec.partition_key.name, "KeyType": "HASH"}]
    if spec.sort_key is not None:
        schema.append({"AttributeName": spec.sort_key.name, "KeyType": "RANGE"})
    return schema


def _specs() -> list[tuple[str, StackSpec]]:
    return [
        (stack_name("Identity"), IDENTITY),
        (stack_name("OpenData"), OPEN_DATA),
        (stack_name("Exchange"), EXCHANGE),
        (stack_name("Ministry", "meti"), ministry("meti")),
        (stack_name("Ministry", "mhlw"), ministry("mhlw")),
    ]


def test_every_table_is_on_demand_with_pitr_and_the_specified_keys(synthesized: Synthesized) -> None:
    for name, spec in _specs():
        template = synthesized.template(name)
        template.resource_count_is("AWS::DynamoDB::Table", len(spec.tables))
        for table in spec.tables:
            props: dict[str, Any] = {
                "BillingMode": "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "KeySchema": _key_schema(table),
            }
            if table.indexes:
                props["GlobalSecondaryIndexes"] = [
                    Match.object_like({"IndexName": index.name, "KeySchema": _key_schema(index)})
                    for index in table.indexes
                ]
            if table.ttl_attribute:
                props["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
            if table.stream:
                props["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
            template.has_resource_properties("AWS::DynamoDB::Table", props)


def test_every_specified_bucket_is_kms_encrypted_versioned_private_and_logged(
    synthesized: Synthesized,
) -> None:
    for name, spec in _specs():
        template = synthesized.template(name)
        buckets = template.find_resources(
            "AWS::S3::Bucket",
            {
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            Match.object_like(
                                {"ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})}
                            )
                        ]
                    }
                }
            },
        )
        assert len(buckets) == len(spec.buckets), name
        for bucket in buckets.values():
            props = bucket["Properties"]
            assert props["VersioningConfiguration"] == {"Status": "Enabled"}
            assert props["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
            assert "DestinationBucketName" in props["LoggingConfiguration"]


def test_buckets_refuse_requests_without_tls(identity: Template) -> None:
    identity.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )


def test_audit_archive_has_object_lock_in_governance_mode_for_ten_years(identity: Template) -> None:
    locked = identity.find_resources("AWS::S3::Bucket", {"Properties": {"ObjectLockEnabled": True}})

    assert len(locked) == 1
    (bucket,) = locked.values()
    assert bucket["Properties"]["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 3650}},
    }


def test_signing_keys_have_the_specified_key_spec_and_symmetric_keys_rotate(
    identity: Template, exchange: Template
) -> None:
    identity.has_resource_properties("AWS::KMS::Key", {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"})
    identity.has_resource_properties(
        "AWS::KMS::Key", {"Description": Match.string_like_regexp("second-factor"), "EnableKeyRotation": True}
    )
    exchange.has_resource_properties("AWS::KMS::Key", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})
    for key in identity.find_resources("AWS::KMS::Key", {"Properties": {"KeyUsage": "SIGN_VERIFY"}}).values():
        assert not key["Properties"].get("EnableKeyRotation")


def test_notification_topic_is_encrypted(identity: Template) -> None:
    identity.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})


def test_user_pool_has_the_specified_groups_attributes_and_password_policy(identity: Template) -> None:
    (pool_spec,) = IDENTITY.user_pools
    groups = identity.find_resources("AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == sorted(pool_spec.groups)
    identity.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "AutoVerifiedAttributes": ["email"],
            "Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": pool_spec.password_min_length})},
            "Schema": Match.array_with([Match.object_like({"Name": name}) for name in pool_spec.custom_attributes]),
        },
    )


def test_review_state_machine_invokes_only_the_ministrys_submit_function_by_its_fixed_name(
    synthesized: Synthesized,
) -> None:
    raw = synthesized.raw(stack_name("Ministry", "meti"))
    ((logical_id, machine),) = (
        (k, v) for k, v in raw["Resources"].items() if v["Type"] == "AWS::StepFunctions::StateMachine"
    )
    props = machine["Properties"]
    functions = [v for v in raw["Resources"].values() if v["Type"] == "AWS::Lambda::Function"]
    names = {f["Properties"].get("FunctionName") for f in functions}

    # A fixed name, not a reference: the function's environment names the state machine (no cycle).
    name = props["DefinitionSubstitutions"]["SubmitFunctionName"]
    assert isinstance(name, str)
    assert name.endswith("-meti-submit")
    assert name in names
    deployed = props["DefinitionString"]
    for placeholder, value in props["DefinitionSubstitutions"].items():
        deployed = deployed.replace("${" + placeholder + "}", str(value))
    assert not re.search(r"\$\{[A-Za-z]+\}", deployed), "a placeholder has no substitution"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"

    role_id = props["RoleArn"]["Fn::GetAtt"][0]
    statements = [
        s
        for p in raw["Resources"].values()
        if p["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    data_actions = [
        s
        for s in statements
        if any(
            str(a).split(":")[0] in ("dynamodb", "lambda")
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        )
    ]
    assert len(data_actions) == 1
    (invoke,) = data_actions
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert f"function:{name}" in json.dumps(invoke["Resource"])
    assert logical_id


def test_state_machine_actions_come_from_the_definition() -> None:
    from infra.constructs.state_machines import UnsupportedIntegration, dynamodb_actions, invokes_lambda

    (spec,) = ministry("meti").state_machines
    assert dynamodb_actions(spec.definition()) == ()  # every step is the submit function's
    assert invokes_lambda(spec.definition())
    sdk_task = {"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem", "End": True}}}
    assert dynamodb_actions(sdk_task) == ("dynamodb:PutItem",)
    sns_task = {"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}}}
    with pytest.raises(UnsupportedIntegration, match="only DynamoDB"):
        dynamodb_actions(sns_task)
