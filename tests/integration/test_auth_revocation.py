"""Access ends at once: a suspended or deleted Member, a password change, a removed factor, an account an
operator disables. Each test holds what an attacker would keep — an old session cookie, an old refresh
token, an old access token — and tries them after the change: every one must be refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.auth.models import AccountTier, StaffRole
from tests.integration.test_auth_prime_fixtures import (
    PASSWORD,
    Account,
    audit_events,
    cognito_user,
    make_account,
    seed_corporations,
)
from tests.integration.test_auth_revocation_support import (
    HOST,
    RelyingParty,
    new_session_cookie,
    signed_in,
)

ACR_MEMBER = "urn:gbizid:acr:member"


@pytest.fixture(scope="module")
def corporations(aws_platform: dict[str, Any]) -> dict[str, str]:
    return seed_corporations(aws_platform)


@pytest.fixture
def holder(corporations: dict[str, str]) -> Account:
    return make_account(AccountTier.PRIME, corporate_number=corporations["A"], label="rev-holder")


@pytest.fixture
def rp(call_api: Callable[..., Any]) -> RelyingParty:
    return RelyingParty.register(call_api)


def _member_of(call_api: Callable[..., Any], holder: Account) -> str:
    """A member invited by ``holder`` (its Cognito user and profile); returns its sub."""
    email = holder.email.replace("rev-holder", "rev-member")
    invited = call_api("POST", "/account/members", headers=holder.headers(), body=holder.form(email=email))
    assert invited.status == 303
    return str(cognito_user(email)["attributes"]["sub"])


def _member_action(call_api: Callable[..., Any], holder: Account, sub: str, action: str) -> None:
    done = call_api("POST", f"/account/members/{sub}", headers=holder.headers(), body=holder.form(action=action))
    assert done.status == 303, done.body


def _assert_everything_refused(call_api: Callable[..., Any], rp: RelyingParty, cookie: str, tokens: Any) -> None:
    assert not signed_in(call_api, cookie), "the old session cookie still signs in"
    refreshed = rp.refresh(tokens["refresh_token"])
    assert refreshed.status == 400
    assert refreshed.json()["error"] == "invalid_grant"
    assert rp.userinfo(tokens["access_token"]).status == 401


def test_given_a_member_with_a_session_and_tokens_when_the_holder_suspends_them_then_all_are_refused(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    # Given a member signed in on two devices, with an RP's access and refresh tokens
    member = _member_of(call_api, holder)
    cookies = [new_session_cookie(member, ACR_MEMBER), new_session_cookie(member, ACR_MEMBER)]
    tokens = rp.tokens(cookies[0])
    assert rp.userinfo(tokens["access_token"]).status == 200

    # When the Prime holder suspends the member
    _member_action(call_api, holder, member, "suspend")

    # Then neither cookie, the refresh token nor the access token works any more
    for cookie in cookies:
        assert not signed_in(call_api, cookie)
    _assert_everything_refused(call_api, rp, cookies[0], tokens)
    revoked = audit_events("access.revoked", member)
    assert [(e.outcome, e.detail["reason"], e.detail["sessions_ended"]) for e in revoked] == [
        ("success", "member_suspended", "2")
    ]


def test_given_a_suspended_member_re_enabled_when_signing_in_again_then_new_tokens_work(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    member = _member_of(call_api, holder)
    _member_action(call_api, holder, member, "suspend")

    _member_action(call_api, holder, member, "enable")
    tokens = rp.tokens(new_session_cookie(member, ACR_MEMBER))

    assert rp.userinfo(tokens["access_token"]).status == 200
    assert rp.refresh(tokens["refresh_token"]).status == 200


def test_given_a_member_with_a_session_and_tokens_when_the_holder_deletes_them_then_all_are_refused(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    member = _member_of(call_api, holder)
    cookie = new_session_cookie(member, ACR_MEMBER)
    tokens = rp.tokens(cookie)

    _member_action(call_api, holder, member, "delete")

    _assert_everything_refused(call_api, rp, cookie, tokens)
    from functions.auth.oidc.store import FAMILY_INDEX_PREFIX
    from functions.auth.settings import get_settings
    from functions.auth.web.session import SESSION_INDEX_PREFIX
    from platform_common import aws

    for prefix in (SESSION_INDEX_PREFIX, FAMILY_INDEX_PREFIX):  # nothing of the member is left usable
        left = aws.client("dynamodb").query(
            TableName=get_settings().accounts_table_name,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": prefix + member}},
        )["Items"]
        assert all(item.get("revoked", {}).get("BOOL", False) for item in left), prefix


def test_given_a_stolen_session_and_tokens_when_the_holder_changes_the_password_then_only_the_changer_stays(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    # Given an attacker's copy of a session (another device) and the RP's tokens issued to it
    stolen = new_session_cookie(holder.sub)
    tokens = rp.tokens(stolen)

    # When the holder changes the password from their own (fresh) session
    new_password = "Changed-Pass-2026!"
    form = {"current_password": PASSWORD, "new_password": new_password, "confirm_password": new_password}
    changed = call_api("POST", "/account/password", headers=holder.headers(), body=holder.form(**form))
    assert changed.status == 200, changed.body

    # Then the stolen session and the tokens are refused; the holder's own session goes on
    _assert_everything_refused(call_api, rp, stolen, tokens)
    assert signed_in(call_api, holder.cookie)
    # and tokens issued after the change work
    fresh = rp.tokens(holder.cookie)
    assert rp.userinfo(fresh["access_token"]).status == 200
    assert [e.detail["reason"] for e in audit_events("access.revoked", holder.sub)] == ["password_changed"]


def test_given_a_wrong_current_password_when_changing_then_nothing_is_revoked(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    other = new_session_cookie(holder.sub)
    tokens = rp.tokens(other)
    form = {"current_password": "Not-The-Password-1!", "new_password": "Whatever-Pass-2026!"}
    form["confirm_password"] = form["new_password"]

    refused = call_api("POST", "/account/password", headers=holder.headers(), body=holder.form(**form))

    assert refused.status == 400
    assert signed_in(call_api, other)
    assert rp.refresh(tokens["refresh_token"]).status == 200


def test_given_a_stolen_session_and_tokens_when_the_holder_removes_a_factor_then_they_are_refused(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    from functions.auth.factors import manage

    manage.regenerate_recovery_codes(holder.sub, "ja", {})
    stolen = new_session_cookie(holder.sub)
    tokens = rp.tokens(stolen)

    removed = call_api("POST", "/account/factors", headers=holder.headers(), body=holder.form(factor="recovery"))

    assert removed.status == 303, removed.body
    _assert_everything_refused(call_api, rp, stolen, tokens)
    assert signed_in(call_api, holder.cookie)  # the session that removed it stays
    assert [e.detail["reason"] for e in audit_events("access.revoked", holder.sub)] == ["factor_removed"]


def test_given_an_account_when_an_operator_disables_it_then_sessions_and_tokens_end_and_login_fails(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    from functions.auth.revocation import set_account_enabled

    operator = make_account(None, role=StaffRole.OPERATOR, label="rev-operator")
    tokens = rp.tokens(holder.cookie)

    set_account_enabled(holder.sub, enabled=False, operator_sub=operator.sub, reason="reported stolen")

    _assert_everything_refused(call_api, rp, holder.cookie, tokens)
    assert cognito_user(holder.email)["Enabled"] is False
    login = call_api(
        "GET", "/account/login", headers=HOST
    )  # the login form, then the password: refused like a wrong one
    csrf = login.body.decode().split('name="csrf_token" value="')[1].split('"')[0]
    cookie = login.headers.get("set-cookie", "").split(";")[0]
    attempt = call_api(
        "POST",
        "/account/login",
        headers={**HOST, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"email": holder.email, "password": PASSWORD, "csrf_token": csrf}),
    )
    assert attempt.status == 400
    assert [e.outcome for e in audit_events("account.disabled", holder.sub)] == ["success"]
    assert [e.detail["reason"] for e in audit_events("access.revoked", holder.sub)] == ["account_disabled"]


def test_given_an_account_disabled_in_cognito_directly_when_its_tokens_are_used_then_they_are_refused(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    """An operator may disable a user in the Cognito console, which our function never hears of: the
    token endpoint and userinfo ask Cognito, so the tokens still die at once."""
    from functions.auth.settings import get_settings
    from platform_common import aws

    tokens = rp.tokens(holder.cookie)
    aws.client("cognito-idp").admin_disable_user(UserPoolId=get_settings().user_pool_id, Username=holder.email)

    assert rp.userinfo(tokens["access_token"]).status == 401
    assert rp.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_given_a_holder_of_another_corporation_when_suspending_a_member_then_nothing_is_revoked(
    call_api: Callable[..., Any], corporations: dict[str, str], holder: Account, rp: RelyingParty
) -> None:
    member = _member_of(call_api, holder)
    cookie = new_session_cookie(member, ACR_MEMBER)
    tokens = rp.tokens(cookie)
    stranger = make_account(AccountTier.PRIME, corporate_number=corporations["B"], label="rev-stranger")

    call_api("POST", f"/account/members/{member}", headers=stranger.headers(), body=stranger.form(action="suspend"))

    assert signed_in(call_api, cookie)
    assert rp.refresh(tokens["refresh_token"]).status == 200
    assert audit_events("access.revoked", member) == []


def test_given_an_operator_when_disabling_an_account_from_its_page_then_access_ends_and_it_can_be_re_enabled(
    call_api: Callable[..., Any], holder: Account, rp: RelyingParty
) -> None:
    operator = make_account(None, role=StaffRole.OPERATOR, label="rev-op-page")
    tokens = rp.tokens(holder.cookie)
    path = f"/operator/accounts/{holder.sub}"

    page = call_api("GET", path, headers=operator.headers(None))
    assert page.status == 200
    html = page.body.decode()
    assert holder.sub in html
    assert "利用中" in html
    assert 'autocomplete="off"' in html  # the reason field

    # A disable without a reason is the form again, the error next to the field; nothing changes
    missing = call_api("POST", path, headers=operator.headers(), body=operator.form(action="disable", reason=""))
    assert missing.status == 400
    assert 'aria-describedby="field-reason-error"' in missing.body.decode()
    assert signed_in(call_api, holder.cookie)

    done = call_api("POST", path, headers=operator.headers(), body=operator.form(action="disable", reason="盗難の届出"))
    assert (done.status, done.headers["location"]) == (303, f"{path}?done=disabled")
    _assert_everything_refused(call_api, rp, holder.cookie, tokens)
    assert "利用停止中" in call_api("GET", path, headers=operator.headers(None)).body.decode()

    again = call_api("POST", path, headers=operator.headers(), body=operator.form(action="enable"))
    assert again.status == 303
    assert cognito_user(holder.email)["Enabled"] is True
    assert [e.outcome for e in audit_events("account.enabled", holder.sub)] == ["success"]


def test_given_an_operator_when_disabling_their_own_account_then_it_is_refused(call_api: Callable[..., Any]) -> None:
    operator = make_account(None, role=StaffRole.OPERATOR, label="rev-op-self")
    path = f"/operator/accounts/{operator.sub}"

    refused = call_api("POST", path, headers=operator.headers(), body=operator.form(action="disable", reason="test"))

    assert refused.status == 409
    assert signed_in(call_api, operator.cookie)
    assert cognito_user(operator.email)["Enabled"] is True


def test_given_a_prime_holder_when_posting_to_the_operator_account_page_then_forbidden_and_nothing_changes(
    call_api: Callable[..., Any], corporations: dict[str, str], holder: Account
) -> None:
    victim = make_account(AccountTier.PRIME, corporate_number=corporations["B"], label="rev-victim")
    path = f"/operator/accounts/{victim.sub}"

    attempt = call_api("POST", path, headers=holder.headers(), body=holder.form(action="disable", reason="x"))

    assert attempt.status == 403
    assert signed_in(call_api, victim.cookie)
    assert cognito_user(victim.email)["Enabled"] is True
