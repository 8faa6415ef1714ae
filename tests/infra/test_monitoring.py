"""Alarms, alarm topic and dashboard of every stack; backups (PITR, versioning) of every table and bucket."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from infra.app import stack_name
from infra.constructs.monitoring import ALARM_KINDS, CUSTOM_METRIC_ALARMS, RUNBOOK
from infra.constructs.service_function import METRICS_NAMESPACE
from infra.paths import REPO_ROOT
from infra.resource_specs import EXCHANGE, IDENTITY, OPEN_DATA, StackSpec, ministry
from tests.infra.conftest import MINISTRIES, Synthesized

STACKS: tuple[tuple[str, StackSpec], ...] = (
    (stack_name("OpenData"), OPEN_DATA),
    (stack_name("Identity"), IDENTITY),
    (stack_name("Exchange"), EXCHANGE),
    *((stack_name("Ministry", name), ministry(name)) for name in MINISTRIES),
)
_RUNBOOK_LINK = re.compile(re.escape(RUNBOOK) + r"#([a-z0-9-]+)")


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == kind}


def _referenced(value: Any) -> Iterator[str]:
    """Logical ids (Ref, Fn::GetAtt) and literal dimension values anywhere in an alarm's properties."""
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        if isinstance(value.get("Fn::GetAtt"), list):
            yield value["Fn::GetAtt"][0]
        if set(value) == {"Name", "Value"} and isinstance(value["Value"], str):
            yield value["Value"]
        for item in value.values():
            yield from _referenced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced(item)


