"""The gBizINFO search and corporation pages in a real browser (Debian's Chromium) against the devstack.

Each page is saved to ``.build/screenshots/``. The keyboard test uses only Tab, typing and Enter.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from devstack.demo_corporations import DEMO_CORP_A
from tests.e2e.browser import SCREENSHOTS

pytestmark = pytest.mark.browser

MAX_TABS = 60


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hojin-{name}.png"), full_page=True)


def _tab_until(page: Page, predicate: str) -> None:
    """Press Tab until ``predicate`` (a JS expression over ``document.activeElement``) holds."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"):
            return
    raise AssertionError(f"no focusable element matched {predicate} within {MAX_TABS} tabs")


def test_given_the_search_page_when_searching_demo_kogyo_then_its_page_shows_the_chart_and_its_table(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    failures: list[str] = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.on("pageerror", lambda error: failures.append(str(error)))

    page.goto(f"{base}/hojin/search")
    expect(page.get_by_role("heading", level=1)).to_have_text("法人を検索")
    page.get_by_label("法人名（部分一致）").fill("デモ工業")
    page.get_by_label("都道府県").select_option("13")
    page.get_by_role("button", name="検索").click()

    expect(page.locator("#result-count")).to_contain_text("1件中")
    _shot(page, "search-results")
    page.get_by_role("link", name="デモ工業株式会社").click()

    expect(page).to_have_url(f"{base}/hojin/corporations/{DEMO_CORP_A}?lang=ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("デモ工業株式会社")
    chart = page.get_by_role("img", name="補助金・調達の年別金額")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() >= 2
    table = page.locator("#chart-table")
    expect(table).to_contain_text("2025")
    expect(table).to_contain_text("10,000,000")
    expect(table).to_contain_text("2,420,000")
    expect(page.locator("#subsidy-table")).to_contain_text("ものづくり・商業・サービス生産性向上促進補助金")
    _shot(page, "corporation")
    assert failures == []


def test_given_only_a_keyboard_when_searching_then_the_corporation_page_is_reached(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    page.goto(f"{base}/hojin/search?lang=en")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    _tab_until(page, "el.id === 'field-name'")
    page.keyboard.type("デモ工業")
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("1–1 of 1")
    _tab_until(page, f"el.tagName === 'A' && el.getAttribute('href').includes('{DEMO_CORP_A}')")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Demo Kogyo Co., Ltd.")
    expect(page.get_by_role("img", name="Subsidies and procurement by year")).to_be_visible()
    _shot(page, "corporation-en")


def test_given_a_bad_capital_when_searching_then_the_form_returns_with_the_error(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    response = page.goto(f"{base}/hojin/search?name=x&capital_stock_from=abc")

    assert response is not None
    assert response.status == 400
    expect(page.locator("#field-capital_stock_from")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_be_visible()
    _shot(page, "search-error")
