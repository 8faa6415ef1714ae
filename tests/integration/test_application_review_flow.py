"""The review of an application, end to end: moto runs the state machine for real, its Lambda tasks run the
submit function in process (devstack/lambda_runtime.py), reviewers answer the task token through the API.

submit → screening recorded → assigned → audited reviewer read → approve → applicant mailed → award file →
gBizINFO ingest (an S3 notification, as EventBridge in the cloud) → ``GET /hojin/v2/hojin/{n}/subsidy``.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
from devstack.seed_open_data import issue_api_token, put_hojin_records
from platform_common import aws
from platform_common.audit import AuditLog
from tests.integration.exchange_in_process import exchange_for_jgrants
from tests.integration.test_submit_applications import (
    APPS,
    FORM_SCHEMA,
    USERINFO,
    account,
    bearer,
    put_subsidy,
    ready_draft,
    submit,
    wait_for_status,
)

REVIEW = "/submit/v1/review/applications"
# the test form with its amount marked as the requested amount
SCHEMA = json.loads(json.dumps(FORM_SCHEMA))
SCHEMA["properties"]["project"]["properties"]["amount"]["x-amount"] = True


def _wait(condition: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _staff(aws_platform: dict[str, Any], role: str) -> str:
    """A new staff member with an e-mail address; its sub sorts first, so the assignment picks it on a tie."""
    from functions.submit.staff import StaffMember

    sub = f"0-{role}-{(1 << 64) - time.time_ns():016x}"  # newer sorts first
    account(sub, None, None)
    member = StaffMember(
        sub=sub, role="operator" if role == "operator" else "reviewer", name="審査 花子", email=f"{sub}@meti.example.jp"
    )
    aws.client("dynamodb").put_item(TableName=aws_platform["meti"].name("table", "applications"), Item=member.to_item())
    return sub


def _app_item(aws_platform: dict[str, Any], app_id: str) -> dict[str, Any]:
    return aws.client("dynamodb").get_item(
        TableName=aws_platform["meti"].name("table", "applications"),
        Key={"pk": {"S": f"APP#{app_id}"}, "sk": {"S": "APP"}},
        ConsistentRead=True,
    )["Item"]


def _assigned(aws_platform: dict[str, Any], app_id: str) -> str:
    def ready() -> str | None:
        item = _app_item(aws_platform, app_id)
        return item["assigned_reviewer"]["S"] if "review_task_token" in item and "assigned_reviewer" in item else None

    return str(_wait(ready, "the assignment and its task token"))


def _chain(aws_platform: dict[str, Any], app_id: str) -> list[Any]:
    stack = aws_platform["meti"]
    log = AuditLog(stack.name("table", "applications"), stack.name("bucket", "audit-archive"))
    return [e for e in log.find_entries(limit=2000) if e.detail.get("application_id") == app_id]


def _mails_to(address: str) -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    return [
        m for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"].sent_messages if address in str(m.destinations)
    ]


def _decide(call_api: Any, keys: Any, sub: str, app_id: str, **body: Any) -> Any:
    return call_api(
        "POST", f"{REVIEW}/{app_id}/decision", headers=bearer(keys, sub), body=json.dumps(body, ensure_ascii=False)
    )


@pytest.fixture(scope="module")
def keys(aws_platform: dict[str, Any]) -> Iterator[Any]:
    """The platform OP's signing keys (tokens are verified against them); userinfo from the test accounts."""
    from joserfc.jws import extract_compact

    from functions.auth import keys as op_keys
    from functions.submit import principal as principal_module
    from platform_common.access_tokens import ResourceServer

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)

    def userinfo(issuer: str, token: str) -> dict[str, Any]:
        return USERINFO[json.loads(extract_compact(token.encode()).payload)["sub"]]

    principal_module.use_resource_server(
        ResourceServer(
            os.environ["OIDC_ISSUER"],
            fetch_jwks=lambda issuer: op_keys.get_signing_keys().jwks().model_dump(),
            fetch_userinfo=userinfo,
        )
    )
    with exchange_for_jgrants(aws_platform):  # the registry certificate comes from the data exchange
        yield op_keys
    principal_module.use_resource_server(None)


@pytest.fixture(scope="module")
def ingest(aws_platform: dict[str, Any]) -> Iterator[str]:
    """The open-data bucket delivers incoming/ files to the ingest, as in the devstack; a gBizINFO API token."""
    from devstack.lambda_runtime import deliver_uploads_to_ingest, stop_delivering_uploads

    stack = aws_platform["opendata"]
    put_hojin_records(stack.name("table", "hojin"), DEMO_CORPORATIONS)
    bucket = stack.name("bucket", "open-data")
    deliver_uploads_to_ingest(bucket)
    yield issue_api_token(stack.name("table", "api-tokens"), owner="review-tests")
    stop_delivering_uploads(bucket)


