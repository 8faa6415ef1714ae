"""Saved searches and the matcher that mails new subsidies: once per subsidy, never lost when SES fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ApiCaller
from tests.integration.jgrants_principals import TestIdentityProvider, install_identity_provider, make_staff

URL = "/submit/v1/saved-searches"
WORD = "保存検索試験ｸﾞﾘｰﾝ"  # in no other subsidy of the shared platform


@pytest.fixture(scope="module")
def idp(aws_platform: dict[str, Any]) -> Iterator[TestIdentityProvider]:
    yield from install_identity_provider()


def _sent_to(address: str) -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    return [
        m for m in backend.sent_messages if address in (getattr(m, "destinations", {}) or {}).get("ToAddresses", [])
    ]


def _publish(aws_platform: dict[str, Any], subsidy_id: str, title: str, area: str = "全国") -> None:
    from functions.submit.dal import SubsidyStore
    from functions.submit.models import Subsidy

    now = datetime.now(UTC)
    SubsidyStore(aws_platform["meti"].name("table", "subsidies")).put_subsidy(
        Subsidy(
            id=subsidy_id,
            name=f"S-{subsidy_id}",
            title=title,
            target_area_search=area,
            acceptance_start_datetime=now - timedelta(days=1),
            acceptance_end_datetime=now + timedelta(days=20),
            created_date=now,
        )
    )


def _save(call_api: ApiCaller, headers: dict[str, str], **params: str) -> Any:
    return call_api("POST", URL, {**headers, "Content-Type": "application/json"}, json.dumps(params))


def _run_matcher(sender: str | None = None) -> Any:
    from functions.submit.dal import get_store
    from functions.submit.saved_searches import notify_new_matches
    from functions.submit.schedule import saved_search_store
    from functions.submit.settings import get_settings

    return notify_new_matches(
        datetime.now(UTC),
        store=saved_search_store(),
        catalogue=get_store(),
        sender=sender or get_settings().mail_from,
        detail_url="https://api.example.jp/exp/v1/public/subsidies/id/",
    )


def test_given_a_saved_search_when_a_new_subsidy_matches_then_one_mail_and_a_second_run_sends_none(
    call_api: ApiCaller, idp: TestIdentityProvider, aws_platform: dict[str, Any]
) -> None:
    _publish(aws_platform, "itestsaved000", f"{WORD}一般 既存補助金")  # matches before saving: not news
    _sub, headers = idp.bearer(email="alerts-a@corp.example.jp")
    saved = _save(call_api, headers, keyword=f"{WORD}一般", target_area_search="東京都")
    assert saved.status == 201, saved.body
    _publish(aws_platform, "itestsaved001", f"{WORD}一般 新設補助金（全国）")
    _publish(aws_platform, "itestsaved002", f"{WORD}一般 大阪府限定補助金", area="大阪府")  # not Tokyo: no match

    _run_matcher()
    _run_matcher()

    [mail] = _sent_to("alerts-a@corp.example.jp")
    assert "itestsaved001" in mail.body
    assert "itestsaved002" not in mail.body
    assert "itestsaved000" not in mail.body
    listed = call_api("GET", URL, headers).json()
    assert listed["searches"][0]["notified_count"] == 2  # the one known at saving, and the new one


def test_given_ses_failing_when_matching_then_the_mail_waits_in_the_outbox_and_the_next_run_sends_it_once(
    call_api: ApiCaller, idp: TestIdentityProvider, aws_platform: dict[str, Any]
) -> None:
    from functions.submit.outbox import retry_outbox
    from functions.submit.settings import get_settings

    table = aws_platform["meti"].name("table", "applications")
    _sent, left_by_others = retry_outbox(table, get_settings().mail_from)  # the table is shared by the session
    _sub, headers = idp.bearer(email="alerts-b@corp.example.jp")
    assert _save(call_api, headers, keyword=f"{WORD}停電").status == 201
    _publish(aws_platform, "itestsaved101", f"{WORD}停電対策補助金")

    failed = _run_matcher(sender="unverified@not-verified.example")  # SES refuses an unverified sender
    assert (failed.mails_sent, failed.mails_queued) == (0, 1)
    assert _sent_to("alerts-b@corp.example.jp") == []
    again = _run_matcher()  # the subsidy is recorded as notified: no second mail is queued
    assert (again.mails_sent, again.mails_queued) == (0, 0)

    sent, waiting = retry_outbox(table, get_settings().mail_from)

    assert (sent, waiting) == (1, left_by_others)
    [mail] = _sent_to("alerts-b@corp.example.jp")
    assert "itestsaved101" in mail.body
    assert retry_outbox(table, get_settings().mail_from) == (0, left_by_others)


def test_given_an_operator_publishing_a_subsidy_then_matching_users_are_mailed_at_once(
    call_api: ApiCaller, idp: TestIdentityProvider, aws_platform: dict[str, Any]
) -> None:
    _sub, headers = idp.bearer(email="alerts-c@corp.example.jp")
    assert _save(call_api, headers, keyword=f"{WORD}公開時").status == 201
    operator_sub, operator = idp.bearer()
    make_staff(aws_platform["meti"].name("table", "applications"), operator_sub, "operator")

    created = call_api(
        "POST",
        "/submit/v1/operator/subsidies",
        {**operator, "Content-Type": "application/json"},
        json.dumps({"id": "itestsaved201", "name": "S-96000001", "title": f"{WORD}公開時補助金"}),
    )

    assert created.status == 201, created.body
    assert len(_sent_to("alerts-c@corp.example.jp")) == 1


def test_given_twenty_saved_searches_when_saving_one_more_then_409_and_deleting_one_makes_room(
    call_api: ApiCaller, idp: TestIdentityProvider
) -> None:
    _sub, headers = idp.bearer(email="alerts-d@corp.example.jp")
    for n in range(20):
        assert _save(call_api, headers, keyword=f"上限試験{n:02d}").status == 201

    refused = _save(call_api, headers, keyword="上限試験20")
    first = call_api("GET", URL, headers).json()["searches"][0]["id"]
    deleted = call_api("DELETE", f"{URL}/{first}", headers)

    assert refused.status == 409
    assert deleted.status == 204
    assert _save(call_api, headers, keyword="上限試験20").status == 201
    assert call_api("GET", URL, headers).json()["count"] == 20


def test_given_another_users_search_when_deleting_it_then_404_and_it_stays(
    call_api: ApiCaller, idp: TestIdentityProvider
) -> None:
    _sub, owner = idp.bearer(email="alerts-e@corp.example.jp")
    _other_sub, other = idp.bearer(email="alerts-f@corp.example.jp")
    search_id = _save(call_api, owner, keyword="他人の検索").json()["id"]

    assert call_api("DELETE", f"{URL}/{search_id}", other).status == 404
    assert call_api("GET", URL, other).json()["count"] == 0
    assert call_api("GET", URL, owner).json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "item"),
    [({"keyword": "x"}, "keyword"), ({"keyword": "補助金", "acceptance": "2"}, "acceptance"), ({}, "keyword")],
)
def test_given_bad_parameters_when_saving_then_400_naming_the_field(
    call_api: ApiCaller, idp: TestIdentityProvider, body: dict[str, str], item: str
) -> None:
    _sub, headers = idp.bearer(email="alerts-g@corp.example.jp")

    answer = _save(call_api, headers, **body)

    assert answer.status == 400
    assert answer.json()["errors"][0]["item"] == item


def test_given_no_token_when_saving_then_401(call_api: ApiCaller, idp: TestIdentityProvider) -> None:
    assert _save(call_api, {}, keyword="補助金").status == 401


def test_given_an_account_without_email_when_saving_then_400_naming_email(
    call_api: ApiCaller, idp: TestIdentityProvider
) -> None:
    _sub, headers = idp.bearer()

    answer = _save(call_api, headers, keyword="補助金")

    assert answer.status == 400
    assert answer.json()["errors"][0]["item"] == "email"
