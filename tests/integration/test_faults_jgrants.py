"""jGrants under injected AWS faults (tests/faults.py): each path retries what is safe to retry, answers a clear
503 problem+json with Retry-After when the fault outlasts the retries, and leaves nothing half-written."""

from __future__ import annotations

import json
from typing import Any

from devstack.demo_corporations import DEMO_CORP_A
from functions.submit.outbox import OUTBOX_INDEX_PK, retry_outbox
from platform_common import aws
from tests.faults import (
    DYNAMODB_THROTTLE,
    S3_ACCESS_DENIED,
    S3_SLOW_DOWN,
    SES_MESSAGE_REJECTED,
    inject,
)
from tests.integration import test_submit_applications as jgrants
from tests.integration.test_submit_applications import (
    APPS,
    PDF,
    account,
    bearer,
    put_subsidy,
    ready_draft,
    save,
    start,
    submit,
)

op = jgrants.op  # the module's fixture: the OP's keys, userinfo of the test accounts, the data exchange

RETRIES = 3  # platform_common.aws: standard mode, 3 retries after the first attempt


def _table(aws_platform: dict[str, Any]) -> str:
    return str(aws_platform["meti"].name("table", "applications"))


def _item(aws_platform: dict[str, Any], pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (
        aws.client("dynamodb")
        .get_item(TableName=_table(aws_platform), Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
        .get("Item")
    )
    return found


def test_submit_under_a_transient_dynamodb_throttle_succeeds_after_retries_with_one_application(
    call_api, op, aws_platform
):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-submit-transient", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)

    with inject("dynamodb", "TransactWriteItems", DYNAMODB_THROTTLE, times=2) as fault:
        done = submit(call_api, op, sub, app["id"], "fault-key-transient")

    assert done.status == 200, done.body
    assert fault.injected == 2
    assert len(fault.delays) == 2  # retried with backoff
    mine = [a for a in call_api("GET", APPS, headers=bearer(op, sub)).json()["applications"] if a["id"] == app["id"]]
    assert len(mine) == 1
    assert mine[0]["receipt_number"] == done.json()["receipt_number"]


def test_submit_under_a_persistent_throttle_answers_503_and_leaves_the_draft_untouched(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-submit-persistent", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)

    with inject("dynamodb", "TransactWriteItems", DYNAMODB_THROTTLE) as fault:
        refused = submit(call_api, op, sub, app["id"], "fault-key-persistent")

    assert fault.attempts == 1 + RETRIES
    assert refused.status == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["type"].endswith("service-unavailable")
    stored = _item(aws_platform, f"APP#{app['id']}", "APP")
    assert stored is not None
    assert stored["status"]["S"] == "DRAFT"
    assert "receipt_number" not in stored
    assert _item(aws_platform, f"OUTBOX#receipt-{app['id']}-1", "MAIL") is None  # no receipt for no submission
    # the applicant retries with the same key once the table answers: one submission
    again = submit(call_api, op, sub, app["id"], "fault-key-persistent")
    assert again.status == 200
    assert again.json()["status"] in ("SUBMITTED", "UNDER_REVIEW")


def test_ses_failure_on_the_receipt_keeps_the_submission_and_the_next_drain_sends_the_mail(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-receipt", "2", DEMO_CORP_A)
    app = ready_draft(call_api, op, sub, subsidy)

    with inject("ses", "SendEmail", SES_MESSAGE_REJECTED) as fault:
        done = submit(call_api, op, sub, app["id"], "fault-key-receipt")

    assert done.status == 200
    assert fault.injected >= 1
    kept = _item(aws_platform, f"OUTBOX#receipt-{app['id']}-1", "MAIL")
    assert kept is not None
    assert kept["gsi1pk"]["S"] == OUTBOX_INDEX_PK  # the hourly drain finds it
    assert done.json()["receipt_number"] in kept["subject"]["S"]
    sent, _waiting = retry_outbox(_table(aws_platform), aws_platform_mail_from())
    assert sent >= 1
    assert _item(aws_platform, f"OUTBOX#receipt-{app['id']}-1", "MAIL") is None


def aws_platform_mail_from() -> str:
    from functions.submit.settings import get_settings

    return get_settings().mail_from


def _declare(call_api: Any, op: Any, sub: str, app_id: str) -> str:
    import base64
    import hashlib

    import requests

    declaration = {"kind": "business_plan", "file_name": "計画書.pdf", "content_type": "application/pdf",
                   "size": len(PDF), "sha256": base64.b64encode(hashlib.sha256(PDF).digest()).decode()}  # fmt: skip
    answer = call_api("POST", f"{APPS}/{app_id}/attachments", headers=bearer(op, sub), body=json.dumps(declaration))
    assert answer.status == 201, answer.body
    upload = answer.json()["upload"]
    assert requests.put(upload["url"], data=PDF, headers=upload["headers"], timeout=10).status_code == 200
    return str(answer.json()["attachment"]["id"])


def test_s3_errors_while_verifying_an_attachment_give_a_clear_error_and_leave_it_pending(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-attachment", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()
    attachment_id = _declare(call_api, op, sub, app["id"])
    complete = f"{APPS}/{app['id']}/attachments/{attachment_id}/complete"

    with inject("s3", ["HeadObject", "GetObject"], S3_SLOW_DOWN) as slow:
        busy = call_api("POST", complete, headers=bearer(op, sub))
    with inject("s3", ["HeadObject", "GetObject"], S3_ACCESS_DENIED) as denied:
        broken = call_api("POST", complete, headers=bearer(op, sub))

    assert slow.attempts == 1 + RETRIES
    assert denied.attempts == 1  # a 503 is retried, a 403 is not
    assert busy.status == 503
    assert "retry-after" in busy.headers
    assert broken.status == 500
    assert broken.json()["detail"] == "an unexpected error occurred"  # no AWS detail leaks
    stored = _item(aws_platform, f"APP#{app['id']}", f"ATT#{attachment_id}")
    assert stored is not None
    assert stored["state"]["S"] == "PENDING"
    assert call_api("POST", complete, headers=bearer(op, sub)).json()["state"] == "VERIFIED"  # retryable


def test_a_throttled_attachment_declaration_writes_no_attachment_row(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-declare", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    with inject("dynamodb", "PutItem", DYNAMODB_THROTTLE):
        refused = call_api("POST", f"{APPS}/{app['id']}/attachments", headers=bearer(op, sub), body=json.dumps(
            {"kind": "business_plan", "file_name": "a.pdf", "content_type": "application/pdf", "size": 10,
             "sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}))  # fmt: skip

    assert refused.status == 503
    rows = aws.client("dynamodb").query(
        TableName=_table(aws_platform),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :att)",
        ExpressionAttributeValues={":pk": {"S": f"APP#{app['id']}"}, ":att": {"S": "ATT#"}},
        ConsistentRead=True,
    )["Items"]
    assert rows == []


def test_two_saves_with_the_same_if_match_one_wins_the_other_gets_412(call_api, op, aws_platform):
    subsidy = put_subsidy(aws_platform)
    sub = account("fault-if-match", "2", DEMO_CORP_A)
    app = start(call_api, op, sub, subsidy).json()

    first = save(call_api, op, sub, app, {**app["form"], "note": "first"})
    second = save(call_api, op, sub, app, {**app["form"], "note": "second"})

    assert (first.status, second.status) == (200, 412)
    stored = _item(aws_platform, f"APP#{app['id']}", "APP")
    assert stored is not None
    assert json.loads(stored["form"]["S"])["note"] == "first"  # the loser changed nothing
