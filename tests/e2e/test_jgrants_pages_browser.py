"""The jGrants pages in a real browser (Debian's Chromium) against the devstack, signed in through gBizID.

The demo Prime user (password and app code) opens a demo subsidy, signs in, applies: the company fields
come prefilled from gBizID and gBizINFO, the project is typed with the keyboard alone, the draft is saved
and survives a reload, the business plan is uploaded, the application is submitted and its receipt and
status show in "my applications". Pages are saved to ``.build/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SCREENSHOTS
from tests.e2e.totp import fresh_totp

pytestmark = pytest.mark.browser

MAX_TABS = 60
SUBSIDY = "a0W5h00000demo004"  # 小規模事業者持続化補助金: open, asks for a business plan
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"jgrants-{name}.png"), full_page=True)


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with ``element_id`` has the focus (keyboard-only reachability)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} not reached within {MAX_TABS} tabs")


def test_given_the_demo_prime_user_when_applying_in_the_browser_then_the_draft_survives_and_the_receipt_shows(
    chromium_page: Page, devstack: dict[str, Any], tmp_path: Path
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    prime = next(u for u in devstack["users"] if u.get("tier") == "prime")

    # Given the subsidy's page and a sign-in at gBizID (password, app code, consent)
    page.goto(f"{base}/jgrants/subsidies?keyword=持続化")
    page.get_by_role("link", name=re.compile("小規模事業者持続化補助金")).click()
    page.get_by_role("link", name="GビズIDでログインして申請する").click()
    page.get_by_label("メールアドレス").fill(prime["email"])
    page.get_by_label("パスワード").fill(prime["password"])
    page.get_by_role("button", name="ログイン").click()
    code = page.get_by_label("コード", exact=True)
    code.fill(fresh_totp(prime["totp_secret"]))
    code.press("Enter")
    consent = page.get_by_role("button", name="同意して続ける")
    if consent.count():
        consent.click()
    expect(page).to_have_url(re.compile(rf"/jgrants/subsidies/{SUBSIDY}"))

    # When the application is started
    page.get_by_role("button", name="この補助金に申請する").click()
    expect(page).to_have_url(re.compile(r"/jgrants/applications/[0-9a-f]{20}"))
    form_url = page.url.split("?")[0]

    # Then the company fields are prefilled, with their source, and read-only
    number = page.get_by_label(re.compile("^法人番号"))
    expect(number).to_have_value(prime["corporate_number"])
    expect(number).to_have_attribute("readonly", "")
    expect(page.locator("#field-company\\.corporate_number-source")).to_contain_text("GビズIDより")
    expect(page.get_by_label(re.compile("^本店所在地"))).not_to_have_value("")
    expect(page.locator("#field-company\\.location-source")).to_contain_text("gBizINFOより")

    # When the project is typed with the keyboard only and the draft saved
    typed = {
        "field-project.project_title": "展示会出展による販路開拓",
        "field-project.project_summary": "地方の展示会に出展し、新規の取引先を開拓する。",
        "field-project.total_cost": "750000",
        "field-project.requested_amount": "500000",
    }
    for element_id, text in typed.items():
        page.evaluate("() => document.activeElement && document.activeElement.blur()")  # from the top again
        _tab_to(page, element_id)
        page.keyboard.type(text)
    page.get_by_label(re.compile("^事業開始予定日")).fill("2030-05-01")
    page.get_by_label(re.compile("^事業完了予定日")).fill("2030-12-20")
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator("#notice")).to_contain_text("下書きを保存しました")

    # Then after a reload (a closed tab) the draft is still there
    page.goto(form_url)
    expect(page.get_by_label(re.compile("^事業計画名"))).to_have_value("展示会出展による販路開拓")
    expect(page.get_by_label(re.compile("^補助金申請額"))).to_have_value("500000")
    _shot(page, "draft")

    # When the business plan is uploaded
    plan = tmp_path / "事業計画書.pdf"
    plan.write_bytes(PDF)
    page.get_by_label("書類の種類").select_option("business_plan")
    page.get_by_label("ファイル", exact=True).set_input_files(str(plan))
    page.get_by_role("button", name="アップロード").click()
    expect(page.locator("#notice")).to_contain_text("確認済み")
    expect(page.locator("#attachment-list")).to_contain_text("事業計画書.pdf")

    # And the application submitted
    page.get_by_role("button", name="申請する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申請を受け付けました")
    receipt = page.locator("#receipt-number").inner_text()
    assert re.match(r"^[A-Z-]+-\d{4}-\d{7}$", receipt)
    _shot(page, "receipt")

    # Then "my applications" lists it with its receipt and status
    page.get_by_role("link", name="申請一覧へ").click()
    row = page.locator("#applications tr", has_text=receipt)
    expect(row).to_have_count(1)
    expect(row.locator("td[data-status]")).to_have_attribute("data-status", re.compile("SUBMITTED|UNDER_REVIEW"))
    _shot(page, "applications")
