"""gBizID's discovery document and signing keys, through API Gateway events, against moto's KMS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet, RSAKey

from functions.route_table import routes_of
from infra.resource_specs import ResourceRef
from platform_common import aws
from tests.conftest import ApiCaller

CONFIGURED_ISSUER = "https://id.devstack.test/oauth"  # what the aws_platform fixture exports
DISCOVERY = "/oauth/.well-known/openid-configuration"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _clear_auth_caches() -> None:
    from functions.auth.dal import get_store
    from functions.auth.keys import get_signing_keys
    from functions.auth.settings import get_settings

    get_settings.cache_clear()
    get_signing_keys.cache_clear()
    get_store.cache_clear()


@pytest.fixture
def auth_env(aws_platform: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test change the auth function's environment; the settings are read afresh, then restored."""
    _clear_auth_caches()
    yield monkeypatch
    monkeypatch.undo()
    _clear_auth_caches()


@pytest.fixture
def served_key_set(call_api: ApiCaller) -> KeySet:
    return KeySet.import_key_set(call_api("GET", "/oauth/jwks").json())


def _signing_key_arn(aws_platform: dict[str, Any]) -> str:
    arn: str = aws_platform["identity"].resolve(ResourceRef("key", "oidc-signing", "arn"))
    return arn


# --- discovery -----------------------------------------------------------------------------------------


def test_given_configured_issuer_when_fetching_discovery_then_document_is_valid_and_cacheable(
    call_api: ApiCaller,
) -> None:
    response = call_api("GET", DISCOVERY, headers={"Host": "ignored.example"})

    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "public, max-age=300"
    document = response.json()
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == CONFIGURED_ISSUER


def test_given_discovery_document_when_reading_endpoints_then_each_is_under_the_issuer(
    call_api: ApiCaller,
) -> None:
    document = call_api("GET", DISCOVERY).json()

    endpoints = {
        name: document[name]
        for name in (
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
            "end_session_endpoint",
        )
    }
    assert endpoints == {
        "authorization_endpoint": f"{CONFIGURED_ISSUER}/authorize",
        "token_endpoint": f"{CONFIGURED_ISSUER}/token",
        "userinfo_endpoint": f"{CONFIGURED_ISSUER}/userinfo",
        "jwks_uri": f"{CONFIGURED_ISSUER}/jwks",
        "end_session_endpoint": f"{CONFIGURED_ISSUER}/logout",
    }
    assert document["acr_values_supported"] == [
        "urn:gbizid:acr:entry",
        "urn:gbizid:acr:member",
        "urn:gbizid:acr:prime",
    ]


def test_given_no_configured_issuer_when_fetching_discovery_then_issuer_comes_from_host_and_stage(
    auth_env: pytest.MonkeyPatch, call_api: ApiCaller
) -> None:
    auth_env.delenv("OIDC_ISSUER")

    document = call_api("GET", DISCOVERY, headers={"Host": "abc123.execute-api.ap-northeast-1.amazonaws.com"}).json()

    assert document["issuer"] == "https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/oauth"
    assert document["jwks_uri"] == "https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev/oauth/jwks"
    OpenIDProviderMetadata(document).validate()


@pytest.mark.parametrize("headers", [{}, {"Host": "evil.example/phish?"}])
def test_given_no_configured_issuer_and_bad_host_when_fetching_discovery_then_400_names_host(
    auth_env: pytest.MonkeyPatch, call_api: ApiCaller, headers: dict[str, str]
) -> None:
    auth_env.delenv("OIDC_ISSUER")

    response = call_api("GET", DISCOVERY, headers=headers)

    assert response.status == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["item"] == "Host"


# --- JWKS ----------------------------------------------------------------------------------------------


def test_given_kms_signing_key_when_fetching_jwks_then_it_is_published_with_its_thumbprint_kid(
    aws_platform: dict[str, Any], call_api: ApiCaller
) -> None:
    der = aws.client("kms").get_public_key(KeyId=_signing_key_arn(aws_platform))["PublicKey"]

    response = call_api("GET", "/oauth/jwks")

    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    (published,) = response.json()["keys"]
    assert published["kid"] == RSAKey.import_key(der).thumbprint()
    assert (published["kty"], published["alg"], published["use"]) == ("RSA", "RS256", "sig")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & published.keys()


