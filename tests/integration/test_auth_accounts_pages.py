"""Account pages through the API Gateway events the gateway builds: sign-up with e-mail verification, login
with lockout, the second-factor step, logout, password change. Security properties are tried as attacks."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest

REGION = "ap-northeast-1"
PASSWORD = "Correct-Horse-9-battery"
_counter = itertools.count()


def _address(label: str) -> str:
    return f"accounts-{label}-{next(_counter)}@applicant.example.jp"


@dataclass
class Page:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None

    def set_cookies(self) -> list[str]:
        return [value for key, value in self.headers if key.lower() == "set-cookie"]

    def csrf(self) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.body)
        assert match, "the form carries a CSRF token"
        return match.group(1)


@dataclass
class Browser:
    """A cookie-keeping client over the gateway's event conversion (every Set-Cookie header kept)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, url: str, form: dict[str, str] | None = None) -> Page:
        from devstack.events import build_proxy_event, invoke, response_body, response_headers
        from functions.route_table import match_route

        parts = urlsplit(url)
        match = match_route(method, parts.path)
        assert match is not None, f"no route for {method} {parts.path}"
        headers = [("Host", "id.devstack.test"), ("User-Agent", "pytest-browser")]
        if self.cookies:
            headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        body = b""
        if form is not None:
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = urlencode(form).encode()
        event = build_proxy_event(
            match, method, parts.path, headers, parse_qs(parts.query, keep_blank_values=True), body
        )
        result = invoke(match.route.service, event)
        page = Page(int(result["statusCode"]), response_headers(result), response_body(result).decode("utf-8"))
        for line in page.set_cookies():
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return page

    def get(self, url: str) -> Page:
        return self.request("GET", url)

    def post(self, url: str, form: dict[str, str]) -> Page:
        return self.request("POST", url, form)

    def submit(self, url: str, form: dict[str, str], *, from_page: str | None = None) -> Page:
        """GET the form's page (for its CSRF token), then POST the form."""
        token = self.get(from_page or url).csrf()
        return self.post(url, {**form, "csrf_token": token})


@pytest.fixture(scope="module")
def platform(aws_platform: dict[str, Any]) -> dict[str, Any]:
    from devstack.seed_identity import verify_mail_sender

    verify_mail_sender()
    return aws_platform


def _corporate_user(tier: str, parent_sub: str | None = None) -> dict[str, str]:
    """A verified Prime or Member account of its own (the session's platform is shared: no demo re-seeding)."""
    from devstack.demo_corporations import DEMO_CORP_A
    from functions.auth.dal import ProfileItem, TotpFactorItem, get_store
    from functions.auth.factor_secrets import seal_factor_secret
    from functions.auth.models import AccountTier
    from functions.auth.settings import get_settings
    from platform_common import aws

    email = _address(tier)
    pool = get_settings().user_pool_id
    cognito = aws.client("cognito-idp")
    created = cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    store = get_store()
    store.put_profile(
        ProfileItem(sub=sub, email=email, tier=AccountTier(tier), corporate_number=DEMO_CORP_A, parent_sub=parent_sub)
    )
    secret = pyotp.random_base32()
    sealed = seal_factor_secret(get_settings().secrets_key_id, sub, "totp", secret)
    store.put_totp_factor(TotpFactorItem(sub=sub, secret_ciphertext=sealed))
    return {"email": email, "password": PASSWORD, "sub": sub, "totp_secret": secret}


@pytest.fixture(scope="module")
def prime(platform: dict[str, Any]) -> dict[str, str]:
    return _corporate_user("prime")


@pytest.fixture(scope="module")
def member(platform: dict[str, Any], prime: dict[str, str]) -> dict[str, str]:
    return _corporate_user("member", parent_sub=prime["sub"])


@pytest.fixture(scope="module")
def known_entry(platform: dict[str, Any]) -> str:
    email = _address("known")
    _signed_up_and_verified(email)
    return email


def _mails_to(address: str) -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    return [m for m in sent if address in m.destinations.get("ToAddresses", [])]


