"""The ministry's staff registry: operators add and remove reviewers and operators; the last operator stays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ApiCaller
from tests.integration.jgrants_principals import TestIdentityProvider, install_identity_provider

URL = "/submit/v1/operator/staff"


@pytest.fixture(scope="module")
def idp(aws_platform: dict[str, Any]) -> Iterator[TestIdentityProvider]:
    yield from install_identity_provider()


@pytest.fixture
def registry(aws_platform: dict[str, Any]) -> Iterator[str]:
    """An empty registry for each test (other modules' staff are set aside and put back)."""
    from functions.submit.staff import StaffMember, get_registry
    from platform_common import aws

    table = aws_platform["meti"].name("table", "applications")
    dynamodb = aws.client("dynamodb")
    saved = get_registry().list_staff()
    for member in saved:
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": f"STAFF#{member.sub}"}, "sk": {"S": "STAFF"}})
    yield table
    for member in get_registry().list_staff():
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": f"STAFF#{member.sub}"}, "sk": {"S": "STAFF"}})
    for member in saved:
        dynamodb.put_item(TableName=table, Item=StaffMember.model_validate(member.model_dump()).to_item())


def _put(call_api: ApiCaller, headers: dict[str, str], sub: str, role: str, name: str = "職員") -> Any:
    body = json.dumps({"role": role, "name": name})
    return call_api("PUT", f"{URL}/{sub}", {**headers, "Content-Type": "application/json"}, body)


def _first_operator(idp: TestIdentityProvider, table: str) -> tuple[str, dict[str, str]]:
    from tests.integration.jgrants_principals import make_staff

    sub, headers = idp.bearer()
    make_staff(table, sub, "operator", "最初の運用担当")
    return sub, headers


def _events(kind: str, subject: str) -> list[Any]:
    from functions.submit.schedule import audit_log

    return [e for e in audit_log().find_entries(kinds=[kind], limit=500) if e.subject_sub == subject]


def test_given_operator_when_adding_a_reviewer_then_listed_audited_and_the_reviewer_gets_the_role(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    from functions.submit.principal import staff_roles_of

    operator_sub, operator = _first_operator(idp, registry)
    reviewer_sub, _ = idp.bearer()

    answer = _put(call_api, operator, reviewer_sub, "reviewer", "審査 太郎")

    assert answer.status == 200, answer.body
    listed = call_api("GET", URL, operator).json()
    assert {(m["sub"], m["role"]) for m in listed["staff"]} == {(operator_sub, "operator"), (reviewer_sub, "reviewer")}
    assert staff_roles_of(reviewer_sub) == frozenset({"reviewer"})
    [event] = _events("staff.added", reviewer_sub)
    assert (event.actor_sub, event.detail["role"]) == (operator_sub, "reviewer")


def test_given_a_reviewer_when_changing_staff_then_403(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    _first_operator(idp, registry)
    reviewer_sub, reviewer = idp.bearer()
    from tests.integration.jgrants_principals import make_staff

    make_staff(registry, reviewer_sub, "reviewer")

    assert _put(call_api, reviewer, reviewer_sub, "operator").status == 403  # no promoting oneself
    assert call_api("GET", URL, reviewer).status == 403


def test_given_the_only_operator_when_removing_or_demoting_it_then_409_and_it_stays(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    from functions.submit.principal import staff_roles_of

    operator_sub, operator = _first_operator(idp, registry)

    removed = call_api("DELETE", f"{URL}/{operator_sub}", operator)
    demoted = _put(call_api, operator, operator_sub, "reviewer")

    assert (removed.status, demoted.status) == (409, 409)
    assert staff_roles_of(operator_sub) == frozenset({"operator"})


def test_given_two_operators_when_one_removes_the_other_then_removed_audited_and_the_last_stays(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    from functions.submit.principal import staff_roles_of

    first_sub, first = _first_operator(idp, registry)
    second_sub, second = idp.bearer()
    assert _put(call_api, first, second_sub, "operator").status == 200

    assert call_api("DELETE", f"{URL}/{first_sub}", second).status == 204

    assert staff_roles_of(first_sub) == frozenset()
    assert _events("staff.removed", first_sub)[0].actor_sub == second_sub
    assert call_api("DELETE", f"{URL}/{second_sub}", second).status == 409
    assert call_api("GET", URL, first).status == 403  # a removed operator loses access at once


def test_given_a_malformed_body_when_adding_then_400_naming_the_field(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    _sub, operator = _first_operator(idp, registry)

    answer = _put(call_api, operator, "someone-else", "administrator")

    assert answer.status == 400
    assert answer.json()["errors"][0]["item"] == "role"


def test_given_an_unknown_member_when_removing_then_404(
    call_api: ApiCaller, idp: TestIdentityProvider, registry: str
) -> None:
    _sub, operator = _first_operator(idp, registry)

    assert call_api("DELETE", f"{URL}/nobody-here", operator).status == 404
