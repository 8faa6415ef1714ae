"""The audit pages through the API Gateway events: operators search and verify (HTML and JSON), others are
refused, and each user sees only their own recent logins."""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

import pytest

from functions.auth.audit import record_event
from functions.auth.models import AccountTier, StaffRole
from tests.integration.test_auth_audit_chain import IsolatedLog, isolate_audit_log

_counter = itertools.count()
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)
JSON = {"Accept": "application/json"}


def _signed_in(
    *, role: StaffRole | None = None, tier: AccountTier | None = None, email: str | None = None
) -> tuple[str, dict[str, str]]:
    """A profile (and Cognito user) and a fully signed-in session for it: its sub and a Cookie header."""
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.settings import get_settings
    from functions.auth.web.session import start_session
    from platform_common import aws

    address = email or f"audit-page-{next(_counter)}-{uuid.uuid4().hex[:6]}@example.jp"
    created = aws.client("cognito-idp").admin_create_user(
        UserPoolId=get_settings().user_pool_id,
        Username=address,
        UserAttributes=[{"Name": "email", "Value": address}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    corporate_number = "1234567890123" if tier else None
    get_store().put_profile(
        ProfileItem(sub=sub, email=address, tier=tier, role=role, corporate_number=corporate_number)
    )
    _session, cookie = start_session(
        sub, amr=("pwd", "otp", "mfa"), acr="urn:gbizid:acr:prime", second_factor_pending=False
    )
    return sub, {"Cookie": f"gbizid_session={cookie.value}"}


@pytest.fixture
def log(aws_platform: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> IsolatedLog:
    return isolate_audit_log(monkeypatch)


@pytest.fixture
def operator(aws_platform: dict[str, Any]) -> dict[str, str]:
    return _signed_in(role=StaffRole.OPERATOR)[1]


@pytest.fixture
def entry_user(aws_platform: dict[str, Any]) -> tuple[str, dict[str, str]]:
    return _signed_in(tier=AccountTier.ENTRY)


# -- who may see what


@pytest.mark.parametrize("path", ["/operator/audit", "/operator/audit/verify", "/account/activity"])
def test_given_no_session_when_opening_an_audit_page_then_it_sends_to_the_login(call_api: Any, path: str) -> None:
    response = call_api("GET", path)

    assert response.status == 303
    assert response.headers["location"].startswith("/account/login?return_to=" + path)


@pytest.mark.parametrize("path", ["/operator/audit", "/operator/audit/verify?from_seq=1"])
def test_given_a_corporate_user_when_opening_operator_pages_then_it_is_refused_without_data(
    call_api: Any, entry_user: tuple[str, dict[str, str]], path: str
) -> None:
    # Given a signed-in Entry user who tries the operator's URLs directly (as a page and as JSON)
    _sub, cookie = entry_user
    page = call_api("GET", path, headers=cookie)
    api = call_api("GET", path, headers={**cookie, **JSON})

    # Then both are refused with 403, and no entry leaks
    assert page.status == 403
    assert "運用担当者" in page.body.decode()
    assert "<table" not in page.body.decode()
    assert api.status == 403
    assert api.headers["content-type"] == "application/problem+json"


def test_given_a_reviewer_when_opening_the_audit_search_then_it_is_refused(call_api: Any) -> None:
    _sub, cookie = _signed_in(role=StaffRole.REVIEWER)

    assert call_api("GET", "/operator/audit", headers={**cookie, **JSON}).status == 403


# -- operator search


def test_given_an_operator_when_searching_by_email_as_json_then_only_that_accounts_entries_come(
    call_api: Any, operator: dict[str, str]
) -> None:
    sub, _cookie = _signed_in(tier=AccountTier.ENTRY)
    record_event("login.succeeded", outcome="success", actor_sub=sub, source_ip="198.51.100.7")
    record_event("password.changed", outcome="success", actor_sub=sub)
    record_event("login.succeeded", outcome="success", actor_sub="someone-else")
    from functions.auth.dal import get_store

    email = get_store().get_profile(sub).email  # type: ignore[union-attr]

    response = call_api("GET", f"/operator/audit?email={email}", headers={**operator, **JSON})

    assert response.status == 200
    body = response.json()
    assert [e["kind"] for e in body["entries"]] == ["password.changed", "login.succeeded"]
    assert {e["actor_sub"] for e in body["entries"]} == {sub}
    assert len(body["entries"][1]["hash"]) == len(body["entries"][1]["prev_hash"]) == 64


def test_given_an_operator_when_searching_by_kind_in_html_then_a_table_of_that_kind_is_shown(
    call_api: Any, operator: dict[str, str]
) -> None:
    marker = f"mandate-{uuid.uuid4().hex[:8]}"
    record_event("mandate.revoked", outcome="success", actor_sub=marker)

    response = call_api("GET", "/operator/audit?kind=mandate.revoked", headers=operator)

    page = response.body.decode()
    assert response.status == 200
    assert '<table class="data-table">' in page
    assert marker in page
    assert "login.succeeded</td>" not in page
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_given_a_period_when_searching_then_entries_outside_it_are_left_out(
    call_api: Any, operator: dict[str, str]
) -> None:
    record_event("consent.granted", outcome="success", actor_sub="period-test")

    past = call_api(
        "GET", "/operator/audit?kind=consent.granted&from=2001-01-01&to=2001-12-31", headers={**operator, **JSON}
    )
    today = call_api("GET", "/operator/audit?kind=consent.granted&from=2001-01-01", headers={**operator, **JSON})

    assert past.json()["count"] == 0
    assert "period-test" in {e["actor_sub"] for e in today.json()["entries"]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("email=not-an-address", "email", "メールアドレスの形式"),
        ("email=nobody-here@example.jp", "email", "アカウントはありません"),
        ("kind=DROP TABLE", "kind", "種別を選んで"),
        ("from=2025-13-01", "from", "2025-04-01 の形式"),
        ("from=2025-05-02&to=2025-05-01", "to", "開始日以降"),
    ],
)
def test_given_bad_search_input_when_searching_then_the_form_comes_back_with_the_error_at_the_field(
    call_api: Any, operator: dict[str, str], query: str, field: str, message: str
) -> None:
    response = call_api("GET", f"/operator/audit?{query}", headers=operator)

    page = response.body.decode()
    assert response.status == 400
    assert f'id="field-{field}-error"' in page
    assert message in page
    assert re.search(rf'id="field-{field}"[^>]*aria-describedby="[^"]*field-{field}-error', page) or re.search(
        rf'aria-describedby="field-{field}-error"[^>]*', page
    )


def test_given_bad_search_input_as_json_when_searching_then_a_problem_names_the_field(
    call_api: Any, operator: dict[str, str]
) -> None:
    response = call_api("GET", "/operator/audit?from=yesterday", headers={**operator, **JSON})

    assert response.status == 400
    assert response.json()["errors"] == [{"item": "from", "message": "Enter a date as 2025-04-01."}]


# -- operator verification (on a log of its own, so tampering stays in this test)


def test_given_an_intact_log_when_an_operator_verifies_then_the_page_says_so(
    call_api: Any, operator: dict[str, str], log: IsolatedLog
) -> None:
    for n in range(3):
        record_event("client.updated", outcome="success", actor_sub="op", detail={"n": str(n)})

    page = call_api("GET", "/operator/audit/verify?lang=en", headers=operator)
    api = call_api("GET", "/operator/audit/verify", headers={**operator, **JSON})

    assert page.status == 200
    assert "No tampering found: entries 1 to 3 (3) verified" in page.body.decode()
    assert api.json() == {
        "ok": True,
        "from_seq": 1,
        "to_seq": 3,
        "head_seq": 3,
        "checked": 3,
        "broken_seq": None,
        "reason": None,
        "explanation": None,
    }


def test_given_a_tampered_entry_when_an_operator_verifies_then_the_page_names_its_seq_and_why(
    call_api: Any, operator: dict[str, str], log: IsolatedLog
) -> None:
    from platform_common import aws

    for n in range(4):
        record_event("client.updated", outcome="success", actor_sub="op", detail={"n": str(n)})
    key = {"pk": {"S": "AUDIT"}, "sk": {"S": f"ENTRY#{2:012d}"}}
    aws.client("dynamodb").update_item(
        TableName=log.table,
        Key=key,
        UpdateExpression="SET outcome = :o",
        ExpressionAttributeValues={":o": {"S": "failure"}},
    )

    page = call_api("GET", "/operator/audit/verify", headers=operator)
    api = call_api("GET", "/operator/audit/verify?from_seq=1&to_seq=4", headers={**operator, **JSON})

    assert "2番の記録で不整合が見つかりました" in page.body.decode()
    assert 'role="alert"' in page.body.decode()
    assert (api.json()["ok"], api.json()["broken_seq"], api.json()["reason"]) == (False, 2, "hash_mismatch")


@pytest.mark.parametrize("query", ["from_seq=0", "from_seq=abc", "from_seq=5&to_seq=2"])
def test_given_a_bad_range_when_verifying_then_the_form_comes_back_with_400(
    call_api: Any, operator: dict[str, str], query: str
) -> None:
    response = call_api("GET", f"/operator/audit/verify?{query}", headers=operator)

    assert response.status == 400
    assert "form-field__error" in response.body.decode()


# -- the user's own logins


def test_given_logins_of_two_users_when_one_opens_activity_then_only_their_own_are_listed(call_api: Any) -> None:
    sub, cookie = _signed_in(tier=AccountTier.PRIME)
    record_event(
        "login.succeeded", outcome="success", actor_sub=sub, source_ip="203.0.113.9", user_agent=CHROME_ON_WINDOWS
    )
    record_event("login.failed", outcome="failure", actor_sub=None, subject_sub=sub, source_ip="203.0.113.66")
    record_event("login.succeeded", outcome="success", actor_sub="another-user", source_ip="192.0.2.99")

    ja = call_api("GET", "/account/activity", headers=cookie)
    en = call_api("GET", "/account/activity?lang=en", headers=cookie)

    page = ja.body.decode()
    assert ja.status == 200
    assert "最近のログイン" in page
    assert "203.0.113.9" in page
    assert "203.0.113.66" in page
    assert "192.0.2.99" not in page
    assert "Chrome / Windows" in page
    assert page.index("パスワード誤り") < page.index("ログイン成功")  # newest first
    assert "JST" in page
    assert "Wrong password" in en.body.decode()
    assert '<th scope="col">IP address</th>' in en.body.decode()


def test_given_no_logins_when_opening_activity_then_it_says_there_are_none(call_api: Any) -> None:
    _sub, cookie = _signed_in(tier=AccountTier.ENTRY)

    response = call_api("GET", "/account/activity", headers=cookie)

    assert "ログインの記録はまだありません" in response.body.decode()
