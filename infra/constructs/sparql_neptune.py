"""SPARQL on Amazon Neptune (context ``-c sparql_engine=neptune``): for a store too large for one function.

An isolated VPC (two AZs, no NAT, no route out) holds the Neptune cluster and a SPARQL function: the hojin_search
code and API handler, attached to the VPC, with ``NEPTUNE_ENDPOINT`` set to the cluster's reader endpoint. The
API Gateway routes ``/hojin/sparql*`` to it; every other gBizINFO route stays on the API function outside the VPC.

Neptune: IAM database authentication, encryption at rest with the stack's data key, deletion protection, 7 days
of backups (35 in prod), the audit log exported to CloudWatch Logs, a query time limit equal to the endpoint's,
and a security group admitting the SPARQL function's security group alone, on the cluster port. The function may
only read through queries (``neptune-db:ReadDataViaQuery`` on this cluster's resource id).

Loading: the ingest writes N-Quads under ``bulk/`` of the open-data bucket; Neptune's bulk loader reads them with
the loader role (GetObject and ListBucket on ``bulk/`` only, decrypt through S3) over the S3 gateway endpoint.
docs/operators/deploy.md gives the loader command.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, Aws, CfnOutput, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_neptune as neptune
from constructs import Construct

from infra.constructs.registry import ResourceRegistry
from infra.constructs.service_function import FunctionNetwork, ServiceFunctionConstruct
from infra.nag import acknowledge
from infra.resource_specs import FunctionSpec, ResourceRef

ENGINE_VERSION = "1.4.4.0"
PARAMETER_FAMILY = "neptune1.4"
INSTANCE_CLASS = "db.r6g.large"
NEPTUNE_PORT = 8182
BULK_PREFIX = "bulk/"  # functions.hojin_search.bulk_manifest.BULK_PREFIX (the CDK app does not import the function)
PARQUET_PREFIX = "parquet/"
VPC_CIDR = "10.48.0.0/16"
QUERY_TIMEOUT_MS = 10_000  # functions.hojin_search.sparql.engine.SparqlLimits.timeout_seconds
SPARQL_MEMORY_MB = 2048  # the text:query name index of every corporation
SPARQL_TIMEOUT_SECONDS = 20
SPARQL_PATHS = ("/hojin/sparql", "/hojin/sparql/query")


class SparqlNeptuneConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api_spec: FunctionSpec,
        registry: ResourceRegistry,
        layers: list[lambda_.ILayerVersion],
        stage: str,
        log_retention: logs.RetentionDays,
        extra_environment: dict[str, str],
        name_prefix: str,
        production: bool,
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        bucket = registry.buckets["open-data"]
        data_key = bucket.encryption_key
        if data_key is None:
            raise ValueError("the open-data bucket must be KMS-encrypted: Neptune's storage uses its key")

        # -- the network: isolated subnets in two AZs, gateway endpoints for S3 and DynamoDB ------------------
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            ],
        )
        flow_logs = logs.LogGroup(self, "FlowLogs", retention=log_retention, removal_policy=RemovalPolicy.RETAIN)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        # The loader and the function reach S3 (and the function DynamoDB) without any route to the internet.
        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[isolated])
        self.vpc.add_gateway_endpoint("DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets=[isolated])

        self.function_security_group = ec2.SecurityGroup(
            self,
            "FunctionSecurityGroup",
            vpc=self.vpc,
            description="The SPARQL function: to Neptune and to the gateway endpoints only",
            allow_all_outbound=False,
        )
        self.cluster_security_group = ec2.SecurityGroup(
            self,
            "ClusterSecurityGroup",
            vpc=self.vpc,
            description="Neptune: SPARQL from the SPARQL function only",
            allow_all_outbound=False,
        )
        self.cluster_security_group.add_ingress_rule(
            self.function_security_group, ec2.Port.tcp(NEPTUNE_PORT), "SPARQL from the SPARQL function"
        )
        self.function_security_group.add_egress_rule(
            self.cluster_security_group, ec2.Port.tcp(NEPTUNE_PORT), "SPARQL to Neptune"
        )
        # The subnets have no route out: HTTPS reaches only the S3 and DynamoDB gateway endpoints.
        self.function_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to the S3 and DynamoDB gateway endpoints"
        )

        # -- the loader role: Neptune reads the bulk N-Quads and nothing else ----------------------------------
        self.loader_role = iam.Role(
            self,
            "LoaderRole",
            assumed_by=iam.ServicePrincipal("rds.amazonaws.com"),  # the principal Neptune's loader assumes
            description="Neptune bulk loader: reads the N-Quads under bulk/ of the open-data bucket",
        )
        loader_policy = iam.Policy(
            self,
            "LoaderPolicy",
            roles=[self.loader_role],
            statements=[
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[bucket.arn_for_objects(f"{BULK_PREFIX}*")]),
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{BULK_PREFIX}*"]}},
                ),
                iam.PolicyStatement(
                    actions=["kms:Decrypt"],
                    resources=[data_key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.amazonaws.com"}},
                ),
            ],
        )
        acknowledge(
            loader_policy,
            f"AwsSolutions-IAM5[Resource::<{registry.bucket_logical_id('open-data')}.Arn>/{BULK_PREFIX}*]",
            "The loader reads the bulk files the ingest regenerates (named per category and format) under bulk/ "
            "of the open-data bucket, and nothing else of it.",
        )

        # -- the cluster -------------------------------------------------------------------------------------
        self.cluster_identifier = f"{name_prefix}-sparql".lower()
        subnets = neptune.CfnDBSubnetGroup(
            self,
            "SubnetGroup",
            db_subnet_group_description="gBizINFO SPARQL: the isolated subnets of two AZs",
            subnet_ids=self.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
        )
        parameters = neptune.CfnDBClusterParameterGroup(
            self,
            "ClusterParameters",
            family=PARAMETER_FAMILY,
            description="gBizINFO SPARQL: audit log on, the endpoint's query time limit",
            parameters={"neptune_enable_audit_log": 1, "neptune_query_timeout": QUERY_TIMEOUT_MS},
        )
        # Neptune would create the audit log group without expiry: create it first, with the stack's retention.
        audit_logs = logs.LogGroup(
            self,
            "AuditLogs",
            log_group_name=f"/aws/neptune/{self.cluster_identifier}/audit",
            retention=logs.RetentionDays.ONE_YEAR if production else logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.cluster = neptune.CfnDBCluster(
            self,
            "Cluster",
            db_cluster_identifier=self.cluster_identifier,
            engine_version=ENGINE_VERSION,
            db_cluster_parameter_group_name=parameters.ref,
            db_subnet_group_name=subnets.ref,
            vpc_security_group_ids=[self.cluster_security_group.security_group_id],
            db_port=NEPTUNE_PORT,
            iam_auth_enabled=True,
            storage_encrypted=True,
            kms_key_id=data_key.key_arn,
            deletion_protection=True,
            backup_retention_period=35 if production else 7,
            preferred_backup_window="17:00-18:00",  # 02:00-03:00 JST
            preferred_maintenance_window="sun:18:30-sun:19:30",
            enable_cloudwatch_logs_exports=["audit"],
            copy_tags_to_snapshot=True,
            associated_roles=[neptune.CfnDBCluster.DBClusterRoleProperty(role_arn=self.loader_role.role_arn)],
        )
        self.cluster.apply_removal_policy(RemovalPolicy.SNAPSHOT)
        self.cluster.node.add_dependency(audit_logs)
        # A writer, and in prod a reader in the other AZ (a failover target; the function reads the reader).
        for number in range(2 if production else 1):
            instance = neptune.CfnDBInstance(
                self,
                f"Instance{number + 1}",
                db_instance_class=INSTANCE_CLASS,
                db_cluster_identifier=self.cluster.ref,
                auto_minor_version_upgrade=True,
                preferred_maintenance_window="sun:18:30-sun:19:30",
            )
            instance.apply_removal_policy(RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY)

        # -- the SPARQL function -------------------------------------------------------------------------------
        spec = FunctionSpec(
            service=api_spec.service,
            description="gBizINFO: the SPARQL endpoint and query page, on Amazon Neptune",
            environment=api_spec.environment,
            # The text:query name index: the corporations' Parquet, or the records where there is none yet.
            reads=(ResourceRef("table", "hojin"), ResourceRef("bucket", "open-data")),
            memory_mb=SPARQL_MEMORY_MB,
            timeout_seconds=SPARQL_TIMEOUT_SECONDS,
            package=api_spec.package,
        )
        endpoint = Fn.join(":", [self.cluster.attr_read_endpoint, self.cluster.attr_port])
        self.service_function = ServiceFunctionConstruct(
            self,
            "Function",
            spec=spec,
            registry=registry,
            layers=layers,
            stage=stage,
            log_retention=log_retention,
            extra_environment={**extra_environment, "NEPTUNE_ENDPOINT": endpoint},
            network=FunctionNetwork(vpc=self.vpc, subnets=isolated, security_groups=(self.function_security_group,)),
        )
        self.function = self.service_function.function
        # ReadDataViaQuery only: no writes, no loader, no reset, on this cluster alone.
        query_policy = iam.Policy(
            self,
            "QueryPolicy",
            roles=[self.service_function.role],
            statements=[
                iam.PolicyStatement(
                    actions=["neptune-db:ReadDataViaQuery"],
                    resources=[self.cluster_data_arn()],
                ),
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{PARQUET_PREFIX}*"]}},
                ),
            ],
        )
        acknowledge(
            query_policy,
            f"AwsSolutions-IAM5[Resource::{_as_nag_names(stack.resolve(self.cluster_data_arn()))}]",
            "Neptune data-plane permissions name the cluster's resource id followed by '/*' (the form IAM "
            "database authentication requires); the action is ReadDataViaQuery alone, on this one cluster.",
        )

        CfnOutput(stack, "SparqlNeptuneEndpoint", value=self.cluster.attr_endpoint, description="Neptune writer")
        CfnOutput(stack, "SparqlNeptuneLoaderRoleArn", value=self.loader_role.role_arn, description="bulk loader role")
        CfnOutput(
            stack,
            "SparqlFunctionSecurityGroupId",
            value=self.function_security_group.security_group_id,
            description="the security group Neptune admits (for a loader session in the VPC)",
        )

    def cluster_data_arn(self) -> str:
        """``arn:…:neptune-db:<region>:<account>:<cluster resource id>/*``: the data of this cluster."""
        return Stack.of(self).format_arn(
            service="neptune-db",
            resource=self.cluster.attr_cluster_resource_id,
            resource_name="*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )


def _as_nag_names(value: Any) -> str:
    """A resolved ARN as cdk-nag writes it in a finding: ``Ref`` as ``<Name>``, ``GetAtt`` as ``<Id.Attr>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_as_nag_names(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "<" + ".".join(value["Fn::GetAtt"]) + ">"
    raise TypeError(f"cannot name {value!r} as cdk-nag does")
