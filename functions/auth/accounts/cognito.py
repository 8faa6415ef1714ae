"""The user pool calls of the account pages (Cognito keeps passwords, e-mail verification and status).

Usernames are e-mail addresses (the pool's ``UsernameAttributes``); ``sub`` never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from functions.auth.settings import get_settings
from platform_common import aws

# Answers of AdminInitiateAuth that mean "these credentials do not sign in" (never told apart to the user).
_REFUSED = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
        "InvalidParameterException",
    }
)


@dataclass(frozen=True)
class PoolUser:
    sub: str
    email: str
    email_verified: bool
    enabled: bool
    name: str | None = None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _pool() -> str:
    return get_settings().user_pool_id


def _attributes(found: dict[str, Any], key: str) -> dict[str, str]:
    return {attribute["Name"]: attribute["Value"] for attribute in found.get(key, [])}


def get_user(email: str) -> PoolUser | None:
    try:
        found = aws.client("cognito-idp").admin_get_user(UserPoolId=_pool(), Username=email)
    except ClientError as error:
        if _code(error) == "UserNotFoundException":
            return None
        raise
    attributes = _attributes(found, "UserAttributes")
    return PoolUser(
        sub=attributes["sub"],
        email=attributes.get("email", email),
        email_verified=attributes.get("email_verified") == "true",
        enabled=bool(found.get("Enabled", True)),
        name=attributes.get("name"),
    )


def create_unverified_user(email: str, password: str, display_name: str | None) -> str:
    """A new user with a permanent password and ``email_verified`` false; returns its ``sub``."""
    cognito = aws.client("cognito-idp")
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "false"}]
    if display_name:
        attributes.append({"Name": "name", "Value": display_name})
    created = cognito.admin_create_user(
        UserPoolId=_pool(), Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(UserPoolId=_pool(), Username=email, Password=password, Permanent=True)
    return str(_attributes(created["User"], "Attributes")["sub"])


def set_password(email: str, password: str) -> None:
    aws.client("cognito-idp").admin_set_user_password(
        UserPoolId=_pool(), Username=email, Password=password, Permanent=True
    )


def set_display_name(email: str, display_name: str) -> None:
    aws.client("cognito-idp").admin_update_user_attributes(
        UserPoolId=_pool(), Username=email, UserAttributes=[{"Name": "name", "Value": display_name}]
    )


def mark_email_verified(email: str) -> None:
    aws.client("cognito-idp").admin_update_user_attributes(
        UserPoolId=_pool(), Username=email, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )


def add_to_group(email: str, group: str) -> None:
    aws.client("cognito-idp").admin_add_user_to_group(UserPoolId=_pool(), Username=email, GroupName=group)


def password_matches(email: str, password: str) -> bool:
    """Whether the pool accepts this password for this user (ADMIN_USER_PASSWORD_AUTH).

    The tokens Cognito returns are discarded: the session is ours, and relying systems get our tokens.
    """
    settings = get_settings()
    try:
        answer = aws.client("cognito-idp").admin_initiate_auth(
            UserPoolId=settings.user_pool_id,
            ClientId=settings.user_pool_client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except ClientError as error:
        if _code(error) in _REFUSED:
            return False
        raise
    # A challenge (e.g. a new password required) is not a completed sign-in.
    return "AuthenticationResult" in answer and not answer.get("ChallengeName")
