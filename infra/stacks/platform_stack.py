"""The wiring every platform stack shares: a StackSpec in, constructs, tags and outputs out."""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Stack, Tags
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import PROJECT, PlatformConfig
from infra.constructs.keys import KeysConstruct
from infra.constructs.layers import LayersConstruct
from infra.constructs.monitoring import MonitoringConstruct
from infra.constructs.registry import ResourceRegistry
from infra.constructs.secrets import SecretsConstruct
from infra.constructs.service_api import ServiceApiConstruct
from infra.constructs.service_function import ServiceFunctionConstruct
from infra.constructs.state_machines import StateMachineConstruct
from infra.constructs.storage import BucketsConstruct, TablesConstruct
from infra.constructs.topics import TopicsConstruct
from infra.constructs.user_pool import UserPoolConstruct
from infra.resource_specs import FunctionSpec, StackSpec

CENTRAL = "central"


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


class PlatformStack(Stack):
    """Builds every resource of ``spec``; subclasses only add what one stack alone holds."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: StackSpec,
        config: PlatformConfig,
        ministry: str = CENTRAL,
        description: str,
        peers: dict[str, ResourceRegistry] | None = None,
    ):
        tags = {"Project": PROJECT, "Stage": config.stage, "Ministry": ministry}
        super().__init__(
            scope,
            construct_id,
            stack_name=construct_id,
            description=description,
            env=Environment(account=config.account, region=config.region),
            tags=tags,  # stack tags: CloudFormation propagates them at deploy time
        )
        self.spec = spec
        self.config = config
        for key, value in tags.items():  # and on each taggable resource of the template itself
            Tags.of(self).add(key, value)

        production = config.stage == "prod"
        retention = logs.RetentionDays.ONE_YEAR if production else logs.RetentionDays.THREE_MONTHS
        registry = ResourceRegistry(scope=spec.scope, peers=dict(peers or {}))
        self.registry = registry

        keys = KeysConstruct(self, "Keys", scope_name=spec.scope, specs=spec.keys)
        self.data_key = keys.data_key
        registry.keys.update(keys.keys)
        registry.key_usages.update(keys.usages)
        tables = TablesConstruct(self, "Tables", specs=spec.tables, deletion_protection=production)
        registry.tables.update(tables.tables)
        registry.table_specs.update({t.id: t for t in spec.tables})
        buckets = BucketsConstruct(self, "Buckets", specs=spec.buckets, data_key=keys.data_key)
        registry.buckets.update(buckets.buckets)
        topics = TopicsConstruct(self, "Topics", specs=spec.topics, data_key=keys.data_key)
        registry.topics.update(topics.topics)
        if spec.secrets:
            secrets = SecretsConstruct(self, "Secrets", specs=spec.secrets, data_key=keys.data_key)
            registry.secrets.update(secrets.secrets)
        for pool_spec in spec.user_pools:
            pool = UserPoolConstruct(self, f"UserPool-{pool_spec.id}", spec=pool_spec, deletion_protection=production)
            registry.user_pools[pool_spec.id] = pool.user_pool
            registry.user_pool_clients.update(pool.clients)
        # fixed names for the functions state machines invoke (ResourceRef("function", service, "name"))
        prefix = f"{PROJECT}-{config.stage}-{spec.scope}"
        named = [f.service for f in spec.functions if f.entry == "handler"]
        registry.function_names.update({service: f"{prefix}-{service}" for service in named})
        for machine_spec in spec.state_machines:
            machine = StateMachineConstruct(
                self,
                f"StateMachine-{machine_spec.id}",
                spec=machine_spec,
                registry=registry,
                log_retention=retention,
            )
            registry.state_machines[machine_spec.id] = machine.state_machine

        self.apis: dict[str, ServiceApiConstruct] = {}
        self.functions: dict[str, ServiceFunctionConstruct] = {}
        if not spec.functions:
            return
        # Image functions carry their packages; the layers exist only where a zip function uses them.
        layers = LayersConstruct(self, "Layers").all if any(f.package == "zip" for f in spec.functions) else []
        for function_spec in spec.functions:
            service = function_spec.service
            function = ServiceFunctionConstruct(
                self,
                f"Function-{service}",
                spec=function_spec,
                registry=registry,
                layers=layers,
                stage=config.stage,
                log_retention=retention,
                extra_environment=self.extra_environment(service),
                function_name=registry.function_names.get(service) if function_spec.entry == "handler" else None,
            )
            api = ServiceApiConstruct(
                self,
                f"Api-{service}",
                service=service,
                function=function.function,
                api_name=f"{PROJECT}-{config.stage}-{spec.scope}-{service}",
                stage=config.stage,
                throttle=config.api_throttle,
                log_retention=retention,
                route_functions=self.route_functions(function_spec, layers, retention),
            )
            self.functions[service] = function
            self.apis[service] = api
            CfnOutput(
                self,
                f"{_pascal(service)}ApiUrl",
                value=api.url,
                description=f"Base URL of the {service} API ({spec.scope})",
            )

    def add_monitoring(self) -> MonitoringConstruct:
        """Alarms, alarm topic and dashboard over everything the stack holds: called once it is complete."""
        self.monitoring = MonitoringConstruct(
            self, "Monitoring", scope_name=self.spec.scope, stage=self.config.stage, data_key=self.data_key
        )
        return self.monitoring

    def extra_environment(self, service: str) -> dict[str, str]:
        """Settings a function takes from the app config rather than from a resource (none by default)."""
        return {}

    def route_functions(
        self, spec: FunctionSpec, layers: list[lambda_.ILayerVersion], log_retention: logs.RetentionDays
    ) -> dict[str, lambda_.IFunction]:
        """Paths of ``spec.service`` served by another function than the service's own (none by default)."""
        return {}
