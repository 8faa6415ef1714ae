"""The API-token page in a real browser (Debian's Chromium) against the devstack, signed in through gBizID.

The demo Entry user (password only) signs in at the OP and consents; the page issues a token that then
opens the REST API, and revokes it, after which the same call is refused. The form controls are reached
with the keyboard alone. Pages are saved to ``.build/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SCREENSHOTS

pytestmark = pytest.mark.browser

MAX_TABS = 40
LABEL = "e2e 連携テスト"


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hojin-tokens-{name}.png"), full_page=True)


def _tab_until(page: Page, predicate: str) -> None:
    """Press Tab until ``predicate`` (a JS expression over ``document.activeElement``) holds."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"no focusable element matched {predicate} within {MAX_TABS} tabs")


def _search(base: str, token: str) -> int:
    answer = httpx.get(
        f"{base}/hojin/v2/hojin", params={"name": "デモ工業"}, headers={"X-hojinInfo-api-token": token}, timeout=30
    )
    return answer.status_code


def test_given_the_demo_entry_user_when_issuing_and_revoking_a_token_by_keyboard_then_the_api_follows(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    user = next(u for u in devstack["users"] if u.get("tier") == "entry")

    # Given the search page's link to the token page, and a sign-in at gBizID (password, then consent)
    page.goto(f"{base}/hojin/search")
    page.get_by_role("link", name="APIトークン").click()
    expect(page).to_have_url(re.compile(r"/account/login\?"))
    page.get_by_label("メールアドレス").fill(user["email"])
    page.get_by_label("パスワード").fill(user["password"])
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("button", name="同意して続ける").click()
    expect(page).to_have_url(f"{base}/hojin/tokens?lang=ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("APIトークンの管理")

    # When the label is typed and the form sent with the keyboard only
    _tab_until(page, "el.id === 'field-label'")
    page.keyboard.type(LABEL)
    page.keyboard.press("Enter")

    # Then the new token is shown once, labelled, and opens the REST API
    token_field = page.get_by_role("textbox", name="発行したトークン")
    expect(token_field).to_have_attribute("readonly", "readonly")
    token = token_field.input_value()
    assert len(token) >= 40
    expect(page.locator("#tokens")).to_contain_text(LABEL)
    _shot(page, "issued")
    assert _search(base, token) == 200

    # And after a reload it is not shown again
    page.goto(f"{base}/hojin/tokens")
    expect(page.get_by_role("textbox", name="発行したトークン")).to_have_count(0)
    assert token not in page.content()

    # When its revoke button is reached with Tab and pressed with Enter
    _tab_until(page, f"el.tagName === 'BUTTON' && el.getAttribute('aria-label') === '「{LABEL}」を失効させる'")
    page.keyboard.press("Enter")

    # Then the page says so and the same call is refused
    expect(page.locator("#notice")).to_contain_text("トークンを失効させました")
    expect(page.locator("#tokens")).to_have_count(0)
    _shot(page, "revoked")
    assert _search(base, token) == 401

    # And the sign-out button is reachable by keyboard too, and ends the page's session
    _tab_until(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'ログアウト'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログアウトしました")
