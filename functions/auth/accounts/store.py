"""What the account pages keep beside Cognito, in the accounts table.

=================================  ============  =====================================================
pk                                 sk            item
=================================  ============  =====================================================
``SIGNUP#<sha256(email)>``         ``SIGNUP``    a sign-up waiting for its e-mail code: the code's HMAC,
                                                 the KMS-sealed HMAC key, attempts, recent sends
``LOGINLOCK#<sha256(email)>``      ``LOCK``      failed logins in the current window, ``locked_until``
``USER#<sub>``                     ``DEVICE#…``  a browser the account signed in from (sha256 of its cookie)
=================================  ============  =====================================================

E-mail addresses appear in keys only as hashes. Items carry ``expires_at`` (the table's TTL attribute); the
logic checks times itself, since TTL deletion is late in the cloud and absent in moto.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.auth.dal import USER_PREFIX, Item
from functions.auth.settings import get_settings
from platform_common import aws

SIGNUP_PREFIX: Final = "SIGNUP#"
SIGNUP_SK: Final = "SIGNUP"
LOCK_PREFIX: Final = "LOGINLOCK#"
LOCK_SK: Final = "LOCK"
DEVICE_PREFIX: Final = "DEVICE#"


def email_key(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def _table() -> str:
    return get_settings().accounts_table_name


def _db() -> Any:
    return aws.client("dynamodb")


def _conditional_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


@dataclass(frozen=True)
class PendingSignup:
    email_hash: str
    sub: str
    mac: bytes
    key_ciphertext: bytes
    issued_at: int
    expires_at: int
    attempts: int
    sends: tuple[int, ...]  # when codes were sent (the last hour), for the resend limit

    def to_item(self, keep_until: int) -> Item:
        return {
            "pk": {"S": SIGNUP_PREFIX + self.email_hash},
            "sk": {"S": SIGNUP_SK},
            "sub": {"S": self.sub},
            "mac": {"B": self.mac},
            "key_ciphertext": {"B": self.key_ciphertext},
            "issued_at": {"N": str(self.issued_at)},
            "code_expires_at": {"N": str(self.expires_at)},
            "attempts": {"N": str(self.attempts)},
            "sends": {"L": [{"N": str(moment)} for moment in self.sends]},
            "expires_at": {"N": str(keep_until)},
        }

    @classmethod
    def from_item(cls, item: Item) -> PendingSignup:
        return cls(
            email_hash=item["pk"]["S"].removeprefix(SIGNUP_PREFIX),
            sub=item["sub"]["S"],
            mac=bytes(item["mac"]["B"]),
            key_ciphertext=bytes(item["key_ciphertext"]["B"]),
            issued_at=int(item["issued_at"]["N"]),
            expires_at=int(item["code_expires_at"]["N"]),
            attempts=int(item["attempts"]["N"]),
            sends=tuple(int(value["N"]) for value in item["sends"]["L"]),
        )


def _signup_key(email_hash: str) -> Item:
    return {"pk": {"S": SIGNUP_PREFIX + email_hash}, "sk": {"S": SIGNUP_SK}}


def get_pending_signup(email: str) -> PendingSignup | None:
    item = _db().get_item(TableName=_table(), Key=_signup_key(email_key(email)), ConsistentRead=True).get("Item")
    return None if item is None else PendingSignup.from_item(item)


def put_pending_signup(pending: PendingSignup, keep_until: int) -> None:
    _db().put_item(TableName=_table(), Item=pending.to_item(keep_until))


def count_signup_attempt(pending: PendingSignup, limit: int) -> bool:
    """Count one verification attempt of this very code; ``False`` when the limit was already reached
    (or the code was replaced meanwhile). Counting first means a wrong guess always costs an attempt."""
    try:
        _db().update_item(
            TableName=_table(),
            Key=_signup_key(pending.email_hash),
            UpdateExpression="SET attempts = attempts + :one",
            ConditionExpression="attempts < :limit AND mac = :mac",
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}, ":mac": {"B": pending.mac}},
        )
    except ClientError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


def delete_pending_signup(pending: PendingSignup) -> bool:
    """Consume the pending sign-up once (a conditional delete): ``False`` if another request did first."""
    try:
        _db().delete_item(
            TableName=_table(),
            Key=_signup_key(pending.email_hash),
            ConditionExpression="mac = :mac",
            ExpressionAttributeValues={":mac": {"B": pending.mac}},
        )
    except ClientError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


@dataclass(frozen=True)
class LoginLock:
    failures: tuple[int, ...]  # times of failed logins within the window
    locked_until: int
    version: int


def _lock_key(email: str) -> Item:
    return {"pk": {"S": LOCK_PREFIX + email_key(email)}, "sk": {"S": LOCK_SK}}


def get_login_lock(email: str) -> LoginLock:
    item = _db().get_item(TableName=_table(), Key=_lock_key(email), ConsistentRead=True).get("Item")
    if item is None:
        return LoginLock(failures=(), locked_until=0, version=0)
    return LoginLock(
        failures=tuple(int(value["N"]) for value in item["failures"]["L"]),
        locked_until=int(item["locked_until"]["N"]),
        version=int(item["version"]["N"]),
    )


def put_login_lock(email: str, lock: LoginLock, previous_version: int, keep_until: int) -> bool:
    """Write the new state if nobody else wrote since it was read (optimistic concurrency)."""
    condition = "attribute_not_exists(pk)" if previous_version == 0 else "version = :previous"
    values = {} if previous_version == 0 else {":previous": {"N": str(previous_version)}}
    try:
        _db().put_item(
            TableName=_table(),
            Item={
                **_lock_key(email),
                "failures": {"L": [{"N": str(moment)} for moment in lock.failures]},
                "locked_until": {"N": str(lock.locked_until)},
                "version": {"N": str(lock.version)},
                "expires_at": {"N": str(keep_until)},
            },
            ConditionExpression=condition,
            **({"ExpressionAttributeValues": values} if values else {}),
        )
    except ClientError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


def clear_login_lock(email: str) -> None:
    _db().delete_item(TableName=_table(), Key=_lock_key(email))


def _device_key(sub: str, device_hash: str) -> Item:
    return {"pk": {"S": USER_PREFIX + sub}, "sk": {"S": DEVICE_PREFIX + device_hash}}


def is_known_device(sub: str, device_hash: str) -> bool:
    item = _db().get_item(TableName=_table(), Key=_device_key(sub, device_hash), ConsistentRead=True).get("Item")
    return item is not None


def remember_device(sub: str, device_hash: str, now: int, keep_until: int) -> None:
    _db().put_item(
        TableName=_table(),
        Item={
            **_device_key(sub, device_hash),
            "last_seen": {"N": str(now)},
            "expires_at": {"N": str(keep_until)},
        },
    )
