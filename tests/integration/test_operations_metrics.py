"""The custom metrics the stacks alarm on (infra/constructs/monitoring.py): the review backlog of the hourly
run and a notification left for a retry, each published as an EMF line with the alarm's namespace and
dimensions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.constructs.service_function import METRICS_NAMESPACE as INFRA_NAMESPACE
from infra.resource_specs import ministry
from platform_common.observability import METRICS_NAMESPACE, emit_metric


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value  # EMF allows either form


def _emf(output: str) -> list[dict[str, Any]]:
    """The EMF documents among the output lines, as {metric: value, dimension: value, "namespace": ...}."""
    found = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        document = json.loads(line)
        if "_aws" not in document:
            continue
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        names = [m["Name"] for m in directive["Metrics"]]
        (dimensions,) = directive["Dimensions"]
        found.append(
            {"namespace": directive["Namespace"], **{n: _single(document[n]) for n in names}}
            | {"dimensions": {d: document[d] for d in dimensions}}
        )
    return found


def test_the_functions_publish_in_the_namespace_and_under_the_names_the_stacks_alarm_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert METRICS_NAMESPACE == INFRA_NAMESPACE
    assert set(ministry("meti").functions[0].publishes) == {"NotificationsFailed", "ReviewsOverdue"}

    emit_metric("NotificationsFailed", service="submit", scope="meti")

    (metric,) = _emf(capsys.readouterr().out)
    assert metric == {
        "namespace": "CorporatePlatform",
        "NotificationsFailed": 1.0,
        "dimensions": {"service": "submit", "scope": "meti"},
    }


def _assignment(table: str, reviewer: str, status: str, due: datetime, n: int) -> None:
    from platform_common import aws

    aws.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": "QUEUE#backlog-subsidy"},
            "sk": {"S": f"{status}#{reviewer}#{n}"},
            "gsi1pk": {"S": f"REVIEWER#{reviewer}"},
            "gsi1sk": {"S": f"{status}#{due.isoformat(timespec='seconds')}"},
            "status": {"S": status},
        },
    )


def test_given_overdue_reviews_when_the_hourly_run_counts_them_then_the_backlog_metric_says_how_many(
    aws_platform: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from functions.submit.review.assignment import overdue_assignments
    from functions.submit.schedule import _review_backlog
    from functions.submit.settings import get_settings
    from platform_common import aws

    table = aws_platform["meti"].name("table", "applications")
    reviewer = "reviewer-backlog-metric"
    aws.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": f"STAFF#{reviewer}"},
            "sk": {"S": "STAFF"},
            "gsi1pk": {"S": "STAFF"},
            "gsi1sk": {"S": f"reviewer#{reviewer}"},
            "role": {"S": "reviewer"},
            "name": {"S": "審査 担当"},
        },
    )
    now = datetime.now(UTC)
    _assignment(table, reviewer, "UNDER_REVIEW", now - timedelta(days=2), 1)  # overdue
    _assignment(table, reviewer, "UNDER_REVIEW", now - timedelta(minutes=1), 2)  # overdue
    _assignment(table, reviewer, "UNDER_REVIEW", now + timedelta(days=1), 3)  # not yet due
    _assignment(table, reviewer, "APPROVED", now - timedelta(days=3), 4)  # decided
    capsys.readouterr()

    assert overdue_assignments(table, reviewer, now) == 2
    report = _review_backlog(now)

    assert report["overdue"] >= 2
    (metric,) = [m for m in _emf(capsys.readouterr().out) if "ReviewsOverdue" in m]
    assert metric["ReviewsOverdue"] == report["overdue"]
    assert metric["dimensions"] == {"service": "submit", "scope": get_settings().ministry}


def test_given_ses_refuses_when_a_mail_is_sent_from_the_outbox_then_it_stays_and_the_failure_is_counted(
    aws_platform: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.submit.outbox import Mail, send_from_outbox
    from functions.submit.settings import get_settings
    from platform_common import aws

    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")

    monkeypatch.setattr(aws.client("ses"), "send_email", refuse)
    table = aws_platform["meti"].name("table", "applications")
    mail = Mail(to="applicant@example.jp", subject="受付", body="受け付けました。", purpose="receipt")
    aws.client("dynamodb").put_item(TableName=table, Item=mail.to_item())
    capsys.readouterr()

    assert send_from_outbox(table, get_settings().mail_from, mail) is False

    (metric,) = [m for m in _emf(capsys.readouterr().out) if "NotificationsFailed" in m]
    assert metric["dimensions"] == {"service": "submit", "scope": get_settings().ministry}
    assert "Item" in aws.client("dynamodb").get_item(TableName=table, Key=mail.key())
    aws.client("dynamodb").delete_item(TableName=table, Key=mail.key())