def _watched(template: dict[str, Any]) -> dict[str, set[str]]:
    """Alarm kinds (runbook sections) by what they watch."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for alarm in _resources(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        match = _RUNBOOK_LINK.search(props["AlarmDescription"])
        assert match, props["AlarmName"]
        watched = {k: v for k, v in props.items() if k in ("Dimensions", "Metrics")}
        for reference in _referenced(watched):
            kinds[reference].add(match.group(1))
    return kinds


@pytest.mark.parametrize(("name", "spec"), STACKS, ids=[name for name, _ in STACKS])
def test_every_function_table_api_workflow_and_queue_has_its_alarms(
    synthesized: Synthesized, name: str, spec: StackSpec
) -> None:
    template = synthesized.raw(name)
    watched = _watched(template)
    functions = {
        key: value
        for key, value in _resources(template, "AWS::Lambda::Function").items()
        if "POWERTOOLS_SERVICE_NAME" in value["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert len(functions) >= len(spec.functions)
    for logical_id in functions:
        assert {"function-errors", "function-throttles", "function-duration"} <= watched[logical_id], logical_id
    tables = _resources(template, "AWS::DynamoDB::Table")
    assert len(tables) == len(spec.tables)
    for logical_id in tables:
        assert {"table-throttles", "table-system-errors"} <= watched[logical_id], logical_id
    machines = _resources(template, "AWS::StepFunctions::StateMachine")
    assert len(machines) == len(spec.state_machines)
    for logical_id in machines:
        assert {"state-machine-failed", "state-machine-timed-out"} <= watched[logical_id], logical_id
    apis = _resources(template, "AWS::ApiGateway::RestApi")
    assert len(apis) == len(spec.functions)
    for api in apis.values():
        assert {"api-5xx", "api-latency"} <= watched[api["Properties"]["Name"]], api["Properties"]["Name"]
    for logical_id in _resources(template, "AWS::SQS::Queue"):
        assert "dead-letters" in watched[logical_id], logical_id


@pytest.mark.parametrize(("name", "spec"), STACKS, ids=[name for name, _ in STACKS])
def test_custom_metrics_are_alarmed_with_the_dimensions_the_functions_publish(
    synthesized: Synthesized, name: str, spec: StackSpec
) -> None:
    alarms = _resources(synthesized.raw(name), "AWS::CloudWatch::Alarm").values()
    custom = {
        (a["Properties"]["MetricName"], json.dumps(a["Properties"]["Dimensions"], sort_keys=True))
        for a in alarms
        if a["Properties"].get("Namespace") == METRICS_NAMESPACE
    }
    expected = {
        (
            metric,
            json.dumps(
                [{"Name": "scope", "Value": spec.scope}, {"Name": "service", "Value": function.service}], sort_keys=True
            ),
        )
        for function in spec.functions
        for metric in function.publishes
    }
    assert custom == expected
    kinds = {_RUNBOOK_LINK.search(a["Properties"]["AlarmDescription"]).group(1) for a in alarms}  # type: ignore[union-attr]
    for function in spec.functions:
        assert {CUSTOM_METRIC_ALARMS[metric] for metric in function.publishes} <= kinds


def test_ministries_alarm_on_review_backlog_and_identity_on_failed_notifications(synthesized: Synthesized) -> None:
    meti = {
        a["Properties"]["AlarmName"]
        for a in _resources(synthesized.raw(stack_name("Ministry", "meti")), "AWS::CloudWatch::Alarm").values()
    }
    identity = {
        a["Properties"]["AlarmName"]
        for a in _resources(synthesized.raw(stack_name("Identity")), "AWS::CloudWatch::Alarm").values()
    }
    assert "CorpPlatform-dev-meti-review-backlog-submit" in meti
    assert "CorpPlatform-dev-meti-failed-notifications-submit" in meti
    assert "CorpPlatform-dev-identity-failed-notifications-auth" in identity


@pytest.mark.parametrize(("name", "spec"), STACKS, ids=[name for name, _ in STACKS])
def test_alarms_notify_an_encrypted_tls_only_topic_and_the_dashboard_shows_them(
    synthesized: Synthesized, name: str, spec: StackSpec
) -> None:
    template = synthesized.raw(name)
    topics = {
        key: value
        for key, value in _resources(template, "AWS::SNS::Topic").items()
        if key.startswith("MonitoringAlarmTopic")
    }
    assert len(topics) == 1
    ((topic_id, topic),) = topics.items()
    assert "KmsMasterKeyId" in topic["Properties"]
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in _resources(template, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in p["Properties"]["Topics"]
    ]
    statements = [s for group in policies for s in group]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    assert alarms
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": topic_id}], props["AlarmName"]
        assert props["OKActions"] == [{"Ref": topic_id}], props["AlarmName"]
        assert props["TreatMissingData"] == "notBreaching"
    # CloudWatch may use the data key that encrypts the topic.
    key_statements = [
        s
        for key in _resources(template, "AWS::KMS::Key").values()
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert key_statements
    assert set(key_statements[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    dashboards = _resources(template, "AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    body = json.dumps(next(iter(dashboards.values()))["Properties"]["DashboardBody"])
    for logical_id in alarms:  # the alarm status widget lists every alarm (by its ARN)
        assert logical_id in body, logical_id


def test_every_alarm_has_a_runbook_section(synthesized: Synthesized) -> None:
    runbook = (REPO_ROOT / RUNBOOK).read_text("utf-8")
    sections = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', runbook))
    assert set(ALARM_KINDS) <= sections
    for name, _ in STACKS:
        for alarm in _resources(synthesized.raw(name), "AWS::CloudWatch::Alarm").values():
            match = _RUNBOOK_LINK.search(alarm["Properties"]["AlarmDescription"])
            assert match, alarm["Properties"]["AlarmName"]
            assert match.group(1) in sections, alarm["Properties"]["AlarmName"]


@pytest.mark.parametrize(("name", "spec"), STACKS, ids=[name for name, _ in STACKS])
def test_every_table_has_point_in_time_recovery_and_every_bucket_versioning(
    synthesized: Synthesized, name: str, spec: StackSpec
) -> None:
    template = synthesized.raw(name)
    for logical_id, table in _resources(template, "AWS::DynamoDB::Table").items():
        recovery = table["Properties"].get("PointInTimeRecoverySpecification", {})
        assert recovery.get("PointInTimeRecoveryEnabled") is True, logical_id
        assert table.get("DeletionPolicy") == "Retain", logical_id
    for logical_id, bucket in _resources(template, "AWS::S3::Bucket").items():
        assert bucket["Properties"].get("VersioningConfiguration") == {"Status": "Enabled"}, logical_id