def _submitted(
    call_api: Any, keys: Any, aws_platform: dict[str, Any], name: str, corp: str = DEMO_CORP_A
) -> tuple[str, dict[str, Any]]:
    subsidy = put_subsidy(aws_platform, form_schema=SCHEMA, title=f"審査テスト補助金 {name}")
    applicant = account(f"applicant-{name}-{uuid.uuid4().hex[:6]}", "2", corp)
    app = ready_draft(call_api, keys, applicant, subsidy)
    response = submit(call_api, keys, applicant, app["id"], f"key-{uuid.uuid4().hex[:12]}")
    assert response.status == 200, response.body
    return applicant, response.json()


def test_given_a_submission_when_approved_then_screened_assigned_read_audited_notified_and_published(
    call_api, keys, aws_platform, ingest
):
    reviewer = _staff(aws_platform, "reviewer")
    applicant, app = _submitted(call_api, keys, aws_platform, "approve")

    assigned = _assigned(aws_platform, app["id"])
    seen = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(keys, applicant)).json()
    assert seen["status"] == "UNDER_REVIEW"
    assert {c["check"]: c["passed"] for c in seen["screening"]} == {
        "corporation_open": True,
        "amount_within_maximum": True,
        "no_earlier_award": True,
    }
    assert assigned == reviewer
    queue = call_api("GET", REVIEW, headers=bearer(keys, reviewer)).json()["applications"]
    assert app["id"] in [a["application_id"] for a in queue]

    read = call_api("GET", f"{REVIEW}/{app['id']}", headers=bearer(keys, reviewer))
    assert read.status == 200, read.body
    view = read.json()
    assert view["form"]["project"]["amount"] == 5_000_000
    assert all(a["state"] != "VERIFIED" or a["download_url"] for a in view["attachments"])
    assert any("download_url" in a for a in view["attachments"])
    assert "application.read_by_staff" in [e.kind for e in _chain(aws_platform, app["id"])]

    decided = _decide(call_api, keys, reviewer, app["id"], outcome="approve", amount=4_500_000, reason="要件を満たす")
    assert decided.status == 202, decided.body
    wait_for_status(call_api, keys, applicant, app["id"], "APPROVED")
    final = call_api("GET", f"{APPS}/{app['id']}", headers=bearer(keys, applicant)).json()
    assert final["decision"]["amount"] == 4_500_000
    assert "reviewer_sub" not in final["decision"]
    assert _wait(
        lambda: (
            _mails_to(f"{applicant}@example.jp")
            and any("審査結果" in m.subject for m in _mails_to(f"{applicant}@example.jp"))
        ),
        "the decision mail",
    )
    kinds = [e.kind for e in _chain(aws_platform, app["id"])]
    assert {"application.review_started", "application.assigned", "application.approved"} <= set(kinds)

    headers = {"X-hojinInfo-api-token": ingest}

    def award_visible() -> bool:
        body = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}/subsidy", headers=headers).json()
        return any(s.get("target") == app["receipt_number"] for s in body["hojin-infos"][0].get("subsidy", []))

    assert _wait(award_visible, "the award in gBizINFO")
    [award] = [
        s
        for s in call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}/subsidy", headers=headers).json()["hojin-infos"][0][
            "subsidy"
        ]
        if s.get("target") == app["receipt_number"]
    ]
    from functions.submit.review.award import department_name
    from functions.submit.settings import get_settings

    department = department_name(get_settings().ministry, get_settings().ministry_name)  # 経済産業省 for meti
    assert (award["amount"], award["government_departments"]) == (4_500_000, department)
    _wait(lambda: "application.award_published" in [e.kind for e in _chain(aws_platform, app["id"])], "its audit")

    again = _decide(call_api, keys, reviewer, app["id"], outcome="reject", reason="やはり不可")
    assert again.status == 409  # a decision on a finished review


