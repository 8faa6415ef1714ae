"""The second-factor pages through the API Gateway events: enrolment, removal, fresh login, CSRF, errors.

Each test makes its own account and signs it in by starting a browser session directly (the login pages
belong to the accounts part), then drives the pages as a browser would.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pyotp
import pytest

from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import AccountTier
from tests.conftest import ApiCaller, ApiResponse

HOST = {"Host": "id.devstack.test"}
FORM = "application/x-www-form-urlencoded"


class Browser:
    """One signed-in account's cookie and the pages' CSRF token."""

    def __init__(self, call_api: ApiCaller, profile: ProfileItem, *, signed_in_ago: int = 0) -> None:
        from functions.auth.web import session as sessions

        real_now = sessions._now
        sessions._now = lambda: real_now() - signed_in_ago  # type: ignore[assignment]
        try:
            started, cookie = sessions.start_session(
                profile.sub, amr=("pwd",), acr="urn:gbizid:acr:entry", second_factor_pending=False
            )
        finally:
            sessions._now = real_now  # type: ignore[assignment]
        self.call_api = call_api
        self.profile = profile
        self.cookie = f"{cookie.name}={cookie.value}"
        self.csrf = started.csrf_token

    def get(self, path: str) -> ApiResponse:
        return self.call_api("GET", path, headers={**HOST, "Cookie": self.cookie})

    def post(self, path: str, fields: dict[str, str], *, csrf: str | None = None) -> ApiResponse:
        body = urlencode({"csrf_token": self.csrf if csrf is None else csrf, **fields})
        return self.call_api("POST", path, headers={**HOST, "Cookie": self.cookie, "Content-Type": FORM}, body=body)


def _profile(tier: AccountTier = AccountTier.ENTRY) -> ProfileItem:
    sub = str(uuid.uuid4())
    profile = ProfileItem(sub=sub, email=f"pages-{sub[:8]}@example.jp", tier=tier, corporate_number="9999900000011")
    get_store().put_profile(profile)
    return profile


@pytest.fixture
def browser(call_api: ApiCaller) -> Browser:
    from functions.auth.settings import get_settings
    from platform_common import aws

    aws.client("ses").verify_email_identity(EmailAddress=get_settings().mail_from)
    return Browser(call_api, _profile())


def _text(response: ApiResponse) -> str:
    return response.body.decode("utf-8")


def _secret(page: str) -> str:
    found = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>', page)
    assert found, page
    return found.group(1).replace(" ", "")


def _sms_code(phone: str) -> str:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    messages = [
        m for (number, m) in sns_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"].sms_messages.values() if number == phone
    ]
    return str(re.findall(r"\b(\d{6})\b", messages[-1])[-1])


def _enrol_totp(browser: Browser) -> str:
    secret = _secret(_text(browser.get("/account/factors/totp")))
    confirmed = browser.post("/account/factors/totp", {"code": pyotp.TOTP(secret).now()})
    assert confirmed.status == 303, _text(confirmed)
    return secret


def test_given_no_session_when_the_factors_page_is_opened_then_the_login_page_comes_first(call_api: ApiCaller) -> None:
    page = call_api("GET", "/account/factors", headers=HOST)

    assert page.status == 303
    assert page.headers["location"] == "/account/login?return_to=/account/factors"


def test_given_a_fresh_session_when_totp_is_enrolled_from_the_page_then_it_is_listed(browser: Browser) -> None:
    enrolment = browser.get("/account/factors/totp")
    page = _text(enrolment)

    assert enrolment.status == 200
    assert '<svg role="img" aria-label="' in page  # the QR code has a text alternative
    assert "otpauth://totp/G%E3%83%93%E3%82%BAID:" in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert enrolment.headers["cache-control"].startswith("no-store")
    confirmed = browser.post("/account/factors/totp", {"code": pyotp.TOTP(_secret(page)).now()})
    assert (confirmed.status, confirmed.headers["location"]) == (303, "/account/factors?done=added")
    listed = _text(browser.get("/account/factors?done=added"))
    assert 'data-factor="totp"' in listed
    assert "追加しました" in listed


def test_given_an_enrolment_form_when_a_malformed_code_is_sent_then_the_form_returns_with_the_error_by_the_field(
    browser: Browser,
) -> None:
    browser.get("/account/factors/totp")

    answer = browser.post("/account/factors/totp", {"code": "12ab"})

    page = _text(answer)
    assert answer.status == 400
    assert 'id="field-code-error"' in page
    assert re.search(r'<input[^>]*id="field-code"[^>]*aria-describedby="[^"]*field-code-error', page)


def test_given_a_wrong_code_when_enrolling_totp_then_the_form_returns_and_nothing_is_enabled(browser: Browser) -> None:
    secret = _secret(_text(browser.get("/account/factors/totp")))
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"

    answer = browser.post("/account/factors/totp", {"code": wrong})

    assert answer.status == 400
    assert _secret(_text(answer)) == secret  # the same key is still pending
    assert 'data-factor="totp"' not in _text(browser.get("/account/factors"))


def test_given_a_forged_form_when_posted_without_the_sessions_token_then_it_is_refused(browser: Browser) -> None:
    secret = _secret(_text(browser.get("/account/factors/totp")))

    answer = browser.post("/account/factors/totp", {"code": pyotp.TOTP(secret).now()}, csrf="forged")

    assert answer.status == 403
    assert 'data-factor="totp"' not in _text(browser.get("/account/factors"))


def test_given_an_old_session_when_removing_a_factor_then_a_fresh_login_is_required(call_api: ApiCaller) -> None:
    profile = _profile()
    fresh = Browser(call_api, profile)
    _enrol_totp(fresh)
    old = Browser(call_api, profile, signed_in_ago=3600)

    listed = old.get("/account/factors")
    removal = old.post("/account/factors", {"factor": "totp"})
    enrolment = old.get("/account/factors/totp")

    assert listed.status == 200  # looking needs no fresh login
    assert removal.status == 303
    assert removal.headers["location"] == "/account/login?return_to=/account/factors"
    assert enrolment.headers["location"] == "/account/login?return_to=/account/factors/totp"
    assert 'data-factor="totp"' in _text(fresh.get("/account/factors"))  # nothing was removed


def test_given_a_fresh_session_when_removing_totp_then_it_is_gone(browser: Browser) -> None:
    _enrol_totp(browser)

    removal = browser.post("/account/factors", {"factor": "totp"})

    assert (removal.status, removal.headers["location"]) == (303, "/account/factors?done=removed")
    assert 'data-factor="totp"' not in _text(browser.get("/account/factors"))


def test_given_a_prime_holders_only_factor_when_removal_is_asked_then_the_page_explains_why_not(
    call_api: ApiCaller,
) -> None:
    prime = Browser(call_api, _profile(AccountTier.PRIME))
    _enrol_totp(prime)

    answer = prime.post("/account/factors", {"factor": "totp"})

    assert answer.status == 409
    assert "削除できません" in _text(answer)


def test_given_an_sms_number_when_registered_from_the_page_then_the_code_by_sms_enables_it(browser: Browser) -> None:
    number = f"+8180{uuid.uuid4().int % 10**8:08d}"

    bad = browser.post("/account/factors/sms", {"action": "send", "phone": "03-1234-5678"})
    sent = browser.post("/account/factors/sms", {"action": "send", "phone": "0" + number[3:]})
    confirmed = browser.post("/account/factors/sms", {"action": "confirm", "code": _sms_code(number)})

    assert bad.status == 400
    assert re.search(r'<input[^>]*id="field-phone"[^>]*autocomplete="tel"[^>]*aria-describedby="[^"]*error', _text(bad))
    assert sent.status == 200
    assert 'autocomplete="one-time-code"' in _text(sent)
    assert number not in _text(sent)  # the number is shown masked
    assert confirmed.status == 303
    assert 'data-factor="sms"' in _text(browser.get("/account/factors"))


def test_given_a_code_was_just_sent_when_another_is_asked_then_the_page_names_the_limit(browser: Browser) -> None:
    first = browser.post("/account/factors/email", {"action": "send"})
    second = browser.post("/account/factors/email", {"action": "send"})

    assert first.status == 200
    assert second.status == 429
    assert "1分に1回" in _text(second)


def test_given_a_fresh_session_when_recovery_codes_are_generated_then_ten_are_shown_once(browser: Browser) -> None:
    answer = browser.post("/account/factors/recovery-codes", {})

    codes = re.findall(r'<li><code translate="no">([0-9a-z]{5}-[0-9a-z]{5})</code></li>', _text(answer))
    assert answer.status == 200
    assert len(set(codes)) == 10
    later = _text(browser.get("/account/factors/recovery-codes"))
    assert all(code not in later for code in codes)
    assert "10" in later


def test_given_english_when_the_factors_page_is_opened_then_it_is_in_english(browser: Browser) -> None:
    page = _text(browser.get("/account/factors?lang=en"))

    assert "Two-step verification" in page
    assert '<html lang="en">' in page
