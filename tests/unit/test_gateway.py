"""The devstack gateway: proxy events as API Gateway builds them, responses back, the portal, 404s."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from werkzeug.test import Client

from devstack.events import LambdaContext, build_proxy_event, response_body, response_headers
from devstack.gateway import Gateway
from functions.route_table import ROUTES, match_route


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>ホーム</title>", encoding="utf-8")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("body{}", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside the portal", encoding="utf-8")
    return tmp_path


def test_templated_paths_yield_path_parameters() -> None:
    match = match_route("GET", "/r1/JP-DEV/GOV/1234/registry/listMethods")

    assert match is not None
    assert match.route.service == "exchange"
    assert match.path_parameters == {
        "instance": "JP-DEV",
        "member_class": "GOV",
        "member_code": "1234",
        "subsystem": "registry",
    }


def test_a_route_matches_only_its_method() -> None:
    assert match_route("POST", "/hojin/v2/hojin/7123456789012") is None


def test_every_route_path_is_unique_per_method() -> None:
    keys = [(r.method, r.path) for r in ROUTES]
    assert len(keys) == len(set(keys))


def test_the_event_has_the_api_gateway_rest_shape() -> None:
    match = match_route("GET", "/hojin/v2/hojin/7123456789012")
    assert match is not None

    event = build_proxy_event(
        match,
        "GET",
        "/hojin/v2/hojin/7123456789012",
        [("Accept", "a"), ("X-Multi", "1"), ("X-Multi", "2")],
        {"page": ["1", "2"]},
        b"",
    )

    assert event["resource"] == "/hojin/v2/hojin/{corporate_number}"
    assert event["pathParameters"] == {"corporate_number": "7123456789012"}
    assert event["queryStringParameters"] == {"page": "2"}
    assert event["multiValueQueryStringParameters"] == {"page": ["1", "2"]}
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["body"] is None
    assert event["requestContext"]["stage"] == "dev"


def test_binary_bodies_travel_base64_encoded() -> None:
    match = match_route("GET", "/auth/health")
    assert match is not None
    payload = bytes(range(256))

    event = build_proxy_event(match, "GET", "/auth/health", [("Content-Type", "application/pdf")], {}, payload)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_responses_keep_repeated_cookies_and_binary_bodies() -> None:
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "multiValueHeaders": {"Set-Cookie": ["a=1; Secure", "b=2; Secure"]},
        "body": base64.b64encode(b"\x89PNG").decode(),
        "isBase64Encoded": True,
    }

    assert response_body(result) == b"\x89PNG"
    assert [v for k, v in response_headers(result) if k == "Set-Cookie"] == ["a=1; Secure", "b=2; Secure"]


def test_the_lambda_context_counts_down() -> None:
    context = LambdaContext(function_name="devstack-auth", timeout_seconds=3)

    assert 0 < context.get_remaining_time_in_millis() <= 3000
    assert context.invoked_function_arn.endswith(":function:devstack-auth")


def test_unknown_routes_are_404_problem_json(portal: Path) -> None:
    client = Client(Gateway(portal))

    response = client.post("/no/such/route")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json.loads(response.data)["status"] == 404


def test_the_portal_is_served_with_its_index(portal: Path) -> None:
    client = Client(Gateway(portal))

    home = client.get("/")
    css = client.get("/static/app.css")

    assert home.status_code == 200
    assert "ホーム" in home.get_data(as_text=True)
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    assert css.headers["Content-Type"].startswith("text/css")


def test_the_portal_cannot_be_escaped_with_dot_dot(portal: Path) -> None:
    client = Client(Gateway(portal))

    response = client.get("/../secret.txt")
    encoded = client.get("/static/%2e%2e/%2e%2e/secret.txt")

    assert response.status_code == 404
    assert encoded.status_code == 404
