"""A real OpenID Connect client (authlib's httpx client) against the devstack, over HTTP.

The relying party side is authlib's ``OAuth2Client`` (code flow, PKCE S256, client_secret_basic or
private_key_jwt); the person's side is an httpx "browser" that fills in the login, second-factor and consent
forms the pages serve. The ID token is verified against the published JWKS with joserfc, claim by claim.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tests.e2e.totp import fresh_totp

SCOPE = "openid profile user email mandate offline_access"


class _Forms(HTMLParser):
    """The forms of a page: action, method and the inputs' names with their preset values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": found.get("action", ""), "method": found.get("method", "get"), "fields": {}})
        elif tag in ("input", "button") and self.forms and found.get("name"):
            kind = found.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in found:
                return
            self.forms[-1]["fields"].setdefault(found["name"], found.get("value", ""))


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def sign_in_through_forms(browser: httpx.Client, start: str, user: dict[str, Any], stop_at: str) -> httpx.Response:
    """Follow the pages from ``start`` as a person would (login, TOTP, consent) until a redirect to ``stop_at``
    (the relying party's callback) or a page that is not one of those forms (returned as it is)."""
    response = browser.get(start)
    for _ in range(20):
        if response.status_code in (301, 302, 303, 307):
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(stop_at):
                return response
            response = browser.get(location)
            continue
        forms = forms_of(response.text)
        form = next((f for f in forms if "password" in f["fields"]), None)
        if form is not None:
            fields = {**form["fields"], "email": user["email"], "password": user["password"]}
        elif (form := next((f for f in forms if "code" in f["fields"]), None)) is not None:
            fields = {**form["fields"], "action": "verify", "method": "totp", "code": fresh_totp(user["totp_secret"])}
        elif (form := next((f for f in forms if f["fields"].get("decision") == "allow"), None)) is not None:
            fields = {**form["fields"], "decision": "allow"}
        else:
            return response
        response = browser.post(urljoin(str(response.url), form["action"]), data=fields)
    raise AssertionError("the sign-in did not finish in 20 steps")


def _user(devstack: dict[str, Any], tier: str) -> dict[str, Any]:
    return next(u for u in devstack["users"] if u.get("tier") == tier)


@pytest.fixture(scope="module")
def browser(devstack_url: str) -> Iterator[httpx.Client]:
    """One browser for the module: after its first login, its session serves the later authorizations
    (as a person's browser would), so each test does not spend a TOTP code."""
    with httpx.Client(base_url=devstack_url, follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def other_browser(devstack_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=devstack_url, follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def metadata(devstack: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{devstack['services']['issuer']}/.well-known/openid-configuration").json()
    return found


def _rp_client(devstack: dict[str, Any], client_id: str = "demo-rp", **kwargs: Any) -> OAuth2Client:
    rp = devstack["relying_parties"][client_id]
    kwargs.setdefault("client_secret", rp.get("client_secret"))
    return OAuth2Client(
        client_id=rp["client_id"],
        redirect_uri=rp["redirect_uri"],
        scope=SCOPE,
        code_challenge_method="S256",
        **kwargs,
    )


def _authorize(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client, client: OAuth2Client, user: Any
) -> tuple[str, str, str]:
    """Run the browser part; return (callback URL, code verifier, nonce)."""
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    response = sign_in_through_forms(browser, url, user, stop_at=client.redirect_uri)
    assert response.status_code in (302, 303), response.text[:2000]
    return response.headers["location"], verifier, nonce


def test_given_the_demo_prime_user_when_a_real_oidc_client_runs_the_code_flow_then_every_claim_holds(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client
) -> None:
    # Given authlib's client for the demo relying party and the demo Prime user (password + TOTP)
    user = _user(devstack, "prime")
    client = _rp_client(devstack)

    # When the browser signs in and consents, and the client redeems the code with its PKCE verifier
    callback, verifier, nonce = _authorize(devstack, metadata, browser, client, user)
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    # Then the ID token verifies against the JWKS and every claim is as specified (no personal data)
    jwks = KeySet.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    id_token = jwt.decode(token["id_token"], jwks, algorithms=["RS256"])
    assert id_token.header["kid"] in {key["kid"] for key in httpx.get(metadata["jwks_uri"]).json()["keys"]}
    claims = id_token.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": "demo-rp"},
        sub={"essential": True, "value": user["sub"]},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        iat={"essential": True},
        auth_time={"essential": True},
        jti={"essential": True},
    ).validate(claims)
    assert claims["acr"] == "urn:gbizid:acr:prime"
    assert {"pwd", "mfa"} <= set(claims["amr"])
    assert abs(claims["auth_time"] - time.time()) < 120
    personal = {"email", "name", "corporate_number", "account_type", "address", "user_email", "mandate_info"}
    assert not personal & set(claims)
    assert token["expires_in"] == 3600
    assert token["token_type"].lower() == "bearer"

    # And userinfo answers by scope with gBizID's claims
    info = client.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == user["sub"]
    assert info["account_type"] == "2"
    assert info["corp_type"] == "1"
    assert info["corporate_number"] == user["corporate_number"]
    assert info["email"] == user["email"]
    assert info["email_verified"] is True
    assert info["user_email"] == user["email"]
    assert isinstance(info["mandate_info"], list)
    assert info["name"]

    # And the refresh token rotates, and the old one replayed revokes the family
    old_refresh = token["refresh_token"]
    refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=old_refresh)
    assert refreshed["refresh_token"] != old_refresh
    assert client.get(metadata["userinfo_endpoint"]).status_code == 200
    replay = httpx.post(
        metadata["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": old_refresh},
        auth=(client.client_id, client.client_secret),
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert client.get(metadata["userinfo_endpoint"]).status_code == 401  # the family's access token is dead too


def test_given_a_redeemed_code_when_the_client_redeems_it_again_then_invalid_grant(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client
) -> None:
    client = _rp_client(devstack)
    callback, verifier, _ = _authorize(devstack, metadata, browser, client, _user(devstack, "prime"))
    client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    code = parse_qs(urlsplit(callback).query)["code"][0]
    again = httpx.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client.client_id, client.client_secret),
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_given_a_wrong_pkce_verifier_when_redeeming_then_invalid_grant(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client
) -> None:
    client = _rp_client(devstack)
    callback, _verifier, _ = _authorize(devstack, metadata, browser, client, _user(devstack, "prime"))

    with pytest.raises(Exception, match="invalid_grant"):
        client.fetch_token(
            metadata["token_endpoint"], authorization_response=callback, code_verifier=secrets.token_urlsafe(48)
        )


@pytest.mark.parametrize("redirect", ["https://evil.example.jp/cb", "{rp}/../../evil"])
def test_given_a_wrong_redirect_uri_when_authorizing_then_an_error_page_and_no_redirect(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client, redirect: str
) -> None:
    rp = devstack["relying_parties"]["demo-rp"]
    client = _rp_client(devstack)
    client.redirect_uri = redirect.format(rp=rp["redirect_uri"])
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48)
    )

    response = browser.get(url)

    assert response.status_code == 400
    assert "location" not in response.headers


