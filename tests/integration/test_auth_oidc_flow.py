"""The OpenID Provider through the API Gateway events: code flow with PKCE, tokens, userinfo, and the attacks.

Each test registers its own relying party and account (the moto platform is shared by the session), signs
the account in by starting a browser session directly (the login pages are tested by their own part),
and drives /oauth/authorize → consent → /oauth/token → /oauth/userinfo as a relying party would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

ISSUER = "https://id.devstack.test/oauth"
HOST = {"Host": "id.devstack.test"}


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Rp:
    client_id: str
    redirect_uri: str
    secret: str | None = None
    key: RSAKey | None = None

    def auth_headers(self) -> dict[str, str]:
        if self.secret is None:
            return {}
        basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {basic}"}

    def assertion_fields(self, key: RSAKey | None = None) -> dict[str, str]:
        signing = key or self.key
        if signing is None:
            return {}
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": f"{ISSUER}/token",
            "iat": now,
            "exp": now + 60,
            "jti": secrets.token_urlsafe(12),
        }
        assertion = jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)
        return {
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }


def _register(types: tuple[str, ...] = ("1", "2", "3"), *, private_key_jwt: bool = False) -> Rp:
    from functions.auth.dal import RelyingPartyItem, get_store
    from functions.auth.logic.clients import hash_client_secret

    client_id = f"rp-{uuid.uuid4().hex[:10]}"
    redirect_uri = f"https://{client_id}.example.jp/callback"
    scopes = ("openid", "profile", "user", "email", "mandate", "offline_access")
    if private_key_jwt:
        key = RSAKey.generate_key(2048, parameters={"alg": "RS256"})
        key.ensure_kid()
        jwks = json.dumps({"keys": [key.as_dict(private=False)]})
        item = RelyingPartyItem(
            client_id, "試験RP", (redirect_uri,), scopes, "private_key_jwt", jwks=jwks, allowed_account_types=types
        )
        get_store().put_relying_party(item)
        return Rp(client_id, redirect_uri, key=key)
    secret = secrets.token_urlsafe(32)
    item = RelyingPartyItem(
        client_id,
        "試験RP",
        (redirect_uri,),
        scopes,
        "client_secret_basic",
        client_secret_hash=hash_client_secret(secret),
        allowed_account_types=types,
    )
    get_store().put_relying_party(item)
    return Rp(client_id, redirect_uri, secret=secret)


def _account(tier: str = "prime") -> str:
    from devstack.demo_corporations import DEMO_CORP_A
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.models import AccountTier

    sub = str(uuid.uuid4())
    get_store().put_profile(
        ProfileItem(sub=sub, email=f"{sub[:8]}@oidc.example.jp", tier=AccountTier(tier), corporate_number=DEMO_CORP_A)
    )
    return sub


def _cookie_for(sub: str, acr: str = "urn:gbizid:acr:prime") -> str:
    from functions.auth.web.session import start_session

    _, cookie = start_session(sub, amr=("pwd", "otp", "mfa"), acr=acr, second_factor_pending=False)
    return f"{cookie.name}={cookie.value}"


@dataclass
class Flow:
    call: Any
    rp: Rp
    cookie: str
    verifier: str = ""

    def authorize(self, **extra: str) -> Any:
        self.verifier = secrets.token_urlsafe(48)
        params = {
            "response_type": "code",
            "client_id": self.rp.client_id,
            "redirect_uri": self.rp.redirect_uri,
            "scope": "openid profile email offline_access",
            "state": "st-1",
            "nonce": "n-1",
            "code_challenge": _challenge(self.verifier),
            "code_challenge_method": "S256",
            **extra,
        }
        return self.call("GET", "/oauth/authorize?" + urlencode(params), headers={**HOST, "Cookie": self.cookie})

    def consent(self, page: Any, decision: str = "allow") -> Any:
        html = page.body.decode()
        request_id = html.split('name="request_id" value="')[1].split('"')[0]
        csrf = html.split('name="csrf_token" value="')[1].split('"')[0]
        body = urlencode({"request_id": request_id, "csrf_token": csrf, "decision": decision})
        headers = {**HOST, "Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        return self.call("POST", "/oauth/authorize", headers=headers, body=body)

    def code(self, **extra: str) -> str:
        page = self.authorize(**extra)
        if page.status == 200:
            page = self.consent(page)
        assert page.status == 302, page.body
        query = parse_qs(urlsplit(page.headers["location"]).query)
        assert query["state"] == ["st-1"]
        return query["code"][0]

    def token(self, fields: dict[str, str], key: RSAKey | None = None) -> Any:
        body = {**fields, **self.rp.assertion_fields(key)}
        headers = {**HOST, "Content-Type": "application/x-www-form-urlencoded", **self.rp.auth_headers()}
        return self.call("POST", "/oauth/token", headers=headers, body=urlencode(body))

    def exchange(self, code: str, verifier: str | None = None) -> Any:
        return self.token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.rp.redirect_uri,
                "code_verifier": verifier or self.verifier,
            }
        )


@pytest.fixture(scope="module", autouse=True)
def _open_data(aws_platform: Any) -> None:
    """The demo corporations in gBizINFO's table (profile claims come from their basic information)."""
    import os

    from devstack.demo_corporations import DEMO_CORPORATIONS
    from devstack.seed_open_data import put_hojin_records

    put_hojin_records(os.environ["HOJIN_TABLE_NAME"], DEMO_CORPORATIONS)