def test_given_a_returned_application_when_resubmitted_then_a_new_review_approves_it(call_api, keys, aws_platform):
    reviewer = _staff(aws_platform, "reviewer")
    applicant, app = _submitted(call_api, keys, aws_platform, "return", DEMO_CORP_B)
    _assigned(aws_platform, app["id"])

    assert _decide(call_api, keys, reviewer, app["id"], outcome="return").status == 400  # a return needs a reason
    assert _decide(call_api, keys, reviewer, app["id"], outcome="return", reason="見積書を添付").status == 202
    wait_for_status(call_api, keys, applicant, app["id"], "RETURNED")
    assert _wait(lambda: _mails_to(f"{applicant}@example.jp"), "the return mail")

    again = submit(call_api, keys, applicant, app["id"], f"key-{uuid.uuid4().hex[:12]}")
    assert again.status == 200, again.body
    wait_for_status(call_api, keys, applicant, app["id"], "UNDER_REVIEW")
    _wait(lambda: "review_task_token" in _app_item(aws_platform, app["id"]), "the second review's task token")
    assert _decide(call_api, keys, reviewer, app["id"], outcome="approve", amount=1_000_000).status == 202
    wait_for_status(call_api, keys, applicant, app["id"], "APPROVED")


def test_given_a_review_when_rejected_then_the_reason_reaches_the_applicant(call_api, keys, aws_platform):
    reviewer = _staff(aws_platform, "reviewer")
    applicant, app = _submitted(call_api, keys, aws_platform, "reject")
    _assigned(aws_platform, app["id"])

    over = _decide(call_api, keys, reviewer, app["id"], outcome="approve", amount=6_000_000)
    assert over.status == 400  # more than requested
    assert "amount" in over.body.decode()
    assert _decide(call_api, keys, reviewer, app["id"], outcome="reject", reason="対象経費が不明").status == 202
    wait_for_status(call_api, keys, applicant, app["id"], "REJECTED")
    assert (
        call_api("GET", f"{APPS}/{app['id']}", headers=bearer(keys, applicant)).json()["decision"]["reason"]
        == "対象経費が不明"
    )
    assert _decide(call_api, keys, reviewer, app["id"], outcome="reject", reason="二度目").status == 409


def test_given_an_overdue_decision_then_the_reviewer_is_reminded_and_the_operators_escalated(
    call_api, keys, aws_platform, monkeypatch
):
    from functions.submit.settings import get_settings

    short = get_settings().model_copy(update={"review_remind_after_seconds": 1, "review_escalate_after_seconds": 2})
    monkeypatch.setattr("functions.submit.applications.submission.get_settings", lambda: short)
    reviewer = _staff(aws_platform, "reviewer")
    operator = _staff(aws_platform, "operator")
    _applicant, app = _submitted(call_api, keys, aws_platform, "overdue")

    _wait(lambda: _mails_to(f"{reviewer}@meti.example.jp"), "the reminder")
    _wait(lambda: _mails_to(f"{operator}@meti.example.jp"), "the escalation")
    kinds = [e.kind for e in _chain(aws_platform, app["id"])]
    assert {"application.review_reminded", "application.review_escalated"} <= set(kinds)
    # the flow still waits for the decision, on the token the escalation stored
    assert _decide(call_api, keys, operator, app["id"], outcome="reject", reason="期限超過").status == 202
    wait_for_status(call_api, keys, _applicant, app["id"], "REJECTED")


def test_given_non_staff_when_using_review_routes_then_refused(call_api, keys, aws_platform):
    applicant, app = _submitted(call_api, keys, aws_platform, "isolation")
    outsider = account(f"other-ministry-{uuid.uuid4().hex[:6]}", None, None)  # staff of another ministry only

    for sub in (applicant, outsider):
        assert call_api("GET", REVIEW, headers=bearer(keys, sub)).status == 403
        assert call_api("GET", f"{REVIEW}/{app['id']}", headers=bearer(keys, sub)).status == 403
        assert _decide(call_api, keys, sub, app["id"], outcome="reject", reason="x").status == 403
    assert "application.read_by_staff" not in [e.kind for e in _chain(aws_platform, app["id"])]


def test_given_the_audit_chain_is_down_when_a_reviewer_reads_then_503_and_no_data(
    call_api, keys, aws_platform, monkeypatch
):
    from functions.submit.applications import store as store_module
    from platform_common.audit import AuditUnavailable

    reviewer = _staff(aws_platform, "reviewer")
    _applicant, app = _submitted(call_api, keys, aws_platform, "audit-down")

    class Down:
        def record_event(self, *args: Any, **kwargs: Any) -> None:
            raise AuditUnavailable("the chain is unavailable")

    monkeypatch.setattr("functions.submit.review.decisions.audit_log", lambda: Down())
    refused = call_api("GET", f"{REVIEW}/{app['id']}", headers=bearer(keys, reviewer))

    assert refused.status == 503
    assert b"project" not in refused.body
    assert store_module  # the real chain is untouched
