"""Second-factor items of the accounts table (partition ``USER#<sub>``).

====================  ==================================================================================
sk                    item
====================  ==================================================================================
``FACTOR#totp``       :class:`functions.auth.dal.TotpFactorItem` + ``last_step`` (the last accepted TOTP
                      time step: a conditional update refuses any step not after it, so no code is
                      accepted twice)
``FACTOR#email``      e-mail one-time codes enabled (codes go to the profile's e-mail address)
``FACTOR#sms``        SMS one-time codes enabled, ``phone`` in E.164
``FACTOR#recovery``   recovery codes: ``hashes`` (string set of HMACs), ``key_ciphertext`` (their HMAC key)
``PENDING#totp``      a TOTP secret shown on the enrolment page, not yet confirmed by a code
``OTP#<kind>#<use>``  the outstanding e-mail or SMS code for ``login`` or ``enrol``: its HMAC only
``OTPSENDS``          when codes were sent in the last hour (the sending rate limit)
``FACTORFAIL``        wrong second-factor codes at login in the current window
====================  ==================================================================================

Items that expire carry ``expires_at`` (the table's TTL attribute); the logic checks expiry itself,
since TTL deletion is late in the cloud and absent in moto.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.auth.dal import TOTP_SK, USER_PREFIX, Item, TotpFactorItem
from functions.auth.settings import get_settings
from platform_common import aws

FACTOR_PREFIX: Final = "FACTOR#"
PENDING_TOTP_SK: Final = "PENDING#totp"
SENDS_SK: Final = "OTPSENDS"
FAILURES_SK: Final = "FACTORFAIL"
RECOVERY_SK: Final = FACTOR_PREFIX + "recovery"


def _conditional_failed(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


def _key(sub: str, sk: str) -> Item:
    return {"pk": {"S": USER_PREFIX + sub}, "sk": {"S": sk}}


@dataclass(frozen=True)
class EnrolledFactor:
    """One enabled factor as listed on the account page."""

    kind: str  # "totp", "email", "sms", "recovery"
    created_at: int
    phone: str | None = None  # SMS: E.164
    remaining: int | None = None  # recovery codes not used yet


@dataclass(frozen=True)
class PendingTotp:
    secret_ciphertext: bytes
    created_at: int
    expires_at: int
    attempts: int


@dataclass(frozen=True)
class CodeItem:
    """An outstanding one-time code: only its HMAC and the KMS-sealed HMAC key are stored."""

    kind: str
    purpose: str
    mac: bytes
    key_ciphertext: bytes
    destination: str  # the e-mail address or E.164 number it was sent to
    issued_at: int
    expires_at: int
    attempts: int = 0

    def to_item(self, sub: str) -> Item:
        return {
            **_key(sub, code_sk(self.kind, self.purpose)),
            "mac": {"B": self.mac},
            "key_ciphertext": {"B": self.key_ciphertext},
            "destination": {"S": self.destination},
            "issued_at": {"N": str(self.issued_at)},
            "expires_at": {"N": str(self.expires_at)},
            "attempts": {"N": str(self.attempts)},
        }

    @classmethod
    def from_item(cls, kind: str, purpose: str, item: Item) -> CodeItem:
        return cls(
            kind=kind,
            purpose=purpose,
            mac=bytes(item["mac"]["B"]),
            key_ciphertext=bytes(item["key_ciphertext"]["B"]),
            destination=item["destination"]["S"],
            issued_at=int(item["issued_at"]["N"]),
            expires_at=int(item["expires_at"]["N"]),
            attempts=int(item["attempts"]["N"]),
        )


@dataclass(frozen=True)
class RecoverySet:
    key_ciphertext: bytes
    hashes: frozenset[str]
    created_at: int


def code_sk(kind: str, purpose: str) -> str:
    return f"OTP#{kind}#{purpose}"


@dataclass(frozen=True)
class FactorStore:
    table_name: str

    # -- plumbing

    def _db(self) -> Any:
        return aws.client("dynamodb")

    def _get(self, sub: str, sk: str) -> Item | None:
        found: Item | None = (
            self._db().get_item(TableName=self.table_name, Key=_key(sub, sk), ConsistentRead=True).get("Item")
        )
        return found

    def _delete(self, sub: str, sk: str) -> None:
        self._db().delete_item(TableName=self.table_name, Key=_key(sub, sk))

    # -- enrolled factors

    def list_factors(self, sub: str) -> list[EnrolledFactor]:
        response = self._db().query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": USER_PREFIX + sub}, ":prefix": {"S": FACTOR_PREFIX}},
            ConsistentRead=True,
        )
        factors = []
        for item in response.get("Items", []):
            kind = item["sk"]["S"].removeprefix(FACTOR_PREFIX)
            created_at = int(item.get("created_at", {"N": "0"})["N"])
            if kind == "recovery":
                remaining = len(item.get("hashes", {"SS": []})["SS"])
                factors.append(EnrolledFactor(kind, created_at, remaining=remaining))
            else:
                phone = item["phone"]["S"] if "phone" in item else None
                factors.append(EnrolledFactor(kind, created_at, phone=phone))
        return factors

    def get_factor(self, sub: str, kind: str) -> EnrolledFactor | None:
        return next((f for f in self.list_factors(sub) if f.kind == kind), None)

    def delete_factor(self, sub: str, kind: str) -> bool:
        """Delete an enabled factor; ``False`` when there was none."""
        response = self._db().delete_item(
            TableName=self.table_name, Key=_key(sub, FACTOR_PREFIX + kind), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    def put_simple_factor(self, sub: str, kind: str, created_at: int, phone: str | None = None) -> None:
        item: Item = {**_key(sub, FACTOR_PREFIX + kind), "created_at": {"N": str(created_at)}}
        if phone:
            item["phone"] = {"S": phone}
        self._db().put_item(TableName=self.table_name, Item=item)

    # -- TOTP

    def get_totp(self, sub: str) -> tuple[TotpFactorItem, int | None] | None:
        """The TOTP factor and the last accepted time step (``None`` before the first login code)."""
        item = self._get(sub, TOTP_SK)
        if item is None:
            return None
        last_step = int(item["last_step"]["N"]) if "last_step" in item else None
        return TotpFactorItem.from_item(item), last_step

    def accept_totp_step(self, sub: str, step: int) -> bool:
        """Record ``step`` as used unless it (or a later one) was used already: the replay guard."""
        try:
            self._db().update_item(
                TableName=self.table_name,
                Key=_key(sub, TOTP_SK),
                UpdateExpression="SET last_step = :step",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(last_step) OR last_step < :step)",
                ExpressionAttributeValues={":step": {"N": str(step)}},
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def put_pending_totp(self, sub: str, pending: PendingTotp) -> None:
        self._db().put_item(
            TableName=self.table_name,
            Item={
                **_key(sub, PENDING_TOTP_SK),
                "secret_ciphertext": {"B": pending.secret_ciphertext},
                "created_at": {"N": str(pending.created_at)},
                "expires_at": {"N": str(pending.expires_at)},
                "attempts": {"N": str(pending.attempts)},
            },
        )

    def get_pending_totp(self, sub: str) -> PendingTotp | None:
        item = self._get(sub, PENDING_TOTP_SK)
        if item is None:
            return None
        return PendingTotp(
            secret_ciphertext=bytes(item["secret_ciphertext"]["B"]),
            created_at=int(item["created_at"]["N"]),
            expires_at=int(item["expires_at"]["N"]),
            attempts=int(item["attempts"]["N"]),
        )

    def count_pending_totp_attempt(self, sub: str, limit: int) -> bool:
        """Count one confirmation attempt; ``False`` once ``limit`` attempts were made (or none is pending)."""
        return self._count_attempt(sub, PENDING_TOTP_SK, limit)

    def delete_pending_totp(self, sub: str) -> None:
        self._delete(sub, PENDING_TOTP_SK)

    def enable_totp(self, sub: str, secret_ciphertext: bytes, created_at: int, last_step: int) -> bool:
        """Move the pending secret into the factor, in one transaction; ``False`` if it was consumed already."""
        factor = TotpFactorItem(sub=sub, secret_ciphertext=secret_ciphertext, created_at=created_at).to_item()
        factor["last_step"] = {"N": str(last_step)}
        try:
            self._db().transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": _key(sub, PENDING_TOTP_SK),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": self.table_name, "Item": factor}},
                ]
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- one-time codes

    def put_code(self, sub: str, code: CodeItem) -> None:
        self._db().put_item(TableName=self.table_name, Item=code.to_item(sub))

    def get_code(self, sub: str, kind: str, purpose: str) -> CodeItem | None:
        item = self._get(sub, code_sk(kind, purpose))
        return None if item is None else CodeItem.from_item(kind, purpose, item)

    def count_code_attempt(self, sub: str, kind: str, purpose: str, limit: int) -> bool:
        return self._count_attempt(sub, code_sk(kind, purpose), limit)

    def consume_code(self, sub: str, kind: str, purpose: str, issued_at: int) -> bool:
        """Delete the code if it is still the one issued at ``issued_at``: exactly one caller wins."""
        try:
            self._db().delete_item(
                TableName=self.table_name,
                Key=_key(sub, code_sk(kind, purpose)),
                ConditionExpression="issued_at = :issued",
                ExpressionAttributeValues={":issued": {"N": str(issued_at)}},
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def delete_code(self, sub: str, kind: str, purpose: str) -> None:
        self._delete(sub, code_sk(kind, purpose))

    def _count_attempt(self, sub: str, sk: str, limit: int) -> bool:
        try:
            self._db().update_item(
                TableName=self.table_name,
                Key=_key(sub, sk),
                UpdateExpression="SET attempts = attempts + :one",
                ConditionExpression="attribute_exists(pk) AND attempts < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- sending rate limit

    def get_sends(self, sub: str) -> tuple[list[int], int]:
        """Send times kept for the rate limit, and the item's version (0 when absent)."""
        item = self._get(sub, SENDS_SK)
        if item is None:
            return [], 0
        return [int(value["N"]) for value in item["sends"]["L"]], int(item["version"]["N"])

    def put_sends(self, sub: str, sends: list[int], version: int, expires_at: int) -> bool:
        """Replace the send times if nobody else did since ``version`` was read (optimistic lock)."""
        condition = "attribute_not_exists(pk)" if version == 0 else "version = :version"
        values: dict[str, Any] = {} if version == 0 else {":version": {"N": str(version)}}
        try:
            self._db().put_item(
                TableName=self.table_name,
                Item={
                    **_key(sub, SENDS_SK),
                    "sends": {"L": [{"N": str(value)} for value in sends]},
                    "version": {"N": str(version + 1)},
                    "expires_at": {"N": str(expires_at)},
                },
                ConditionExpression=condition,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- recovery codes

    def put_recovery(self, sub: str, recovery: RecoverySet) -> None:
        self._db().put_item(
            TableName=self.table_name,
            Item={
                **_key(sub, RECOVERY_SK),
                "key_ciphertext": {"B": recovery.key_ciphertext},
                "hashes": {"SS": sorted(recovery.hashes)},
                "created_at": {"N": str(recovery.created_at)},
            },
        )

    def get_recovery(self, sub: str) -> RecoverySet | None:
        item = self._get(sub, RECOVERY_SK)
        if item is None:
            return None
        return RecoverySet(
            key_ciphertext=bytes(item["key_ciphertext"]["B"]),
            hashes=frozenset(item.get("hashes", {"SS": []})["SS"]),
            created_at=int(item["created_at"]["N"]),
        )

    def consume_recovery_hash(self, sub: str, digest: str) -> bool:
        """Remove one code's hash if it is still there: each recovery code works once."""
        try:
            self._db().update_item(
                TableName=self.table_name,
                Key=_key(sub, RECOVERY_SK),
                UpdateExpression="DELETE hashes :digest",
                ConditionExpression="contains(hashes, :one)",
                ExpressionAttributeValues={":digest": {"SS": [digest]}, ":one": {"S": digest}},
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    # -- wrong codes at login

    def get_failures(self, sub: str) -> tuple[int, int]:
        """Wrong login codes counted so far and when the window ends (0, 0 when none)."""
        item = self._get(sub, FAILURES_SK)
        if item is None:
            return 0, 0
        return int(item["failures"]["N"]), int(item["expires_at"]["N"])

    def add_failure(self, sub: str, window_ends: int) -> int:
        response = self._db().update_item(
            TableName=self.table_name,
            Key=_key(sub, FAILURES_SK),
            UpdateExpression="SET expires_at = if_not_exists(expires_at, :ends) ADD failures :one",
            ExpressionAttributeValues={":ends": {"N": str(window_ends)}, ":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        return int(response["Attributes"]["failures"]["N"])

    def clear_failures(self, sub: str) -> None:
        self._delete(sub, FAILURES_SK)


@cache
def get_factor_store() -> FactorStore:
    return FactorStore(get_settings().accounts_table_name)
