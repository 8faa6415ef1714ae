"""The resources of one stack by (kind, id): resolves ``ResourceRef`` to attributes and grants access."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from aws_cdk import Aws, CfnElement, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.nag import acknowledge
from infra.resource_specs import BucketListing, ResourceRef, TableSpec

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
    user_pool_clients: dict[str, cognito.UserPoolClient] = field(default_factory=dict)
    peers: dict[str, ResourceRegistry] = field(default_factory=dict)  # stacks deployed before this one
    state_machines: dict[str, sfn.StateMachine] = field(default_factory=dict)
    secrets: dict[str, secretsmanager.Secret] = field(default_factory=dict)
    # physical names of the stack's functions by service: fixed before the functions exist, so a state machine
    # can invoke a function whose environment names that state machine (no dependency cycle)
    function_names: dict[str, str] = field(default_factory=dict)

    def _get(self, found: dict[str, _T], ref: ResourceRef) -> _T:
        try:
            return found[ref.id]
        except KeyError:
            raise UnresolvedReference(
                f"stack scope {self.scope!r} has no {ref.kind} {ref.id!r} (known: {sorted(found)})"
            ) from None

    def logical_id(self, table_id: str) -> str:
        """The CloudFormation logical id of a table (as cdk-nag names it in findings)."""
        return self._logical_id(self.tables[table_id], f"table {table_id!r}")

    def bucket_logical_id(self, bucket_id: str) -> str:
        return self._logical_id(self.buckets[bucket_id], f"bucket {bucket_id!r}")

    @staticmethod
    def _logical_id(construct: Construct, what: str) -> str:
        cfn = construct.node.default_child
        if not isinstance(cfn, CfnElement):
            raise TypeError(f"{what} has no CloudFormation resource")
        return str(Stack.of(construct).resolve(cfn.logical_id))

    def _owner(self, ref: ResourceRef) -> tuple[ResourceRegistry, ResourceRef]:
        """The registry holding ``ref`` (this one, or a peer for a cross-stack reference)."""
        if ref.scope is None or ref.scope == self.scope:
            return self, ref
        if ref.scope not in self.peers:
            raise UnresolvedReference(f"stack scope {self.scope!r} cannot see stack {ref.scope!r}: deploy it first")
        return self.peers[ref.scope], ResourceRef(ref.kind, ref.id, ref.attribute)

    def resolve(self, ref: ResourceRef) -> str:
        """The attribute a function or a definition substitution sees (a CloudFormation token)."""
        owner, ref = self._owner(ref)
        if owner is not self:
            return owner.resolve(ref)
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
        elif ref.kind == "user_pool_client":
            values = {"id": self._get(self.user_pool_clients, ref).user_pool_client_id}
        elif ref.kind == "secret":
            secret = self._get(self.secrets, ref)
            values = {"arn": secret.secret_arn, "name": secret.secret_name}
        elif ref.kind == "function":
            name = self._get(self.function_names, ref)
            values = {"name": name, "arn": f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{Aws.ACCOUNT_ID}:function:{name}"}
        else:
            raise UnresolvedReference(f"resource kind {ref.kind!r} is not built by the CDK app")
        if ref.attribute not in values:
            raise UnresolvedReference(f"{ref.kind} {ref.id!r} has no attribute {ref.attribute!r}")
        return values[ref.attribute]

    def grant_listing(self, listing: BucketListing, grantee: iam.IGrantable) -> None:
        """``s3:ListBucket`` limited to the listing's key prefixes (``FunctionSpec.lists``)."""
        owner, ref = self._owner(listing.bucket)
        if owner is not self:
            owner.grant_listing(BucketListing(ref, listing.prefixes), grantee)
            return
        bucket = self._get(self.buckets, ref)
        prefixes = [f"{prefix}*" for prefix in listing.prefixes]
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:ListBucket"],
            resource_arns=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": prefixes}} if prefixes else None,
        )

    def grant(self, ref: ResourceRef, grantee: iam.IGrantable, *, write: bool) -> None:
        """Least privilege for ``FunctionSpec.reads`` (``write=False``) and ``FunctionSpec.writes``."""
        owner, ref = self._owner(ref)
        if owner is not self:
            owner.grant(ref, grantee, write=write)
            return
        if ref.kind == "table":
            table = self._get(self.tables, ref)
            (table.grant_read_write_data if write else table.grant_read_data)(grantee)
        elif ref.kind == "bucket":
            # Objects only, and only get and put: no listing, no deletes, no bucket settings.
            bucket = self._get(self.buckets, ref)
            actions = ["s3:GetObject", "s3:PutObject"] if write else ["s3:GetObject"]
            iam.Grant.add_to_principal(grantee=grantee, actions=actions, resource_arns=[bucket.arn_for_objects("*")])
            if bucket.encryption_key is not None:
                key_actions = ["kms:Decrypt", "kms:GenerateDataKey"] if write else ["kms:Decrypt"]
                bucket.encryption_key.grant(grantee, *key_actions)
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
                machine.grant_execution(grantee, "states:StopExecution")  # a withdrawn application's review
                execution_arn = (  # how cdk-nag writes the ARN of "every execution of this state machine"
                    f"arn:aws:states:{Stack.of(machine).region}:<AWS::AccountId>:execution:"
                    + '{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"'
                    + self._logical_id(machine, f"state machine {ref.id!r}")
                    + '"}]}]}:*'
                )
                role = grantee.grant_principal
                if not isinstance(role, Construct):
                    raise TypeError(f"state machine {ref.id!r}: the grantee's principal is not a role of this app")
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[Resource::{execution_arn}]",
                    "Executions are named at run time (one per submission); stopping is limited to the executions "
                    "of this one state machine.",
                )
            else:
                machine.grant_read(grantee)
        elif ref.kind == "secret":
            if write:
                raise UnresolvedReference(f"secret {ref.id!r}: functions only read secrets; operators put the value")
            self._get(self.secrets, ref).grant_read(grantee)  # GetSecretValue and Decrypt with its key
        else:
            raise UnresolvedReference(f"resource kind {ref.kind!r} cannot be granted by the CDK app")
