"""gBizID notices and the review workflow under injected faults (tests/faults.py): a notice SES or SNS refused
waits in the outbox and the schedule sends it; a review step that keeps failing ends in a visible state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from functions.auth.notice_outbox import NOTICE_INDEX_PK
from functions.auth.notify import notify_email, notify_sms, retry_kept_notices
from platform_common import aws
from tests.faults import SES_THROTTLING, SNS_INTERNAL_ERROR, inject
from tests.integration import test_auth_notify_send as notify_tests
from tests.integration.test_auth_notify_send import _mails_to, _sms_to

sender = notify_tests.sender  # the fixture that verifies the SES sender

ASL = Path(__file__).parents[2] / "infra" / "state_machines" / "application_review.asl.json"


def _kept(aws_platform: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.client("dynamodb").query(
        TableName=aws_platform["identity"].name("table", "accounts"),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": NOTICE_INDEX_PK}},
    )["Items"]
    return found


def test_a_notice_ses_refuses_is_kept_and_the_scheduled_run_sends_it(aws_platform: dict[str, Any], sender: str):
    to = "fault-notice@applicant.example.jp"
    with inject("ses", "SendEmail", SES_THROTTLING) as fault:
        notify_email(to, "password_changed", "ja")  # the password change itself goes on: nothing is raised
    assert fault.attempts == 4
    assert _mails_to(to) == []  # a throttle is retried with backoff first
    assert [item["to"]["S"] for item in _kept(aws_platform)].count(to) == 1

    report = retry_kept_notices()

    assert report["sent"] >= 1
    assert len(_mails_to(to)) == 1
    assert all(item["to"]["S"] != to for item in _kept(aws_platform))


def test_an_sms_notice_sns_refuses_is_kept_until_sns_answers(aws_platform: dict[str, Any]):
    phone = "+819011112222"
    with inject("sns", "Publish", SNS_INTERNAL_ERROR):
        notify_sms(phone, "factor_added", "en", factor="SMS")
        assert retry_kept_notices()["waiting"] >= 1  # still down: it stays
    assert retry_kept_notices()["sent"] >= 1
    assert _sms_to(phone) == ["gBizID: second factor SMS added"]


def test_a_one_time_code_is_never_kept(aws_platform: dict[str, Any], sender: str):
    to = "fault-code@applicant.example.jp"
    with inject("ses", "SendEmail", SES_THROTTLING):
        notify_email(to, "email_otp", "ja", code="123456")
    assert all(item["to"]["S"] != to for item in _kept(aws_platform))


def test_every_lambda_task_of_the_review_is_retried_and_then_caught_into_a_visible_failure():
    states = json.loads(ASL.read_text(encoding="utf-8"))["States"]
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task" and name != "ReviewFailed"}
    assert tasks
    for name, state in tasks.items():
        retried = {error for rule in state.get("Retry", []) for error in rule["ErrorEquals"]}
        assert "Lambda.ServiceException" in retried, name
        assert all(rule["BackoffRate"] >= 2 for rule in state["Retry"]), name
        last = state["Catch"][-1]
        assert (last["ErrorEquals"], last["Next"], last["ResultPath"]) == (["States.ALL"], "ReviewFailed", "$.failure")
    failed = states["ReviewFailed"]
    assert failed["Parameters"]["Payload"]["step"] == "review_failed"
    assert states[failed["Next"]]["Type"] == "Fail"


def test_the_failure_step_records_the_failure_on_the_application(aws_platform: dict[str, Any]):
    from functions.submit.applications.model import Application
    from functions.submit.review.workflow import loaded, run_step
    from tests.integration.test_submit_applications import put_subsidy

    table = aws_platform["meti"].name("table", "applications")
    subsidy = put_subsidy(aws_platform)
    item = {
        "pk": {"S": "APP#fault-review"}, "sk": {"S": "APP"}, "application_id": {"S": "fault-review"},
        "subsidy_id": {"S": subsidy}, "corporate_number": {"S": "1010001000006"}, "status": {"S": "SUBMITTED"},
        "version": {"N": "2"}, "form": {"S": "{}"}, "created_at": {"S": "2026-01-01T00:00:00Z"},
        "updated_at": {"S": "2026-01-01T00:00:00Z"}, "submission_count": {"N": "1"}, "applicant_sub": {"S": "fault"},
    }  # fmt: skip
    aws.client("dynamodb").put_item(TableName=table, Item=item)

    cause = "ProvisionedThroughputExceededException"
    run_step({"step": "review_failed", "application_id": "fault-review", "submission": 1,
              "error": "States.TaskFailed", "cause": cause, "execution": "x"})  # fmt: skip

    stored = aws.client("dynamodb").get_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]
    failure = loaded(Application.from_item(stored), "review_failure")
    assert failure["error"] == "States.TaskFailed"
    assert failure["status"] == "SUBMITTED"


def _application(aws_platform: dict[str, Any], app_id: str, status: str, submission_count: int) -> dict[str, Any]:
    from tests.integration.test_submit_applications import put_subsidy

    item = {
        "pk": {"S": f"APP#{app_id}"}, "sk": {"S": "APP"}, "application_id": {"S": app_id},
        "subsidy_id": {"S": put_subsidy(aws_platform)}, "corporate_number": {"S": "1010001000006"},
        "status": {"S": status}, "version": {"N": "3"}, "form": {"S": "{}"},
        "created_at": {"S": "2026-01-01T00:00:00Z"}, "updated_at": {"S": "2026-01-01T00:00:00Z"},
        "submission_count": {"N": str(submission_count)}, "applicant_sub": {"S": "fault"},
    }  # fmt: skip
    aws.client("dynamodb").put_item(TableName=aws_platform["meti"].name("table", "applications"), Item=item)
    return item


def _stored(aws_platform: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    table = aws_platform["meti"].name("table", "applications")
    key = {"pk": item["pk"], "sk": item["sk"]}
    return aws.client("dynamodb").get_item(TableName=table, Key=key)["Item"]  # type: ignore[no-any-return]


def _review_failed(app_id: str, submission: int) -> dict[str, Any]:
    """The state machine's ReviewFailed task, as it invokes the function after a step's last retry."""
    from functions.submit.review.workflow import run_step

    event = {"step": "review_failed", "application_id": app_id, "submission": submission,
             "error": "States.TaskFailed", "cause": "throttled", "execution": "x"}  # fmt: skip
    return run_step(event)


def test_a_failure_of_a_withdrawn_application_review_is_logged_and_the_application_left_as_it_is(
    aws_platform: dict[str, Any],
):
    item = _application(aws_platform, "fault-review-withdrawn", "WITHDRAWN", 1)

    result = _review_failed("fault-review-withdrawn", submission=1)

    assert result == {"recorded": False}
    assert _stored(aws_platform, item) == item


def test_a_failure_of_an_earlier_submission_review_is_not_shown_on_the_resubmitted_application(
    aws_platform: dict[str, Any],
):
    from functions.submit.applications.model import Application
    from functions.submit.review.workflow import current_failure

    item = _application(aws_platform, "fault-review-earlier", "UNDER_REVIEW", 2)

    result = _review_failed("fault-review-earlier", submission=1)

    assert result == {"recorded": False}
    assert _stored(aws_platform, item) == item
    # one recorded for submission 1 before the application was returned and submitted again is history
    old = {"error": "States.TaskFailed", "submission": "1", "status": "UNDER_REVIEW", "at": "2026-01-01T00:00:00Z"}
    returned_and_resubmitted = Application.from_item({**item, "review_failure": {"S": json.dumps(old)}})
    assert current_failure(returned_and_resubmitted) is None
    assert current_failure(Application.from_item({**item, "submission_count": {"N": "1"},
                                                  "review_failure": {"S": json.dumps(old)}})) == old  # fmt: skip


def test_a_withdrawal_between_reading_and_recording_a_failure_leaves_the_application_as_it_is(
    aws_platform: dict[str, Any], monkeypatch: Any
):
    from functions.submit.applications.model import Application
    from functions.submit.applications.store import ApplicationStore

    item = _application(aws_platform, "fault-review-race", "WITHDRAWN", 1)
    as_read = Application.from_item({**item, "status": {"S": "UNDER_REVIEW"}})  # before the applicant withdrew
    monkeypatch.setattr(ApplicationStore, "get", lambda self, app_id: as_read)

    result = _review_failed("fault-review-race", submission=1)

    assert result == {"recorded": False}
    assert _stored(aws_platform, item) == item
