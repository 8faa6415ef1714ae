"""Enrolling an authenticator app in a real browser (Debian's Chromium) against the devstack.

The demo Entry user logs in with the password from demo.json, opens the TOTP page, reads the setup key
from it as a person would type it into an app, confirms with a code computed by pyotp, and sees the app
listed. The test removes the factor again, so the shared demo account stays password-only.
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _entry_user(demo: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = next(u for u in demo["users"] if u.get("tier") == "entry")
    return user


def _log_in(page: Page, base: str, user: dict[str, Any], return_to: str) -> None:
    page.goto(f"{base}/account/login?return_to={return_to}")
    expect(page.locator("#field-email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#field-password")).to_have_attribute("autocomplete", "current-password")
    page.locator("#field-email").fill(user["email"])
    page.locator("#field-password").fill(user["password"])
    page.locator("#field-password").press("Enter")
    page.wait_for_url(re.compile(re.escape(return_to) + "$"))


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


def test_given_the_demo_entry_user_when_enrolling_an_authenticator_app_then_it_is_listed(
    devstack: dict[str, Any], page: Page
) -> None:
    base = devstack["base_url"].rstrip("/")
    user = _entry_user(devstack)

    _log_in(page, base, user, "/account/factors/totp")

    qr = page.locator(".totp-qr svg[role=img]")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("aria-label", re.compile("QR"))
    setup_key = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", setup_key)
    code_field = page.get_by_label("確認コード (6桁)")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    code_field.fill(pyotp.TOTP(setup_key).now())
    code_field.press("Enter")

    page.wait_for_url(re.compile(r"/account/factors\?done=added$"))
    expect(page.get_by_role("status")).to_contain_text("追加しました")
    listed = page.locator('[data-factor="totp"]')
    expect(listed).to_contain_text("認証アプリ (TOTP)")

    # Leave the shared demo account as it was: remove the app again (the session is still fresh).
    listed.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/account/factors\?done=removed$"))
    expect(page.locator('[data-factor="totp"]')).to_have_count(0)