def _code_sent_to(address: str) -> str:
    mails = _mails_to(address)
    assert mails, f"no mail to {address}"
    match = re.search(r"\b(\d{6})\b", mails[-1].body)
    assert match, "the mail carries a 6-digit code"
    return match.group(1)


def _sign_up(browser: Browser, email: str, password: str = PASSWORD) -> Page:
    return browser.submit("/account/signup", {"email": email, "password": password, "display_name": ""})


def _signed_up_and_verified(email: str) -> Browser:
    browser = Browser()
    assert _sign_up(browser, email).status == 200
    page = browser.submit(
        "/account/signup/verify",
        {"action": "verify", "email": email, "code": _code_sent_to(email), "password": PASSWORD},
    )
    assert page.status == 303
    return browser


def _log_in(browser: Browser, email: str, password: str = PASSWORD, **extra: str) -> Page:
    return browser.submit("/account/login", {"email": email, "password": password, **extra})


# -- sign-up


def test_given_a_new_address_when_signing_up_and_verifying_then_an_entry_account_can_log_in(platform: Any) -> None:
    from functions.auth.dal import get_store
    from functions.auth.models import AccountTier

    email = _address("signup")
    browser = Browser()

    sent = _sign_up(browser, email)
    assert sent.status == 200
    assert "確認コード" in sent.body
    verified = browser.submit(
        "/account/signup/verify",
        {"action": "verify", "email": email, "code": _code_sent_to(email), "password": PASSWORD},
    )
    assert verified.status == 303
    assert verified.header("Location") == "/account/login?verified=1"

    logged_in = _log_in(browser, email)
    assert logged_in.status == 303
    assert logged_in.header("Location") == "/account"
    home = browser.get("/account")
    assert home.status == 200
    assert email in home.body
    assert "GビズIDエントリー" in home.body
    sub = next(line for line in _cognito_subs(email))
    profile = get_store().get_profile(sub)
    assert profile is not None
    assert profile.tier is AccountTier.ENTRY
    assert profile.corporate_number is None


def _cognito_subs(email: str) -> list[str]:
    from functions.auth.accounts import cognito

    user = cognito.get_user(email)
    return [user.sub] if user else []


def test_given_a_signup_not_verified_when_logging_in_then_it_is_refused_like_a_wrong_password(platform: Any) -> None:
    email = _address("unverified")
    browser = Browser()
    _sign_up(browser, email)

    page = _log_in(browser, email)

    assert page.status == 400
    assert "メールアドレスまたはパスワードが正しくありません" in page.body


def test_given_a_wrong_code_five_times_when_verifying_then_even_the_right_code_is_refused(platform: Any) -> None:
    email = _address("guess")
    browser = Browser()
    _sign_up(browser, email)
    right = _code_sent_to(email)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(5):
        attempt = browser.submit(
            "/account/signup/verify", {"action": "verify", "email": email, "code": wrong, "password": PASSWORD}
        )
        assert attempt.status == 400
    last = browser.submit(
        "/account/signup/verify", {"action": "verify", "email": email, "code": right, "password": PASSWORD}
    )

    assert last.status == 400
    assert 'aria-invalid="true"' in last.body


def test_given_the_right_code_but_another_password_when_verifying_then_it_is_refused(platform: Any) -> None:
    """A sign-up planted for someone's address cannot be completed with the owner's code alone."""
    email = _address("planted")
    browser = Browser()
    _sign_up(browser, email)

    page = browser.submit(
        "/account/signup/verify",
        {"action": "verify", "email": email, "code": _code_sent_to(email), "password": "Other-Password-42"},
    )

    assert page.status == 400


def test_given_an_expired_code_when_verifying_then_it_is_refused(platform: Any, monkeypatch: Any) -> None:
    from functions.auth.accounts import clock

    email = _address("expired")
    browser = Browser()
    _sign_up(browser, email)
    code = _code_sent_to(email)
    later = clock.now() + 15 * 60 + 1
    monkeypatch.setattr(clock, "now", lambda: later)

    page = browser.submit(
        "/account/signup/verify", {"action": "verify", "email": email, "code": code, "password": PASSWORD}
    )

    assert page.status == 400


