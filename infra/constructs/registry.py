"""The resources of one stack by (kind, id): resolves ``ResourceRef`` to attributes and grants access."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from aws_cdk import CfnElement, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn

from infra.resource_specs import ResourceRef, TableSpec

_SIGN_ACTIONS = ("kms:Sign", "kms:Verify", "kms:GetPublicKey", "kms:DescribeKey")
_USER_POOL_READ_ACTIONS = ("cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser")
_USER_POOL_WRITE_ACTIONS = (
    *_USER_POOL_READ_ACTIONS,
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminConfirmSignUp",
)


_T = TypeVar("_T")


class UnresolvedReference(LookupError):
    """A specification refers to a resource its stack does not hold."""


@dataclass
class ResourceRegistry:
    scope: str
    tables: dict[str, dynamodb.Table] = field(default_factory=dict)
    table_specs: dict[str, TableSpec] = field(default_factory=dict)
    buckets: dict[str, s3.Bucket] = field(default_factory=dict)
    keys: dict[str, kms.Key] = field(default_factory=dict)
    key_usages: dict[str, str] = field(default_factory=dict)
    topics: dict[str, sns.Topic] = field(default_factory=dict)
    user_pools: dict[str, cognito.UserPool] = field(default_factory=dict)
    state_machines: dict[str, sfn.StateMachine] = field(default_factory=dict)

    def _get(self, found: dict[str, _T], ref: ResourceRef) -> _T:
        try:
            return found[ref.id]
        except KeyError:
            raise UnresolvedReference(
                f"stack scope {self.scope!r} has no {ref.kind} {ref.id!r} (known: {sorted(found)})"
            ) from None

    def logical_id(self, table_id: str) -> str:
        """The CloudFormation logical id of a table (as cdk-nag names it in findings)."""
        table = self.tables[table_id]
        cfn = table.node.default_child
        if not isinstance(cfn, CfnElement):
            raise TypeError(f"table {table_id!r} has no CloudFormation resource")
        return str(Stack.of(table).resolve(cfn.logical_id))

    def resolve(self, ref: ResourceRef) -> str:
        """The attribute a function or a definition substitution sees (a CloudFormation token)."""
        values: dict[str, str]
        if ref.kind == "table":
            table = self._get(self.tables, ref)
            values = {"name": table.table_name, "arn": table.table_arn}
        elif ref.kind == "bucket":
            bucket = self._get(self.buckets, ref)
            values = {"name": bucket.bucket_name, "arn": bucket.bucket_arn}
        elif ref.kind == "key":
            key = self._get(self.keys, ref)
            values = {"arn": key.key_arn, "id": key.key_id}
        elif ref.kind == "topic":
            topic = self._get(self.topics, ref)
            values = {"arn": topic.topic_arn, "name": topic.topic_name}
        elif ref.kind == "user_pool":
            pool = self._get(self.user_pools, ref)
            values = {"id": pool.user_pool_id, "arn": pool.user_pool_arn}
        elif ref.kind == "state_machine":
            machine = self._get(self.state_machines, ref)
            values = {"arn": machine.state_machine_arn, "name": machine.state_machine_name}
        else:
            raise UnresolvedReference(f"resource kind {ref.kind!r} is not built by the CDK app")
        if ref.attribute not in values:
            raise UnresolvedReference(f"{ref.kind} {ref.id!r} has no attribute {ref.attribute!r}")
        return values[ref.attribute]

    def grant(self, ref: ResourceRef, grantee: iam.IGrantable, *, write: bool) -> None:
        """Least privilege for ``FunctionSpec.reads`` (``write=False``) and ``FunctionSpec.writes``."""
        if ref.kind == "table":
            table = self._get(self.tables, ref)
            (table.grant_read_write_data if write else table.grant_read_data)(grantee)
        elif ref.kind == "bucket":
            bucket = self._get(self.buckets, ref)
            (bucket.grant_read_write if write else bucket.grant_read)(grantee)
        elif ref.kind == "key":
            key = self._get(self.keys, ref)
            if self.key_usages[ref.id] == "SIGN_VERIFY":
                key.grant(grantee, *_SIGN_ACTIONS)  # "use the key": sign tokens, publish the public key
            elif write:
                # Direct encryption of small secrets: no data keys, no re-encryption (least privilege).
                key.grant(grantee, "kms:Encrypt", "kms:Decrypt")
            else:
                key.grant(grantee, "kms:Decrypt")
        elif ref.kind == "topic":
            if not write:
                raise UnresolvedReference(f"topic {ref.id!r}: a function can only write (publish) to a topic")
            self._get(self.topics, ref).grant_publish(grantee)
        elif ref.kind == "user_pool":
            pool = self._get(self.user_pools, ref)
            pool.grant(grantee, *(_USER_POOL_WRITE_ACTIONS if write else _USER_POOL_READ_ACTIONS))
        elif ref.kind == "state_machine":
            machine = self._get(self.state_machines, ref)
            if write:
                machine.grant_start_execution(grantee)
                machine.grant_task_response(grantee)
            else:
                machine.grant_read(grantee)
        else:
            raise UnresolvedReference(f"resource kind {ref.kind!r} cannot be granted by the CDK app")
