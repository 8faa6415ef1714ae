"""API tokens: issued and revoked by a signed-in gBizID user, stored as hashes, metered per token.

Access tokens are minted by the platform's own OpenID Provider keys (KMS under moto) and verified by
the gBizINFO function against the issuer's JWKS (read in process instead of over HTTP).
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.seed_open_data import issue_api_token, put_hojin_records
from functions.hojin_search.logic import API_TOKEN_HEADER
from functions.hojin_search.ratelimit import RateLimits, TokenGate, use_gate
from functions.hojin_search.routers import tokens
from platform_common import aws

TOKENS = "/hojin/v2/tokens"
CLIENT_ID = "gbizinfo-tokens"


@pytest.fixture(scope="module")
def op(aws_platform: dict[str, Any]) -> Any:
    from functions.auth import keys

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)
    tokens.use_jwks_fetcher(lambda: keys.get_signing_keys().jwks().model_dump())
    yield keys
    tokens.use_jwks_fetcher(None)


def _access_token(keys: Any, sub: str, client_id: str = CLIENT_ID, typ: str = "at+jwt", ttl: int = 600) -> str:
    issuer = os.environ["OIDC_ISSUER"]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": sub,
        "aud": f"{issuer}/userinfo",
        "client_id": client_id,
        "scope": "openid",
        "iat": now,
        "exp": now + ttl,
        "jti": f"j-{sub}-{now}-{ttl}",
    }
    return str(keys.sign_jwt(claims, typ))


def _bearer(keys: Any, sub: str, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {_access_token(keys, sub, **kwargs)}", "content-type": "application/json"}


def _tokens_table(aws_platform: dict[str, Any]) -> str:
    return str(aws_platform["opendata"].name("table", "api-tokens"))


def test_given_a_signed_in_user_when_a_token_is_issued_then_it_is_shown_once_and_stored_as_a_hash(
    call_api, op, aws_platform
):
    issued = call_api("POST", TOKENS, headers=_bearer(op, "user-issue"), body='{"label": "analysis"}')

    assert issued.status == 200
    token = issued.json()["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    item = aws.client("dynamodb").get_item(TableName=_tokens_table(aws_platform), Key={"token_hash": {"S": digest}})[
        "Item"
    ]
    assert item["owner"]["S"] == "user-issue"
    assert token not in str(item)  # only the hash is kept
    listed = call_api("GET", TOKENS, headers=_bearer(op, "user-issue")).json()["tokens"]
    assert [(t["id"], t["label"]) for t in listed] == [(issued.json()["id"], "analysis")]
    assert "token" not in listed[0]
    works = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers={API_TOKEN_HEADER: token})
    assert works.status == 200


def test_given_a_revoked_token_then_it_is_refused(call_api, op):
    issued = call_api("POST", TOKENS, headers=_bearer(op, "user-revoke"), body='{"label": "old"}').json()

    revoked = call_api("DELETE", f"{TOKENS}/{issued['id']}", headers=_bearer(op, "user-revoke"))

    assert revoked.status == 200
    refused = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers={API_TOKEN_HEADER: issued["token"]})
    assert refused.status == 401
    assert call_api("GET", TOKENS, headers=_bearer(op, "user-revoke")).json()["tokens"] == []


def test_given_another_users_token_id_when_revoking_then_404_and_the_token_still_works(call_api, op):
    victim = call_api("POST", TOKENS, headers=_bearer(op, "victim"), body='{"label": "mine"}').json()

    attack = call_api("DELETE", f"{TOKENS}/{victim['id']}", headers=_bearer(op, "attacker"))

    assert attack.status == 404
    still = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers={API_TOKEN_HEADER: victim["token"]})
    assert still.status == 200
    assert [t["id"] for t in call_api("GET", TOKENS, headers=_bearer(op, "victim")).json()["tokens"]] == [victim["id"]]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_given_no_valid_bearer_then_token_management_is_401(call_api, op, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    assert call_api("GET", TOKENS, headers=headers).status == 401


@pytest.mark.parametrize(
    "kwargs",
    [
        {"client_id": "some-other-relying-party"},  # a token issued to another client
        {"typ": "JWT"},  # an ID token, not an access token
        {"ttl": -10},  # expired
    ],
)
def test_given_a_bearer_not_meant_for_the_token_page_then_401(call_api, op, kwargs):
    response = call_api("GET", TOKENS, headers=_bearer(op, "user-x", **kwargs))

    assert response.status == 401


def test_given_a_forged_signature_then_401(call_api, op):
    token = _access_token(op, "user-forge")
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"

    assert call_api("GET", TOKENS, headers={"Authorization": f"Bearer {forged}"}).status == 401


def test_given_a_blank_label_then_400_names_it(call_api, op):
    response = call_api("POST", TOKENS, headers=_bearer(op, "user-label"), body='{"label": ""}')

    assert response.status == 400
    assert response.json()["errors"][0]["item"] == "label"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def test_given_a_burst_over_the_limit_then_429_with_retry_after_and_recovery(call_api, op, aws_platform):
    clock = FakeClock()
    use_gate(TokenGate(_tokens_table(aws_platform), RateLimits(per_second=10, burst=20, per_day=100_000), clock))
    try:
        token = issue_api_token(_tokens_table(aws_platform), owner="burst")
        headers = {API_TOKEN_HEADER: token}
        statuses = [call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers).status for _ in range(20)]

        refused = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers)

        assert statuses == [200] * 20
        assert refused.status == 429
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert "10 requests per second" in refused.json()["detail"]
        clock.now += 1.0
        assert call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers).status == 200
    finally:
        use_gate(None)


def test_given_the_daily_quota_used_then_429_until_the_next_day(call_api, op, aws_platform):
    clock = FakeClock()
    use_gate(TokenGate(_tokens_table(aws_platform), RateLimits(per_second=10, burst=20, per_day=3), clock))
    try:
        headers = {API_TOKEN_HEADER: issue_api_token(_tokens_table(aws_platform), owner="daily")}
        for _ in range(3):
            clock.now += 1
            assert call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers).status == 200

        refused = call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers)

        assert refused.status == 429
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= 86_400
        clock.now += wait
        assert call_api("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", headers=headers).status == 200
    finally:
        use_gate(None)
