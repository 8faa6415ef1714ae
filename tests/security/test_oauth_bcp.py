"""The OAuth 2.0 Security Best Current Practice (RFC 9700) at gBizID's OpenID Provider, attack by attack:
redirect URI manipulation, PKCE downgrade, authorization code injection, mix-up (RFC 9207) and token
leakage. Each test drives the OP as a relying party (or an attacker) would, through the API Gateway events.
The flow helpers are the OIDC integration tests' (a registered client, a signed-in gBizID session)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.integration.test_auth_oidc_flow import HOST, ISSUER, Flow, _account, _challenge, _cookie_for, _register


@pytest.fixture(scope="module", autouse=True)
def _open_data(aws_platform: Any) -> None:
    import os

    from devstack.demo_corporations import DEMO_CORPORATIONS
    from devstack.seed_open_data import put_hojin_records

    put_hojin_records(os.environ["HOJIN_TABLE_NAME"], DEMO_CORPORATIONS)


@pytest.fixture
def flow(call_api: Any) -> Flow:
    return Flow(call_api, _register(), _cookie_for(_account("prime")))


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


# -- redirect URI: exact match only (RFC 9700 §4.1), never an open redirector

REDIRECT_TRICKS = {
    "trailing-slash": "{rp}/",
    "longer-path": "{rp}x",
    "dot-segments": "{rp}/../../evil",
    "encoded-path": "{rp_encoded}",
    "extra-query": "{rp}?next=https://evil.example.jp",
    "fragment": "{rp}#evil",
    "http-downgrade": "{rp_http}",
    "upper-case-host": "{rp_upper}",
    "explicit-port": "{rp_port}",
    "subdomain-of-attacker": "https://{host}.evil.example.jp/callback",
    "attacker-subdomain": "https://evil.{host}/callback",
    "userinfo-trick": "https://{host}@evil.example.jp/callback",
    "backslash-trick": "https://evil.example.jp\\@{host}/callback",
    "other-origin": "https://evil.example.jp/callback",
    "javascript": "javascript:alert(1)//{rp}",
    "empty": "",
}


@pytest.mark.parametrize("trick", REDIRECT_TRICKS)
def test_given_a_redirect_uri_not_exactly_registered_when_authorizing_then_no_redirect_at_all(
    flow: Flow, trick: str
) -> None:
    rp = flow.rp.redirect_uri
    host = urlsplit(rp).hostname or ""
    candidate = REDIRECT_TRICKS[trick].format(
        rp=rp,
        host=host,
        rp_encoded=rp.replace("/callback", "/%63allback"),
        rp_http=rp.replace("https://", "http://"),
        rp_upper=rp.replace(host, host.upper()),
        rp_port=rp.replace(host, f"{host}:443"),
    )

    page = flow.authorize(redirect_uri=candidate)

    assert page.status in (200, 400)  # an error page for the person, never a 30x
    assert "location" not in page.headers
    assert "text/html" in page.headers["content-type"]


def test_given_an_unknown_client_when_authorizing_then_no_redirect_even_to_a_plausible_uri(flow: Flow) -> None:
    page = flow.authorize(client_id="rp-does-not-exist")

    assert "location" not in page.headers


def test_given_a_post_logout_redirect_not_registered_when_logging_out_then_no_redirect(flow: Flow) -> None:
    query = urlencode({"client_id": flow.rp.client_id, "post_logout_redirect_uri": "https://evil.example.jp/"})

    page = flow.call("GET", f"/oauth/logout?{query}", headers={**HOST, "Cookie": flow.cookie})

    assert "location" not in page.headers


# -- PKCE: required, S256 only; a downgrade to plain or to none is refused (RFC 9700 §2.1.1, §4.8)


def test_given_code_challenge_method_plain_when_authorizing_then_refused_without_a_code(flow: Flow) -> None:
    verifier = secrets.token_urlsafe(48)

    page = flow.authorize(code_challenge=verifier, code_challenge_method="plain")

    assert page.status == 302
    answer = _query(page.headers["location"])
    assert answer["error"] == ["invalid_request"]
    assert "code" not in answer


def test_given_a_challenge_without_its_method_when_authorizing_then_refused(flow: Flow) -> None:
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
                "code_challenge": _challenge(secrets.token_urlsafe(48)),
            }
        ),
        headers={**HOST, "Cookie": flow.cookie},
    )

    assert page.status == 302
    assert "code" not in _query(page.headers["location"])


def test_given_a_code_when_redeemed_without_a_verifier_then_refused(flow: Flow) -> None:
    code = flow.code()

    answer = flow.token({"grant_type": "authorization_code", "code": code, "redirect_uri": flow.rp.redirect_uri})

    assert answer.status == 400
    assert "access_token" not in answer.json()


def test_given_a_code_when_redeemed_with_the_challenge_itself_as_verifier_then_refused(flow: Flow) -> None:
    code = flow.code()

    answer = flow.exchange(code, verifier=_challenge(flow.verifier))  # what a "plain" downgrade would send

    assert answer.status == 400
    assert answer.json()["error"] == "invalid_grant"


# -- code injection: a code is bound to its client, its redirect URI and its PKCE verifier (RFC 9700 §4.5)


def test_given_a_code_of_client_a_when_client_b_redeems_it_then_refused_and_the_code_is_spent(
    flow: Flow, call_api: Any
) -> None:
    code = flow.code()
    other = Flow(call_api, _register(), flow.cookie, verifier=flow.verifier)

    stolen = other.token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": other.rp.redirect_uri,
            "code_verifier": flow.verifier,
        }
    )

    assert stolen.status == 400
    assert stolen.json()["error"] == "invalid_grant"
    assert flow.exchange(code).status == 400  # one try only: the code cannot be used after an attack either


def test_given_a_code_when_redeemed_with_another_redirect_uri_then_refused(flow: Flow) -> None:
    code = flow.code()

    answer = flow.token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://evil.example.jp/callback",
            "code_verifier": flow.verifier,
        }
    )

    assert answer.status == 400
    assert "access_token" not in answer.json()


def test_given_a_refresh_token_of_client_a_when_client_b_uses_it_then_refused(flow: Flow, call_api: Any) -> None:
    tokens = flow.exchange(flow.code()).json()
    other = Flow(call_api, _register(), flow.cookie)

    answer = other.token({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})

    assert answer.status == 400
    assert "access_token" not in answer.json()


# -- mix-up: the authorization response names its issuer (RFC 9207), and discovery says so


def test_given_a_successful_authorization_then_the_response_names_the_issuer(flow: Flow) -> None:
    page = flow.authorize()
    if page.status == 200:
        page = flow.consent(page)

    answer = _query(page.headers["location"])

    assert answer["iss"] == [ISSUER]
    assert set(answer) == {"code", "state", "iss"}


@pytest.mark.parametrize("case", ["pkce-error", "access-denied", "login-required"])
def test_given_an_error_response_to_the_relying_party_then_it_names_the_issuer_too(flow: Flow, case: str) -> None:
    if case == "pkce-error":
        page = flow.authorize(code_challenge_method="plain")
    elif case == "access-denied":
        page = flow.consent(flow.authorize(), decision="deny")
    else:
        flow.cookie = ""
        page = flow.authorize(prompt="none")

    assert page.status == 302
    answer = _query(page.headers["location"])
    assert "error" in answer
    assert answer["iss"] == [ISSUER]


def test_given_the_discovery_document_then_it_announces_the_iss_parameter(call_api: Any) -> None:
    document = call_api("GET", "/oauth/.well-known/openid-configuration", headers=HOST).json()

    assert document["authorization_response_iss_parameter_supported"] is True
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["response_types_supported"] == ["code"]


# -- token leakage: no token in a URL, no token cached, no token accepted from a URL (RFC 9700 §4.2, §4.3)


@pytest.mark.parametrize("response_type", ["token", "id_token", "code token", "code id_token"])
def test_given_an_implicit_or_hybrid_response_type_when_authorizing_then_no_token_goes_in_a_url(
    flow: Flow, response_type: str
) -> None:
    page = flow.authorize(response_type=response_type)

    location = page.headers.get("location", "")
    assert "access_token" not in location
    assert "id_token=" not in location
    if location:
        assert _query(location).get("error") == ["unsupported_response_type"]


def test_given_tokens_when_issued_then_the_answer_is_not_cached(flow: Flow) -> None:
    answer = flow.exchange(flow.code())

    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"


def test_given_an_access_token_in_the_query_string_then_userinfo_refuses_it(flow: Flow, call_api: Any) -> None:
    access = flow.exchange(flow.code()).json()["access_token"]

    answer = call_api("GET", "/oauth/userinfo?" + urlencode({"access_token": access}), headers=HOST)

    assert answer.status == 401


def test_given_the_consent_and_authorization_pages_then_no_referrer_leaves_them(flow: Flow) -> None:
    page = flow.authorize()

    assert page.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", ["client_id", "scope", "response_type", "code_challenge_method", "state", "prompt"])
def test_given_a_parameter_with_quotes_or_backslashes_when_authorizing_then_a_clear_refusal_not_a_crash(
    flow: Flow, name: str
) -> None:
    page = flow.authorize(**{name: 'x"\\y'})

    assert page.status in (200, 302, 400)
    if page.status == 302:  # only to the registered redirect URI, with an error
        assert page.headers["location"].startswith(flow.rp.redirect_uri + "?")