def test_given_a_previous_key_when_rotating_then_both_are_published_and_old_tokens_still_verify(
    aws_platform: dict[str, Any], auth_env: pytest.MonkeyPatch, call_api: ApiCaller
) -> None:
    from functions.auth.keys import public_jwk, sign_jwt

    old_arn = _signing_key_arn(aws_platform)
    old_token = sign_jwt({"sub": "user-1"})
    new_arn = aws.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["Arn"]
    auth_env.setenv("OIDC_SIGNING_KEY_ID", f"{new_arn},{old_arn}")
    _clear_auth_caches()

    key_set = KeySet.import_key_set(call_api("GET", "/oauth/jwks").json())
    new_token = sign_jwt({"sub": "user-1"})

    assert [key.kid for key in key_set.keys] == [public_jwk(new_arn).kid, public_jwk(old_arn).kid]
    assert jwt.decode(new_token, key_set, algorithms=["RS256"]).header["kid"] == public_jwk(new_arn).kid
    assert jwt.decode(old_token, key_set, algorithms=["RS256"]).claims == {"sub": "user-1"}


# --- tokens signed in KMS ------------------------------------------------------------------------------


def test_given_token_signed_in_kms_when_verified_with_served_jwks_then_claims_and_header_match(
    served_key_set: KeySet,
) -> None:
    from functions.auth.keys import sign_jwt

    claims = {"iss": CONFIGURED_ISSUER, "sub": "user-1", "aud": "demo-rp", "iat": 1_800_000_000}

    decoded = jwt.decode(sign_jwt(claims), served_key_set, algorithms=["RS256"])

    assert decoded.claims == claims
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["typ"] == "JWT"
    assert decoded.header["kid"] == served_key_set.keys[0].kid


def test_given_one_payload_byte_changed_when_verifying_then_signature_fails(served_key_set: KeySet) -> None:
    from functions.auth.keys import sign_jwt

    header, payload, signature = sign_jwt({"sub": "user-1", "account_type": "1"}).split(".")
    tampered = _unb64(payload).replace(b'"account_type":"1"', b'"account_type":"2"')
    assert len(tampered) == len(_unb64(payload))

    with pytest.raises(BadSignatureError):
        jwt.decode(f"{header}.{_b64(tampered)}.{signature}", served_key_set, algorithms=["RS256"])


def test_given_one_signature_byte_changed_when_verifying_then_signature_fails(served_key_set: KeySet) -> None:
    from functions.auth.keys import sign_jwt

    header, payload, signature = sign_jwt({"sub": "user-1"}).split(".")
    raw = bytearray(_unb64(signature))
    raw[len(raw) // 2] ^= 0x01

    with pytest.raises(BadSignatureError):
        jwt.decode(f"{header}.{payload}.{_b64(bytes(raw))}", served_key_set, algorithms=["RS256"])


def test_given_unsigned_alg_none_token_when_verifying_then_it_is_refused(served_key_set: KeySet) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"sub": "admin"}).encode())

    with pytest.raises(JoseError):
        jwt.decode(f"{header}.{payload}.", served_key_set, algorithms=["RS256"])


def test_given_hs256_token_keyed_with_the_public_key_when_verifying_then_it_is_refused(
    served_key_set: KeySet, call_api: ApiCaller
) -> None:
    public = call_api("GET", "/oauth/jwks").json()["keys"][0]
    header = _b64(json.dumps({"alg": "HS256", "kid": public["kid"], "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"sub": "admin"}).encode())
    mac = hmac.new(json.dumps(public).encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()

    with pytest.raises(JoseError):
        jwt.decode(f"{header}.{payload}.{_b64(mac)}", served_key_set, algorithms=["RS256"])


# --- operations routes ---------------------------------------------------------------------------------


def test_given_auth_service_when_calling_health_then_it_answers_ok(call_api: ApiCaller) -> None:
    response = call_api("GET", "/auth/health")

    assert response.status == 200
    assert response.json()["status"] == "ok"
    assert response.json()["service"] == "auth"


def test_given_auth_service_when_fetching_openapi_then_it_documents_the_oidc_routes(
    call_api: ApiCaller,
) -> None:
    response = call_api("GET", "/auth/openapi.json")

    assert response.status == 200
    paths = response.json()["paths"]
    assert {DISCOVERY, "/oauth/jwks", "/auth/health"} <= paths.keys()


def test_given_route_table_when_calling_every_auth_route_bare_then_none_fails_on_the_server(
    call_api: ApiCaller,
) -> None:
    # A bare call (no session, no form, no token) is a client error or a redirect to the login, never a 5xx.
    statuses = {
        (route.method, route.path): call_api(route.method, route.path.replace("{", "").replace("}", "")).status
        for route in routes_of("auth")
    }

    assert {key: status for key, status in statuses.items() if status >= 500} == {}
    assert statuses[("GET", "/oauth/jwks")] == 200
