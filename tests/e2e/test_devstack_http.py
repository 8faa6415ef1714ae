"""The devstack over real HTTP, used as an integrator would: only what demo.json says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_demo_json_is_the_documented_contract(devstack: dict[str, Any]) -> None:
    assert set(devstack["services"]) >= {"issuer", "hojin", "jgrants", "exchange", "portal"}
    assert set(devstack["relying_party"]) >= {"client_id", "client_secret", "redirect_uri"}
    assert devstack["api_token"]
    assert set(devstack["openapi"]) == {"auth", "submit", "hojin_search", "exchange"}
    tiers = {user.get("tier") or user.get("role") for user in devstack["users"]}
    assert tiers >= {"entry", "prime", "member", "operator", "reviewer"}
    for user in devstack["users"]:
        assert user["email"]
        assert user["password"]
        if user.get("tier") in ("prime", "member"):
            assert user["totp_secret"]
            assert user["corporate_number"]


def test_every_openapi_document_is_served(devstack: dict[str, Any]) -> None:
    for url in devstack["openapi"].values():
        response = httpx.get(url)
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")


def test_openid_discovery_is_served_under_the_issuer(devstack: dict[str, Any]) -> None:
    issuer = devstack["services"]["issuer"]

    metadata = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    jwks = httpx.get(metadata["jwks_uri"]).json()

    assert metadata["issuer"] == issuer
    assert jwks["keys"][0]["kid"]


def test_a_demo_users_corporation_is_in_the_open_data(devstack: dict[str, Any]) -> None:
    prime = next(u for u in devstack["users"] if u.get("tier") == "prime")

    response = httpx.get(
        f"{devstack['services']['hojin']}/v2/hojin/{prime['corporate_number']}",
        headers={"X-hojinInfo-api-token": devstack["api_token"]},
    )

    assert response.status_code == 200
    assert response.json()["hojin-infos"][0]["corporate_number"] == prime["corporate_number"]


def test_the_open_data_refuses_a_call_without_token(devstack: dict[str, Any]) -> None:
    prime = next(u for u in devstack["users"] if u.get("tier") == "prime")

    response = httpx.get(f"{devstack['services']['hojin']}/v2/hojin/{prime['corporate_number']}")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_subsidies_are_searchable_in_the_jgrants_shape(devstack: dict[str, Any]) -> None:
    response = httpx.get(f"{devstack['services']['jgrants']}/subsidies", params={"keyword": "補助金"})

    body = response.json()
    assert response.status_code == 200
    assert body["metadata"]["resultset"]["count"] == len(body["result"]) > 0
    assert {"id", "name", "title", "acceptance_end_datetime"} <= set(body["result"][0])


def test_exchange_lists_a_members_methods(devstack: dict[str, Any]) -> None:
    exchange = devstack["exchange"]

    response = httpx.get(
        f"{devstack['services']['exchange']}{exchange['example']}", headers={"X-Road-Client": exchange["client"]}
    )

    assert response.status_code == 200
    assert response.headers["x-road-id"]
    assert response.json()["service"]


def test_unknown_routes_are_404_problem_json(devstack_url: str) -> None:
    response = httpx.get(f"{devstack_url}/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_portal_home_is_served(devstack_url: str) -> None:
    response = httpx.get(f"{devstack_url}/")

    assert response.status_code == 200
    assert 'lang="ja"' in response.text
