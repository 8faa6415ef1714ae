"""A Prime application and its review in a real browser (Debian's Chromium) against the devstack.

An Entry user applies with a seal certificate; an operator signs in with a second factor, opens the queue,
looks at the application and approves it; the applicant's account becomes Prime with the same ``sub``.
Both accounts are made for this test through the devstack's own AWS endpoint (so the demo accounts that
other browser tests use stay as they are).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from functions.auth.dal import ProfileItem, TotpFactorItem
from functions.auth.models import AccountTier, StaffRole
from tests.e2e.browser import DESKTOP_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "Prime-Browser-Pass-42!"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def page(chromium_page: Page) -> Page:
    return chromium_page


class DevstackAws:
    """boto3 clients on the devstack's moto server (this process's own AWS settings stay untouched)."""

    def __init__(self, demo: dict[str, Any]) -> None:
        self.environment: dict[str, str] = demo["aws"]["environment"]
        options = {
            "endpoint_url": demo["aws"]["endpoint_url"],
            "region_name": demo["aws"]["region"],
            "aws_access_key_id": "devstack",
            "aws_secret_access_key": "devstack",
        }
        self.cognito = boto3.client("cognito-idp", **options)  # type: ignore[call-overload]
        self.dynamodb = boto3.client("dynamodb", **options)  # type: ignore[call-overload]
        self.kms = boto3.client("kms", **options)  # type: ignore[call-overload]

    def make_account(self, label: str, group: str, profile: dict[str, Any]) -> tuple[str, str]:
        pool = self.environment["USER_POOL_ID"]
        email = f"{label}-{uuid.uuid4().hex[:10]}@prime-browser.example.jp"
        created = self.cognito.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        self.cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
        self.cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
        sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
        self.dynamodb.put_item(
            TableName=self.environment["ACCOUNTS_TABLE_NAME"],
            Item=ProfileItem(sub=sub, email=email, **profile).to_item(),
        )
        return sub, email

    def enrol_totp(self, sub: str) -> str:
        """A TOTP factor sealed as functions.auth.factor_secrets seals it (same encryption context)."""
        secret = pyotp.random_base32()
        ciphertext = self.kms.encrypt(
            KeyId=self.environment["SECRETS_KEY_ID"],
            Plaintext=secret.encode(),
            EncryptionContext={"purpose": "second-factor", "sub": sub, "factor": "totp"},
        )["CiphertextBlob"]
        self.dynamodb.put_item(
            TableName=self.environment["ACCOUNTS_TABLE_NAME"],
            Item=TotpFactorItem(sub=sub, secret_ciphertext=ciphertext).to_item(),
        )
        return secret

    def user(self, email: str) -> dict[str, Any]:
        pool = self.environment["USER_POOL_ID"]
        found = self.cognito.admin_get_user(UserPoolId=pool, Username=email)
        groups = self.cognito.admin_list_groups_for_user(UserPoolId=pool, Username=email)["Groups"]
        return {
            "attributes": {a["Name"]: a["Value"] for a in found["UserAttributes"]},
            "groups": sorted(g["GroupName"] for g in groups),
        }


def _log_in(page: Page, base: str, email: str, return_to: str) -> None:
    page.goto(f"{base}/account/login?return_to={return_to}")
    expect(page.locator("#field-email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#field-password")).to_have_attribute("autocomplete", "current-password")
    page.locator("#field-email").fill(email)
    page.locator("#field-password").fill(PASSWORD)
    page.locator("#field-password").press("Enter")


def test_given_entry_application_when_operator_approves_in_the_browser_then_account_is_prime_with_same_sub(
    devstack: dict[str, Any],
    chromium_browser: Browser,
    page: Page,
) -> None:
    base = devstack["base_url"].rstrip("/")
    aws = DevstackAws(devstack)
    corporation = devstack["prime_online_demo"]["fields"]
    applicant_sub, applicant = aws.make_account(
        "applicant", "entry", {"tier": AccountTier.ENTRY, "corporate_number": corporation["corporate_number"]}
    )
    operator_sub, operator = aws.make_account("operator", "operator", {"role": StaffRole.OPERATOR})
    totp = pyotp.TOTP(aws.enrol_totp(operator_sub))

    # Given an Entry user who fills in the application and attaches the seal certificate
    _log_in(page, base, applicant, "/account/prime")
    page.wait_for_url(re.compile(r"/account/prime$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("gBizIDプライムの申請")
    page.get_by_label("法人番号 (13桁)").fill(corporation["corporate_number"])
    page.get_by_label("法人名").fill("デモ工業（株）")
    page.get_by_label("本店所在地").fill("東京都千代田区霞が関1-3-1")
    page.get_by_label("代表者氏名", exact=True).fill(corporation["representative_name"])
    page.get_by_label("代表者氏名 (フリガナ)").fill(corporation["representative_kana"])
    page.get_by_label("申請者の電話番号").fill("03-1234-5678")
    expect(page.get_by_label("申請者の電話番号")).to_have_attribute("autocomplete", "tel")
    page.get_by_label("印鑑証明書 (PDF・JPEG・PNG、5MBまで)").set_input_files(
        files=[{"name": "inkan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="申請する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申請を受け付けました")
    application_id = re.search(r"申請番号 ([0-9a-f]+)", page.locator("main").inner_text())
    assert application_id is not None

    # When an operator signs in with TOTP, finds the application in the queue and approves it
    context = chromium_browser.new_context(locale="ja-JP", viewport=DESKTOP_VIEWPORT)
    operator_page = context.new_page()
    try:
        _log_in(operator_page, base, operator, "/operator/prime-applications")
        operator_page.wait_for_url(re.compile(r"/account/login/second-factor"))
        operator_page.locator("#field-code").fill(totp.now())
        operator_page.locator("#field-code").press("Enter")
        operator_page.wait_for_url(re.compile(r"/operator/prime-applications$"))
        queue = operator_page.get_by_role("table", name="審査待ちの申請 (受付の古い順)")
        queue.get_by_role("link", name=application_id.group(1)).click()
        expect(operator_page.get_by_role("heading", level=1)).to_contain_text(application_id.group(1))
        expect(operator_page.get_by_role("link", name="印鑑証明書を表示する (新しいタブ)")).to_be_visible()
        operator_page.get_by_role("button", name="承認する").click()
        operator_page.wait_for_url(re.compile(r"/operator/prime-applications\?decided="))

        # Then the queue says so, and the applicant's account is Prime with the same sub
        expect(operator_page.get_by_role("status")).to_contain_text(f"申請 {application_id.group(1)} を承認しました")
    finally:
        context.close()
    user = aws.user(applicant)
    assert user["attributes"]["sub"] == applicant_sub
    assert user["groups"] == ["prime"]
    assert user["attributes"]["custom:account_type"] == "2"
