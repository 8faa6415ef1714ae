"""DynamoDB tables and S3 buckets from TableSpec and BucketSpec."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.resource_specs import Attribute, BucketSpec, TableSpec

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(attribute: Attribute | None) -> dynamodb.Attribute | None:
    if attribute is None:
        return None
    return dynamodb.Attribute(name=attribute.name, type=_ATTRIBUTE_TYPES[attribute.type])


class TablesConstruct(Construct):
    """On-demand tables with point-in-time recovery; keys, indexes, TTL and streams as specified."""

    def __init__(self, scope: Construct, construct_id: str, *, specs: tuple[TableSpec, ...], deletion_protection: bool):
        super().__init__(scope, construct_id)
        self.tables: dict[str, dynamodb.Table] = {}
        for spec in specs:
            table = dynamodb.Table(
                self,
                spec.id,
                partition_key=_attribute(spec.partition_key),
                sort_key=_attribute(spec.sort_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                time_to_live_attribute=spec.ttl_attribute,
                stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
                deletion_protection=deletion_protection,
                removal_policy=RemovalPolicy.RETAIN,
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attribute(index.partition_key),
                    sort_key=_attribute(index.sort_key),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            self.tables[spec.id] = table


class BucketsConstruct(Construct):
    """Private, versioned, KMS-encrypted buckets logging to one log bucket; Object Lock on archives."""

    def __init__(self, scope: Construct, construct_id: str, *, specs: tuple[BucketSpec, ...], data_key: kms.IKey):
        super().__init__(scope, construct_id)
        self.buckets: dict[str, s3.Bucket] = {}
        if not specs:
            return
        # S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, not SSE-KMS.
        self.access_logs = s3.Bucket(
            self,
            "access-logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(400),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        for spec in specs:
            self.buckets[spec.id] = s3.Bucket(
                self,
                spec.id,
                encryption=s3.BucketEncryption.KMS,
                encryption_key=data_key,
                bucket_key_enabled=True,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                versioned=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                server_access_logs_bucket=self.access_logs,
                server_access_logs_prefix=f"{spec.id}/",
                object_lock_enabled=spec.object_lock or None,
                object_lock_default_retention=(
                    s3.ObjectLockRetention.governance(Duration.days(spec.retention_days))
                    if spec.object_lock and spec.retention_days
                    else None
                ),
                removal_policy=RemovalPolicy.RETAIN,
            )
