"""The four kinds of platform stack. Each names its StackSpec; PlatformStack wires the constructs."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import PROJECT, PlatformConfig
from infra.constructs.api_account import ApiGatewayAccountConstruct
from infra.constructs.ingest import IngestConstruct
from infra.constructs.layers import LayersConstruct
from infra.constructs.ministry_jobs import MinistryJobsConstruct
from infra.constructs.notice_retry import NoticeRetryConstruct
from infra.constructs.registry import ResourceRegistry
from infra.constructs.service_function import ServiceFunctionConstruct
from infra.constructs.sparql_neptune import SPARQL_PATHS, SparqlNeptuneConstruct
from infra.nag import acknowledge
from infra.resource_specs import EXCHANGE, IDENTITY, MEMBER_KEY_TAG, OPEN_DATA, FunctionSpec, ebpm_export, ministry
from infra.stacks.platform_stack import PlatformStack


class IdentityStack(PlatformStack):
    """gBizID: accounts, user pool, signing keys, notifications, audit archive; API Gateway account."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PlatformConfig, peers: dict[str, ResourceRegistry]
    ):
        super().__init__(
            scope,
            construct_id,
            peers=peers,
            spec=IDENTITY,
            config=config,
            description="Corporate platform: gBizID common login (OpenID Provider, accounts, audit archive)",
        )
        self.notice_retry = NoticeRetryConstruct(self, "NoticeRetry", function=self.functions["auth"].function)

    def extra_environment(self, service: str) -> dict[str, str]:
        if service != "auth":
            return {}
        environment = {"MAIL_FROM": self.config.mail_from}
        if self.config.issuer_url:
            environment["OIDC_ISSUER"] = self.config.issuer_url
        if self.config.prime_trust_anchors_pem:
            environment["PRIME_TRUST_ANCHORS_PEM"] = self.config.prime_trust_anchors_pem
        return environment


