"""Members and mandates in a real browser (Debian's Chromium) against the devstack, with the keyboard.

The demo Prime holder of DEMO_CORP_A logs in with the password and an authenticator-app code, invites an
employee by e-mail; the employee opens the link from the invitation mail (read back from moto's SES) in
their own browser and sets a password; the holder suspends and re-enables the member, then grants the demo
Entry user a mandate for one procedure until a date, sees it listed and revokes it. Every control is used
from the keyboard (focus, then Enter or Space); each page is saved to ``.build/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser import DESKTOP_VIEWPORT, SCREENSHOTS
from tests.e2e.totp import fresh_totp

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MEMBER_PASSWORD = "Member-Browser-Pass-42!"
TOTP_STEP = 30


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


def _user(demo: dict[str, Any], tier: str) -> dict[str, Any]:
    user: dict[str, Any] = next(u for u in demo["users"] if u.get("tier") == tier)
    return user


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"auth-{name}.png"), full_page=True)


def _press(control: Locator, key: str = "Enter") -> None:
    """Use a control as a keyboard user does: move the focus to it, then press the key."""
    control.focus()
    expect(control).to_be_focused()
    control.press(key)


def _log_in_with_app(page: Page, base: str, user: dict[str, Any], return_to: str) -> None:
    page.goto(f"{base}/account/login?return_to={return_to}")
    email, password = page.locator("#field-email"), page.locator("#field-password")
    expect(email).to_have_attribute("autocomplete", "username")
    expect(password).to_have_attribute("autocomplete", "current-password")
    _shot(page, "login")
    email.fill(user["email"])
    password.fill(user["password"])
    password.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("2要素認証")
    code = page.locator("#field-code")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    _shot(page, "login-second-factor")
    for _attempt in range(2):
        code.fill(fresh_totp(user["totp_secret"]))
        code.press("Enter")
        page.wait_for_load_state()
        if urlsplit(page.url).path == return_to:
            return
        # The code of this step was used already (another test logged this account in): a used code is
        # refused, so wait for the next step, as a person would for the next code.
        time.sleep(TOTP_STEP - time.time() % TOTP_STEP + 1)
        code = page.locator("#field-code")
    raise AssertionError(f"the second factor was not accepted: {page.url}")


def _mail_to(demo: dict[str, Any], address: str) -> str:
    """The body of the last mail sent to ``address``, from moto's record of SES."""
    url = f"{demo['aws']['endpoint_url'].rstrip('/')}/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (the local moto server)
        data = json.load(response)
    found = []
    for message in _sent_messages(data):
        destinations = message.get("destinations") or {}
        addresses = destinations.get("ToAddresses", []) if isinstance(destinations, dict) else destinations
        if address in addresses:
            found.append(str(message.get("body") or ""))
    assert found, f"no mail to {address}"
    return found[-1]


def _sent_messages(data: dict[str, Any]) -> list[dict[str, Any]]:
    ses = data.get("ses", {})
    messages: list[dict[str, Any]] = []
    for key in ("sent_messages", "SentMessage", "Message"):
        value = ses.get(key)
        if isinstance(value, list):
            messages.extend(m for m in value if isinstance(m, dict))
    return messages


def _member_row(page: Page, email: str) -> Locator:
    return page.locator("table tbody tr").filter(has_text=email)


