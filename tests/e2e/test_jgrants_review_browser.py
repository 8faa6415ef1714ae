"""Apply → review → approve → award in gBizINFO, in a real browser (Debian's Chromium) against the devstack.

The demo Prime user of デモ商事 applies for a demo subsidy and submits it; the devstack's review state machine
screens it and assigns it to the ministry's demo reviewer (a Member of the ministry's own corporation, listed as
reviewer in its staff registry), who signs in through gBizID in another browser context, opens the application
from the queue and approves it with an amount, with the keyboard alone. The applicant then sees it approved, and
the award, published to the open-data bucket and ingested through its S3 notification, appears on the
corporation's gBizINFO page. Pages are saved to ``.build/screenshots/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import DESKTOP_VIEWPORT, SCREENSHOTS
from tests.e2e.test_jgrants_pages_browser import PDF, _tab_to
from tests.e2e.totp import fresh_totp

pytestmark = pytest.mark.browser

SUBSIDY = "a0W5h00000demo004"  # 小規模事業者持続化補助金: open, entry tier, asks for a business plan
APPLICANT = "prime@demo-b.example.jp"  # another corporation than the applying test's: one open application each
REVIEWER = "jgrants-reviewer@meti.example.jp"
AWARD_SECONDS = 60.0


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"jgrants-review-{name}.png"), full_page=True)


def _user(devstack: dict[str, Any], email: str) -> dict[str, Any]:
    return next(u for u in devstack["users"] if u["email"] == email)


def _sign_in_at_gbizid(page: Page, user: dict[str, Any]) -> None:
    """The OP's sign-in: password, app code, consent when asked."""
    page.get_by_label("メールアドレス").fill(user["email"])
    page.get_by_label("パスワード").fill(user["password"])
    page.get_by_role("button", name="ログイン").click()
    code = page.get_by_label("コード", exact=True)
    code.fill(fresh_totp(user["totp_secret"]))
    code.press("Enter")
    consent = page.get_by_role("button", name="同意して続ける")
    if consent.count():
        consent.click()


def _until(page: Page, url: str, found: Callable[[], bool], what: str, seconds: float) -> None:
    """Reload ``url`` until ``found()`` holds (the workflow runs on its own)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.goto(url)
        if found():
            return
        time.sleep(1.0)
    raise AssertionError(f"{what} not seen within {seconds:.0f} s")


def _apply_and_submit(page: Page, base: str, applicant: dict[str, Any], tmp_path: Path) -> str:
    page.goto(f"{base}/jgrants/subsidies/{SUBSIDY}")
    page.get_by_role("link", name="GビズIDでログインして申請する").click()
    _sign_in_at_gbizid(page, applicant)
    expect(page).to_have_url(re.compile(rf"/jgrants/subsidies/{SUBSIDY}"))
    page.get_by_role("button", name="この補助金に申請する").click()
    expect(page).to_have_url(re.compile(r"/jgrants/applications/[0-9a-f]{20}"))
    expect(page.get_by_label(re.compile("^法人番号"))).to_have_value(applicant["corporate_number"])
    page.get_by_label(re.compile("^事業計画名")).fill("海外展示会への出展")
    page.get_by_label(re.compile("^事業の概要")).fill("アジアの展示会に出展し、海外の取引先を開拓する。")
    page.get_by_label(re.compile("^事業開始予定日")).fill("2030-06-01")
    page.get_by_label(re.compile("^事業完了予定日")).fill("2030-11-30")
    page.get_by_label(re.compile("^補助対象経費")).fill("800000")
    page.get_by_label(re.compile("^補助金申請額")).fill("500000")
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator("#notice")).to_contain_text("下書きを保存しました")
    plan = tmp_path / "事業計画書.pdf"
    plan.write_bytes(PDF)
    page.get_by_label("書類の種類").select_option("business_plan")
    page.get_by_label("ファイル", exact=True).set_input_files(str(plan))
    page.get_by_role("button", name="アップロード").click()
    expect(page.locator("#notice")).to_contain_text("確認済み")
    page.get_by_role("button", name="申請する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申請を受け付けました")
    return page.locator("#receipt-number").inner_text()


def test_given_a_submitted_application_when_the_reviewer_approves_it_then_the_applicant_and_gbizinfo_show_it(
    chromium_page: Page, chromium_browser: Browser, devstack: dict[str, Any], tmp_path: Path
) -> None:
    base = devstack["base_url"].rstrip("/")
    applicant_page = chromium_page
    applicant = _user(devstack, APPLICANT)

    # Given an application submitted through the pages
    receipt = _apply_and_submit(applicant_page, base, applicant, tmp_path)
    assert re.match(r"^[A-Z-]+-\d{4}-\d{7}$", receipt)

    # When the ministry's reviewer signs in (another browser) and finds it in the queue
    context = chromium_browser.new_context(locale="ja-JP", viewport=DESKTOP_VIEWPORT)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{base}/jgrants/review")
        _sign_in_at_gbizid(page, _user(devstack, REVIEWER))
        expect(page).to_have_url(re.compile(r"/jgrants/review"))
        expect(page.get_by_role("heading", level=1)).to_have_text("審査一覧")
        row = page.locator("#queue tr", has_text=receipt)
        _until(page, f"{base}/jgrants/review?status=UNDER_REVIEW", lambda: row.count() == 1, "the assignment", 30)
        _shot(page, "queue")
        row.get_by_role("link", name=receipt).click()

        # Then the application shows its form values, screening results, attachment link and history
        expect(page.locator("#application-status")).to_have_attribute("data-status", "UNDER_REVIEW")
        expect(page.locator("#form-values")).to_contain_text("海外展示会への出展")
        expect(page.locator('#screening li[data-check="corporation_open"]')).to_have_attribute("data-passed", "true")
        expect(page.get_by_role("link", name="「事業計画書.pdf」をダウンロード")).to_be_visible()
        expect(page.locator("#history")).to_contain_text("審査中")

        # When the reviewer approves it with an amount, with the keyboard only
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        _tab_to(page, "field-outcome")
        page.keyboard.press("Space")
        expect(page.get_by_label("採択する")).to_be_checked()
        _tab_to(page, "field-amount")
        expect(page.locator("#field-amount")).to_have_value("500000")  # the amount asked for, suggested
        page.keyboard.press("Control+A")
        page.keyboard.type("450000")
        _tab_to(page, "decide")
        _shot(page, "decision")
        page.keyboard.press("Enter")
        expect(page.locator("#notice")).to_contain_text("審査結果を受け付けました")
    finally:
        context.close()

    # Then the applicant sees it approved
    approved = applicant_page.locator("#applications tr", has_text=receipt).locator('td[data-status="APPROVED"]')
    _until(applicant_page, f"{base}/jgrants/applications", lambda: approved.count() == 1, "APPROVED", 30)
    _shot(applicant_page, "approved")

    # And the award appears on the corporation's gBizINFO page
    award = applicant_page.locator("#subsidy-table tr", has_text=receipt)
    corporation = f"{base}/hojin/corporations/{applicant['corporate_number']}"
    _until(applicant_page, corporation, lambda: award.count() == 1, "the award in gBizINFO", AWARD_SECONDS)
    expect(award).to_contain_text("450,000")
    expect(award).to_contain_text("小規模事業者持続化補助金")
    _shot(applicant_page, "gbizinfo")
