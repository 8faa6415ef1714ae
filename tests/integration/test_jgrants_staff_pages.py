"""The ministry staff's jGrants pages (review, catalogue, staff) and the applicants' saved searches, in process.

Signed in through gBizID as in ``test_jgrants_pages``; moto runs the review state machine for real, its Lambda
tasks run the submit function in process. Staff are accounts listed in this ministry's registry; anyone else
(applicants, staff of other ministries: accounts this registry does not list) is refused, and every POST
needs the session's CSRF token.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.seed_identity import EXCHANGE_OPERATOR_CORP
from platform_common import aws
from platform_common.audit import AuditLog
from tests.integration.test_hojin_token_page import Answer, Browser
from tests.integration.test_jgrants_pages import (  # noqa: F401  (pages: the module's fixture)
    ENTRY_SUBSIDY,
    PDF,
    PROJECT,
    csrf,
    pages,
    post_multipart,
    sign_in,
    start,
)

MINISTRY_CORP = EXCHANGE_OPERATOR_CORP
pytestmark = pytest.mark.usefixtures("pages")  # the pages configured (test_jgrants_pages)


def _wait(condition: Callable[[], Any], what: str, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _staff(aws_platform: dict[str, Any], role: str) -> str:
    """A new staff member of the ministry; its sub sorts first, so the assignment picks it on a tie."""
    from functions.submit.staff import StaffMember

    sub = f"0-{role}-{(1 << 64) - time.time_ns():016x}"
    member = StaffMember(sub=sub, role="operator" if role == "operator" else "reviewer", name=f"職員 {role}")
    aws.client("dynamodb").put_item(TableName=aws_platform["meti"].name("table", "applications"), Item=member.to_item())
    return sub


def _staff_browser(aws_platform: dict[str, Any], role: str, page: str) -> tuple[str, Browser]:
    sub = _staff(aws_platform, role)
    return sub, sign_in("prime", MINISTRY_CORP, page, sub=sub)


def _submitted_application(corporate_number: str, subsidy_id: str = ENTRY_SUBSIDY) -> tuple[Browser, str]:
    """An applicant's application of the demo catalogue, submitted through the pages with the attachments the
    subsidy asks for. A corporation has one open application per subsidy: each test takes its own pair."""
    browser = sign_in("prime", corporate_number, f"/jgrants/subsidies/{subsidy_id}")
    app_id, form = start(browser, subsidy_id)
    saved = browser.post(
        f"/jgrants/applications/{app_id}", {"csrf_token": csrf(form), "version": form.field("version"), **PROJECT}
    )
    assert saved.status == 303, saved.text[:300]
    page = browser.get(saved.header("location") or "")
    for kind in re.findall(r'<option value="([a-z_]+)">', page.text):
        uploaded = post_multipart(
            browser,
            f"/jgrants/applications/{app_id}/attachments",
            {"csrf_token": csrf(page), "kind": kind},
            (f"{kind}.pdf", "application/pdf", PDF),
        )
        assert uploaded.status == 303
    page = browser.get(f"/jgrants/applications/{app_id}")
    sent = browser.post(
        f"/jgrants/applications/{app_id}/submit",
        {"csrf_token": csrf(page), "idempotency_key": page.field("idempotency_key")},
    )
    assert sent.status == 303, sent.text[:500]
    return browser, app_id


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


def _reads(aws_platform: dict[str, Any], app_id: str) -> int:
    stack = aws_platform["meti"]
    log = AuditLog(stack.name("table", "applications"), stack.name("bucket", "audit-archive"))
    return sum(
        1
        for e in log.find_entries(limit=5000)
        if e.kind == "application.read_by_staff" and e.detail.get("application_id") == app_id
    )


def _text(answer: Answer) -> str:
    return html.unescape(answer.text)


# ------------------------------------------------------------------------------------------ review


def test_given_a_submitted_application_when_the_reviewer_decides_on_the_pages_then_the_applicant_sees_approved(
    aws_platform: dict[str, Any],
) -> None:
    reviewer, staff = _staff_browser(aws_platform, "reviewer", "/jgrants/review")
    applicant, app_id = _submitted_application(DEMO_CORP_A)
    assert _assigned(aws_platform, app_id) == reviewer

    # the queue: my assignments, filtered by status
    queue = staff.get("/jgrants/review?status=UNDER_REVIEW")
    assert queue.status == 200, queue.text[:300]
    assert queue.header("x-frame-options") == "DENY"
    assert f'href="/jgrants/review/applications/{app_id}?lang=ja"' in queue.text
    assert "小規模事業者持続化補助金" in queue.text
    assert app_id not in staff.get("/jgrants/review?status=APPROVED").text
    assert app_id in staff.get("/jgrants/review?scope=all").text

    # one application: audited before it is shown
    before = _reads(aws_platform, app_id)
    view = staff.get(f"/jgrants/review/applications/{app_id}")
    assert view.status == 200, view.text[:500]
    assert _reads(aws_platform, app_id) == before + 1
    text = _text(view)
    assert 'data-status="UNDER_REVIEW"' in text
    assert "新規顧客向け販路開拓" in text  # the form's values
    assert 'data-check="corporation_open" data-passed="true"' in text  # screening
    assert "business_plan.pdf" in text
    assert re.search(r"<a href=\"https?://[^\"]+\" aria-label=\"「business_plan.pdf」をダウンロード\"", text), text[
        text.find('id="attachments"') :
    ][:800]
    assert "審査中" in text  # the history
    assert 'id="decision-form"' in text
    assert 'name="amount" type="text" value="400000"' in text  # the amount asked for, suggested

    # errors per field: an approval without an amount, one above the amount asked for, a return without reason
    token = csrf(view)
    url = f"/jgrants/review/applications/{app_id}/decision"
    missing = staff.post(url, {"csrf_token": token, "outcome": "approve", "amount": ""})
    assert missing.status == 400
    assert 'id="field-amount-error"' in missing.text
    assert "交付額を入力してください" in missing.text
    assert 'aria-invalid="true"' in missing.text
    too_much = staff.post(url, {"csrf_token": token, "outcome": "approve", "amount": "450000"})
    assert too_much.status == 400
    assert "400,000" in _text(too_much)
    no_reason = staff.post(url, {"csrf_token": token, "outcome": "return", "reason": " "})
    assert no_reason.status == 400
    assert 'id="field-reason-error"' in no_reason.text
    assert staff.post(url, {"csrf_token": token}).status == 400  # no outcome chosen

    # the approval
    approved = staff.post(url, {"csrf_token": token, "outcome": "approve", "amount": "350,000"})
    assert approved.status == 303, approved.text[:500]
    assert "decided=1" in (approved.header("location") or "")

    def applicant_sees_approved() -> bool:
        return 'id="application-status">採択' in applicant.get(f"/jgrants/applications/{app_id}").text

    _wait(applicant_sees_approved, "APPROVED on the applicant's page")
    shown = _text(staff.get(f"/jgrants/review/applications/{app_id}"))
    assert 'id="decision"' in shown
    assert "350,000" in shown
    assert 'id="decision-form"' not in shown

    # a decision on a finished review: 409, said plainly
    again = staff.post(url, {"csrf_token": token, "outcome": "reject", "reason": "やはり不可"})
    assert again.status == 409
    assert "既に完了" in again.text
    assert json.loads(_app_item(aws_platform, app_id)["decision"]["S"])["amount"] == 350_000


def test_given_people_other_than_this_ministrys_reviewers_when_opening_the_review_pages_then_they_are_refused(
    aws_platform: dict[str, Any],
) -> None:
    _staff_browser(aws_platform, "reviewer", "/jgrants/review")  # takes the assignment of the application below
    applicant, app_id = _submitted_application(DEMO_CORP_B)
    _assigned(aws_platform, app_id)
    token = csrf(applicant.get("/jgrants/applications"))
    # the applicant itself
    assert applicant.get("/jgrants/review").status == 403
    assert applicant.get(f"/jgrants/review/applications/{app_id}").status == 403
    decided = applicant.post(
        f"/jgrants/review/applications/{app_id}/decision", {"csrf_token": token, "outcome": "approve", "amount": "1"}
    )
    assert decided.status == 403
    # another ministry's staff: a ministry official whom this ministry's registry does not list
    other = sign_in("prime", MINISTRY_CORP, "/jgrants/review")
    refused = other.get(f"/jgrants/review/applications/{app_id}")
    assert refused.status == 403
    assert "審査担当・運用担当として登録された職員だけ" in refused.text
    # not signed in: sent to sign in
    assert (Browser().get("/jgrants/review").header("location") or "").startswith("/jgrants/login")
    # a reviewer is not an operator
    _, reviewer = _staff_browser(aws_platform, "reviewer", "/jgrants/review")
    assert reviewer.get("/jgrants/operator/subsidies").status == 403
    assert reviewer.get("/jgrants/operator/staff").status == 403
    assert applicant.get("/jgrants/operator/staff").status == 403
    assert 'data-status="UNDER_REVIEW"' in _text(reviewer.get(f"/jgrants/review/applications/{app_id}"))


def test_given_a_decision_without_the_csrf_token_when_posted_then_nothing_is_decided(
    aws_platform: dict[str, Any],
) -> None:
    _, staff = _staff_browser(aws_platform, "reviewer", "/jgrants/review")
    _, app_id = _submitted_application(DEMO_CORP_A, "a0W5h00000demo010")
    _assigned(aws_platform, app_id)
    url = f"/jgrants/review/applications/{app_id}/decision"
    assert staff.post(url, {"outcome": "approve", "amount": "1000"}).status == 403
    assert staff.post(url, {"csrf_token": "x" * 43, "outcome": "approve", "amount": "1000"}).status == 403
    item = _app_item(aws_platform, app_id)
    assert item["status"]["S"] == "UNDER_REVIEW"
    assert "review_task_token" in item
    assert "pending_decision" not in item


def test_given_a_review_step_that_failed_after_its_retries_then_the_review_page_says_so_in_both_languages(
    aws_platform: dict[str, Any],
) -> None:
    from functions.submit.review.workflow import run_step

    _, staff = _staff_browser(aws_platform, "reviewer", "/jgrants/review")
    _, app_id = _submitted_application(DEMO_CORP_B, "a0W5h00000demo010")
    _assigned(aws_platform, app_id)
    assert 'id="review-failure"' not in staff.get(f"/jgrants/review/applications/{app_id}").text

    submission = int(_app_item(aws_platform, app_id)["submission_count"]["N"])
    run_step({"step": "review_failed", "application_id": app_id, "submission": submission,
              "error": "States.TaskFailed", "cause": "throttled", "execution": "x"})  # fmt: skip

    page = staff.get(f"/jgrants/review/applications/{app_id}")
    notice = re.search(r'<p class="notice notice--error" role="alert" id="review-failure">([^<]*)</p>', page.text)
    assert notice is not None, page.text[:800]
    assert "States.TaskFailed" in notice.group(1)
    assert "再実行" in notice.group(1)
    english = staff.get(f"/jgrants/review/applications/{app_id}?lang=en").text
    assert "Ask the operators to run it again" in english
    assert 'id="decision-form"' in page.text  # the reviewer can still decide


# ------------------------------------------------------------------------------------------ operator


FORM_SCHEMA = {
    "type": "object",
    "properties": {"amount": {"type": "integer", "title": "申請額", "x-amount": True}},
    "required": ["amount"],
}


def _subsidy_fields(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "name": "S-77000001",
        "title": "ページ作成テスト補助金",
        "subsidy_max_limit": "1,000,000",
        "acceptance_start_datetime": "2030-04-01T00:00",
        "acceptance_end_datetime": "2030-05-31T17:00",
        "minimum_tier": "prime",
        "attachments": json.dumps(
            [{"code": "business_plan", "label": "事業計画書", "label_en": "Business plan", "formats": ["pdf"]}],
            ensure_ascii=False,
        ),
        "form_schema": json.dumps(FORM_SCHEMA, ensure_ascii=False),
        **changes,
    }


def test_given_an_operator_when_creating_and_editing_a_subsidy_on_the_pages_then_checked_versioned_and_saved(
    aws_platform: dict[str, Any],
) -> None:
    _, operator = _staff_browser(aws_platform, "operator", "/jgrants/operator/subsidies")
    listing = operator.get("/jgrants/operator/subsidies")
    assert listing.status == 200
    assert "小規模事業者持続化補助金" in listing.text
    new = operator.get("/jgrants/operator/subsidies/new")
    assert new.status == 200
    assert 'id="subsidy-form"' in new.text
    token = csrf(new)

    # a form schema with a wrong type: the error names its JSON pointer
    bad_schema = json.dumps({**FORM_SCHEMA, "properties": {"amount": {"type": "integr"}}})
    refused = operator.post("/jgrants/operator/subsidies", _subsidy_fields(token, form_schema=bad_schema))
    assert refused.status == 400
    assert "form_schema/properties/amount/type" in _text(refused)
    assert 'id="field-form_schema-error"' in refused.text
    assert "ページ作成テスト補助金" in refused.text  # what was typed stays
    broken = operator.post("/jgrants/operator/subsidies", _subsidy_fields(token, attachments="[{"))
    assert broken.status == 400
    assert "JSONとして読み取れません" in broken.text
    late = operator.post(
        "/jgrants/operator/subsidies", _subsidy_fields(token, acceptance_end_datetime="2030-03-01T00:00")
    )
    assert late.status == 400
    assert 'id="field-acceptance_end_datetime-error"' in late.text

    # created; the edit page shows it with its version
    subsidy_id = f"pg{uuid.uuid4().hex[:10]}"
    created = operator.post("/jgrants/operator/subsidies", _subsidy_fields(token, id=subsidy_id, published="1"))
    assert created.status == 303, _text(created)[:800]
    edit = operator.get(created.header("location") or "")
    assert "作成しました（版 1）" in edit.text
    assert edit.field("version") == "1"
    assert 'value="2030-05-31T17:00"' in edit.text
    assert Browser().get(f"/jgrants/subsidies/{subsidy_id}").status == 200  # published

    # an edit, then an edit over the old version: refused, saying which version is current
    changed = operator.post(
        f"/jgrants/operator/subsidies/{subsidy_id}",
        _subsidy_fields(csrf(edit), version="1", title="ページ編集テスト補助金", published="1"),
    )
    assert changed.status == 303
    assert "版 2" in operator.get(changed.header("location") or "").text
    stale = operator.post(
        f"/jgrants/operator/subsidies/{subsidy_id}", _subsidy_fields(csrf(edit), version="1", title="古い版からの編集")
    )
    assert stale.status == 409
    assert "現在の版 2" in stale.text
    assert "古い版からの編集" in stale.text  # the operator's typing is not lost
    from functions.submit.dal import SubsidyStore

    stored = SubsidyStore(aws_platform["meti"].name("table", "subsidies")).get_item(subsidy_id)
    assert stored is not None
    assert stored.version == 2
    assert stored.to_subsidy().title == "ページ編集テスト補助金"
    assert stored.to_subsidy().subsidy_max_limit == 1_000_000

    # no CSRF token: nothing changes
    assert (
        operator.post(f"/jgrants/operator/subsidies/{subsidy_id}", {**_subsidy_fields("", version="2")}).status == 403
    )


def test_given_an_operator_when_managing_the_staff_on_the_pages_then_added_removed_and_the_last_operator_kept(
    aws_platform: dict[str, Any],
) -> None:
    me, operator = _staff_browser(aws_platform, "operator", "/jgrants/operator/staff")
    page = operator.get("/jgrants/operator/staff")
    assert page.status == 200
    assert me in page.text
    newcomer = f"new-{uuid.uuid4().hex[:12]}"
    bad = operator.post(
        "/jgrants/operator/staff", {"csrf_token": csrf(page), "sub": "bad sub!", "role": "reviewer", "name": ""}
    )
    assert bad.status == 400
    assert 'id="field-sub-error"' in bad.text
    assert 'id="field-name-error"' in bad.text
    added = operator.post(
        "/jgrants/operator/staff",
        {
            "csrf_token": csrf(page),
            "sub": newcomer,
            "role": "reviewer",
            "name": "新任 審査官",
            "email": "new@meti.example.jp",
        },
    )
    assert added.status == 303
    listed = operator.get(added.header("location") or "")
    assert "登録しました" in listed.text
    assert newcomer in listed.text
    assert operator.post(f"/jgrants/operator/staff/{newcomer}/remove", {}).status == 403  # CSRF
    removed = operator.post(f"/jgrants/operator/staff/{newcomer}/remove", {"csrf_token": csrf(listed)})
    assert removed.status == 303
    assert newcomer not in operator.get("/jgrants/operator/staff").text

    # removing every other operator, then oneself: the ministry keeps its last operator
    from functions.submit.staff import get_registry

    table = aws_platform["meti"].name("table", "applications")
    others = [m for m in get_registry().list_staff("operator") if m.sub != me]
    for other in others:
        aws.client("dynamodb").delete_item(
            TableName=table, Key={"pk": {"S": f"STAFF#{other.sub}"}, "sk": {"S": "STAFF"}}
        )
    try:
        last = operator.post(f"/jgrants/operator/staff/{me}/remove", {"csrf_token": csrf(listed)})
        assert last.status == 409
        assert 'id="alert"' in last.text
        assert get_registry().get(me) is not None
    finally:  # other tests' operators come back
        for other in others:
            aws.client("dynamodb").put_item(TableName=table, Item=other.to_item())


# ------------------------------------------------------------------------------------------ saved searches


def test_given_a_signed_in_user_when_saving_a_search_from_the_search_page_then_it_is_listed_and_can_be_deleted(
    aws_platform: dict[str, Any],
) -> None:
    query = "/jgrants/subsidies?" + urlencode({"keyword": "持続化", "acceptance": "1"})
    assert 'id="save-search"' not in Browser().get(query).text  # signed out: nothing to save with
    browser = sign_in("prime", DEMO_CORP_A, "/jgrants/saved-searches")
    search = browser.get(query)
    assert 'id="save-search"' in search.text
    assert 'id="save-search"' not in browser.get("/jgrants/subsidies").text  # no keyword: nothing to save
    assert browser.post("/jgrants/saved-searches", {"keyword": "持続化", "acceptance": "1"}).status == 403  # CSRF
    saved = browser.post(
        "/jgrants/saved-searches", {"csrf_token": csrf(search), "keyword": "持続化", "acceptance": "1"}
    )
    assert saved.status == 303
    listing = browser.get(saved.header("location") or "")
    assert "検索条件を保存しました" in listing.text
    assert "持続化" in listing.text
    delete = re.search(r'action="(/jgrants/saved-searches/([0-9a-f]{16})/delete[^"]*)"', listing.text)
    assert delete is not None
    too_short = browser.post("/jgrants/saved-searches", {"csrf_token": csrf(search), "keyword": "持"})
    assert too_short.status == 400

    # another user cannot delete it
    stranger = sign_in("prime", DEMO_CORP_A, "/jgrants/saved-searches")
    theirs = stranger.post(html.unescape(delete.group(1)), {"csrf_token": csrf(stranger.get("/jgrants/applications"))})
    assert theirs.status == 404
    deleted = browser.post(html.unescape(delete.group(1)), {"csrf_token": csrf(listing)})
    assert deleted.status == 303
    after = browser.get(deleted.header("location") or "")
    assert "検索条件を削除しました" in after.text
    assert delete.group(2) not in after.text
