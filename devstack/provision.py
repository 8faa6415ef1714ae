"""Create every resource of a stack specification through the AWS APIs (moto's, on one machine).

Reads the same :mod:`infra.resource_specs` the CDK constructs read, so the devstack and the cloud cannot
drift apart: key schemas, indexes, TTL, streams, object lock, user pool groups and state machine
definitions all come from there. Used by the devstack and by the integration tests (under ``mock_aws``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from devstack.lambda_runtime import create_function
from devstack.naming import ACCOUNT_ID, REGION, physical_name
from infra.resource_specs import (
    BucketSpec,
    KeySpec,
    ResourceRef,
    SecretSpec,
    StackSpec,
    StateMachineSpec,
    TableSpec,
    UserPoolSpec,
)
from platform_common import aws

STATES_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/devstack-states"


@dataclass
class ProvisionedStack:
    """Physical identities of one stack's resources, keyed like :class:`ResourceRef`."""

    spec: StackSpec
    values: dict[tuple[str, str, str], str] = field(default_factory=dict)
    peers: dict[str, ProvisionedStack] = field(default_factory=dict)  # stacks provisioned before this one

    def resolve(self, ref: ResourceRef) -> str:
        if ref.scope is not None and ref.scope != self.spec.scope:
            if ref.scope not in self.peers:
                raise KeyError(f"{self.spec.scope}: stack {ref.scope!r} must be provisioned first")
            return self.peers[ref.scope].resolve(ResourceRef(ref.kind, ref.id, ref.attribute))
        try:
            return self.values[(ref.kind, ref.id, ref.attribute)]
        except KeyError:
            raise KeyError(f"{self.spec.scope}: no {ref.kind} {ref.id!r} with attribute {ref.attribute}") from None

    def name(self, kind: str, resource_id: str) -> str:
        return self.values[(kind, resource_id, "name")]

    def function_environment(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for function in self.spec.functions:
            env.update({var: self.resolve(ref) for var, ref in function.environment.items()})
        return env


def provision_stack(spec: StackSpec, peers: dict[str, ProvisionedStack] | None = None) -> ProvisionedStack:
    stack = ProvisionedStack(spec, peers=dict(peers or {}))
    for table in spec.tables:
        _create_table(stack, table)
    for bucket in spec.buckets:
        _create_bucket(stack, bucket)
    for key in spec.keys:
        _create_key(stack, key)
    for topic in spec.topics:
        name = physical_name(spec.scope, topic.id)
        arn = aws.client("sns").create_topic(Name=name)["TopicArn"]
        stack.values.update({("topic", topic.id, "name"): name, ("topic", topic.id, "arn"): arn})
    for pool in spec.user_pools:
        _create_user_pool(stack, pool)
    for function in spec.functions:  # before the state machines, which invoke them
        name, arn = create_function(spec.scope, function)
        stack.values.update({("function", function.service, "name"): name, ("function", function.service, "arn"): arn})
    for machine in spec.state_machines:
        _create_state_machine(stack, machine)
    for secret in spec.secrets:
        _create_secret(stack, secret)
    return stack


def _create_secret(stack: ProvisionedStack, secret: SecretSpec) -> None:
    """A secret without a value yet: the value is put in later (by the operator; here by the seed)."""
    name = physical_name(stack.spec.scope, secret.id)
    arn = aws.client("secretsmanager").create_secret(Name=name, Description=secret.description)["ARN"]
    stack.values.update({("secret", secret.id, "name"): name, ("secret", secret.id, "arn"): arn})


def _create_table(stack: ProvisionedStack, table: TableSpec) -> None:
    name = physical_name(stack.spec.scope, table.id)
    attributes = {table.partition_key.name: table.partition_key.type}
    key_schema = [{"AttributeName": table.partition_key.name, "KeyType": "HASH"}]
    if table.sort_key:
        attributes[table.sort_key.name] = table.sort_key.type
        key_schema.append({"AttributeName": table.sort_key.name, "KeyType": "RANGE"})
    indexes = []
    for index in table.indexes:
        attributes[index.partition_key.name] = index.partition_key.type
        schema = [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
        if index.sort_key:
            attributes[index.sort_key.name] = index.sort_key.type
            schema.append({"AttributeName": index.sort_key.name, "KeyType": "RANGE"})
        indexes.append({"IndexName": index.name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}})
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        "KeySchema": key_schema,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    dynamodb = aws.client("dynamodb")
    arn = dynamodb.create_table(**request)["TableDescription"]["TableArn"]
    if table.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
        )
    stack.values.update({("table", table.id, "name"): name, ("table", table.id, "arn"): arn})