@pytest.fixture
def flow(call_api: Any) -> Flow:
    rp = _register()
    return Flow(call_api, rp, _cookie_for(_account("prime")))


def _jwks(call_api: Any) -> KeySet:
    return KeySet.import_key_set(call_api("GET", "/oauth/jwks", headers=HOST).json())


def test_given_signed_in_prime_when_code_flow_with_pkce_then_tokens_verify_and_userinfo_answers(
    flow: Flow, call_api: Any
) -> None:
    # Given a signed-in Prime user and a relying party; When the full code flow runs
    code = flow.code()
    response = flow.exchange(code)

    # Then the tokens come back, the ID token verifies with the JWKS and carries no personal data
    assert response.status == 200, response.body
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert "refresh_token" in tokens
    id_token = jwt.decode(tokens["id_token"], _jwks(call_api))
    claims = id_token.claims
    assert id_token.header["kid"]
    assert claims["iss"] == ISSUER
    assert claims["aud"] == flow.rp.client_id
    assert claims["nonce"] == "n-1"
    assert claims["acr"] == "urn:gbizid:acr:prime"
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert not {"email", "name", "corporate_number", "account_type"} & set(claims)
    userinfo = call_api("GET", "/oauth/userinfo", headers={**HOST, "Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status == 200
    info = userinfo.json()
    assert info["sub"] == claims["sub"]
    assert info["account_type"] == "2"
    assert info["corp_type"] == "1"
    assert info["name"] == "デモ工業株式会社"
    assert info["rep_name"] == "経済 太郎"
    assert "user_id" not in info  # the user scope was not asked for


def test_given_a_used_code_when_redeemed_again_then_it_is_refused(flow: Flow) -> None:
    code = flow.code()
    assert flow.exchange(code).status == 200

    again = flow.exchange(code)

    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"


def test_given_a_wrong_pkce_verifier_when_redeeming_then_it_is_refused(flow: Flow) -> None:
    code = flow.code()

    response = flow.exchange(code, verifier=secrets.token_urlsafe(48))

    assert response.status == 400
    assert response.json()["error"] == "invalid_grant"


def test_given_a_code_older_than_five_minutes_when_redeemed_then_it_is_refused(flow: Flow) -> None:
    code = flow.code()

    with mock.patch("functions.auth.oidc.clock.now", return_value=int(time.time()) + 301):
        response = flow.exchange(code)

    assert response.status == 400
    assert response.json()["error"] == "invalid_grant"


def test_given_no_pkce_when_authorizing_then_the_relying_party_gets_an_error(flow: Flow) -> None:
    page = flow.call(
        "GET",
        "/oauth/authorize?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": flow.rp.client_id,
                "redirect_uri": flow.rp.redirect_uri,
                "scope": "openid",
                "state": "s",
            }
        ),
        headers={**HOST, "Cookie": flow.cookie},
    )
    assert page.status == 302
    assert parse_qs(urlsplit(page.headers["location"]).query)["error"] == ["invalid_request"]


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example.jp/callback", "{rp}/extra", "{rp}?x=1", "{rp}/../evil"],
)
def test_given_an_unregistered_redirect_uri_when_authorizing_then_an_error_page_and_no_redirect(
    flow: Flow, redirect_uri: str
) -> None:
    page = flow.authorize(redirect_uri=redirect_uri.format(rp=flow.rp.redirect_uri))

    assert page.status == 400
    assert "location" not in page.headers
    assert "text/html" in page.headers["content-type"]


def test_given_two_redirect_uris_when_authorizing_then_an_error_page_and_no_redirect(flow: Flow) -> None:
    verifier = secrets.token_urlsafe(48)
    query = urlencode(
        [
            ("response_type", "code"),
            ("client_id", flow.rp.client_id),
            ("redirect_uri", flow.rp.redirect_uri),
            ("redirect_uri", "https://evil.example.jp/cb"),
            ("scope", "openid"),
            ("code_challenge", _challenge(verifier)),
            ("code_challenge_method", "S256"),
        ]
    )
    page = flow.call("GET", "/oauth/authorize?" + query, headers={**HOST, "Cookie": flow.cookie})

    assert page.status == 400
    assert "location" not in page.headers


