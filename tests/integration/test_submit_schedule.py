"""The ministry's hourly run: the submit function answers EventBridge's scheduled event with its jobs."""

from __future__ import annotations

from typing import Any

SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-06-01T00:00:00Z",
    "region": "ap-northeast-1",
    "resources": ["arn:aws:events:ap-northeast-1:123456789012:rule/HourlyRun"],
    "detail": {},
}


def test_given_a_scheduled_event_when_the_function_runs_then_every_job_reports(
    aws_platform: dict[str, Any],
) -> None:
    from devstack.events import invoke
    from functions.submit.pending_audit import PendingAudit
    from functions.submit.schedule import audit_log
    from platform_common import aws

    table = aws_platform["meti"].name("table", "applications")
    pending = PendingAudit(
        kind="staff.added", actor_sub=None, subject_sub="bootstrap-test-sub", detail={"role": "operator"}
    )
    aws.client("dynamodb").put_item(TableName=table, Item=pending.to_item())  # as the CDK bootstrap writes it

    report = invoke("submit", dict(SCHEDULED_EVENT))

    assert set(report) == {"audit", "outbox", "saved_searches", "review_backlog"}  # the EBPM export: its own function
    assert not any(job.get("failed") for job in report.values())
    assert report["audit"]["appended"] >= 1
    assert [e.subject_sub for e in audit_log().find_entries(kinds=["staff.added"], limit=500)].count(
        "bootstrap-test-sub"
    ) == 1


def test_given_a_scheduled_event_when_the_ebpm_export_function_runs_then_the_export_exists(
    aws_platform: dict[str, Any],
) -> None:
    from devstack.events import LambdaContext
    from functions.submit.ebpm import EXPORT_KEY
    from functions.submit.ebpm_handler import lambda_handler
    from platform_common import aws

    report = lambda_handler(dict(SCHEDULED_EVENT), LambdaContext(function_name="devstack-submit-ebpm"))

    assert report["ebpm"]["key"] == EXPORT_KEY
    bucket = aws_platform["meti"].name("bucket", "analytics")
    assert aws.client("s3").head_object(Bucket=bucket, Key=EXPORT_KEY)["ContentLength"] > 0


def test_given_an_api_request_then_it_is_not_taken_for_a_scheduled_run(aws_platform: dict[str, Any]) -> None:
    from functions.submit.schedule import is_scheduled_event

    assert not is_scheduled_event({"source": "aws.events", "detail-type": "Object Created"})
    assert not is_scheduled_event({"httpMethod": "GET", "path": "/submit/health"})