def test_given_a_weak_password_when_signing_up_then_the_form_returns_with_each_rule_named(platform: Any) -> None:
    browser = Browser()

    page = _sign_up(browser, _address("weak"), password="short")

    assert page.status == 400
    assert "12文字以上" in page.body
    assert "英大文字" in page.body
    assert "数字" in page.body
    assert "記号" in page.body
    assert 'aria-describedby="field-password-hint field-password-error"' in page.body
    assert 'aria-invalid="true"' in page.body


def test_given_a_bad_address_in_english_when_signing_up_then_the_error_is_english_and_next_to_the_field(
    platform: Any,
) -> None:
    browser = Browser()
    token = browser.get("/account/signup?lang=en").csrf()

    page = browser.post(
        "/account/signup?lang=en", {"email": "not-an-address", "password": PASSWORD, "csrf_token": token}
    )

    assert page.status == 400
    assert '<html lang="en">' in page.body
    assert 'id="field-email-error"' in page.body
    assert "Enter an e-mail address" in page.body


def _without_varying(body: str, *addresses: str) -> str:
    for address in addresses:
        body = body.replace(address, "ADDRESS")
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="TOKEN"', body)


def test_given_a_known_and_an_unknown_address_when_signing_up_then_the_answers_are_identical(
    platform: Any, known_entry: str
) -> None:
    known = known_entry
    unknown = _address("nobody")
    mails_before = len(_mails_to(known))

    known_page = _sign_up(Browser(), known)
    unknown_page = _sign_up(Browser(), unknown)

    assert known_page.status == unknown_page.status == 200
    assert _without_varying(known_page.body, known, unknown) == _without_varying(unknown_page.body, known, unknown)
    assert [k for k, _ in known_page.headers if k.lower() != "set-cookie"] == [
        k for k, _ in unknown_page.headers if k.lower() != "set-cookie"
    ]
    assert not any(re.search(r"\b\d{6}\b", mail.body) for mail in _mails_to(known)[mails_before:]), (
        "the holder of an existing account gets no sign-up code"
    )


def test_given_a_known_and_an_unknown_address_when_logging_in_with_a_wrong_password_then_answers_are_identical(
    platform: Any, known_entry: str
) -> None:
    known = known_entry
    unknown = _address("stranger")

    known_page = _log_in(Browser(), known, "Wrong-password-123")
    unknown_page = _log_in(Browser(), unknown, "Wrong-password-123")

    assert known_page.status == unknown_page.status == 400
    assert _without_varying(known_page.body, known, unknown) == _without_varying(unknown_page.body, known, unknown)


# -- login, lockout, sessions


def test_given_five_failures_when_the_right_password_comes_sixth_then_it_is_refused_as_locked(platform: Any) -> None:
    email = _address("lockout")
    browser = _signed_up_and_verified(email)

    for _ in range(4):
        assert _log_in(browser, email, "Wrong-password-123").status == 400
    fifth = _log_in(browser, email, "Wrong-password-123")
    sixth = _log_in(browser, email, PASSWORD)

    assert fifth.status == 429
    assert sixth.status == 429
    assert "15分間" in sixth.body
    assert "gbizid_session" not in browser.cookies


def test_given_a_locked_address_when_fifteen_minutes_pass_then_the_right_password_works_again(
    platform: Any, monkeypatch: Any
) -> None:
    from functions.auth.accounts import clock

    email = _address("unlock")
    browser = _signed_up_and_verified(email)
    for _ in range(5):
        _log_in(browser, email, "Wrong-password-123")
    later = clock.now() + 15 * 60 + 1
    monkeypatch.setattr(clock, "now", lambda: later)

    assert _log_in(browser, email, PASSWORD).status == 303


