"""Member accounts (gBizIDメンバー): a Prime holder issues, lists, suspends, re-enables and deletes them.

A member belongs to the holder's corporation; every operation on a member first reads its membership
and requires the same corporate number as the holder's, so a holder of another corporation (or a crafted
form naming a stranger's ``sub``) gets "no such member", never a change. Only Prime accounts manage members.

Storage, in the accounts table:

====================  ==================  ======================================================
pk                    sk                  item
====================  ==================  ======================================================
``USER#<sub>``        ``MEMBERSHIP``      status, e-mail, corporation (gsi1: ``MEMBERS#<number>``)
``INVITE#<sha256>``   ``INVITE``          the invitation link's token as a hash, single use, TTL
====================  ==================  ======================================================

The member's Cognito user is created with a random temporary password nobody sees; the invitation e-mail
carries a link with a one-time token with which the member chooses a password.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.auth.audit import record_event
from functions.auth.dal import USER_PREFIX, ProfileItem, get_store
from functions.auth.models import AccountTier
from functions.auth.notify import notify_email
from functions.auth.prime.models import RequestOrigin
from functions.auth.revocation import revoke_access
from functions.auth.settings import get_settings
from platform_common import aws
from platform_common.errors import Conflict, Forbidden, InvalidInput, NotFound

MEMBERSHIP_SK: Final = "MEMBERSHIP"
MEMBERS_INDEX_PREFIX: Final = "MEMBERS#"
INVITE_PREFIX: Final = "INVITE#"
INVITE_SK: Final = "INVITE"
INVITATION_SECONDS: Final = 7 * 24 * 3600
ACCEPT_PATH: Final = "/account/members/accept"

_EMAIL_MAX: Final = 254


class MemberStatus(StrEnum):
    INVITED = "INVITED"  # the member has not chosen a password yet
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class Membership:
    sub: str
    email: str
    corporate_number: str
    parent_sub: str
    status: MemberStatus
    invited_at: int

    def to_item(self) -> dict[str, dict[str, Any]]:
        return {
            "pk": {"S": USER_PREFIX + self.sub},
            "sk": {"S": MEMBERSHIP_SK},
            "gsi1pk": {"S": MEMBERS_INDEX_PREFIX + self.corporate_number},
            "gsi1sk": {"S": USER_PREFIX + self.sub},
            "sub": {"S": self.sub},
            "email": {"S": self.email},
            "corporate_number": {"S": self.corporate_number},
            "parent_sub": {"S": self.parent_sub},
            "status": {"S": self.status.value},
            "invited_at": {"N": str(self.invited_at)},
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Membership:
        return cls(
            sub=item["sub"]["S"],
            email=item["email"]["S"],
            corporate_number=item["corporate_number"]["S"],
            parent_sub=item["parent_sub"]["S"],
            status=MemberStatus(item["status"]["S"]),
            invited_at=int(item["invited_at"]["N"]),
        )


def _table() -> str:
    return get_settings().accounts_table_name


def _now() -> int:
    return int(time.time())


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_email(value: str) -> str:
    """An e-mail address as the pool stores user names: NFKC, trimmed, lower case; the field is named."""
    email = unicodedata.normalize("NFKC", value).strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > _EMAIL_MAX or any(c.isspace() for c in email):
        raise InvalidInput.for_field("email", "enter an e-mail address such as name@example.co.jp")
    return email


def require_prime_holder(profile: ProfileItem | None) -> ProfileItem:
    """The holder's profile if it is a Prime account with a corporation; Members and others are refused."""
    if profile is None or profile.tier is not AccountTier.PRIME or not profile.corporate_number:
        raise Forbidden(detail="only the holder of a Prime account manages members and mandates")
    return profile


def _get_membership(sub: str) -> Membership | None:
    if not sub or len(sub) > 128:
        return None
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(), Key={"pk": {"S": USER_PREFIX + sub}, "sk": {"S": MEMBERSHIP_SK}}, ConsistentRead=True
        )
        .get("Item")
    )
    return None if item is None else Membership.from_item(item)


def member_of(holder: ProfileItem, member_sub: str) -> Membership:
    """The member if it belongs to the holder's corporation; otherwise :class:`NotFound` (not Forbidden:
    whether a stranger's account exists is none of the holder's business)."""
    membership = _get_membership(member_sub)
    if membership is None or membership.corporate_number != holder.corporate_number:
        raise NotFound(detail="no such member in your corporation")
    return membership


