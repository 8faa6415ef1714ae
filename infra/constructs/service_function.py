"""One service's Lambda function from FunctionSpec: staged code and both layers (or a container image), its own
least-privilege role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.layers import ARCHITECTURE, RUNTIME
from infra.constructs.registry import ResourceRegistry
from infra.nag import acknowledge
from infra.packaging import stage_function_code, stage_image_context
from infra.resource_specs import FunctionSpec

METRICS_NAMESPACE = "CorporatePlatform"
_VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"


@dataclass(frozen=True)
class FunctionNetwork:
    """The VPC subnets and security groups a function is attached to (most functions run outside any VPC)."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_groups: tuple[ec2.ISecurityGroup, ...]


class ServiceFunctionConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        registry: ResourceRegistry,
        layers: list[lambda_.ILayerVersion],
        stage: str,
        log_retention: logs.RetentionDays,
        extra_environment: dict[str, str] | None = None,
        network: FunctionNetwork | None = None,
        function_name: str | None = None,
    ):
        super().__init__(scope, construct_id)
        self.spec = spec  # read by the stack's monitoring (timeout, custom metrics)
        self.scope_name = registry.scope
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.RETAIN)
        # An own role instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.service} function of scope {registry.scope}",
        )
        self.log_group.grant_write(self.role)
        environment = {name: registry.resolve(ref) for name, ref in spec.environment.items()}
        environment.update(
            {
                "STAGE": stage,
                "POWERTOOLS_SERVICE_NAME": spec.service,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                **(extra_environment or {}),
            }
        )
        common: dict[str, Any] = {
            "function_name": function_name,
            "description": spec.description,
            "architecture": ARCHITECTURE,
            "environment": environment,
            "memory_size": spec.memory_mb,
            "timeout": Duration.seconds(spec.timeout_seconds),
            "tracing": lambda_.Tracing.ACTIVE,
            "role": self.role,
            "log_group": self.log_group,
            "vpc": network.vpc if network else None,
            "vpc_subnets": network.subnets if network else None,
            "security_groups": list(network.security_groups) if network else None,
        }
        self.function: lambda_.Function
        if spec.package == "image":
            # The data stack exceeds a zip function's 250 MB: a container image, built at `cdk deploy` (not synth).
            code = lambda_.DockerImageCode.from_image_asset(
                str(stage_image_context(spec.service)),
                cmd=[spec.handler],
                platform=ecr_assets.Platform.LINUX_ARM64,
            )
            self.function = lambda_.DockerImageFunction(self, "Function", code=code, **common)
        else:
            self.function = lambda_.Function(
                self,
                "Function",
                runtime=RUNTIME,
                handler=spec.handler,
                code=lambda_.Code.from_asset(str(stage_function_code(spec.service))),
                layers=layers,
                **common,
            )
        if network is not None:
            acknowledge(
                self.role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{_VPC_ACCESS_POLICY}]",
                "Lambda attaches the function to its subnets through network interfaces; this AWS policy holds "
                "only those EC2 network-interface actions, which IAM cannot scope to a resource.",
            )
        for ref in spec.reads:
            registry.grant(ref, self.function, write=False)
        for ref in spec.writes:
            registry.grant(ref, self.function, write=True)
        for listing in spec.lists:
            registry.grant_listing(listing, self.function)
        if spec.sends_mail:
            self._allow_mail(environment.get("MAIL_FROM"))
        if spec.sends_sms:
            self._allow_sms()
        if spec.package == "zip":  # an image function has no managed runtime to be outdated
            acknowledge(
                self.function,
                "AwsSolutions-L1",
                "Python 3.12 on purpose: the dependency layer is built for cp312 and the code is tested on it; "
                "moving to a newer runtime is a planned, tested upgrade, not a side effect of a CDK release.",
            )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions.",
        )
        own_buckets = {
            r.id for r in (*spec.reads, *spec.writes) if r.kind == "bucket" and r.scope in (None, registry.scope)
        }
        for bucket_id in sorted(own_buckets):
            acknowledge(
                self.role,
                f"AwsSolutions-IAM5[Resource::<{registry.bucket_logical_id(bucket_id)}.Arn>/*]",
                f"Objects of bucket {bucket_id} are named per account and per upload; the grant is GetObject "
                "(and PutObject where the function writes) on that one bucket's objects.",
            )
        # Only this stack's tables: a cross-stack table appears in the policy as an imported value.
        own_tables = {
            r.id for r in (*spec.reads, *spec.writes) if r.kind == "table" and r.scope in (None, registry.scope)
        }
        for table_id in sorted(own_tables):
            if registry.table_specs[table_id].indexes:
                acknowledge(
                    self.role,
                    f"AwsSolutions-IAM5[Resource::<{registry.logical_id(table_id)}.Arn>/index/*]",
                    f"Queries use the indexes of table {table_id}; the grant covers only that table's indexes.",
                )

    def _allow_mail(self, mail_from: str | None) -> None:
        """``ses:SendEmail`` from the MAIL_FROM address only, through its address or domain identity."""
        if not mail_from or "@" not in mail_from:
            raise ValueError(f"{self.node.path}: a function that sends mail needs MAIL_FROM in its environment")
        stack = Stack.of(self)
        domain = mail_from.rpartition("@")[2]
        identities = [
            stack.format_arn(service="ses", resource="identity", resource_name=name) for name in (domain, mail_from)
        ]
        iam.Policy(
            self,
            "MailPolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    actions=["ses:SendEmail"],
                    resources=identities,
                    conditions={"StringEquals": {"ses:FromAddress": mail_from}},
                )
            ],
        )

    def _allow_sms(self) -> None:
        """``sns:Publish`` for SMS: a message to a phone number has no resource ARN to scope to."""
        policy = iam.Policy(
            self,
            "SmsPolicy",
            roles=[self.role],
            statements=[iam.PolicyStatement(actions=["sns:Publish"], resources=["*"])],
        )
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "SMS one-time codes are published straight to phone numbers (sns:Publish with PhoneNumber), which "
            "IAM evaluates against resource '*': there is no topic or number ARN to scope it to. This policy "
            "holds only that action.",
        )
