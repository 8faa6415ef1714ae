"""The exchange's message log: every request and answer, signed and timestamped, in one hash chain.

An entry holds the canonical message (method, path, client, message id, request time and the SHA-256 of the
body, or status, message id and the body's SHA-256), its hash, the member's detached JWS over it, the timestamp
token, the outcome and the chain links. Bodies are never logged, only their hashes: a member keeps its own
bodies. The chain mechanics are :class:`platform_common.hash_chain.HashChain`'s (registry table, ``pk =
MSGLOG``; archive bucket ``message-log`` under Object Lock). Entries are also indexed by message id (gsi1).

Unlike the audit trail, entries are not sanitised: their fields are identifiers, hashes and signatures the
protocol defines, and changing one would break its signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal

from platform_common import aws
from platform_common.hash_chain import GENESIS_HASH, HashChain, Item, canonical_json, entry_sk

MSGLOG_PK: Final = "MSGLOG"
MESSAGE_INDEX_PREFIX: Final = "MSGID#"

Direction = Literal["request", "response"]


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def stamped_digest(message_hash: str, signature: str) -> str:
    """What an entry's timestamp attests: the message's hash and its signature, together."""
    return hashlib.sha256(f"{message_hash}.{signature}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class MessageEntry:
    """One link: a request or an answer as the exchange signed it. ``hash`` covers every other field."""

    seq: int
    time: str
    message_id: str
    client: str
    provider: str
    service: str
    direction: Direction
    outcome: str  # "forwarded", "ok", "denied", "consent-required", "replay", "provider-error", ...
    message: str  # the canonical request or response (UTF-8 text)
    message_hash: str
    signer: str  # the member whose key signed ("" when nothing was signed: a refused request)
    signature: str  # detached JWS over ``message``
    timestamp: str  # token over stamped_digest(message_hash, signature)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def content(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "message_id": self.message_id,
            "client": self.client,
            "provider": self.provider,
            "service": self.service,
            "direction": self.direction,
            "outcome": self.outcome,
            "message": self.message,
            "message_hash": self.message_hash,
            "signer": self.signer,
            "signature": self.signature,
            "timestamp": self.timestamp,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content())).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {**self.content(), "hash": self.hash}

    def archive_body(self) -> bytes:
        return canonical_json(self.to_json())

    def to_item(self) -> Item:
        item: Item = {name: {"S": str(value)} for name, value in self.to_json().items() if name != "seq"}
        item.update(
            {
                "pk": {"S": MSGLOG_PK},
                "sk": {"S": entry_sk(self.seq)},
                "seq": {"N": str(self.seq)},
                "gsi1pk": {"S": MESSAGE_INDEX_PREFIX + self.message_id},
                "gsi1sk": {"S": f"{self.seq:012d}"},
            }
        )
        return item

    @classmethod
    def from_item(cls, item: Item) -> MessageEntry:
        return cls.from_json({name: value.get("N", value.get("S")) for name, value in item.items()})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MessageEntry:
        direction: Direction = "response" if data["direction"] == "response" else "request"
        return cls(
            seq=int(data["seq"]),
            time=str(data["time"]),
            message_id=str(data["message_id"]),
            client=str(data["client"]),
            provider=str(data["provider"]),
            service=str(data["service"]),
            direction=direction,
            outcome=str(data["outcome"]),
            message=str(data["message"]),
            message_hash=str(data["message_hash"]),
            signer=str(data["signer"]),
            signature=str(data["signature"]),
            timestamp=str(data["timestamp"]),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
        )


@dataclass(frozen=True)
class Draft:
    """What the protocol knows of a message before the chain gives it a place."""

    message_id: str
    client: str
    provider: str
    service: str
    direction: Direction
    outcome: str
    message: bytes
    signer: str
    signature: str
    timestamp: str

    @property
    def message_hash(self) -> str:
        return hashlib.sha256(self.message).hexdigest()


@dataclass(frozen=True)
class MessageLog:
    table_name: str
    bucket_name: str

    @property
    def chain(self) -> HashChain:
        return HashChain(self.table_name, self.bucket_name, MSGLOG_PK)

    def append(self, draft: Draft) -> MessageEntry:
        """Append and archive one entry; raises ``ChainUnavailable`` if the head keeps moving."""
        message = draft.message.decode("utf-8")

        def build(seq: int, prev_hash: str) -> MessageEntry:
            entry = MessageEntry(
                seq=seq,
                time=_now_iso(),
                message_id=draft.message_id,
                client=draft.client,
                provider=draft.provider,
                service=draft.service,
                direction=draft.direction,
                outcome=draft.outcome,
                message=message,
                message_hash=draft.message_hash,
                signer=draft.signer,
                signature=draft.signature,
                timestamp=draft.timestamp,
                prev_hash=prev_hash,
            )
            return replace(entry, hash=entry.compute_hash())

        entry = self.chain.append(build)
        self.chain.archive(entry)
        return entry

    def head_seq(self) -> int:
        return self.chain.read_head()[0]

    def entries(self, from_seq: int, to_seq: int) -> Iterator[MessageEntry]:
        for item in self.chain.entry_items(from_seq, to_seq):
            yield MessageEntry.from_item(item)

    def entry(self, seq: int) -> MessageEntry | None:
        return next(self.entries(seq, seq), None) if seq >= 1 else None

    def seqs_of_message(self, message_id: str) -> list[int]:
        """The entries of one message id (request, answer; a refused replay too), by the index."""
        paginator = aws.client("dynamodb").get_paginator("query")
        seqs: list[int] = []
        for page in paginator.paginate(
            TableName=self.table_name,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": MESSAGE_INDEX_PREFIX + message_id}},
        ):
            seqs.extend(int(item["gsi1sk"]["S"]) for item in page.get("Items", []))
        return sorted(seqs)

    def seq_range_between(self, since: str, until: str) -> tuple[int, int] | None:
        """The first and last ``seq`` of entries whose time is in ``[since, until)`` (ISO 8601 UTC, ``Z``)."""
        paginator = aws.client("dynamodb").get_paginator("query")
        low: int | None = None
        high: int | None = None
        for page in paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="#time >= :since AND #time < :until",
            ExpressionAttributeNames={"#time": "time"},
            ExpressionAttributeValues={
                ":pk": {"S": MSGLOG_PK},
                ":prefix": {"S": "ENTRY#"},
                ":since": {"S": since},
                ":until": {"S": until},
            },
            ProjectionExpression="seq",
        ):
            for item in page.get("Items", []):
                seq = int(item["seq"]["N"])
                low = seq if low is None else min(low, seq)
                high = seq if high is None else max(high, seq)
        return None if low is None or high is None else (low, high)


def check_links(anchor_hash: str, entries: Iterable[MessageEntry]) -> tuple[int, str] | None:
    """Recompute each hash and check each link from ``anchor_hash``; the first break as ``(seq, reason)``."""
    prev_hash = anchor_hash
    expected: int | None = None
    for entry in entries:
        if expected is not None and entry.seq != expected:
            return entry.seq, "the entries are not consecutive"
        if entry.compute_hash() != entry.hash:
            return entry.seq, "the entry's content does not match its hash (changed)"
        if entry.prev_hash != prev_hash:
            return entry.seq, "the entry's prev_hash is not the hash of the entry before it"
        prev_hash = entry.hash
        expected = entry.seq + 1
    return None
