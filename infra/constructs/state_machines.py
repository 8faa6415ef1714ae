"""Step Functions state machines from StateMachineSpec: the shared ASL file, its substitutions resolved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.registry import ResourceRegistry
from infra.nag import acknowledge
from infra.resource_specs import STATE_MACHINE_DIR, ResourceRef, StateMachineSpec

# Optimized integration and AWS SDK integration of DynamoDB; both call the API action of the same name.
_DYNAMODB_TASKS = ("arn:aws:states:::dynamodb:", "arn:aws:states:::aws-sdk:dynamodb:")
# Lambda invocations (request-response and .waitForTaskToken)
_LAMBDA_TASK = "arn:aws:states:::lambda:invoke"


class UnsupportedIntegration(ValueError):
    """A state machine task uses a service integration the construct cannot grant least privilege for."""


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        yield state
        for branch in state.get("Branches", ()):
            yield from _states(branch)
        for nested in ("Iterator", "ItemProcessor"):
            if nested in state:
                yield from _states(state[nested])


def invokes_lambda(definition: dict[str, Any]) -> bool:
    """Whether a task invokes a Lambda function (granted on the functions the substitutions name)."""
    return any(
        state.get("Type") == "Task" and str(state.get("Resource", "")).startswith(_LAMBDA_TASK)
        for state in _states(definition)
    )


def dynamodb_actions(definition: dict[str, Any]) -> tuple[str, ...]:
    """The IAM actions the definition's DynamoDB service integrations need (``updateItem`` → UpdateItem)."""
    actions: set[str] = set()
    for state in _states(definition):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str) or resource.startswith(_LAMBDA_TASK):
            continue
        prefix = next((p for p in _DYNAMODB_TASKS if resource.startswith(p)), None)
        if prefix is None:
            raise UnsupportedIntegration(
                f"task resource {resource!r}: only DynamoDB and Lambda invoke integrations are granted; "
                "extend infra/constructs/state_machines.py for another integration"
            )
        operation = resource.removeprefix(prefix).split(".")[0]
        actions.add("dynamodb:" + operation[:1].upper() + operation[1:])
    return tuple(sorted(actions))


class StateMachineConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: StateMachineSpec,
        registry: ResourceRegistry,
        log_retention: logs.RetentionDays,
    ):
        super().__init__(scope, construct_id)
        text = (STATE_MACHINE_DIR / spec.definition_file).read_text("utf-8")
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.RETAIN)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment=spec.definition().get("Comment"),
            definition_body=sfn.DefinitionBody.from_string(text),
            definition_substitutions={name: registry.resolve(ref) for name, ref in spec.substitutions.items()},
            state_machine_type=sfn.StateMachineType.STANDARD,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        # Item-level actions on the referenced tables only (Table.grant would add their indexes too).
        actions = dynamodb_actions(spec.definition())
        tables = sorted({ref.id for ref in spec.substitutions.values() if ref.kind == "table"})
        if actions and tables:
            self.state_machine.add_to_role_policy(
                iam.PolicyStatement(
                    actions=list(actions),
                    resources=[registry.tables[table_id].table_arn for table_id in tables],
                )
            )
        functions = sorted({ref.id for ref in spec.substitutions.values() if ref.kind == "function"})
        if functions and invokes_lambda(spec.definition()):
            self.state_machine.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"],
                    resources=[registry.resolve(ResourceRef("function", f, "arn")) for f in functions],
                )
            )
        policy = self.state_machine.role.node.try_find_child("DefaultPolicy")
        acknowledge(
            policy or self.state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs vended delivery (logs:*LogDelivery*, DescribeResourcePolicies) and X-Ray "
            "(PutTraceSegments, GetSamplingRules) support no resource-level permissions; every other action "
            "is scoped to its table.",
        )
