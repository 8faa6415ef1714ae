"""The four kinds of platform stack. Each names its StackSpec; PlatformStack wires the constructs."""

from __future__ import annotations

from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import PROJECT, PlatformConfig
from infra.constructs.api_account import ApiGatewayAccountConstruct
from infra.constructs.ingest import IngestConstruct
from infra.constructs.layers import LayersConstruct
from infra.constructs.registry import ResourceRegistry
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, ministry
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
        layers = self.node.try_find_child("Layers")
        if not isinstance(layers, LayersConstruct):
            raise TypeError("the OpenData stack builds its function layers before the ingest")
        api_spec = OPEN_DATA.functions[0]
        self.ingest = IngestConstruct(
            self,
            "Ingest",
            api_spec=api_spec,
            registry=self.registry,
            layers=layers.all,
            stage=config.stage,
            log_retention=logs.RetentionDays.ONE_YEAR if config.stage == "prod" else logs.RetentionDays.THREE_MONTHS,
            extra_environment=self.extra_environment(api_spec.service),
            name_prefix=f"{PROJECT}-{config.stage}",
        )

    def extra_environment(self, service: str) -> dict[str, str]:
        # The token page's access tokens come from gBizID: its issuer is configuration (the Identity stack is
        # deployed after this one, so it cannot be a reference).
        if service == "hojin_search" and self.config.issuer_url:
            return {"OIDC_ISSUER": self.config.issuer_url}
        return {}


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
        super().__init__(
            scope,
            construct_id,
            peers=peers,
            spec=ministry(name),
            config=config,
            ministry=name,
            description=f"Corporate platform: subsidies and applications of ministry {name}",
        )
