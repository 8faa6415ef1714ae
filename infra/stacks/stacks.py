"""The four kinds of platform stack. Each names its StackSpec; PlatformStack wires the constructs."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import PROJECT, PlatformConfig
from infra.constructs.api_account import ApiGatewayAccountConstruct
from infra.constructs.ingest import IngestConstruct
from infra.constructs.layers import LayersConstruct
from infra.constructs.ministry_jobs import MinistryJobsConstruct
from infra.constructs.registry import ResourceRegistry
from infra.constructs.service_function import ServiceFunctionConstruct
from infra.constructs.sparql_neptune import SPARQL_PATHS, SparqlNeptuneConstruct
from infra.nag import acknowledge
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, FunctionSpec, ebpm_export, ministry
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
        return environment
