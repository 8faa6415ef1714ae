"""Refusals on page routes: a browser gets a page in Japanese or English with the same status, a JSON
client keeps problem+json, and protocol endpoints never answer with HTML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from functions.auth.models import AccountTier, StaffRole
from tests.integration.test_auth_prime_fixtures import Account, make_account
from tests.integration.test_auth_revocation_support import HOST

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def entry(aws_platform: dict[str, Any]) -> Account:
    return make_account(AccountTier.ENTRY, label="errpage-entry")


@pytest.fixture
def operator(aws_platform: dict[str, Any]) -> Account:
    return make_account(None, role=StaffRole.OPERATOR, label="errpage-operator")


def _get(call_api: Callable[..., Any], account: Account, path: str, accept: str | None) -> Any:
    headers = {**HOST, "Cookie": account.cookie}
    if accept is not None:
        headers["Accept"] = accept
    return call_api("GET", path, headers=headers)


def test_given_an_entry_account_in_a_browser_when_opening_an_operator_page_then_a_japanese_403_page(
    call_api: Callable[..., Any], entry: Account
) -> None:
    response = _get(call_api, entry, "/operator/relying-parties", BROWSER_ACCEPT)

    assert response.status == 403
    assert response.headers["content-type"].startswith("text/html")
    html = response.body.decode()
    assert '<html lang="ja">' in html
    assert "このページを利用する権限がありません" in html
    assert 'role="alert"' in html
    assert 'href="/account"' in html  # a way back
    assert "platform staff" not in html  # the internal detail stays out of the page
    assert "no-store" in response.headers["cache-control"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_given_english_chosen_when_refused_then_the_page_is_english(
    call_api: Callable[..., Any], entry: Account
) -> None:
    response = _get(call_api, entry, "/operator/relying-parties?lang=en", BROWSER_ACCEPT)

    assert response.status == 403
    html = response.body.decode()
    assert '<html lang="en">' in html
    assert "You cannot use this page" in html


def test_given_a_json_client_when_refused_on_the_same_page_then_problem_json(
    call_api: Callable[..., Any], entry: Account
) -> None:
    response = _get(call_api, entry, "/operator/relying-parties", "application/json")

    assert response.status == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["type"]) == (403, "urn:corporate-platform:problem:forbidden")
    assert problem["instance"] == "/operator/relying-parties"


def test_given_no_accept_header_when_refused_then_problem_json(call_api: Callable[..., Any], entry: Account) -> None:
    response = _get(call_api, entry, "/operator/relying-parties", None)

    assert response.status == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_given_an_operator_in_a_browser_when_opening_an_unknown_relying_party_then_a_404_page(
    call_api: Callable[..., Any], operator: Account
) -> None:
    response = _get(call_api, operator, "/operator/relying-parties/no-such-client", BROWSER_ACCEPT)

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "ページが見つかりません" in response.body.decode()
    as_json = _get(call_api, operator, "/operator/relying-parties/no-such-client", "application/json")
    assert (as_json.status, as_json.headers["content-type"]) == (404, "application/problem+json")


def test_given_a_browser_when_the_token_endpoint_refuses_then_it_answers_json_not_a_page(
    call_api: Callable[..., Any],
) -> None:
    response = call_api(
        "POST",
        "/oauth/token",
        headers={**HOST, "Accept": BROWSER_ACCEPT, "Content-Type": "application/x-www-form-urlencoded"},
        body="grant_type=authorization_code&code=x",
    )

    assert response.status in (400, 401)
    assert not response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "path", "page"),
    [
        (BROWSER_ACCEPT, "/account/members", True),
        ("text/html", "/operator/audit", True),
        ("application/json, text/html;q=0.5", "/account/members", False),
        ("text/html;q=0.5, application/problem+json", "/operator/audit", False),
        ("*/*", "/account/members", False),
        (BROWSER_ACCEPT, "/oauth/userinfo", False),
        (BROWSER_ACCEPT, "/oauth/authorize", True),
        (BROWSER_ACCEPT, "/accountant", False),
    ],
)
def test_when_deciding_page_or_problem_then_accept_and_route_both_count(accept: str, path: str, page: bool) -> None:
    from functions.auth.web.errors import wants_page

    event = {"path": path, "headers": {"Accept": accept}}

    assert wants_page(event) is page