def test_given_no_session_when_authorizing_then_the_browser_goes_to_the_login(flow: Flow) -> None:
    flow.cookie = "gbizid_session=nothing"

    page = flow.authorize()

    assert page.status == 303
    location = page.headers["location"]
    assert location.startswith("/account/login?request=")
    assert "return_to=/oauth/authorize%3Frequest_id%3D" in location


@pytest.mark.parametrize("max_age", ["\u00b2", "\u0663\u0660", "-1", "60s"])
def test_given_a_max_age_that_is_not_seconds_then_the_relying_party_gets_invalid_request(
    flow: Flow, max_age: str
) -> None:
    page = flow.authorize(max_age=max_age)

    assert page.status == 302
    assert parse_qs(urlsplit(page.headers["location"]).query)["error"] == ["invalid_request"]


def test_given_prompt_login_when_the_session_is_older_then_a_new_login_is_required(flow: Flow) -> None:
    page = flow.authorize(prompt="login")

    assert page.status == 303
    assert page.headers["location"].startswith("/account/login")


def test_given_max_age_exceeded_when_authorizing_then_a_new_login_is_required(flow: Flow) -> None:
    with mock.patch("functions.auth.oidc.clock.now", return_value=int(time.time()) + 120):
        page = flow.authorize(max_age="60")

    assert page.status == 303
    assert page.headers["location"].startswith("/account/login")


def test_given_an_entry_account_when_authorizing_at_a_prime_only_rp_then_refused_with_guidance(
    call_api: Any,
) -> None:
    flow = Flow(call_api, _register(("2", "3")), _cookie_for(_account("entry"), acr="urn:gbizid:acr:entry"))

    page = flow.authorize()

    assert page.status == 403
    html = page.body.decode()
    assert 'href="/account/prime"' in html
    assert "gBizIDプライム" in html
    assert "location" not in page.headers


def test_given_a_refresh_token_when_used_twice_then_the_family_is_revoked(flow: Flow, call_api: Any) -> None:
    # Given a refresh token that has been rotated once
    first = flow.exchange(flow.code()).json()
    rotated = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert rotated.status == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]

    # When the old one is replayed
    replay = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})

    # Then it is refused, and the whole family (the newer token and its access token) is dead too
    assert replay.status == 400
    assert replay.json()["error"] == "invalid_grant"
    newer = flow.token({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert newer.status == 400
    userinfo = call_api("GET", "/oauth/userinfo", headers={**HOST, "Authorization": f"Bearer {second['access_token']}"})
    assert userinfo.status == 401


def test_given_no_offline_access_when_tokens_are_issued_then_there_is_no_refresh_token(flow: Flow) -> None:
    response = flow.exchange(flow.code(scope="openid profile"))

    assert response.status == 200
    assert "refresh_token" not in response.json()


def test_given_a_wrong_client_secret_when_redeeming_then_the_client_is_refused(flow: Flow) -> None:
    code = flow.code()
    flow.rp.secret = "wrong-" + secrets.token_urlsafe(8)

    response = flow.exchange(code)

    assert response.status == 401
    assert response.json()["error"] == "invalid_client"


def test_given_private_key_jwt_when_signed_with_the_registered_key_then_accepted_and_else_refused(
    call_api: Any,
) -> None:
    flow = Flow(call_api, _register(private_key_jwt=True), _cookie_for(_account("prime")))
    code = flow.code()
    wrong = RSAKey.generate_key(2048, parameters={"alg": "RS256"})
    wrong.ensure_kid()

    refused = flow.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.rp.redirect_uri, "code_verifier": "x"},
        key=wrong,
    )
    assert refused.status in (400, 401)
    assert refused.json()["error"] == "invalid_client"

    accepted = flow.exchange(flow.code())
    assert accepted.status == 200, accepted.body


def test_given_a_tampered_access_token_when_calling_userinfo_then_401(flow: Flow, call_api: Any) -> None:
    access = flow.exchange(flow.code()).json()["access_token"]
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = call_api(
        "GET", "/oauth/userinfo", headers={**HOST, "Authorization": f"Bearer {header}.{forged}.{signature}"}
    )

    assert response.status == 401


def test_given_consent_denied_when_answering_then_the_rp_gets_access_denied(flow: Flow) -> None:
    page = flow.authorize()
    assert page.status == 200
    assert "同意" in page.body.decode()

    answer = flow.consent(page, decision="deny")

    assert answer.status == 302
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["access_denied"]


def test_given_consent_given_once_when_authorizing_again_then_no_consent_screen(flow: Flow) -> None:
    flow.code()

    again = flow.authorize()

    assert again.status == 302
    assert "code=" in again.headers["location"]