class OpenDataStack(PlatformStack):
    """gBizINFO: corporate records, API tokens, open-data files; the API Gateway account setting. Deployed
    first: the other stacks read its records and log through its account role."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig):
        self.sparql_neptune: SparqlNeptuneConstruct | None = None
        super().__init__(
            scope,
            construct_id,
            spec=OPEN_DATA,
            config=config,
            description="Corporate platform: gBizINFO corporate open data",
        )
        # Every REST API of the platform (in this stack and the others) logs through this account setting.
        self.api_account = ApiGatewayAccountConstruct(self, "ApiGatewayAccount")
        for api in self.apis.values():
            api.api.deployment_stage.node.add_dependency(self.api_account.account)
        # The S3-triggered ingest, the Glue catalog and the Athena workgroup (issue 4, point 1).
        layers = self.node.try_find_child("Layers")  # none while gBizINFO's functions are images
        api_spec = OPEN_DATA.functions[0]
        self.ingest = IngestConstruct(
            self,
            "Ingest",
            api_spec=api_spec,
            registry=self.registry,
            layers=layers.all if isinstance(layers, LayersConstruct) else [],
            stage=config.stage,
            log_retention=logs.RetentionDays.ONE_YEAR if config.stage == "prod" else logs.RetentionDays.THREE_MONTHS,
            extra_environment=self.extra_environment(api_spec.service),
            name_prefix=f"{PROJECT}-{config.stage}",
        )
        # Each ministry's jGrants publishes its awards as ingest files under incoming/<ministry>/subsidy/ and
        # nowhere else: a managed policy per ministry, attached to that ministry's function (MinistryStack).
        self.award_publishers = {name: self._award_publisher(name) for name in config.ministries}

    def _award_publisher(self, ministry_name: str) -> iam.ManagedPolicy:
        bucket = self.registry.buckets["open-data"]
        prefix = f"incoming/{ministry_name}/subsidy/"
        statements = [iam.PolicyStatement(actions=["s3:PutObject"], resources=[bucket.arn_for_objects(f"{prefix}*")])]
        if bucket.encryption_key is not None:
            statements.append(
                iam.PolicyStatement(actions=["kms:GenerateDataKey"], resources=[bucket.encryption_key.key_arn])
            )
        policy = iam.ManagedPolicy(
            self,
            f"AwardPublisher-{ministry_name}",
            description=f"jGrants of {ministry_name}: put award files for the gBizINFO ingest",
            statements=statements,
        )
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::<{self.registry.bucket_logical_id('open-data')}.Arn>/{prefix}*]",
            "One award file per approved application, named by its id, under this ministry's own ingest prefix.",
        )
        return policy

    def route_functions(
        self, spec: FunctionSpec, layers: list[lambda_.ILayerVersion], log_retention: logs.RetentionDays
    ) -> dict[str, lambda_.IFunction]:
        """With ``-c sparql_engine=neptune`` the SPARQL routes go to a function in Neptune's VPC (issue 4, point 5);
        the rest of gBizINFO stays outside any VPC (the token page reaches gBizID's public JWKS)."""
        if spec.service != "hojin_search" or self.config.sparql_engine != "neptune":
            return {}
        self.sparql_neptune = SparqlNeptuneConstruct(
            self,
            "SparqlNeptune",
            api_spec=spec,
            registry=self.registry,
            layers=layers,
            stage=self.config.stage,
            log_retention=log_retention,
            extra_environment=self.extra_environment(spec.service),
            name_prefix=f"{PROJECT}-{self.config.stage}",
            production=self.config.stage == "prod",
        )
        return dict.fromkeys(SPARQL_PATHS, self.sparql_neptune.function)

    def extra_environment(self, service: str) -> dict[str, str]:
        # The token page's access tokens come from gBizID: its issuer is configuration (the Identity stack is
        # deployed after this one, so it cannot be a reference).
        environment: dict[str, str] = {}
        if service == "hojin_search" and self.config.issuer_url:
            environment["OIDC_ISSUER"] = self.config.issuer_url
        if service == "hojin_search" and self.config.hojin_public_url:
            environment["HOJIN_PUBLIC_URL"] = self.config.hojin_public_url  # the token page's redirect URI
        return environment


class ExchangeStack(PlatformStack):
    """Data exchange: member registry, signed message log, exchange signing key."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PlatformConfig, peers: dict[str, ResourceRegistry]
    ):
        super().__init__(
            scope,
            construct_id,
            peers=peers,
            spec=EXCHANGE,
            config=config,
            description="Corporate platform: data exchange between government and private systems",
        )
        self._grant_member_keys(self.functions["exchange"].function)

    def _grant_member_keys(self, function: lambda_.IFunction) -> None:
        """Each member's signing key is created at run time (``registry.register_member``) with the tag
        ``MEMBER_KEY_TAG``: the function may create keys only with that tag and use only keys that carry it."""
        tag = MEMBER_KEY_TAG
        keys = f"arn:{Aws.PARTITION}:kms:{Aws.REGION}:{Aws.ACCOUNT_ID}:key/*"
        statements = [
            # CreateKey has no resource; tagging on create is authorised as kms:TagResource on the new key.
            iam.PolicyStatement(
                actions=["kms:CreateKey"],
                resources=["*"],
                conditions={
                    "Null": {f"aws:RequestTag/{tag}": "false"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": [tag]},
                    "StringEquals": {"kms:KeySpec": "ECC_NIST_P256", "kms:KeyUsage": "SIGN_VERIFY"},
                },
            ),
            iam.PolicyStatement(
                actions=["kms:TagResource"],
                resources=[keys],
                conditions={
                    "Null": {f"aws:RequestTag/{tag}": "false"},
                    "ForAllValues:StringEquals": {"aws:TagKeys": [tag]},
                },
            ),
            # Tagging one of the platform's own keys (they carry the stack tag Project) would make it usable
            # below: refused whatever else allows it.
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["kms:TagResource"],
                resources=[keys],
                conditions={"Null": {"aws:ResourceTag/Project": "false"}},
            ),
            iam.PolicyStatement(
                actions=["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"],
                resources=[keys],
                conditions={"Null": {f"aws:ResourceTag/{tag}": "false"}},
            ),
        ]
        for statement in statements:
            function.add_to_role_policy(statement)
        role = function.role
        if role is None:
            raise TypeError("the exchange function has no role")
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "kms:CreateKey has no resource to name; the grant requires the member-key tag, ECC_NIST_P256 and "
            "SIGN_VERIFY on the key created.",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]",
            "Member signing keys are created at run time, one per registered member: their ids are not known at "
            f"deploy time; the condition on the tag {tag} scopes the grant to those keys.",
        )

    def extra_environment(self, service: str) -> dict[str, str]:
        if service != "exchange":
            return {}
        # The portal pages sign in at gBizID (configuration: the Identity stack is a peer, its issuer a URL) and
        # are served at EXCHANGE_PUBLIC_URL, the origin of their callback.
        environment: dict[str, str] = {}
        if self.config.issuer_url:
            environment["OIDC_ISSUER"] = self.config.issuer_url
        if self.config.exchange_public_url:
            environment["EXCHANGE_PUBLIC_URL"] = self.config.exchange_public_url
        return environment


class MinistryStack(PlatformStack):
    """One ministry's jGrants: subsidies, applications, attachments, review workflow."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        name: str,
        peers: dict[str, ResourceRegistry],
        award_publisher: iam.IManagedPolicy | None = None,
    ):
        self.ministry_name = name  # read by extra_environment while the base class builds the functions
        super().__init__(
            scope,
            construct_id,
            peers=peers,
            spec=ministry(name),
            config=config,
            ministry=name,
            description=f"Corporate platform: subsidies and applications of ministry {name}",
        )
        applications = self.registry.tables["applications"]
        if award_publisher is not None:  # approved awards go to gBizINFO (OpenDataStack._award_publisher)
            self.functions["submit"].role.add_managed_policy(award_publisher)
        # The EBPM export needs pyarrow: a container-image function of its own, beside the zip API function.
        self.ebpm_export = ServiceFunctionConstruct(
            self,
            "Function-ebpm-export",
            spec=ebpm_export(name),
            registry=self.registry,
            layers=[],
            stage=config.stage,
            log_retention=logs.RetentionDays.ONE_YEAR if config.stage == "prod" else logs.RetentionDays.THREE_MONTHS,
            extra_environment=self.extra_environment("submit"),
        )
        self.jobs = MinistryJobsConstruct(
            self,
            "Jobs",
            function=self.functions["submit"].function,
            export_function=self.ebpm_export.function,
            applications_table_name=applications.table_name,
            applications_table_arn=applications.table_arn,
            analytics_bucket=self.registry.buckets["analytics"],
            database_name=f"{PROJECT}_{config.stage}_{name}_ebpm".lower().replace("-", "_"),
            operators=config.operators_of(name),
        )
        # Attachments that fail verification are removed and flagged ones moved under quarantine/ (a delete
        # the registry's get/put grant does not include); the GuardDuty scan result is an object tag.
        attachments = self.registry.buckets["attachments"]
        iam.Grant.add_to_principal(
            grantee=self.functions["submit"].function,
            actions=["s3:DeleteObject", "s3:GetObjectTagging"],
            resource_arns=[attachments.arn_for_objects("applications/*")],
        )
        acknowledge(
            self.functions["submit"].role,
            f"AwsSolutions-IAM5[Resource::<{self.registry.bucket_logical_id('attachments')}.Arn>/applications/*]",
            "Attachments are objects named per application and upload under applications/; the grant is delete "
            "(a rejected or quarantined upload) and reading the malware-scan tag, on that prefix of one bucket.",
        )

    def extra_environment(self, service: str) -> dict[str, str]:
        if service != "submit":
            return {}
        # The applicants' access tokens come from gBizID; receipts are mailed from MAIL_FROM; the cloud's
        # malware scan is GuardDuty Malware Protection for S3 (its result tag on each object).
        environment = {
            "MAIL_FROM": self.config.mail_from,
            "MINISTRY": self.ministry_name,
            "MALWARE_SCANNER": "guardduty",
        }
        if self.config.issuer_url:
            environment["OIDC_ISSUER"] = self.config.issuer_url
        # The portal pages sign in as the ministry's own client; their callback is under their origin.
        environment["JGRANTS_CLIENT_ID"] = f"jgrants-{self.ministry_name}"
        origin = self.config.jgrants_origin(self.ministry_name)
        if origin:
            environment["PUBLIC_BASE_URL"] = origin
        # prefills and attachments from the data exchange: its /r1 routes are served at the exchange's origin
        if self.config.exchange_public_url:
            environment["EXCHANGE_URL"] = self.config.exchange_public_url
        return environment