def test_given_an_unknown_address_when_failing_five_times_then_it_locks_too(platform: Any) -> None:
    """A lock says nothing about whether the address has an account."""
    email = _address("ghost")
    browser = Browser()

    statuses = [_log_in(browser, email, "Wrong-password-123").status for _ in range(6)]

    assert statuses == [400, 400, 400, 400, 429, 429]


def test_given_a_session_id_planted_before_login_when_logging_in_then_a_new_id_is_issued(platform: Any) -> None:
    email = _address("fixation")
    browser = _signed_up_and_verified(email)
    browser.cookies["gbizid_session"] = "planted-by-the-attacker-0000000000000000000"

    page = _log_in(browser, email)

    assert page.status == 303
    assert browser.cookies["gbizid_session"] != "planted-by-the-attacker-0000000000000000000"
    attacker = Browser(cookies={"gbizid_session": "planted-by-the-attacker-0000000000000000000"})
    assert attacker.get("/account").status == 303


def test_given_a_login_when_the_cookie_is_set_then_it_is_httponly_samesite_lax_secure_path_root(platform: Any) -> None:
    email = _address("cookie")
    browser = _signed_up_and_verified(email)

    page = _log_in(browser, email)

    [session_cookie] = [c for c in page.set_cookies() if c.startswith("gbizid_session=")]
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" in session_cookie  # the tests' issuer is https
    assert "Path=/" in session_cookie


def test_given_a_page_when_served_then_it_has_csp_no_store_and_a_skip_link(platform: Any) -> None:
    page = Browser().get("/account/login")

    assert page.header("Content-Security-Policy") == "default-src 'self'; frame-ancestors 'none'"
    assert page.header("Cache-Control") == "no-store"
    assert '<a class="skip-link" href="#main">' in page.body
    assert 'href="/account/login?lang=en"' in page.body
    assert 'autocomplete="username"' in page.body
    assert 'autocomplete="current-password"' in page.body


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)"],
)
def test_given_an_off_site_return_to_when_logging_in_then_it_is_refused(platform: Any, target: str) -> None:
    email = _address("redirect")
    browser = _signed_up_and_verified(email)

    shown = browser.get("/account/login?" + urlencode({"return_to": target}))
    posted = _log_in(browser, email, return_to=target)

    assert shown.status == 400
    assert posted.status == 400
    assert posted.header("Location") is None
    assert "gbizid_session" not in browser.cookies


def test_given_a_relative_return_to_when_logging_in_then_the_browser_goes_back_there(platform: Any) -> None:
    email = _address("return")
    browser = _signed_up_and_verified(email)

    page = _log_in(browser, email, return_to="/account/password")

    assert page.header("Location") == "/account/password"


def test_given_an_oidc_request_when_logging_in_then_the_browser_returns_to_authorize(platform: Any) -> None:
    email = _address("oidc")
    browser = _signed_up_and_verified(email)

    page = _log_in(browser, email, request="abc123-XYZ_")

    assert page.header("Location") == "/oauth/authorize?request=abc123-XYZ_"


def test_given_no_session_when_opening_the_home_page_then_it_redirects_to_login_with_return_to(platform: Any) -> None:
    page = Browser().get("/account/password")

    assert page.status == 303
    assert page.header("Location") == "/account/login?return_to=/account/password"


# -- CSRF


def test_given_a_missing_or_wrong_csrf_token_when_posting_then_it_is_403(platform: Any) -> None:
    email = _address("csrf")
    browser = _signed_up_and_verified(email)
    browser.get("/account/login")  # holds a CSRF cookie

    missing = browser.post("/account/login", {"email": email, "password": PASSWORD})
    wrong = browser.post("/account/login", {"email": email, "password": PASSWORD, "csrf_token": "x" * 43})
    assert missing.status == wrong.status == 403
    assert "gbizid_session" not in browser.cookies

    assert _log_in(browser, email).status == 303
    forged_logout = browser.post("/account/logout", {"csrf_token": "forged"})
    assert forged_logout.status == 403
    assert browser.get("/account").status == 200, "the forged logout did not end the session"


