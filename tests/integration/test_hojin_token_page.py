"""The API-token page: signed in through gBizID's OpenID Provider as a server-side relying party.

Everything runs in process under moto: the gBizINFO function reaches the OP's discovery, token and JWKS
endpoints through an ``httpx.MockTransport`` that calls the auth function's handler, and a small cookie-keeping
"browser" follows the redirects between the two. The OP's login is a gBizID browser session started
directly (the login pages are tested by their own part); the consent screen is answered as a person would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORPORATIONS
from devstack.events import build_proxy_event, invoke, response_body, response_headers
from devstack.seed_open_data import put_hojin_records
from functions.hojin_search.logic import API_TOKEN_HEADER
from functions.route_table import match_route
from platform_common import aws

PUBLIC_URL = "https://info.devstack.test"
PAGE = "/hojin/tokens"
SESSION_COOKIE = "gbizinfo_tokens_session"
LOGIN_COOKIE = "gbizinfo_tokens_login"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    @property
    def set_cookies(self) -> list[str]:
        return [value for key, value in self.headers if key.lower() == "set-cookie"]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def field(self, name: str) -> str:
        """The value of the first input named ``name`` on the page."""
        found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', self.text)
        assert found is not None, f"no input {name!r} on the page"
        return found.group(1)


def call(method: str, url: str, headers: dict[str, str] | None = None, body: str = "") -> Answer:
    parts = urlsplit(url)
    match = match_route(method, parts.path)
    assert match is not None, f"no route for {method} {parts.path}"
    host = parts.hostname or "info.devstack.test"
    event = build_proxy_event(
        match,
        method,
        parts.path,
        [("Host", host), *(headers or {}).items()],
        parse_qs(parts.query, keep_blank_values=True),
        body.encode("utf-8"),
    )
    result = invoke(match.route.service, event)
    return Answer(int(result["statusCode"]), response_headers(result), response_body(result))


def op_transport(rewrite_token: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> httpx.MockTransport:
    """The OP's endpoints in process; ``rewrite_token`` may replace the token endpoint's answer (attacks)."""

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {key: value for key, value in request.headers.items() if key.lower() != "content-length"}
        answer = call(request.method, str(request.url), headers, request.content.decode("utf-8"))
        body = answer.body
        if rewrite_token is not None and request.url.path.endswith("/token") and answer.status == 200:
            body = json.dumps(rewrite_token(json.loads(body))).encode()
        return httpx.Response(answer.status, headers=[(k, v) for k, v in answer.headers], content=body)

    return httpx.MockTransport(handle)


@dataclass
class Browser:
    """Keeps cookies per name (path scoping is checked in the cookie-flag test, not simulated here)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, url: str, body: str = "", headers: dict[str, str] | None = None) -> Answer:
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = call(method, url, {**({"Cookie": jar} if jar else {}), **(headers or {})}, body)
        for line in answer.set_cookies:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(line)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, url: str) -> Answer:
        return self.request("GET", url)

    def post(self, url: str, fields: dict[str, str]) -> Answer:
        return self.request("POST", url, urlencode(fields), FORM)


def _op_session(sub: str) -> str:
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.models import AccountTier
    from functions.auth.web.session import start_session

    get_store().put_profile(
        ProfileItem(sub=sub, email=f"{sub[:8]}@tokens.example.jp", tier=AccountTier.ENTRY, corporate_number=DEMO_CORP_A)
    )
    _, cookie = start_session(sub, amr=("pwd",), acr="urn:gbizid:acr:entry", second_factor_pending=False)
    return cookie.value


