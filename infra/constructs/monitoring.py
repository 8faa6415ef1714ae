"""A stack's alarms, its alarm topic and its dashboard, found from what the stack holds.

Every function built by ``ServiceFunctionConstruct`` (from a FunctionSpec), every API, table, state machine
and queue of the stack gets its alarms here, so a new function or table declared in ``resource_specs`` is
watched without another line of code. Custom metrics a function declares in ``FunctionSpec.publishes``
(EMF, ``platform_common.observability.emit_metric``) get theirs too.

Each alarm is named ``<project>-<stage>-<scope>-<kind>-<resource>`` and its description points to the
section ``<kind>`` of the runbook (docs/operators/runbook.md); a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.config import PROJECT
from infra.constructs.service_api import ServiceApiConstruct
from infra.constructs.service_function import METRICS_NAMESPACE, ServiceFunctionConstruct
from infra.constructs.state_machines import StateMachineConstruct
from infra.constructs.storage import TablesConstruct
from infra.resource_specs import CustomMetric

RUNBOOK: Final = "docs/operators/runbook.md"
FIVE_MINUTES: Final = Duration.minutes(5)
ONE_HOUR: Final = Duration.hours(1)
DURATION_SHARE_OF_TIMEOUT: Final = 0.8  # p99 at 80 % of the timeout: the next slow dependency times out
API_P99_LATENCY_MS: Final = 5000  # a person waiting five seconds for a page or an answer
API_5XX_RATE: Final = 0.01  # 1 % of requests answered with a server error
# Operations whose DynamoDB SystemErrors are summed: those the functions and state machines call. An alarm's
# metric math may hold at most 10 metrics.
TABLE_OPERATIONS: Final = (
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.SCAN,
    dynamodb.Operation.BATCH_WRITE_ITEM,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
    dynamodb.Operation.TRANSACT_GET_ITEMS,
)


@dataclass(frozen=True)
class AlarmKind:
    id: str  # the runbook's section anchor
    title: str


ALARM_KINDS: Final = {
    kind.id: kind
    for kind in (
        AlarmKind("function-errors", "Lambda function errors"),
        AlarmKind("function-throttles", "Lambda function throttles"),
        AlarmKind("function-duration", "Lambda function p99 duration near its timeout"),
        AlarmKind("api-5xx", "API server errors (5xx rate)"),
        AlarmKind("api-latency", "API p99 latency"),
        AlarmKind("table-throttles", "DynamoDB throttled requests"),
        AlarmKind("table-system-errors", "DynamoDB system errors"),
        AlarmKind("state-machine-failed", "Step Functions executions failed"),
        AlarmKind("state-machine-timed-out", "Step Functions executions timed out"),
        AlarmKind("dead-letters", "Messages in a dead-letter queue"),
        AlarmKind("review-backlog", "Reviews past their due time"),
        AlarmKind("failed-notifications", "Notifications left for a retry"),
    )
}
# The alarm of each custom metric a FunctionSpec may publish.
CUSTOM_METRIC_ALARMS: Final[dict[CustomMetric, str]] = {
    "NotificationsFailed": "failed-notifications",
    "ReviewsOverdue": "review-backlog",
}


def _label(node: IConstruct, *, drop: str) -> str:
    """A short readable name of a construct: its path in the stack without the construct kind."""
    parts = node.node.path.split("/")[1:]
    if parts and parts[-1] == drop:
        parts = parts[:-1]
    return "-".join(part.removeprefix(f"{drop}-") for part in parts).lower()


def custom_metric(
    name: CustomMetric, *, service: str, scope: str, statistic: str, period: Duration
) -> cloudwatch.Metric:
    """The metric ``emit_metric(name, service=..., scope=...)`` publishes (same namespace and dimensions)."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service, "scope": scope},
        statistic=statistic,
        period=period,
    )


