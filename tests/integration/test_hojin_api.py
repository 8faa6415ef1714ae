"""gBizINFO ``GET /v2/hojin/{corporate_number}`` over the demo data, through proxy events."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.seed_open_data import issue_api_token, put_hojin_records
from functions.hojin_search.logic import API_TOKEN_HEADER
from platform_common.corporate_number import make_corporate_number

BASE = "/hojin/v2/hojin"


@pytest.fixture(scope="module")
def api_token(aws_platform: dict[str, Any]) -> str:
    stack = aws_platform["opendata"]
    put_hojin_records(stack.name("table", "hojin"), DEMO_CORPORATIONS)
    return issue_api_token(stack.name("table", "api-tokens"), owner="tests")


def test_given_a_known_number_when_fetched_then_the_record_comes_in_the_gbizinfo_envelope(call_api, api_token):
    response = call_api("GET", f"{BASE}/{DEMO_CORP_A}", headers={API_TOKEN_HEADER: api_token})

    assert response.status == 200
    body = response.json()
    assert body["message"] == "200 - OK."
    assert body["errors"] == []
    [record] = body["hojin-infos"]
    assert record["corporate_number"] == DEMO_CORP_A
    assert record["name"] == "デモ工業株式会社"
    assert record["subsidy"][0]["amount"] == 10000000  # amounts are integers, always


def test_given_an_unknown_valid_number_then_404_problem(call_api, api_token):
    unknown = make_corporate_number("888800000001")

    response = call_api("GET", f"{BASE}/{unknown}", headers={API_TOKEN_HEADER: api_token})

    assert response.status == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert unknown in response.json()["detail"]


@pytest.mark.parametrize("malformed", ["123", "712345678901X", "8123456789012"])
def test_given_a_malformed_number_then_400_names_the_field(call_api, api_token, malformed):
    response = call_api("GET", f"{BASE}/{malformed}", headers={API_TOKEN_HEADER: api_token})

    assert response.status == 400
    problem = response.json()
    assert problem["errors"][0]["item"] == "corporate_number"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("headers", [{}, {API_TOKEN_HEADER: "not-a-token"}])
def test_given_no_valid_api_token_then_401_and_no_data(call_api, api_token, headers):
    response = call_api("GET", f"{BASE}/{DEMO_CORP_A}", headers=headers)

    assert response.status == 401
    assert "hojin-infos" not in response.json()


def test_health_answers(call_api):
    response = call_api("GET", "/hojin_search/health")

    assert response.status == 200
    assert response.json()["status"] == "ok"