def test_given_a_tampered_id_token_when_verified_against_the_jwks_then_it_fails(
    devstack: dict[str, Any], metadata: dict[str, Any], browser: httpx.Client
) -> None:
    client = _rp_client(devstack)
    callback, verifier, _ = _authorize(devstack, metadata, browser, client, _user(devstack, "prime"))
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    header, payload, signature = token["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    jwks = KeySet.import_key_set(httpx.get(metadata["jwks_uri"]).json())

    with pytest.raises(Exception, match="signature"):
        jwt.decode(f"{header}.{forged}.{signature}", jwks, algorithms=["RS256"])


def test_given_the_entry_user_when_signing_in_at_the_prime_only_rp_then_refused_with_guidance(
    devstack: dict[str, Any], metadata: dict[str, Any], devstack_url: str
) -> None:
    rp = devstack["relying_parties"]["demo-prime-only"]
    client = _rp_client(devstack, "demo-prime-only")
    url, _ = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=secrets.token_urlsafe(48), nonce="n"
    )

    with httpx.Client(base_url=devstack_url, follow_redirects=False, timeout=30) as browser:
        page = sign_in_through_forms(browser, url, _user(devstack, "entry"), stop_at=rp["redirect_uri"])

    assert page.status_code == 403
    assert 'href="/account/prime"' in page.text


def test_given_private_key_jwt_when_the_client_signs_with_its_key_then_tokens_and_else_invalid_client(
    devstack: dict[str, Any], metadata: dict[str, Any], other_browser: httpx.Client
) -> None:
    browser = other_browser  # the Member's browser
    rp = devstack["relying_parties"]["demo-prime-only"]
    key = RSAKey.import_key(rp["private_jwk"])
    client = _rp_client(
        devstack,
        "demo-prime-only",
        client_secret=key.as_dict(private=True),
        token_endpoint_auth_method=PrivateKeyJWT(metadata["token_endpoint"]),
    )
    callback, verifier, _ = _authorize(devstack, metadata, browser, client, _user(devstack, "member"))
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert token["id_token"]

    wrong = RSAKey.generate_key(2048, parameters={"alg": "RS256", "kid": key.kid})
    impostor = _rp_client(
        devstack,
        "demo-prime-only",
        client_secret=wrong.as_dict(private=True),
        token_endpoint_auth_method=PrivateKeyJWT(metadata["token_endpoint"]),
    )
    callback, verifier, _ = _authorize(devstack, metadata, browser, impostor, _user(devstack, "member"))
    with pytest.raises(Exception, match="invalid_client"):
        impostor.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
