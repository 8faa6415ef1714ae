"""A user's own recent logins in a real browser (Debian's Chromium) against the devstack.

The demo Entry user first mistypes the password once, then logs in; the activity page lists both attempts,
newest first, with the address and the browser, in Japanese and, after the language switch, in English.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


def test_given_a_failed_then_a_good_login_when_opening_activity_then_both_are_listed_newest_first(
    devstack: dict[str, Any], page: Page
) -> None:
    base = devstack["base_url"].rstrip("/")
    user = next(u for u in devstack["users"] if u.get("tier") == "entry")

    # Given one wrong password, then the right one
    page.goto(f"{base}/account/login?return_to=/account/activity")
    page.locator("#field-email").fill(user["email"])
    page.locator("#field-password").fill(user["password"] + "-wrong")
    page.locator("#field-password").press("Enter")
    expect(page.locator("#field-password")).to_be_visible()
    page.locator("#field-email").fill(user["email"])
    page.locator("#field-password").fill(user["password"])
    page.locator("#field-password").press("Enter")

    # When the activity page opens (the login returns to it)
    page.wait_for_url(re.compile(r"/account/activity$"))

    # Then the table lists the login, then the failure, with the address and the browser
    expect(page.get_by_role("heading", level=1)).to_have_text("最近のログイン")
    table = page.get_by_role("table", name="最近のログインの一覧")
    rows = table.locator("tbody tr")
    expect(rows.first).to_contain_text("ログイン成功")
    expect(rows.first).to_contain_text("127.0.0.1")
    expect(rows.first).to_contain_text(re.compile(r"Chrome / Linux"))
    expect(table).to_contain_text("パスワード誤り")
    texts = rows.all_inner_texts()
    success = next(i for i, text in enumerate(texts) if "ログイン成功" in text)
    failure = next(i for i, text in enumerate(texts) if "パスワード誤り" in text)
    assert success < failure

    # And the scrollable table region is reachable from the keyboard
    region = page.get_by_role("region", name="最近のログインの一覧")
    region.focus()
    expect(region).to_be_focused()

    # And the English page says the same
    page.locator("header .lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recent logins")
    expect(page.get_by_role("table", name="Recent logins").locator("tbody tr").first).to_contain_text("Logged in")
