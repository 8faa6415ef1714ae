"""Accounts, sessions and open-data records for the Prime, member and mandate tests (no tests here).

Every helper makes its own Cognito user with a fresh e-mail address in the session's shared platform, and
signs it in by starting a session directly (the login pages are tested elsewhere).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from functions.auth.models import AccountTier, StaffRole

PASSWORD = "Prime-Test-Pass1!"


@dataclass(frozen=True)
class Account:
    sub: str
    email: str
    cookie: str  # the Cookie header that signs this account in
    csrf: str
    tier: AccountTier | None = None
    corporate_number: str | None = None

    def headers(self, content_type: str | None = "application/x-www-form-urlencoded") -> dict[str, str]:
        found = {"Cookie": self.cookie, "Host": "id.devstack.test"}
        if content_type:
            found["Content-Type"] = content_type
        return found

    def form(self, **fields: str) -> str:
        return urlencode({"csrf_token": self.csrf, **fields})


def seed_corporations(aws_platform: dict[str, Any]) -> dict[str, str]:
    """The demo corporations in gBizINFO's table (the devstack seeds them; the tests' platform does not).

    Returns their numbers: ``{"A": ..., "B": ...}``. Test modules wrap it in a module-scoped fixture.
    """
    from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B, DEMO_CORPORATIONS
    from devstack.seed_open_data import put_hojin_records
    from functions.auth.settings import get_settings
    from platform_common import aws

    put_hojin_records(aws_platform["opendata"].name("table", "hojin"), DEMO_CORPORATIONS)
    aws.client("ses").verify_email_identity(EmailAddress=get_settings().mail_from)
    return {"A": DEMO_CORP_A, "B": DEMO_CORP_B}


def make_account(
    tier: AccountTier | None = AccountTier.ENTRY,
    *,
    corporate_number: str | None = None,
    role: StaffRole | None = None,
    parent_sub: str | None = None,
    label: str = "user",
) -> Account:
    """A Cognito user with a profile, signed in with password and a second factor."""
    from functions.auth.dal import ProfileItem, get_store
    from functions.auth.logic.assurance import ACR_BY_TIER, ACR_ENTRY
    from functions.auth.settings import get_settings
    from functions.auth.web.session import SESSION_COOKIE, start_session
    from platform_common import aws

    email = f"{label}-{uuid.uuid4().hex[:10]}@prime-test.example.jp"
    pool = get_settings().user_pool_id
    cognito = aws.client("cognito-idp")
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    if corporate_number:
        attributes.append({"Name": "custom:corporate_number", "Value": corporate_number})
    created = cognito.admin_create_user(
        UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    group = tier.value if tier else role.value if role else "entry"
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    get_store().put_profile(
        ProfileItem(
            sub=sub, email=email, tier=tier, role=role, corporate_number=corporate_number, parent_sub=parent_sub
        )
    )
    session, cookie = start_session(
        sub,
        amr=("pwd", "otp", "mfa"),
        acr=ACR_BY_TIER.get(tier, ACR_ENTRY) if tier else ACR_ENTRY,
        second_factor_pending=False,
    )
    return Account(
        sub=sub,
        email=email,
        cookie=f"{SESSION_COOKIE}={cookie.value}",
        csrf=session.csrf_token,
        tier=tier,
        corporate_number=corporate_number,
    )


def cognito_user(email: str) -> dict[str, Any]:
    from functions.auth.settings import get_settings
    from platform_common import aws

    cognito = aws.client("cognito-idp")
    pool = get_settings().user_pool_id
    user: dict[str, Any] = cognito.admin_get_user(UserPoolId=pool, Username=email)
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=email)["Groups"]
    user["groups"] = sorted(group["GroupName"] for group in groups)
    user["attributes"] = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    return user


def sent_mail(to: str) -> list[dict[str, Any]]:
    """Messages moto's SES accepted for ``to`` (subject and body)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["ap-northeast-1"]
    found = []
    for message in backend.sent_messages:
        destinations = getattr(message, "destinations", {}) or {}
        addresses = [*destinations.get("ToAddresses", [])]
        if to in addresses:
            found.append({"subject": getattr(message, "subject", ""), "body": getattr(message, "body", "")})
    return found


def audit_events(kind: str, account_sub: str) -> list[Any]:
    """Audit entries of ``kind`` about an account (its subject, or its actor when there is no subject)."""
    from functions.auth.audit import SUB_INDEX_PREFIX, AuditEntry
    from functions.auth.settings import get_settings
    from platform_common import aws

    items = aws.client("dynamodb").query(
        TableName=get_settings().accounts_table_name,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": SUB_INDEX_PREFIX + account_sub}},
    )["Items"]
    return [entry for entry in map(AuditEntry.from_item, items) if entry.kind == kind]