def list_members(holder_profile: ProfileItem | None) -> list[Membership]:
    holder = require_prime_holder(holder_profile)
    response = aws.client("dynamodb").query(
        TableName=_table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": MEMBERS_INDEX_PREFIX + str(holder.corporate_number)}},
    )
    members = [Membership.from_item(item) for item in response.get("Items", [])]
    return sorted(members, key=lambda member: (member.invited_at, member.email))


def _pool() -> str:
    return get_settings().user_pool_id


def invite_member(
    holder_profile: ProfileItem | None,
    email: str,
    *,
    portal_base_url: str,
    corporation_name: str,
    lang: str,
    origin: RequestOrigin | None = None,
) -> Membership:
    """Create the member's account (group ``member``, the holder's corporation) and e-mail the invitation."""
    holder = require_prime_holder(holder_profile)
    origin = origin or RequestOrigin()
    address = normalize_email(email)
    corporate_number = str(holder.corporate_number)
    cognito = aws.client("cognito-idp")
    temporary = secrets.token_urlsafe(24) + "aA1!"
    try:
        created = cognito.admin_create_user(
            UserPoolId=_pool(),
            Username=address,
            UserAttributes=[
                {"Name": "email", "Value": address},
                {"Name": "email_verified", "Value": "true"},  # the invitation link proves the address
                {"Name": "custom:corporate_number", "Value": corporate_number},
                {"Name": "custom:account_type", "Value": AccountTier.MEMBER.account_type},
            ],
            TemporaryPassword=temporary,
            MessageAction="SUPPRESS",
        )
    except cognito.exceptions.UsernameExistsException:
        record_event(
            "member.invited",
            outcome="failure",
            actor_sub=holder.sub,
            corporate_number=corporate_number,
            detail={"reason": "address_in_use"},
            **origin,
        )
        raise InvalidInput.for_field(
            "email", "this address has a gBizID account already; a member needs an address of its own"
        ) from None
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    cognito.admin_add_user_to_group(UserPoolId=_pool(), Username=address, GroupName=AccountTier.MEMBER.value)
    get_store().put_profile(
        ProfileItem(
            sub=sub, email=address, tier=AccountTier.MEMBER, corporate_number=corporate_number, parent_sub=holder.sub
        )
    )
    membership = Membership(
        sub=sub,
        email=address,
        corporate_number=corporate_number,
        parent_sub=holder.sub,
        status=MemberStatus.INVITED,
        invited_at=_now(),
    )
    aws.client("dynamodb").put_item(TableName=_table(), Item=membership.to_item())
    token = secrets.token_urlsafe(32)
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "pk": {"S": INVITE_PREFIX + _hash_token(token)},
            "sk": {"S": INVITE_SK},
            "sub": {"S": sub},
            "expires_at": {"N": str(_now() + INVITATION_SECONDS)},
        },
    )
    link = f"{portal_base_url.rstrip('/')}{ACCEPT_PATH}?token={token}"
    notify_email(address, "member_invited", lang, link=link, corporation=corporation_name or corporate_number)
    record_event(
        "member.invited",
        outcome="success",
        actor_sub=holder.sub,
        subject_sub=sub,
        corporate_number=corporate_number,
        **origin,
    )
    return membership


def _set_status(membership: Membership, status: MemberStatus) -> None:
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"pk": {"S": USER_PREFIX + membership.sub}, "sk": {"S": MEMBERSHIP_SK}},
        UpdateExpression="SET #status = :status",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": {"S": status.value}},
    )


def set_member_enabled(
    holder_profile: ProfileItem | None,
    member_sub: str,
    *,
    enabled: bool,
    origin: RequestOrigin | None = None,
) -> Membership:
    """Suspend (Cognito AdminDisableUser) or re-enable a member of the holder's corporation."""
    holder = require_prime_holder(holder_profile)
    origin = origin or RequestOrigin()
    try:
        membership = member_of(holder, member_sub)
    except NotFound:
        record_event(
            "member.enabled" if enabled else "member.suspended",
            outcome="failure",
            actor_sub=holder.sub,
            corporate_number=holder.corporate_number,
            detail={"reason": "not_a_member_of_the_corporation"},
            **origin,
        )
        raise
    cognito = aws.client("cognito-idp")
    if enabled:
        cognito.admin_enable_user(UserPoolId=_pool(), Username=membership.email)
        status: MemberStatus = MemberStatus.ACTIVE if membership.status is MemberStatus.SUSPENDED else membership.status
    else:
        cognito.admin_disable_user(UserPoolId=_pool(), Username=membership.email)
        status = MemberStatus.SUSPENDED
    _set_status(membership, status)
    if not enabled:  # a suspended member loses every session and token at once
        revoke_access(
            membership.sub,
            reason="member_suspended",
            actor_sub=holder.sub,
            corporate_number=holder.corporate_number,
            origin=origin,
        )
    record_event(
        "member.enabled" if enabled else "member.suspended",
        outcome="success",
        actor_sub=holder.sub,
        subject_sub=membership.sub,
        corporate_number=holder.corporate_number,
        **origin,
    )
    return Membership(**{**membership.__dict__, "status": status})