@pytest.fixture(scope="module")
def page_platform(aws_platform: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The token page configured (public URL, its client registered at the OP, its secret in Secrets Manager)."""
    from devstack.seed_identity import seed_token_page_client
    from functions.auth.dal import AccountsStore
    from functions.hojin_search import token_portal
    from functions.hojin_search.settings import get_settings

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)
    seed_token_page_client(
        AccountsStore(aws_platform["identity"].name("table", "accounts")), aws_platform["opendata"], PUBLIC_URL
    )
    os.environ["HOJIN_PUBLIC_URL"] = PUBLIC_URL
    get_settings.cache_clear()
    token_portal.SIGN_IN.reset()
    token_portal.SIGN_IN.use_transport(op_transport())
    yield aws_platform
    token_portal.SIGN_IN.use_transport(None)
    os.environ.pop("HOJIN_PUBLIC_URL", None)
    get_settings.cache_clear()
    token_portal.SIGN_IN.reset()


def start_sign_in(browser: Browser) -> str:
    """From the page to the OP's answer: the callback URL the OP redirects to (consent given)."""
    first = browser.get(PAGE)
    assert first.status == 303
    assert first.header("location") == f"{PAGE}/login?lang=ja"
    login = browser.get(first.header("location") or "")
    assert login.status == 303
    authorize = login.header("location") or ""
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{os.environ['OIDC_ISSUER']}/authorize?")
    assert query["scope"] == ["openid"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{PUBLIC_URL}{PAGE}/callback"]
    assert {"state", "nonce", "code_challenge"} <= set(query)
    consent = browser.get(authorize)
    if consent.status == 200:  # the first time: the consent screen
        consent = browser.post(
            f"{os.environ['OIDC_ISSUER']}/authorize",
            {"request_id": consent.field("request_id"), "csrf_token": consent.field("csrf_token"), "decision": "allow"},
        )
    assert consent.status == 302, consent.text[:500]
    callback = consent.header("location") or ""
    assert callback.startswith(f"{PUBLIC_URL}{PAGE}/callback?")
    return callback


def signed_in_browser(sub: str) -> Browser:
    browser = Browser({"gbizid_session": _op_session(sub)})
    back = browser.get(start_sign_in(browser))
    assert back.status == 303, back.text[:500]
    assert back.header("location") == f"{PAGE}?lang=ja"
    assert SESSION_COOKIE in browser.cookies
    assert LOGIN_COOKIE not in browser.cookies  # the pending sign-in's cookie is expired at once
    return browser


def _tokens_table(platform: dict[str, Any]) -> str:
    return str(platform["opendata"].name("table", "api-tokens"))


def _sessions_table(platform: dict[str, Any]) -> str:
    return str(platform["opendata"].name("table", "web-sessions"))


# ------------------------------------------------------------------------------------------ the whole flow


def test_given_a_gbizid_user_when_signing_in_issuing_and_revoking_then_the_token_works_until_revoked(page_platform):
    browser = signed_in_browser(f"page-{uuid.uuid4()}")

    page = browser.get(PAGE)
    assert page.status == 200
    assert '<h1 id="page-title">APIトークンの管理</h1>' in page.text
    assert "発行済みのトークンはありません。" in page.text
    issued = browser.post(PAGE + "?lang=ja", {"label": "分析用", "csrf_token": page.field("csrf_token")})
    assert issued.status == 200
    token = issued.field("new_token")
    assert "今だけ表示されます" in issued.text
    assert "分析用" in issued.text
    assert issued.header("cache-control") == "no-store"

    assert call("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", {API_TOKEN_HEADER: token}).status == 200
    again = browser.get(PAGE)
    assert token not in again.text  # shown once, never again
    token_id = again.field("token_id")
    assert token_id == hashlib.sha256(token.encode()).hexdigest()[:24]
    assert "未使用" not in again.text  # the call above is its last use

    revoked = browser.post(f"{PAGE}/revoke?lang=ja", {"token_id": token_id, "csrf_token": again.field("csrf_token")})
    assert revoked.status == 303
    assert revoked.header("location") == f"{PAGE}?lang=ja&revoked=1"
    assert "トークンを失効させました" in browser.get(revoked.header("location") or "").text
    assert call("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", {API_TOKEN_HEADER: token}).status == 401


def test_given_the_english_page_then_its_texts_are_english(page_platform):
    browser = signed_in_browser(f"page-en-{uuid.uuid4()}")

    page = browser.get(f"{PAGE}?lang=en")

    assert page.status == 200
    assert '<html lang="en">' in page.text
    assert "API tokens" in page.text
    assert 'action="/hojin/tokens?lang=en"' in page.text


def test_given_a_signed_in_user_when_signing_out_then_the_session_is_gone(page_platform):
    browser = signed_in_browser(f"page-out-{uuid.uuid4()}")
    csrf = browser.get(PAGE).field("csrf_token")
    cookie = browser.cookies[SESSION_COOKIE]

    out = browser.post(f"{PAGE}/logout?lang=ja", {"csrf_token": csrf})

    assert out.status == 200
    assert "ログアウトしました" in out.text
    assert SESSION_COOKIE not in browser.cookies
    assert call("GET", PAGE, {"Cookie": f"{SESSION_COOKIE}={cookie}"}).status == 303  # the old cookie is dead


@pytest.mark.parametrize(("label", "status"), [("", 400), ("   ", 400), ("x" * 81, 400)])
def test_given_a_bad_label_then_the_form_names_the_field(page_platform, label, status):
    browser = signed_in_browser(f"page-label-{uuid.uuid4()}")
    csrf = browser.get(PAGE).field("csrf_token")

    answer = browser.post(PAGE, {"label": label, "csrf_token": csrf})

    assert answer.status == status
    assert 'aria-invalid="true"' in answer.text
    assert 'href="#field-label"' in answer.text
    assert 'name="new_token"' not in answer.text


# ------------------------------------------------------------------------------------------------ attacks


def test_given_a_wrong_or_missing_state_then_the_callback_is_refused(page_platform):
    browser = Browser({"gbizid_session": _op_session(f"state-{uuid.uuid4()}")})
    callback = start_sign_in(browser)
    query = parse_qs(urlsplit(callback).query)
    login_cookie = browser.cookies[LOGIN_COOKIE]

    wrong = browser.get(f"{PAGE}/callback?" + urlencode({"code": query["code"][0], "state": "forged"}))
    browser.cookies[LOGIN_COOKIE] = login_cookie  # even with the pending sign-in's cookie kept
    missing = browser.get(f"{PAGE}/callback?" + urlencode({"code": query["code"][0]}))

    assert (wrong.status, missing.status) == (400, 400)
    assert "ログインできませんでした" in wrong.text
    assert SESSION_COOKIE not in browser.cookies


def test_given_a_callback_without_the_browsers_login_cookie_then_it_is_refused(page_platform):
    browser = Browser({"gbizid_session": _op_session(f"nocookie-{uuid.uuid4()}")})
    callback = start_sign_in(browser)

    victim = Browser()  # login CSRF: the attacker's callback URL opened in another browser
    answer = victim.get(callback)

    assert answer.status == 400
    assert SESSION_COOKIE not in victim.cookies


def test_given_a_replayed_callback_then_the_second_is_refused(page_platform):
    browser = Browser({"gbizid_session": _op_session(f"replay-{uuid.uuid4()}")})
    callback = start_sign_in(browser)
    login_cookie = browser.cookies[LOGIN_COOKIE]

    first = browser.get(callback)
    browser.cookies[LOGIN_COOKIE] = login_cookie  # replay with the same cookie, code and state
    del browser.cookies[SESSION_COOKIE]
    second = browser.get(callback)

    assert first.status == 303
    assert second.status == 400
    assert SESSION_COOKIE not in browser.cookies


def _forged_id_token(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A token answer whose ID token is re-signed by the OP's own key with ``changes`` to its claims."""

    def rewrite(token: dict[str, Any]) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.jwk import KeySet

        from functions.auth import keys

        jwks = KeySet.import_key_set(keys.get_signing_keys().jwks().model_dump())
        claims = dict(jwt.decode(token["id_token"], jwks).claims)
        claims.update(changes)
        return {**token, "id_token": keys.sign_jwt(claims, "JWT")}

    return rewrite


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": "not-the-nonce-of-this-sign-in"},
        {"aud": "some-other-relying-party", "azp": "some-other-relying-party"},
        {"iss": "https://evil.example.jp/oauth"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["nonce", "audience", "issuer", "expired"],
)
def test_given_an_id_token_not_for_this_sign_in_then_no_session_starts(page_platform, changes):
    from functions.hojin_search import token_portal

    token_portal.SIGN_IN.use_transport(op_transport(_forged_id_token(**changes)))
    try:
        browser = Browser({"gbizid_session": _op_session(f"idt-{uuid.uuid4()}")})
        answer = browser.get(start_sign_in(browser))
    finally:
        token_portal.SIGN_IN.use_transport(op_transport())

    assert answer.status == 400
    assert "ログインの応答を確認できませんでした" in answer.text
    assert SESSION_COOKIE not in browser.cookies


def test_given_the_id_token_re_signed_unchanged_then_the_sign_in_succeeds(page_platform):
    """The control for the test above: the re-signing itself is not what gets refused."""
    from functions.hojin_search import token_portal

    token_portal.SIGN_IN.use_transport(op_transport(_forged_id_token()))
    try:
        browser = Browser({"gbizid_session": _op_session(f"control-{uuid.uuid4()}")})
        answer = browser.get(start_sign_in(browser))
    finally:
        token_portal.SIGN_IN.use_transport(op_transport())

    assert answer.status == 303
    assert SESSION_COOKIE in browser.cookies


def test_given_an_id_token_with_a_broken_signature_then_no_session_starts(page_platform):
    from functions.hojin_search import token_portal

    def break_signature(token: dict[str, Any]) -> dict[str, Any]:
        head, payload, signature = token["id_token"].split(".")
        return {**token, "id_token": f"{head}.{payload}.{signature[:-6]}AAAAAA"}

    token_portal.SIGN_IN.use_transport(op_transport(break_signature))
    try:
        browser = Browser({"gbizid_session": _op_session(f"sig-{uuid.uuid4()}")})
        answer = browser.get(start_sign_in(browser))
    finally:
        token_portal.SIGN_IN.use_transport(op_transport())

    assert answer.status == 400
    assert SESSION_COOKIE not in browser.cookies


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}/revoke", f"{PAGE}/logout"])
@pytest.mark.parametrize("csrf", [None, "wrong-token"])
def test_given_a_form_without_the_sessions_csrf_token_then_403(page_platform, path, csrf):
    browser = signed_in_browser(f"csrf-{uuid.uuid4()}")
    page = browser.get(PAGE)
    issued = browser.post(PAGE, {"label": "keep", "csrf_token": page.field("csrf_token")})
    token_id = hashlib.sha256(issued.field("new_token").encode()).hexdigest()[:24]
    fields = {"label": "attack", "token_id": token_id, **({"csrf_token": csrf} if csrf else {})}

    answer = browser.post(path, fields)

    assert answer.status == 403
    listed = browser.get(PAGE)
    assert listed.status == 200  # still signed in (logout refused)
    assert listed.text.count('name="token_id"') == 1  # nothing issued, nothing revoked


def test_given_another_users_token_id_when_revoking_then_404_and_the_token_still_works(page_platform):
    victim = signed_in_browser(f"victim-{uuid.uuid4()}")
    issued = victim.post(PAGE, {"label": "mine", "csrf_token": victim.get(PAGE).field("csrf_token")})
    token = issued.field("new_token")
    token_id = hashlib.sha256(token.encode()).hexdigest()[:24]
    attacker = signed_in_browser(f"attacker-{uuid.uuid4()}")

    answer = attacker.post(
        f"{PAGE}/revoke", {"token_id": token_id, "csrf_token": attacker.get(PAGE).field("csrf_token")}
    )

    assert answer.status == 404
    assert call("GET", f"/hojin/v2/hojin/{DEMO_CORP_A}", {API_TOKEN_HEADER: token}).status == 200


def test_given_no_session_when_posting_a_form_then_nothing_happens_and_the_browser_goes_to_sign_in(page_platform):
    answer = Browser().post(PAGE, {"label": "x", "csrf_token": "x"})

    assert answer.status == 303
    assert answer.header("location") == f"{PAGE}/login?lang=ja"


def test_the_cookies_are_httponly_lax_secure_and_scoped_to_the_page(page_platform):
    browser = Browser({"gbizid_session": _op_session(f"flags-{uuid.uuid4()}")})
    login = browser.get(f"{PAGE}/login")
    callback = browser.get(start_sign_in(browser))

    for line in (*login.set_cookies, *callback.set_cookies):
        flags = [part.strip().lower() for part in line.split(";")]
        assert "httponly" in flags, line
        assert "samesite=lax" in flags, line
        assert "secure" in flags, line
        assert "path=/hojin/tokens" in flags, line
    session = next(line for line in callback.set_cookies if line.startswith(SESSION_COOKIE))
    assert "max-age=28800" in session.lower()  # eight hours


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [
        ("http://127.0.0.1:8000", False),
        ("http://localhost:8000", False),
        ("http://info.example.jp", True),
        ("https://127.0.0.1:8443", True),
        ("https://info.gbiz.example.jp", True),
    ],
)
def test_secure_is_off_only_for_plain_http_on_a_local_host(public_url, secure):
    from platform_common.browser_session import secure_cookies_for

    assert secure_cookies_for(public_url) is secure


def test_the_plain_token_and_session_are_never_stored_nor_logged(page_platform, caplog):
    from functions.hojin_search.settings import SERVICE
    from platform_common.observability import observability_for

    logger = observability_for(SERVICE).logger
    level = logger.log_level
    logger.setLevel("DEBUG")
    try:
        browser = signed_in_browser(f"store-{uuid.uuid4()}")
        issued = browser.post(PAGE, {"label": "stored?", "csrf_token": browser.get(PAGE).field("csrf_token")})
        token = issued.field("new_token")
        browser.get(PAGE)
    finally:
        logger.setLevel(level)
    logged = "\n".join(json.dumps(record.__dict__, default=str) for record in caplog.records)

    dynamodb = aws.client("dynamodb")
    tokens = json.dumps(dynamodb.scan(TableName=_tokens_table(page_platform))["Items"])
    sessions = json.dumps(dynamodb.scan(TableName=_sessions_table(page_platform))["Items"])
    assert hashlib.sha256(token.encode()).hexdigest() in tokens
    assert token not in tokens
    assert token not in sessions
    assert browser.cookies[SESSION_COOKIE] not in sessions  # only its SHA-256
    assert hashlib.sha256(browser.cookies[SESSION_COOKIE].encode()).hexdigest() in sessions
    assert "api token issued on the token page" in logged  # the records were captured, with their fields
    assert token not in logged
    assert browser.cookies[SESSION_COOKIE] not in logged


def test_given_no_configured_public_url_then_the_login_answers_503_not_500(page_platform, monkeypatch):
    from functions.hojin_search import token_portal
    from functions.hojin_search.settings import get_settings

    monkeypatch.setenv("HOJIN_PUBLIC_URL", "")
    get_settings.cache_clear()
    try:
        answer = Browser().get(f"{PAGE}/login")
    finally:
        monkeypatch.setenv("HOJIN_PUBLIC_URL", PUBLIC_URL)
        get_settings.cache_clear()
        token_portal.SIGN_IN.reset()

    assert answer.status == 503
    assert answer.header("content-type") == "text/html; charset=utf-8"