def test_given_a_signed_in_user_when_logging_out_then_the_session_is_gone(platform: Any) -> None:
    email = _address("logout")
    browser = _signed_up_and_verified(email)
    _log_in(browser, email)
    stolen = dict(browser.cookies)

    page = browser.submit("/account/logout", {}, from_page="/account")

    assert page.status == 303
    assert page.header("Location") == "/account/login?logged_out=1"
    assert browser.get("/account").status == 303
    assert Browser(cookies=stolen).get("/account").status == 303, "the old cookie no longer signs in"


# -- password change


def test_given_a_fresh_login_when_changing_the_password_then_the_new_one_works_and_a_notice_is_sent(
    platform: Any,
) -> None:
    email = _address("password")
    browser = _signed_up_and_verified(email)
    _log_in(browser, email)
    new = "Another-Strong-Pass-77"

    page = browser.submit(
        "/account/password", {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    )

    assert page.status == 200
    assert "パスワードを変更しました" in page.body
    assert any("パスワード" in mail.subject for mail in _mails_to(email)[-1:])
    assert _log_in(Browser(), email, new).status == 303


def test_given_a_wrong_current_password_when_changing_then_the_form_says_so(platform: Any) -> None:
    email = _address("password-wrong")
    browser = _signed_up_and_verified(email)
    _log_in(browser, email)

    page = browser.submit(
        "/account/password",
        {
            "current_password": "Not-the-password-1",
            "new_password": "Brand-New-Pass-88",
            "confirm_password": "Brand-New-Pass-88",
        },
    )

    assert page.status == 400
    assert 'id="field-current_password-error"' in page.body


def test_given_a_login_older_than_five_minutes_when_changing_the_password_then_a_new_login_is_required(
    platform: Any, monkeypatch: Any
) -> None:
    from functions.auth.web import session as web_session

    email = _address("stale")
    browser = _signed_up_and_verified(email)
    _log_in(browser, email)
    later = web_session._now() + 301
    monkeypatch.setattr(web_session, "_now", lambda: later)

    page = browser.get("/account/password")

    assert page.status == 303
    assert page.header("Location") == "/account/login?return_to=/account/password"


# -- second factor


def test_given_a_prime_user_when_logging_in_with_totp_then_the_session_has_mfa(prime: dict[str, str]) -> None:
    from functions.auth.web.session import current_session

    browser = Browser()

    first = _log_in(browser, prime["email"], prime["password"])
    assert first.status == 303
    assert first.header("Location") == "/account/login/second-factor"
    assert browser.get("/account").status == 303, "no access before the second factor"
    page = browser.get("/account/login/second-factor")
    assert 'autocomplete="one-time-code"' in page.body
    done = browser.post(
        "/account/login/second-factor",
        {
            "action": "verify",
            "method": "totp",
            "code": pyotp.TOTP(prime["totp_secret"]).now(),
            "csrf_token": page.csrf(),
        },
    )

    assert done.status == 303
    assert done.header("Location") == "/account"
    session = current_session({"headers": {"Cookie": f"gbizid_session={browser.cookies['gbizid_session']}"}})
    assert session is not None
    assert {"pwd", "otp", "mfa"} <= set(session.amr)
    assert session.acr == "urn:gbizid:acr:prime"


def test_given_a_used_totp_code_when_replayed_at_another_login_then_it_is_refused(member: dict[str, str]) -> None:
    code = pyotp.TOTP(member["totp_secret"]).now()
    first = Browser()
    _log_in(first, member["email"], member["password"])
    page = first.get("/account/login/second-factor")
    ok = first.post(
        "/account/login/second-factor", {"action": "verify", "method": "totp", "code": code, "csrf_token": page.csrf()}
    )
    assert ok.status == 303

    attacker = Browser()
    _log_in(attacker, member["email"], member["password"])
    page = attacker.get("/account/login/second-factor")
    replay = attacker.post(
        "/account/login/second-factor", {"action": "verify", "method": "totp", "code": code, "csrf_token": page.csrf()}
    )

    assert replay.status == 400
    assert attacker.get("/account").status == 303
