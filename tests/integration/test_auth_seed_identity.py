"""The devstack's demo accounts: they sign in to Cognito, their TOTP secrets are sealed in KMS."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from devstack.demo_corporations import DEMO_CORP_A, DEMO_CORP_B
from devstack.seed_identity import EXCHANGE_OPERATOR_CORP, seed_identity
from functions.auth.dal import AccountsStore
from functions.auth.factor_secrets import open_factor_secret
from functions.auth.logic.clients import verify_client_secret
from infra.resource_specs import ResourceRef
from platform_common import aws

BASE_URL = "http://localhost:8000"


@pytest.fixture
def seeded(aws_platform: dict[str, Any]) -> dict[str, Any]:
    return seed_identity(aws_platform, BASE_URL)


@pytest.fixture
def pool_id(aws_platform: dict[str, Any]) -> str:
    found: str = aws_platform["identity"].resolve(ResourceRef("user_pool", "users", "id"))
    return found


@pytest.fixture
def app_client_id(pool_id: str) -> str:
    created = aws.client("cognito-idp").create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="seed-test",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    client_id: str = created["UserPoolClient"]["ClientId"]
    return client_id


@pytest.fixture
def store(aws_platform: dict[str, Any]) -> AccountsStore:
    return AccountsStore(aws_platform["identity"].name("table", "accounts"))


@pytest.fixture
def secrets_key(aws_platform: dict[str, Any]) -> str:
    arn: str = aws_platform["identity"].resolve(ResourceRef("key", "secrets", "arn"))
    return arn


def _sign_in(pool_id: str, client_id: str, email: str, password: str) -> dict[str, Any]:
    result: dict[str, Any] = aws.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return result


def _user(seeded: dict[str, Any], email: str) -> dict[str, Any]:
    return next(user for user in seeded["users"] if user["email"] == email)


def test_given_seed_when_listing_accounts_then_every_tier_and_role_of_the_demo_is_there(
    seeded: dict[str, Any],
) -> None:
    kinds = {(user.get("tier") or user.get("role"), user["corporate_number"]) for user in seeded["users"]}

    assert kinds == {
        ("entry", DEMO_CORP_A),
        ("prime", DEMO_CORP_A),
        ("member", DEMO_CORP_A),
        ("prime", DEMO_CORP_B),
        ("operator", None),
        ("reviewer", None),
        ("prime", EXCHANGE_OPERATOR_CORP),  # the ministry's own corporation: the exchange's operator
        ("member", EXCHANGE_OPERATOR_CORP),  # and its jGrants operator and reviewer
    }
    assert all(user["email"].endswith(".example.jp") for user in seeded["users"])


def test_given_seeded_users_when_signing_in_with_their_passwords_then_cognito_issues_tokens(
    seeded: dict[str, Any], pool_id: str, app_client_id: str
) -> None:
    for user in seeded["users"]:
        result = _sign_in(pool_id, app_client_id, user["email"], user["password"])

        assert "IdToken" in result["AuthenticationResult"], user["email"]


def test_given_a_seeded_user_when_signing_in_with_a_wrong_password_then_it_is_refused(
    seeded: dict[str, Any], pool_id: str, app_client_id: str
) -> None:
    user = _user(seeded, "prime@demo-a.example.jp")

    with pytest.raises(ClientError) as refused:
        _sign_in(pool_id, app_client_id, user["email"], user["password"] + "x")
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_given_seeded_passwords_when_checked_then_they_meet_the_pool_policy_and_differ(
    seeded: dict[str, Any],
) -> None:
    passwords = [user["password"] for user in seeded["users"]]

    assert len(set(passwords)) == len(passwords)
    for password in passwords:
        assert len(password) >= 12
        assert any(c.isupper() for c in password)
        assert any(c.islower() for c in password)
        assert any(c.isdigit() for c in password)


def test_given_seeded_users_when_reading_cognito_then_groups_and_custom_attributes_match(
    seeded: dict[str, Any], pool_id: str
) -> None:
    cognito = aws.client("cognito-idp")
    for user in seeded["users"]:
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=user["email"])["Groups"]
        found = cognito.admin_get_user(UserPoolId=pool_id, Username=user["email"])["UserAttributes"]
        attributes = {a["Name"]: a["Value"] for a in found}

        assert [g["GroupName"] for g in groups] == [user.get("tier") or user["role"]]
        assert attributes["sub"] == user["sub"]
        assert attributes["email_verified"] == "true"
        assert attributes.get("custom:corporate_number") == user["corporate_number"]
    codes = {}
    for user in (u for u in seeded["users"] if "tier" in u):
        found = cognito.admin_get_user(UserPoolId=pool_id, Username=user["email"])["UserAttributes"]
        codes[user["tier"]] = {a["Name"]: a["Value"] for a in found}["custom:account_type"]
    assert codes == {"entry": "1", "prime": "2", "member": "3"}


def test_given_prime_member_and_staff_users_when_opening_their_sealed_totp_secret_then_it_gives_valid_codes(
    seeded: dict[str, Any], store: AccountsStore, secrets_key: str
) -> None:
    with_factor = [user for user in seeded["users"] if user.get("tier") != "entry"]
    assert len(with_factor) == 8
    for user in with_factor:
        factor = store.get_totp_factor(user["sub"])
        assert factor is not None
        assert user["totp_secret"].encode() not in factor.secret_ciphertext

        secret = open_factor_secret(secrets_key, user["sub"], "totp", factor.secret_ciphertext)

        assert secret == user["totp_secret"]
        totp = pyotp.TOTP(secret)
        assert totp.verify(totp.now())


def test_given_entry_users_when_seeded_then_they_have_no_totp_factor(
    seeded: dict[str, Any], store: AccountsStore
) -> None:
    without_factor = [user for user in seeded["users"] if user.get("tier") == "entry"]

    assert len(without_factor) == 1
    for user in without_factor:
        assert "totp_secret" not in user
        assert store.get_totp_factor(user["sub"]) is None


def test_given_one_users_sealed_secret_when_opened_as_another_user_then_kms_refuses(
    seeded: dict[str, Any], store: AccountsStore, secrets_key: str
) -> None:
    victim = _user(seeded, "prime@demo-a.example.jp")
    attacker = _user(seeded, "prime@demo-b.example.jp")
    factor = store.get_totp_factor(victim["sub"])
    assert factor is not None

    with pytest.raises(ClientError):
        open_factor_secret(secrets_key, attacker["sub"], "totp", factor.secret_ciphertext)


def test_given_seeded_users_when_reading_profiles_then_tier_corporation_and_issuer_of_member_are_stored(
    seeded: dict[str, Any], store: AccountsStore
) -> None:
    member = _user(seeded, "member@demo-a.example.jp")
    prime = _user(seeded, "prime@demo-a.example.jp")
    operator = _user(seeded, "operator@gbizid.example.jp")

    member_profile = store.get_profile(member["sub"])
    operator_profile = store.get_profile(operator["sub"])

    assert member_profile is not None
    assert (member_profile.tier, member_profile.corporate_number) == ("member", DEMO_CORP_A)
    assert member_profile.parent_sub == prime["sub"]
    assert member_profile.email == member["email"]
    assert operator_profile is not None
    assert (operator_profile.role, operator_profile.tier) == ("operator", None)


def test_given_demo_relying_party_when_read_back_then_secret_is_stored_only_as_a_verifiable_hash(
    seeded: dict[str, Any], store: AccountsStore, aws_platform: dict[str, Any]
) -> None:
    rp = seeded["relying_party"]

    client = store.get_relying_party(rp["client_id"])

    assert client is not None
    assert rp["redirect_uri"] == f"{BASE_URL}/demo-rp/callback"
    assert client.redirect_uris == (rp["redirect_uri"],)
    assert client.token_endpoint_auth_method == "client_secret_basic"
    assert {"openid", "profile", "offline_access"} <= set(client.allowed_scopes)
    assert client.client_secret_hash is not None
    assert verify_client_secret(rp["client_secret"], client.client_secret_hash)
    raw = aws.client("dynamodb").get_item(
        TableName=aws_platform["identity"].name("table", "accounts"),
        Key={"pk": {"S": f"CLIENT#{rp['client_id']}"}, "sk": {"S": "CLIENT"}},
    )["Item"]
    assert rp["client_secret"] not in repr(raw)


def test_given_an_already_seeded_pool_when_seeding_again_then_accounts_are_reset_with_new_credentials(
    aws_platform: dict[str, Any], pool_id: str, app_client_id: str
) -> None:
    first = seed_identity(aws_platform, BASE_URL)

    second = seed_identity(aws_platform, BASE_URL)

    before, after = _user(first, "prime@demo-b.example.jp"), _user(second, "prime@demo-b.example.jp")
    assert after["sub"] == before["sub"]
    signed_in = _sign_in(pool_id, app_client_id, after["email"], after["password"])
    assert "IdToken" in signed_in["AuthenticationResult"]
    with pytest.raises(ClientError):
        _sign_in(pool_id, app_client_id, before["email"], before["password"])