def delete_member(holder_profile: ProfileItem | None, member_sub: str, *, origin: RequestOrigin | None = None) -> None:
    """Delete the member's Cognito user and every item of its account partition."""
    holder = require_prime_holder(holder_profile)
    origin = origin or RequestOrigin()
    try:
        membership = member_of(holder, member_sub)
    except NotFound:
        record_event(
            "member.deleted",
            outcome="failure",
            actor_sub=holder.sub,
            corporate_number=holder.corporate_number,
            detail={"reason": "not_a_member_of_the_corporation"},
            **origin,
        )
        raise
    # Sessions and refresh tokens live outside the member's partition: end them first (the profile goes
    # with the partition, so access tokens are refused without a not-before mark).
    revoke_access(
        membership.sub,
        reason="member_deleted",
        actor_sub=holder.sub,
        refuse_access_tokens=False,
        corporate_number=holder.corporate_number,
        origin=origin,
    )
    cognito = aws.client("cognito-idp")
    with contextlib.suppress(cognito.exceptions.UserNotFoundException):  # deleted before: remove the items
        cognito.admin_delete_user(UserPoolId=_pool(), Username=membership.email)
    dynamodb = aws.client("dynamodb")
    items = dynamodb.query(
        TableName=_table(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": USER_PREFIX + membership.sub}},
        ProjectionExpression="pk, sk",
    ).get("Items", [])
    for item in items:
        dynamodb.delete_item(TableName=_table(), Key={"pk": item["pk"], "sk": item["sk"]})
    record_event(
        "member.deleted",
        outcome="success",
        actor_sub=holder.sub,
        subject_sub=membership.sub,
        corporate_number=holder.corporate_number,
        **origin,
    )


def invitation_valid(token: str) -> bool:
    return _invitation(token) is not None


def _invitation(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 128:
        return None
    item: dict[str, Any] | None = (
        aws.client("dynamodb")
        .get_item(
            TableName=_table(),
            Key={"pk": {"S": INVITE_PREFIX + _hash_token(token)}, "sk": {"S": INVITE_SK}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None or int(item["expires_at"]["N"]) <= _now():
        return None
    return item


def accept_invitation(token: str, password: str, *, origin: RequestOrigin | None = None) -> str:
    """Set the member's password with the invitation's one-time token; return the member's ``sub``."""
    invitation = _invitation(token)
    if invitation is None:
        raise NotFound(detail="the invitation link is not valid (used, expired or mistyped)")
    sub = str(invitation["sub"]["S"])
    membership = _get_membership(sub)
    if membership is None:
        raise NotFound(detail="the invitation link is not valid (used, expired or mistyped)")
    cognito = aws.client("cognito-idp")
    try:
        cognito.admin_set_user_password(
            UserPoolId=_pool(), Username=membership.email, Password=password, Permanent=True
        )
    except cognito.exceptions.InvalidPasswordException:
        raise InvalidInput.for_field(
            "password", "use 12 or more characters with upper and lower case letters, a digit and a symbol"
        ) from None
    try:
        aws.client("dynamodb").delete_item(
            TableName=_table(),
            Key={"pk": {"S": INVITE_PREFIX + _hash_token(token)}, "sk": {"S": INVITE_SK}},
            ConditionExpression="attribute_exists(pk)",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise Conflict(detail="the invitation was used already") from None
        raise
    if membership.status is MemberStatus.INVITED:
        _set_status(membership, MemberStatus.ACTIVE)
    record_event(
        "member.enabled",
        outcome="success",
        actor_sub=sub,
        subject_sub=sub,
        corporate_number=membership.corporate_number,
        detail={"step": "invitation_accepted"},
        **(origin or RequestOrigin()),
    )
    return sub