def _create_bucket(stack: ProvisionedStack, bucket: BucketSpec) -> None:
    name = physical_name(stack.spec.scope, bucket.id)
    s3 = aws.client("s3")
    s3.create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=bucket.object_lock,
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    if bucket.object_lock and bucket.retention_days:
        s3.put_object_lock_configuration(
            Bucket=name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": bucket.retention_days}},
            },
        )
    stack.values.update({("bucket", bucket.id, "name"): name, ("bucket", bucket.id, "arn"): f"arn:aws:s3:::{name}"})


def _create_key(stack: ProvisionedStack, key: KeySpec) -> None:
    kms = aws.client("kms")
    metadata = kms.create_key(Description=key.description, KeyUsage=key.usage, KeySpec=key.key_spec)["KeyMetadata"]
    alias = f"alias/{physical_name(stack.spec.scope, key.id)}"
    kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    if key.key_spec == "SYMMETRIC_DEFAULT":
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
    stack.values.update(
        {
            ("key", key.id, "name"): alias,
            ("key", key.id, "id"): metadata["KeyId"],
            ("key", key.id, "arn"): metadata["Arn"],
        }
    )


def _create_user_pool(stack: ProvisionedStack, pool: UserPoolSpec) -> None:
    cognito = aws.client("cognito-idp")
    name = physical_name(stack.spec.scope, pool.id)
    created = cognito.create_user_pool(
        PoolName=name,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": pool.password_min_length,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": pool.password_require_symbols,
            }
        },
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        MfaConfiguration="OFF",  # second factors are verified by the auth function itself
        Schema=[
            {"Name": attribute, "AttributeDataType": "String", "Mutable": True} for attribute in pool.custom_attributes
        ],
    )["UserPool"]
    for group in pool.groups:
        cognito.create_group(UserPoolId=created["Id"], GroupName=group)
    for client in pool.clients:
        client_id = cognito.create_user_pool_client(
            UserPoolId=created["Id"],
            ClientName=client,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        stack.values[("user_pool_client", client, "id")] = client_id
    stack.values.update(
        {
            ("user_pool", pool.id, "name"): name,
            ("user_pool", pool.id, "id"): created["Id"],
            ("user_pool", pool.id, "arn"): created["Arn"],
        }
    )


def _create_state_machine(stack: ProvisionedStack, machine: StateMachineSpec) -> None:
    values = {placeholder: stack.resolve(ref) for placeholder, ref in machine.substitutions.items()}
    definition = machine.render(values)
    json.loads(definition)  # a broken substitution must fail here, not at the first execution
    name = physical_name(stack.spec.scope, machine.id)
    arn = aws.client("stepfunctions").create_state_machine(
        name=name, definition=definition, roleArn=STATES_ROLE_ARN, type="STANDARD"
    )["stateMachineArn"]
    stack.values.update({("state_machine", machine.id, "name"): name, ("state_machine", machine.id, "arn"): arn})


def provision_platform(stacks: tuple[StackSpec, ...]) -> dict[str, ProvisionedStack]:
    """Provision several stacks in order (a stack may refer to those before it); return them by scope."""
    provisioned: dict[str, ProvisionedStack] = {}
    for spec in stacks:
        provisioned[spec.scope] = provision_stack(spec, peers=provisioned)
    return provisioned


def platform_environment(provisioned: dict[str, ProvisionedStack]) -> dict[str, str]:
    """The union of every function's environment. Names must not clash across stacks (one process)."""
    env: dict[str, str] = {}
    for stack in provisioned.values():
        for name, value in stack.function_environment().items():
            if name in env and env[name] != value:
                raise ValueError(f"environment variable {name} means two things in the devstack")
            env[name] = value
    return env
