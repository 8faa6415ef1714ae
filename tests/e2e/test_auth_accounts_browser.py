"""Sign-up, verification, login and logout in a real browser (Debian's Chromium) against the devstack.

A new person signs up in Japanese, reads the verification code from the mail moto's SES kept, verifies,
logs in and logs out; the demo Prime holder logs in with an authenticator-app code (pyotp with the secret
from demo.json). Every field is found by its label, as assistive technology would.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.totp import fresh_totp

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


PASSWORD = "Browser-Signup-Pass-42"


def _code_mailed_to(demo: dict[str, Any], address: str) -> str:
    """The newest 6-digit code in a mail to ``address`` (moto's record of what SES sent)."""
    for _ in range(50):
        data = httpx.get(f"{demo['aws']['endpoint_url']}/moto-api/data.json", timeout=10).json()
        bodies = [
            str(message.get("body", ""))
            for messages in data.get("ses", {}).values()
            if isinstance(messages, list)
            for message in messages
            if address in str(message.get("destinations", message.get("destination", "")))
        ]
        for body in reversed(bodies):
            match = re.search(r"\b(\d{6})\b", body)
            if match:
                return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no code mailed to {address}")


def test_given_a_new_person_when_signing_up_in_japanese_then_they_verify_log_in_and_log_out(
    devstack: dict[str, Any], devstack_url: str, page: Page
) -> None:
    email = f"browser-{uuid.uuid4().hex[:10]}@applicant.example.jp"

    page.goto(f"{devstack_url}/account/signup")
    expect(page).to_have_title(re.compile("アカウント作成"))
    expect(page.get_by_label("メールアドレス")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("パスワード", exact=True)).to_have_attribute("autocomplete", "new-password")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="確認コードを送信").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("メールアドレスの確認")
    expect(page.get_by_label("確認コード（6桁）")).to_have_attribute("autocomplete", "one-time-code")
    page.get_by_label("確認コード（6桁）").fill(_code_mailed_to(devstack, email))
    page.get_by_label("登録時に設定したパスワード").fill(PASSWORD)
    page.get_by_role("button", name="確認する").click()

    expect(page.get_by_role("status")).to_contain_text("メールアドレスを確認しました")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント")
    expect(page.locator("main")).to_contain_text(email)
    expect(page.locator("main")).to_contain_text("GビズIDエントリー")
    page.get_by_role("button", name="ログアウト").click()

    expect(page.get_by_role("status")).to_contain_text("ログアウトしました")
    page.goto(f"{devstack_url}/account")
    expect(page).to_have_url(re.compile(r"/account/login\?return_to=/account$"))


def test_given_the_demo_prime_holder_when_logging_in_with_an_app_code_then_the_account_opens(
    devstack: dict[str, Any], devstack_url: str, page: Page
) -> None:
    prime = next(u for u in devstack["users"] if u.get("tier") == "prime")

    page.goto(f"{devstack_url}/account/login")
    page.get_by_label("メールアドレス").fill(prime["email"])
    page.get_by_label("パスワード").fill(prime["password"])
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2要素認証")
    expect(page.get_by_label("認証アプリのワンタイムパスワード")).to_be_checked()
    code_field = page.get_by_label("コード", exact=True)
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    code_field.fill(fresh_totp(prime["totp_secret"]))
    code_field.press("Enter")  # keyboard only

    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント")
    expect(page.locator("main")).to_contain_text("GビズIDプライム")
    expect(page.locator("main")).to_contain_text(prime["corporate_number"])


def test_given_the_login_page_in_english_when_the_password_is_wrong_then_the_error_is_next_to_the_field(
    devstack: dict[str, Any], devstack_url: str, page: Page
) -> None:

    page.goto(f"{devstack_url}/account/login?lang=en")
    page.get_by_label("E-mail address").fill(f"nobody-{uuid.uuid4().hex[:8]}@applicant.example.jp")
    page.get_by_label("Password").fill("Wrong-password-123")
    page.get_by_role("button", name="Log in").click()

    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-password-error")).to_have_text("The e-mail address or the password is not correct.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
