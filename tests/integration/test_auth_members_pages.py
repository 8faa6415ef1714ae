"""Member accounts through the pages, under moto: invitation, list, suspend, re-enable, delete, the
invitation link, and the attacks of a Prime holder of another corporation and of a Member."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.auth.models import AccountTier
from tests.integration.test_auth_prime_fixtures import (
    Account,
    audit_events,
    cognito_user,
    make_account,
    seed_corporations,
    sent_mail,
)


@pytest.fixture(scope="module")
def corporations(aws_platform: dict[str, Any]) -> dict[str, str]:
    return seed_corporations(aws_platform)


@pytest.fixture
def holder_a(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["A"], label="holder-a")


@pytest.fixture
def holder_b(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["B"], label="holder-b")


def _invite(call_api: Callable[..., Any], holder: Account, email: str) -> Any:
    return call_api("POST", "/account/members", headers=holder.headers(), body=holder.form(email=email))


def _member_sub(email: str) -> str:
    return str(cognito_user(email)["attributes"]["sub"])


def _action(call_api: Callable[..., Any], actor: Account, member_sub: str, action: str) -> Any:
    return call_api("POST", f"/account/members/{member_sub}", headers=actor.headers(), body=actor.form(action=action))


def test_given_prime_holder_when_inviting_employee_then_member_of_the_corporation_is_created_and_mailed(
    call_api: Callable[..., Any], corporations: dict[str, str], holder_a: Account
) -> None:
    email = holder_a.email.replace("holder-a", "employee")

    response = _invite(call_api, holder_a, email)

    assert response.status == 303
    user = cognito_user(email)
    assert user["groups"] == ["member"]
    assert user["attributes"]["custom:account_type"] == "3"
    assert user["attributes"]["custom:corporate_number"] == corporations["A"]
    from functions.auth.dal import get_store

    profile = get_store().get_profile(user["attributes"]["sub"])
    assert profile is not None
    assert profile.tier is AccountTier.MEMBER
    assert profile.parent_sub == holder_a.sub
    assert profile.corporate_number == corporations["A"]
    listing = call_api("GET", "/account/members", headers=holder_a.headers(None)).body.decode()
    assert email in listing
    mails = sent_mail(email)
    assert len(mails) == 1
    assert "/account/members/accept?token=" in mails[0]["body"]
    assert [e.outcome for e in audit_events("member.invited", user["attributes"]["sub"])] == ["success"]


def test_given_invitation_link_when_member_sets_password_then_it_works_once(
    call_api: Callable[..., Any], holder_a: Account
) -> None:
    email = holder_a.email.replace("holder-a", "invitee")
    _invite(call_api, holder_a, email)
    token = re.search(r"token=([A-Za-z0-9_-]+)", sent_mail(email)[0]["body"])
    assert token is not None
    form = urlencode({"token": token.group(1), "password": "Member-Pass-2026!", "confirm": "Member-Pass-2026!"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": "id.devstack.test"}

    page = call_api("GET", f"/account/members/accept?token={token.group(1)}")
    first = call_api("POST", "/account/members/accept", headers=headers, body=form)
    replay = call_api("POST", "/account/members/accept", headers=headers, body=form)

    assert page.status == 200
    assert 'autocomplete="new-password"' in page.body.decode()
    assert first.status == 200
    assert replay.status == 404
    from functions.auth.members import _get_membership

    membership = _get_membership(_member_sub(email))
    assert membership is not None
    assert membership.status.value == "ACTIVE"


def test_given_member_when_holder_suspends_reenables_and_deletes_then_cognito_follows_and_each_is_audited(
    call_api: Callable[..., Any], holder_a: Account
) -> None:
    email = holder_a.email.replace("holder-a", "staff")
    _invite(call_api, holder_a, email)
    sub = _member_sub(email)

    assert _action(call_api, holder_a, sub, "suspend").status == 303
    assert cognito_user(email)["Enabled"] is False
    assert _action(call_api, holder_a, sub, "enable").status == 303
    assert cognito_user(email)["Enabled"] is True
    assert _action(call_api, holder_a, sub, "delete").status == 303

    from functions.auth.dal import get_store
    from functions.auth.settings import get_settings
    from platform_common import aws

    cognito = aws.client("cognito-idp")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=get_settings().user_pool_id, Username=email)
    assert get_store().get_profile(sub) is None
    assert email not in call_api("GET", "/account/members", headers=holder_a.headers(None)).body.decode()
    for kind in ("member.suspended", "member.enabled", "member.deleted"):
        assert [e.outcome for e in audit_events(kind, sub)] == ["success"], kind


@pytest.mark.parametrize("action", ["suspend", "delete", "enable"])
def test_given_member_of_corporation_a_when_holder_of_b_crafts_the_form_then_nothing_changes(
    call_api: Callable[..., Any], holder_a: Account, holder_b: Account, action: str
) -> None:
    # Given a member of A, and the holder of B who learnt its sub
    email = holder_a.email.replace("holder-a", f"target-{action}")
    _invite(call_api, holder_a, email)
    sub = _member_sub(email)
    if action == "enable":
        _action(call_api, holder_a, sub, "suspend")
    enabled_before = cognito_user(email)["Enabled"]

    # When B posts the action on A's member
    response = _action(call_api, holder_b, sub, action)

    # Then it is "not found", the member is untouched and the attempt is audited
    assert response.status == 404
    assert cognito_user(email)["Enabled"] is enabled_before
    from functions.auth.dal import get_store

    assert get_store().get_profile(sub) is not None
    kind = {"suspend": "member.suspended", "delete": "member.deleted", "enable": "member.enabled"}[action]
    assert [e.outcome for e in audit_events(kind, holder_b.sub)] == ["failure"]


def test_given_holder_of_b_when_listing_members_then_only_b_members_are_shown(
    call_api: Callable[..., Any], holder_a: Account, holder_b: Account
) -> None:
    email = holder_a.email.replace("holder-a", "secret-employee")
    _invite(call_api, holder_a, email)

    listing = call_api("GET", "/account/members", headers=holder_b.headers(None))

    assert listing.status == 200
    assert email not in listing.body.decode()


def test_given_member_account_when_managing_members_then_refused(
    call_api: Callable[..., Any], corporations: dict[str, str], holder_a: Account
) -> None:
    member = make_account(AccountTier.MEMBER, corporate_number=corporations["A"], parent_sub=holder_a.sub)
    colleague = holder_a.email.replace("holder-a", "colleague")
    _invite(call_api, holder_a, colleague)

    listing = call_api("GET", "/account/members", headers=member.headers(None))
    invite = _invite(call_api, member, member.email.replace("user", "friend"))
    suspend = _action(call_api, member, _member_sub(colleague), "suspend")

    assert listing.status == 403
    assert invite.status == 403
    assert suspend.status == 403
    assert cognito_user(colleague)["Enabled"] is True


def test_given_address_already_used_when_inviting_then_field_error_and_existing_account_untouched(
    call_api: Callable[..., Any], holder_a: Account, holder_b: Account
) -> None:
    response = _invite(call_api, holder_a, holder_b.email)

    assert response.status == 400
    assert 'id="field-email-error"' in response.body.decode()
    assert cognito_user(holder_b.email)["groups"] == ["prime"]


def test_given_form_without_csrf_when_suspending_then_refused(call_api: Callable[..., Any], holder_a: Account) -> None:
    email = holder_a.email.replace("holder-a", "csrf")
    _invite(call_api, holder_a, email)
    response = call_api(
        "POST",
        f"/account/members/{_member_sub(email)}",
        headers=holder_a.headers(),
        body=urlencode({"action": "suspend"}),
    )
    assert response.status == 403
    assert cognito_user(email)["Enabled"] is True