class MonitoringConstruct(Construct):
    """The alarm topic, one alarm per watched metric, and the stack's dashboard."""

    def __init__(self, scope: Construct, construct_id: str, *, scope_name: str, stage: str, data_key: kms.Key):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.prefix = f"{PROJECT}-{stage}-{scope_name}"
        # CloudWatch publishes to the encrypted topic with the stack's data key, for alarms of this account only.
        data_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy: this key
            )
        )
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name=f"{self.prefix} alarms", master_key=data_key, enforce_ssl=True
        )
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self.alarms: list[cloudwatch.Alarm] = []
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=self.prefix, default_interval=Duration.hours(24)
        )
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=f"# {self.prefix}\nAlarms go to topic `{self.prefix} alarms`; each links to its section of "
                f"`{RUNBOOK}`.",
                width=24,
                height=2,
            )
        )
        nodes = stack.node.find_all()
        for node in nodes:
            if isinstance(node, ServiceFunctionConstruct):
                self._watch_function(node)
        for node in nodes:
            if isinstance(node, ServiceApiConstruct):
                self._watch_api(node)
        for node in nodes:
            if isinstance(node, TablesConstruct):
                for table_id, table in node.tables.items():
                    self._watch_table(table_id, table)
        for node in nodes:
            if isinstance(node, StateMachineConstruct):
                self._watch_state_machine(node)
        for node in nodes:
            if isinstance(node, sqs.Queue):
                self._watch_queue(node)
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24, height=6)
        )

    # -- alarms ------------------------------------------------------------------------------------------------

    def _alarm(
        self,
        kind: str,
        resource: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        evaluation_periods: int = 1,
        datapoints: int | None = None,
        what: str,
    ) -> cloudwatch.Alarm:
        title = ALARM_KINDS[kind].title
        alarm = cloudwatch.Alarm(
            self,
            f"{kind}-{resource}",
            alarm_name=f"{self.prefix}-{kind}-{resource}",
            alarm_description=f"{title}: {what}. Runbook: {RUNBOOK}#{kind}",
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints or evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def _watch_function(self, node: ServiceFunctionConstruct) -> None:
        function, spec = node.function, node.spec
        name = _label(node, drop="Function")
        errors = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
        throttles = function.metric_throttles(period=FIVE_MINUTES, statistic="Sum")
        duration = function.metric_duration(period=FIVE_MINUTES, statistic="p99")
        limit_ms = spec.timeout_seconds * 1000 * DURATION_SHARE_OF_TIMEOUT
        self._alarm("function-errors", name, errors, threshold=0, what=f"function {name} raised or timed out")
        self._alarm("function-throttles", name, throttles, threshold=0, what=f"invocations of {name} refused")
        self._alarm(
            "function-duration",
            name,
            duration,
            threshold=limit_ms,
            evaluation_periods=3,
            datapoints=2,
            what=f"p99 duration of {name} above {limit_ms:.0f} ms of a {spec.timeout_seconds} s timeout",
        )
        widgets: list[cloudwatch.IWidget] = [
            cloudwatch.GraphWidget(title=f"{name}: errors and throttles", left=[errors, throttles], width=8),
            cloudwatch.GraphWidget(
                title=f"{name}: p99 duration (ms)",
                left=[duration],
                left_annotations=[cloudwatch.HorizontalAnnotation(value=limit_ms, label="alarm")],
                width=8,
            ),
        ]
        custom: list[cloudwatch.IMetric] = []
        for metric_name in spec.publishes:
            kind = CUSTOM_METRIC_ALARMS[metric_name]
            if kind == "review-backlog":  # a gauge, published by the hourly run
                metric = custom_metric(
                    metric_name, service=spec.service, scope=node.scope_name, statistic="Maximum", period=ONE_HOUR
                )
                self._alarm(
                    kind,
                    spec.service,
                    metric,
                    threshold=0,
                    evaluation_periods=2,
                    what="applications under review past their due time at two hourly runs in a row",
                )
            else:  # a count of sends that failed and were left for a retry
                metric = custom_metric(
                    metric_name, service=spec.service, scope=node.scope_name, statistic="Sum", period=ONE_HOUR
                )
                self._alarm(
                    kind,
                    spec.service,
                    metric,
                    threshold=0,
                    what=f"mail or SMS of {spec.service} not sent in the last hour (left for a retry)",
                )
            custom.append(metric)
        if custom:
            widgets.append(
                cloudwatch.GraphWidget(title=f"{name}: review backlog, failed notifications", left=custom, width=8)
            )
        self.dashboard.add_widgets(*widgets)

    def _watch_api(self, node: ServiceApiConstruct) -> None:
        stage = node.api.deployment_stage
        name = _label(node, drop="Api")
        server_errors = stage.metric_server_error(period=FIVE_MINUTES, statistic="Average")
        latency = stage.metric_latency(period=FIVE_MINUTES, statistic="p99")
        count = stage.metric_count(period=FIVE_MINUTES, statistic="Sum")
        self._alarm(
            "api-5xx",
            name,
            server_errors,
            threshold=API_5XX_RATE,
            evaluation_periods=3,
            datapoints=2,
            what=f"more than {API_5XX_RATE:.0%} of the requests to the {name} API answered 5xx",
        )
        self._alarm(
            "api-latency",
            name,
            latency,
            threshold=API_P99_LATENCY_MS,
            evaluation_periods=3,
            datapoints=2,
            what=f"p99 latency of the {name} API above {API_P99_LATENCY_MS} ms",
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title=f"API {name}: requests", left=[count], width=8),
            cloudwatch.GraphWidget(title=f"API {name}: 5xx rate", left=[server_errors], width=8),
            cloudwatch.GraphWidget(title=f"API {name}: p99 latency (ms)", left=[latency], width=8),
        )

    def _watch_table(self, table_id: str, table: dynamodb.Table) -> None:
        reads = table.metric("ReadThrottleEvents", period=FIVE_MINUTES, statistic="Sum")
        writes = table.metric("WriteThrottleEvents", period=FIVE_MINUTES, statistic="Sum")
        throttled = cloudwatch.MathExpression(
            expression="FILL(r, 0) + FILL(w, 0)",
            using_metrics={"r": reads, "w": writes},
            label=f"{table_id}: throttle events",
            period=FIVE_MINUTES,
        )
        system_errors = table.metric_system_errors_for_operations(
            operations=list(TABLE_OPERATIONS), period=FIVE_MINUTES
        )
        self._alarm("table-throttles", table_id, throttled, threshold=0, what=f"requests to table {table_id} throttled")
        self._alarm(
            "table-system-errors", table_id, system_errors, threshold=0, what=f"DynamoDB failed requests to {table_id}"
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"Table {table_id}: throttles, system errors", left=[throttled, system_errors], width=8
            )
        )

    def _watch_state_machine(self, node: StateMachineConstruct) -> None:
        machine = node.state_machine
        name = _label(node, drop="StateMachine")
        failed = machine.metric_failed(period=FIVE_MINUTES, statistic="Sum")
        timed_out = machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum")
        self._alarm("state-machine-failed", name, failed, threshold=0, what=f"executions of {name} failed")
        self._alarm("state-machine-timed-out", name, timed_out, threshold=0, what=f"executions of {name} timed out")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"Workflow {name}: started, failed, timed out",
                left=[machine.metric_started(period=FIVE_MINUTES, statistic="Sum"), failed, timed_out],
                width=8,
            )
        )

    def _watch_queue(self, queue: sqs.Queue) -> None:
        name = _label(queue, drop="Queue")
        depth = queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum")
        self._alarm("dead-letters", name, depth, threshold=0, what=f"messages waiting in queue {name}")
        self.dashboard.add_widgets(cloudwatch.GraphWidget(title=f"Queue {name}: messages", left=[depth], width=8))
