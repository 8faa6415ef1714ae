"""The data exchange's portal pages in a real browser (Debian's Chromium) against the devstack, signed in
through gBizID.

デモ工業's Prime holder gives the demo client ``accounting-system`` consent to its tax status with the keyboard
alone, sees it listed; the client's next call answers 200 and shows in the access history; the holder revokes
the consent and the client's next call is refused. The exchange's operator sees the member list. Pages are
saved to ``.build/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from devstack.demo_corporations import DEMO_CORP_A
from devstack.exchange_call import signed_headers
from devstack.seed_exchange import NTA_CERTIFICATES
from functions.exchange.jws import LocalSigner
from tests.e2e.browser import SCREENSHOTS
from tests.e2e.totp import fresh_totp

pytestmark = pytest.mark.browser

MAX_TABS = 40
TAX_OF_A = f"/r1/{NTA_CERTIFICATES}/tax-payment-status/{DEMO_CORP_A}"
PURPOSE = "ブラウザからの同意（納税状況）"


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"exchange-{name}.png"), full_page=True)


def _focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with ``element_id`` has the focus (keyboard-only reachability)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focused_id(page) == element_id:
            return
    raise AssertionError(f"#{element_id} not reached within {MAX_TABS} tabs")


def _sign_in(page: Page, base: str, user: dict[str, Any], path: str) -> None:
    page.goto(f"{base}{path}")
    page.get_by_label("メールアドレス").fill(user["email"])
    page.get_by_label("パスワード").fill(user["password"])
    page.get_by_role("button", name="ログイン").click()
    code = page.get_by_label("コード", exact=True)
    code.fill(fresh_totp(user["totp_secret"]))
    code.press("Enter")
    consent = page.get_by_role("button", name="同意して続ける")
    if consent.count():
        consent.click()
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0])))


def _call_as_allowed_client(devstack: dict[str, Any], path: str) -> httpx.Response:
    client = next(c for c in devstack["exchange_clients"] if c["role"] == "allowed")
    headers = signed_headers(LocalSigner.from_jwk(client["private_jwk"]), client["client"], "GET", path)
    return httpx.get(devstack["base_url"].rstrip("/") + path, headers=headers, timeout=30)


def test_given_the_prime_holder_when_consenting_and_revoking_in_the_browser_then_the_client_follows_at_once(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    prime = next(u for u in devstack["users"] if u["email"] == "prime@demo-a.example.jp")
    client = next(c for c in devstack["exchange_clients"] if c["role"] == "allowed")["client"]
    assert _call_as_allowed_client(devstack, TAX_OF_A).status_code == 403  # no consent yet

    # Given デモ工業's Prime holder signed in on the consents page, which lists the seeded consent
    _sign_in(page, base, prime, "/exchange/consents?lang=ja")
    expect(page.get_by_role("heading", level=1)).to_contain_text("データ提供への同意")
    expect(page.locator("#consents")).to_contain_text(client)

    # When the consent form is filled with the keyboard alone and sent
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    _tab_to(page, "field-client")
    page.keyboard.type(client)
    _tab_to(page, "field-purpose")
    page.keyboard.type(PURPOSE)
    boxes = page.locator("#field-services input[type=checkbox]")
    tax_box = next(
        index for index in range(boxes.count()) if boxes.nth(index).get_attribute("value") == "tax-payment-status"
    )
    _tab_to(page, f"field-services-{tax_box}")
    page.keyboard.press("Space")
    expect(boxes.nth(tax_box)).to_be_checked()
    _tab_to(page, "field-expires_on")  # the default expiry stays
    submit = page.get_by_role("button", name="同意する", exact=True)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if submit.evaluate("(button) => button === document.activeElement"):
            break
    else:
        raise AssertionError("the submit button is not reachable with Tab")
    page.keyboard.press("Enter")

    # Then it is listed as active, and the client's next call answers 200 and shows in the history
    expect(page.locator("#notice")).to_contain_text("同意しました")
    row = page.locator("#consents tr", has_text=PURPOSE)
    expect(row).to_contain_text("tax-payment-status")
    expect(row).to_contain_text("有効")
    _shot(page, "consent-granted")
    answer = _call_as_allowed_client(devstack, TAX_OF_A)
    assert answer.status_code == 200, answer.text
    page.reload()
    history = page.locator("#history")
    expect(history).to_contain_text(answer.headers["X-Road-Id"])
    expect(history.locator("tr", has_text=answer.headers["X-Road-Id"])).to_contain_text("tax-payment-status")
    expect(page.get_by_role("heading", name="データの取得履歴")).to_be_visible()

    # When the holder revokes it, then it shows revoked and the client's next call is refused
    page.get_by_role("button", name=f"{client}への同意（{PURPOSE}）を取り消す").click()
    expect(page.locator("#notice")).to_contain_text("同意を取り消しました")
    expect(page.locator("#consents tr", has_text=PURPOSE)).to_contain_text("取消済み")
    _shot(page, "consent-revoked")
    refused = _call_as_allowed_client(devstack, TAX_OF_A)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith(":consent-required")

    # And the page is available in English
    page.get_by_role("banner").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Who fetched your data")).to_be_visible()


def test_given_the_exchange_operator_when_opening_the_members_page_then_every_demo_member_is_listed(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    operator = next(u for u in devstack["users"] if u["email"] == devstack["exchange_admin"]["operator"])

    _sign_in(page, base, operator, "/exchange/members?lang=ja")

    expect(page.get_by_role("heading", level=1)).to_contain_text("メンバー管理")
    for name in ("法務省", "国税庁", "経済産業省", "デモ工業株式会社", "霞が関商事株式会社"):
        expect(page.get_by_role("main")).to_contain_text(name)
    _shot(page, "members")
