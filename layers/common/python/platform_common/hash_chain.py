"""The mechanics of an append-only hash chain in a DynamoDB table, archived write-once to S3.

Shared by the audit trails (:mod:`platform_common.audit`) and the data exchange's message log. A chain lives in
one partition (``pk``) of a single-table design: a ``HEAD`` item with the last ``seq`` and its ``hash``, and one
item per entry under ``ENTRY#<seq:012d>``. What an entry holds and how its hash is computed is the caller's;
the chain only needs the entry's ``seq``, ``time``, ``hash``, its item and its archive body.

An append is one transaction: put the entry (only if no entry has that ``seq``) and move the head (only if it
still names the ``seq`` read). A writer that loses retries with the new head, so the chain stays linear. Each
entry is then archived as ``<prefix><seq:012d>.json`` under Object Lock (governance mode) with its SHA-256 as
an S3 checksum, so rewriting the table and recomputing every hash is still detected against the archive.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from platform_common import aws
from platform_common.observability import observability_for

Item = dict[str, dict[str, Any]]

HEAD_SK: Final = "HEAD"
ENTRY_PREFIX: Final = "ENTRY#"
ARCHIVE_PREFIX: Final = "entries/"
GENESIS_HASH: Final = "0" * 64
RETENTION_MODE: Final = "GOVERNANCE"
RETENTION_DAYS: Final = 3650
MAX_APPEND_ATTEMPTS: Final = 60

_logger = observability_for("hash_chain").logger


class ChainUnavailable(RuntimeError):
    """The chain could not be appended to (contention beyond every retry)."""


class ChainEntry(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def time(self) -> str: ...

    @property
    def hash(self) -> str: ...

    def to_item(self) -> Item: ...

    def archive_body(self) -> bytes: ...


E = TypeVar("E", bound=ChainEntry)


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Keys sorted, no spaces, UTF-8: the bytes an entry's hash is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_sk(seq: int) -> str:
    return f"{ENTRY_PREFIX}{seq:012d}"


def archive_key(seq: int, prefix: str = ARCHIVE_PREFIX) -> str:
    return f"{prefix}{seq:012d}.json"


def is_conflict(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in ("TransactionCanceledException", "ConditionalCheckFailedException", "TransactionConflictException")


@dataclass(frozen=True)
class HashChain:
    """One chain: its items in ``table_name`` under partition ``pk``, archived copies in ``bucket_name``."""

    table_name: str
    bucket_name: str
    pk: str
    archive_prefix: str = ARCHIVE_PREFIX

    def read_head(self) -> tuple[int, str]:
        found = (
            aws.client("dynamodb")
            .get_item(TableName=self.table_name, Key={"pk": {"S": self.pk}, "sk": {"S": HEAD_SK}}, ConsistentRead=True)
            .get("Item")
        )
        if not found:
            return 0, GENESIS_HASH
        return int(found["seq"]["N"]), str(found["hash"]["S"])

    def _head_update(self, entry: ChainEntry, expected_seq: int) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"pk": {"S": self.pk}, "sk": {"S": HEAD_SK}},
            "UpdateExpression": "SET seq = :seq, #hash = :hash, updated_at = :time",
            "ExpressionAttributeNames": {"#hash": "hash"},
            "ExpressionAttributeValues": {
                ":seq": {"N": str(entry.seq)},
                ":hash": {"S": entry.hash},
                ":time": {"S": entry.time},
            },
        }
        if expected_seq == 0:
            update["ConditionExpression"] = "attribute_not_exists(seq)"
        else:
            update["ConditionExpression"] = "seq = :expected"
            update["ExpressionAttributeValues"][":expected"] = {"N": str(expected_seq)}
        return update

    def append(self, build: Callable[[int, str], E]) -> E:
        """Append the entry ``build(seq, prev_hash)`` makes at the current head, retrying on conflict."""
        dynamodb = aws.client("dynamodb")
        for attempt in range(MAX_APPEND_ATTEMPTS):
            head_seq, head_hash = self.read_head()
            entry = build(head_seq + 1, head_hash)
            try:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": entry.to_item(),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {"Update": self._head_update(entry, head_seq)},
                    ]
                )
            except ClientError as exc:
                if not is_conflict(exc):
                    raise
                time.sleep(random.uniform(0, min(0.05, 0.001 * 2**attempt)))  # noqa: S311  # jitter, not a secret
                continue
            return entry
        raise ChainUnavailable(f"the head of chain {self.pk} kept moving; the entry was not appended")

    def archive(self, entry: ChainEntry) -> None:
        """Write the entry's archived copy, locked for ten years; a failure is logged (verification names it)."""
        body = entry.archive_body()
        retain_until = datetime.fromisoformat(entry.time.replace("Z", "+00:00")) + timedelta(days=RETENTION_DAYS)
        try:
            aws.client("s3").put_object(
                Bucket=self.bucket_name,
                Key=archive_key(entry.seq, self.archive_prefix),
                Body=body,
                ContentType="application/json",
                ChecksumAlgorithm="SHA256",
                ObjectLockMode=RETENTION_MODE,
                ObjectLockRetainUntilDate=retain_until,
                Metadata={"entry-hash": entry.hash, "content-sha256": hashlib.sha256(body).hexdigest()},
            )
        except (ClientError, BotoCoreError):
            _logger.exception("chain entry not archived", extra={"chain": self.pk, "seq": entry.seq})

    def entry_items(self, from_seq: int, to_seq: int) -> Iterator[Item]:
        """The stored items of entries ``from_seq`` to ``to_seq``, in order (consistent reads)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": self.pk},
                ":low": {"S": entry_sk(from_seq)},
                ":high": {"S": entry_sk(to_seq)},
            },
            "ConsistentRead": True,
        }
        dynamodb = aws.client("dynamodb")
        while True:
            page = dynamodb.query(**request)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def archive_versions(self, from_seq: int, to_seq: int | None) -> dict[int, int]:
        """How many versions the archive holds of each entry from ``from_seq`` (to ``to_seq``, or all)."""
        s3 = aws.client("s3")
        request: dict[str, Any] = {"Bucket": self.bucket_name, "Prefix": self.archive_prefix}
        if from_seq > 1:
            request["KeyMarker"] = archive_key(from_seq - 1, self.archive_prefix)
        counts: dict[int, int] = {}
        while True:
            page = s3.list_object_versions(**request)
            for version in page.get("Versions", []):
                key = str(version["Key"])
                try:
                    seq = int(key.removeprefix(self.archive_prefix).removesuffix(".json"))
                except ValueError:
                    continue
                if seq < from_seq:
                    continue
                if to_seq is not None and seq > to_seq:
                    return counts
                counts[seq] = counts.get(seq, 0) + 1
            if not page.get("IsTruncated"):
                return counts
            request["KeyMarker"] = page["NextKeyMarker"]
            request["VersionIdMarker"] = page["NextVersionIdMarker"]

    def archived_copy(self, seq: int) -> dict[str, Any] | None:
        try:
            response = aws.client("s3").get_object(Bucket=self.bucket_name, Key=archive_key(seq, self.archive_prefix))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        loaded: dict[str, Any] = json.loads(response["Body"].read())
        return loaded