def test_given_the_demo_prime_holder_when_inviting_suspending_and_re_enabling_a_member_then_each_shows(
    devstack: dict[str, Any], page: Page, chromium_browser: Browser
) -> None:
    base = devstack["base_url"].rstrip("/")
    holder = _user(devstack, "prime")
    employee = f"employee-{uuid.uuid4().hex[:8]}@demo-a.example.jp"

    # Given the Prime holder signed in with password and app code
    _log_in_with_app(page, base, holder, "/account/members")
    expect(page.get_by_role("heading", level=1)).to_have_text("メンバーの管理")

    # When they invite an employee by e-mail
    invite = page.get_by_label("メンバーのメールアドレス")
    expect(invite).to_have_attribute("type", "email")
    expect(invite).to_have_attribute("autocomplete", "email")
    invite.fill(employee)
    _press(page.get_by_role("button", name="招待メールを送る"))

    # Then the member is listed as invited
    page.wait_for_url(re.compile(r"/account/members\?done=invited$"))
    expect(page.get_by_role("status")).to_have_text("招待メールを送りました。")
    expect(_member_row(page, employee)).to_contain_text("招待中")
    _shot(page, "members-invited")

    # And the employee, in their own browser, sets a password from the link in the mail
    link = re.search(r"https?://\S+/account/members/accept\?token=[A-Za-z0-9_-]+", _mail_to(devstack, employee))
    assert link is not None
    employee_context = chromium_browser.new_context(locale="ja-JP", viewport=DESKTOP_VIEWPORT)
    try:
        member_page = employee_context.new_page()
        member_page.goto(link.group(0))
        expect(member_page.get_by_role("heading", level=1)).to_have_text("gBizIDメンバーのパスワード設定")
        new_password = member_page.get_by_label("新しいパスワード", exact=True)
        again = member_page.get_by_label("新しいパスワード (確認)")
        expect(new_password).to_have_attribute("autocomplete", "new-password")
        expect(again).to_have_attribute("autocomplete", "new-password")
        _shot(member_page, "member-accept")
        new_password.fill(MEMBER_PASSWORD)
        again.fill(MEMBER_PASSWORD)
        again.press("Enter")
        expect(member_page.get_by_role("heading", level=1)).to_have_text("パスワードを設定しました")
        _shot(member_page, "member-accepted")
    finally:
        employee_context.close()

    page.reload()
    row = _member_row(page, employee)
    expect(row).to_contain_text("利用中")

    # When the holder suspends the member with the keyboard
    _press(row.get_by_role("button", name=f"利用停止 {employee}"))
    page.wait_for_url(re.compile(r"/account/members\?done=suspend$"))
    expect(page.get_by_role("status")).to_have_text("利用を停止しました。")
    row = _member_row(page, employee)
    expect(row).to_contain_text("利用停止中")
    expect(row.get_by_role("button", name=f"利用停止 {employee}")).to_have_count(0)
    _shot(page, "members-suspended")

    # And re-enables them
    _press(row.get_by_role("button", name=f"利用再開 {employee}"))
    page.wait_for_url(re.compile(r"/account/members\?done=enable$"))
    expect(_member_row(page, employee)).to_contain_text("利用中")

    # Then the employee can log in with the password they chose (the second factor comes next)
    member_context = chromium_browser.new_context(locale="ja-JP", viewport=DESKTOP_VIEWPORT)
    try:
        member_page = member_context.new_page()
        member_page.goto(f"{base}/account/login")
        member_page.locator("#field-email").fill(employee)
        member_page.locator("#field-password").fill(MEMBER_PASSWORD)
        member_page.locator("#field-password").press("Enter")
        expect(member_page.get_by_role("heading", level=1)).to_have_text("2要素認証")
    finally:
        member_context.close()

    # Leave the demo corporation as it was: delete the member again
    _press(_member_row(page, employee).get_by_role("button", name=f"削除 {employee}"))
    page.wait_for_url(re.compile(r"/account/members\?done=delete$"))
    expect(_member_row(page, employee)).to_have_count(0)


def test_given_the_demo_prime_holder_when_granting_and_revoking_a_mandate_then_the_list_follows(
    devstack: dict[str, Any], page: Page
) -> None:
    base = devstack["base_url"].rstrip("/")
    holder = _user(devstack, "prime")
    adviser = _user(devstack, "entry")
    until = (dt.date.today() + dt.timedelta(days=30 + secrets.randbelow(300))).isoformat()

    # Given the Prime holder signed in
    _log_in_with_app(page, base, holder, "/account/mandates")
    expect(page.get_by_role("heading", level=1)).to_have_text("委任")

    # When they grant the demo Entry user a mandate for the first procedure until a date
    grantee = page.get_by_label("委任先のメールアドレス (gBizIDアカウント)")
    expect(grantee).to_have_attribute("autocomplete", "email")
    grantee.fill(adviser["email"])
    procedures = page.get_by_role("group", name="委任する手続")
    first = procedures.get_by_role("checkbox").first
    _press(first, "Space")
    expect(first).to_be_checked()
    procedure_code = first.get_attribute("value")
    assert procedure_code
    page.get_by_label("期限 (1年以内)").fill(until)
    _shot(page, "mandates-form")
    _press(page.get_by_role("button", name="委任する", exact=True))

    # Then it is listed as active, for that procedure, until that date
    page.wait_for_url(re.compile(r"/account/mandates\?done=granted$"))
    expect(page.get_by_role("status")).to_contain_text("委任しました")
    granted = page.get_by_role("table", name="この法人が出している委任")
    row = granted.locator("tbody tr").filter(has_text=adviser["email"]).filter(has_text=until)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(procedure_code)
    expect(row).to_contain_text("有効")
    _shot(page, "mandates-granted")

    # When they revoke it with the keyboard
    _press(row.get_by_role("button", name=f"取り消す {adviser['email']}"))

    # Then it is shown as revoked, with no revoke button left
    page.wait_for_url(re.compile(r"/account/mandates\?done=revoked$"))
    expect(page.get_by_role("status")).to_have_text("委任を取り消しました。")
    row = granted.locator("tbody tr").filter(has_text=adviser["email"]).filter(has_text=until)
    expect(row).to_contain_text("取消済み")
    expect(row.get_by_role("button")).to_have_count(0)
    _shot(page, "mandates-revoked")


def test_given_the_demo_prime_holder_when_opening_an_operator_page_then_a_403_page_not_json(
    devstack: dict[str, Any], page: Page
) -> None:
    base = devstack["base_url"].rstrip("/")
    _log_in_with_app(page, base, _user(devstack, "prime"), "/account")

    response = page.goto(f"{base}/operator/relying-parties")

    assert response is not None
    assert response.status == 403
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", level=1)).to_have_text("このページを利用する権限がありません")
    expect(page.get_by_role("alert")).to_be_visible()
    _shot(page, "error-403")
    _press(page.locator("main").get_by_role("link", name="アカウントのトップへ戻る"))
    page.wait_for_url(re.compile(r"/account$"))
