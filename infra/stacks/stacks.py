"""The four kinds of platform stack. Each names its StackSpec; PlatformStack wires the constructs."""

from __future__ import annotations

from constructs import Construct

from infra.config import PlatformConfig
from infra.constructs.api_account import ApiGatewayAccountConstruct
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, ministry
from infra.stacks.platform_stack import PlatformStack


class IdentityStack(PlatformStack):
    """gBizID: accounts, user pool, signing keys, notifications, audit archive; API Gateway account."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig):
        super().__init__(
            scope,
            construct_id,
            spec=IDENTITY,
            config=config,
            description="Corporate platform: gBizID common login (OpenID Provider, accounts, audit archive)",
        )
        # Every REST API of the platform (in this stack and the others) logs through this account setting.
        self.api_account = ApiGatewayAccountConstruct(self, "ApiGatewayAccount")
        for api in self.apis.values():
            api.api.deployment_stage.node.add_dependency(self.api_account.account)

    def extra_environment(self, service: str) -> dict[str, str]:
        if service == "auth" and self.config.issuer_url:
            return {"ISSUER_URL": self.config.issuer_url}
        return {}


class OpenDataStack(PlatformStack):
    """gBizINFO: corporate records, API tokens, open-data files."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig):
        super().__init__(
            scope,
            construct_id,
            spec=OPEN_DATA,
            config=config,
            description="Corporate platform: gBizINFO corporate open data",
        )


class ExchangeStack(PlatformStack):
    """Data exchange: member registry, signed message log, exchange signing key."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig):
        super().__init__(
            scope,
            construct_id,
            spec=EXCHANGE,
            config=config,
            description="Corporate platform: data exchange between government and private systems",
        )


class MinistryStack(PlatformStack):
    """One ministry's jGrants: subsidies, applications, attachments, review workflow."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, name: str):
        super().__init__(
            scope,
            construct_id,
            spec=ministry(name),
            config=config,
            ministry=name,
            description=f"Corporate platform: subsidies and applications of ministry {name}",
        )
