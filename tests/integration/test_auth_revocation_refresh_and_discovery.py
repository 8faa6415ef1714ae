"""The refresh grant's new ID token (OpenID Connect Core 12.2) and the identity-assurance metadata of the
discovery document (OpenID Connect for Identity Assurance 1.0), checked against what is really released."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt

from functions.auth.models import AccountTier
from tests.integration.test_auth_prime_fixtures import Account, make_account, seed_corporations
from tests.integration.test_auth_revocation_support import HOST, ISSUER, RelyingParty, jwks


@pytest.fixture(scope="module")
def corporations(aws_platform: dict[str, Any]) -> dict[str, str]:
    return seed_corporations(aws_platform)


@pytest.fixture
def prime(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["A"], label="refresh-prime")


def test_given_an_openid_grant_when_refreshing_then_a_new_id_token_for_the_same_login_is_returned(
    call_api: Callable[..., Any], prime: Account
) -> None:
    rp = RelyingParty.register(call_api)
    first = rp.tokens(prime.cookie)
    keys = jwks(call_api)
    original = jwt.decode(first["id_token"], keys).claims

    refreshed = rp.refresh(first["refresh_token"])

    assert refreshed.status == 200
    body = refreshed.json()
    assert body["refresh_token"] != first["refresh_token"]
    token = jwt.decode(body["id_token"], keys)  # signed with our published key
    claims = token.claims
    assert claims["iss"] == ISSUER
    assert (claims["sub"], claims["aud"], claims["azp"]) == (prime.sub, rp.client_id, rp.client_id)
    assert (claims["auth_time"], claims["acr"], claims["amr"]) == (
        original["auth_time"],
        original["acr"],
        original["amr"],
    )
    assert claims["iat"] >= original["iat"]
    assert claims["jti"] != original["jti"]
    assert "nonce" not in claims  # 12.2: no nonce in a refreshed ID token
    assert not {"email", "name", "corporate_number", "account_type"} & set(claims)
    from authlib.oidc.core.util import create_half_hash

    half = create_half_hash(body["access_token"], "RS256")
    assert half is not None
    assert claims["at_hash"] == half.decode("ascii")


def test_given_a_refreshed_id_token_when_tampered_then_the_signature_check_fails(
    call_api: Callable[..., Any], prime: Account
) -> None:
    from joserfc.errors import BadSignatureError

    rp = RelyingParty.register(call_api)
    body = rp.refresh(rp.tokens(prime.cookie)["refresh_token"]).json()
    header, payload, signature = body["id_token"].split(".")
    forged = f"{header}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"

    with pytest.raises((BadSignatureError, ValueError)):
        jwt.decode(forged, jwks(call_api))


def test_given_the_discovery_document_then_it_announces_the_verified_claims_really_released(
    call_api: Callable[..., Any], corporations: dict[str, str]
) -> None:
    from functions.auth.dal import ProfileItem
    from functions.auth.oidc.claims import verified_claims

    document = call_api("GET", "/oauth/.well-known/openid-configuration", headers=HOST).json()

    assert document["verified_claims_supported"] is True
    assert "verified_claims" in document["claims_supported"]
    assert "evidence_supported" not in document  # no evidence is released, so none is announced
    # Every verified claim any tier can receive is announced, and nothing else
    released: set[str] = set()
    frameworks: set[str] = set()
    for tier in AccountTier:
        profile = ProfileItem(
            sub=f"s-{tier.value}",
            email=f"{tier.value}@ida.example.jp",
            tier=tier,
            corporate_number=None if tier is AccountTier.ENTRY else corporations["A"],
            parent_sub="s-prime" if tier is AccountTier.MEMBER else None,
        )
        found = verified_claims(profile, "デモ株式会社", {"procedure": "jp_gbizid_online_corporation"})
        released |= set(found["claims"])
        frameworks.add(found["verification"]["trust_framework"])
    assert set(document["claims_in_verified_claims_supported"]) == released
    assert set(document["trust_frameworks_supported"]) == frameworks == {"jp_gbizid"}
