"""Audit trails: append-only, tamper-evident logs of every change to an account, a decision or a data grant.

Each service that changes such things keeps one :class:`AuditLog` in its own table (gBizID: the accounts
table; jGrants: the applications table; ...) and archives it to its own Object Lock bucket.

Entries form one hash chain. Each entry carries ``prev_hash`` (the hash of the entry before it, 64 zeros for
the first) and ``hash`` = SHA-256 over the entry's canonical JSON (keys sorted, no spaces, UTF-8) including
``prev_hash``; changing, removing or reordering any stored entry breaks the chain from that entry on.

Storage, in the service's table (single-table design; the log uses ``pk = AUDIT``):

==========  ========================  ============================================================
pk          sk                        item
==========  ========================  ============================================================
``AUDIT``   ``HEAD``                  the last ``seq`` and its ``hash``
``AUDIT``   ``ENTRY#<seq:012d>``      one :class:`AuditEntry` (gsi1: ``AUDITSUB#<sub>`` / ``<time>#<seq>``)
==========  ========================  ============================================================

An append is one DynamoDB transaction: put the entry (only if no entry has that ``seq``) and move the head
(only if it still names the ``seq`` we read). Concurrent writers that lose retry with the new head, so the
log stays one linear chain. Every write goes through the single ``HEAD`` item, which bounds the append rate
to what one item sustains (hundreds per second); that is far above the rate of audited changes.

The chain mechanics (head, transactional append, archive) are :class:`platform_common.hash_chain.HashChain`'s.
Each entry is then archived to the log's bucket as ``entries/<seq:012d>.json`` under S3 Object
Lock in **governance** mode until **3650 days** (ten years) after the entry, the bucket's own default.
Governance rather than compliance mode: compliance objects cannot be removed by anyone before the date,
not even a test deployment's, while governance lets only a principal holding
``s3:BypassGovernanceRetention`` (granted to no function and no operator role) do it. The archived copy
carries its SHA-256 as an S3 checksum; :func:`verify_chain` compares every entry with it, so rewriting the
table and recomputing the hashes is still detected.

Details never hold secrets: values under secret-looking keys are replaced by ``[redacted]``, e-mail
addresses and phone numbers are masked, and values are truncated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal

from platform_common import aws
from platform_common.hash_chain import ARCHIVE_PREFIX as ARCHIVE_PREFIX
from platform_common.hash_chain import ENTRY_PREFIX as ENTRY_PREFIX
from platform_common.hash_chain import GENESIS_HASH as GENESIS_HASH
from platform_common.hash_chain import HEAD_SK as HEAD_SK
from platform_common.hash_chain import RETENTION_DAYS as RETENTION_DAYS
from platform_common.hash_chain import RETENTION_MODE as RETENTION_MODE
from platform_common.hash_chain import ChainUnavailable, HashChain, entry_sk
from platform_common.hash_chain import archive_key as archive_key
from platform_common.hash_chain import canonical_json as canonical_json

Outcome = Literal["success", "failure"]
Item = dict[str, dict[str, Any]]

AUDIT_PK: Final = "AUDIT"
SUB_INDEX_PREFIX: Final = "AUDITSUB#"
USER_AGENT_MAX: Final = 200
DETAIL_VALUE_MAX: Final = 200
DETAIL_MAX_KEYS: Final = 20
REDACTED: Final = "[redacted]"

_KIND: Final = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_DETAIL_KEY: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SECRET_KEY: Final = re.compile(r"password|secret|token|otp|(^|_)code(s)?$|credential|cookie|ciphertext")
_EMAIL: Final = re.compile(r"([^\s@<>(),;:\"]+)@([^\s@<>(),;:\"]+\.[^\s@<>(),;:\"]+)")
_PHONE: Final = re.compile(r"\+[1-9][0-9]{6,14}")


class AuditUnavailable(RuntimeError):
    """The log could not be appended to (contention beyond every retry, or the table is unreachable)."""


def _mask_email(match: re.Match[str]) -> str:
    return f"{match.group(1)[:1]}***@{match.group(2)}"


def _mask_phone(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_personal_data(value: str) -> str:
    """E-mail addresses keep their first letter and domain; phone numbers their country code and last 4."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub(_mask_email, value))


def sanitize_detail(detail: Mapping[str, str] | None) -> dict[str, str]:
    """Detail as it may be stored: secret-looking keys redacted, personal data masked, values truncated."""
    if not detail:
        return {}
    if len(detail) > DETAIL_MAX_KEYS:
        raise ValueError(f"an audit detail has at most {DETAIL_MAX_KEYS} keys")
    clean: dict[str, str] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not _DETAIL_KEY.fullmatch(key):
            raise ValueError(f"audit detail key {key!r} must be snake_case ASCII")
        if _SECRET_KEY.search(key):
            clean[key] = REDACTED
            continue
        text = mask_personal_data(str(value))
        clean[key] = "".join(ch if ch.isprintable() else " " for ch in text)[:DETAIL_VALUE_MAX]
    return clean


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _entry_sk(seq: int) -> str:
    return entry_sk(seq)


@dataclass(frozen=True)
class AuditEntry:
    """One link of the chain. ``hash`` covers every other field, ``prev_hash`` included."""

    seq: int
    time: str  # ISO 8601 UTC with microseconds, "2025-04-01T09:30:00.123456Z"
    kind: str
    outcome: Outcome
    actor_sub: str | None
    subject_sub: str | None
    corporate_number: str | None
    source_ip: str | None
    user_agent: str | None
    detail: Mapping[str, str] = field(default_factory=dict, hash=False)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def content(self) -> dict[str, Any]:
        """Every field but ``hash``: what the hash is computed over."""
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "outcome": self.outcome,
            "actor_sub": self.actor_sub,
            "subject_sub": self.subject_sub,
            "corporate_number": self.corporate_number,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
            "detail": dict(self.detail),
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content())).hexdigest()

    @property
    def indexed_sub(self) -> str | None:
        """The account the event is about: its subject, or the actor when there is none."""
        return self.subject_sub or self.actor_sub

    def archive_body(self) -> bytes:
        return canonical_json({**self.content(), "hash": self.hash})

    def to_item(self) -> Item:
        item: Item = {
            "pk": {"S": AUDIT_PK},
            "sk": {"S": _entry_sk(self.seq)},
            "seq": {"N": str(self.seq)},
            "time": {"S": self.time},
            "kind": {"S": self.kind},
            "outcome": {"S": self.outcome},
            "detail": {"M": {key: {"S": value} for key, value in self.detail.items()}},
            "prev_hash": {"S": self.prev_hash},
            "hash": {"S": self.hash},
        }
        optional = {
            "actor_sub": self.actor_sub,
            "subject_sub": self.subject_sub,
            "corporate_number": self.corporate_number,
            "source_ip": self.source_ip,
            "user_agent": self.user_agent,
        }
        item.update({name: {"S": value} for name, value in optional.items() if value is not None})
        if self.indexed_sub:
            item["gsi1pk"] = {"S": SUB_INDEX_PREFIX + self.indexed_sub}
            item["gsi1sk"] = {"S": f"{self.time}#{self.seq:012d}"}
        return item

    @classmethod
    def from_item(cls, item: Item) -> AuditEntry:
        def optional(name: str) -> str | None:
            value = item.get(name)
            return None if value is None else str(value["S"])

        outcome = item["outcome"]["S"]
        return cls(
            seq=int(item["seq"]["N"]),
            time=item["time"]["S"],
            kind=item["kind"]["S"],
            outcome="success" if outcome == "success" else "failure",
            actor_sub=optional("actor_sub"),
            subject_sub=optional("subject_sub"),
            corporate_number=optional("corporate_number"),
            source_ip=optional("source_ip"),
            user_agent=optional("user_agent"),
            detail={key: str(value["S"]) for key, value in item.get("detail", {}).get("M", {}).items()},
            prev_hash=item["prev_hash"]["S"],
            hash=item["hash"]["S"],
        )

    def to_json(self) -> dict[str, Any]:
        return {**self.content(), "hash": self.hash}


def _blank_to_none(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    text = "".join(ch for ch in value if ch.isprintable()).strip()[:limit]
    return text or None


def request_origin(event: Any) -> dict[str, str | None]:
    """``source_ip`` and ``user_agent`` of an API Gateway request, as keyword arguments of :func:`record_event`.

    Accepts powertools' event object or the raw event dictionary.
    """
    raw = getattr(event, "raw_event", event)
    raw = raw if isinstance(raw, Mapping) else {}
    identity = (raw.get("requestContext") or {}).get("identity") or {}
    headers = {str(name).lower(): str(value) for name, value in (raw.get("headers") or {}).items()}
    return {"source_ip": identity.get("sourceIp"), "user_agent": headers.get("user-agent")}


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# -- verification

BreakReason = Literal[
    "missing",
    "out_of_order",
    "hash_mismatch",
    "link_broken",
    "archive_missing",
    "archive_mismatch",
    "archive_overwritten",
    "head_mismatch",
    "truncated",
]

BREAK_EXPLANATIONS: Final[Mapping[str, str]] = {
    "missing": "the entry is missing from the log (deleted)",
    "out_of_order": "the entry stored under this sequence number belongs elsewhere (reordered)",
    "hash_mismatch": "the entry's content does not match its hash (changed)",
    "link_broken": "the entry's prev_hash is not the hash of the entry before it",
    "archive_missing": "the archived copy of the entry is missing",
    "archive_mismatch": "the entry differs from its archived copy",
    "archive_overwritten": "the archived copy was written more than once",
    "head_mismatch": "the head of the log does not name the last entry",
    "truncated": "the archive holds entries after the head of the log (the log was cut short)",
}


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    from_seq: int
    to_seq: int
    head_seq: int
    checked: int
    broken_seq: int | None = None
    reason: BreakReason | None = None

    @property
    def explanation(self) -> str | None:
        return BREAK_EXPLANATIONS[self.reason] if self.reason else None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "from_seq": self.from_seq,
            "to_seq": self.to_seq,
            "head_seq": self.head_seq,
            "checked": self.checked,
            "broken_seq": self.broken_seq,
            "reason": self.reason,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class AuditLog:
    """One hash-chained log: its entries in ``table_name`` (pk ``AUDIT``), archived copies in ``bucket_name``."""

    table_name: str
    bucket_name: str

    @property
    def _chain(self) -> HashChain:
        return HashChain(self.table_name, self.bucket_name, AUDIT_PK)

    def _read_head(self) -> tuple[int, str]:
        return self._chain.read_head()

    def head_seq(self) -> int:
        """The sequence number of the newest entry (0 for an empty log)."""
        return self._read_head()[0]

    def _append(self, build: Any) -> AuditEntry:
        """Append the entry ``build(seq, prev_hash)`` makes at the current head, retrying on conflict."""
        try:
            entry: AuditEntry = self._chain.append(build)
        except ChainUnavailable:
            raise AuditUnavailable("the audit log head kept moving; the event was not recorded") from None
        return entry

    def _archive(self, entry: AuditEntry) -> None:
        # The entry is in the chain already; verification reports a missing copy by its seq.
        self._chain.archive(entry)

    def record_event(
        self,
        kind: str,
        *,
        outcome: Outcome,
        actor_sub: str | None,
        subject_sub: str | None = None,
        corporate_number: str | None = None,
        source_ip: str | None = None,
        user_agent: str | None = None,
        detail: Mapping[str, str] | None = None,
    ) -> AuditEntry:
        """Append one event to the chain and archive it; return the entry as stored.

        ``kind`` is dotted (``login.succeeded``); ``detail`` holds short facts, never secrets: see
        :func:`sanitize_detail`. Raises ``ValueError`` on a malformed kind, outcome or detail key (a programming
        error) and :class:`AuditUnavailable` when the log cannot be appended to.
        """
        if not _KIND.fullmatch(kind):
            raise ValueError(f"audit event kind {kind!r} must be dotted lowercase words (login.succeeded)")
        if outcome not in ("success", "failure"):
            raise ValueError(f"audit outcome {outcome!r} must be success or failure")
        clean_detail = sanitize_detail(detail)
        actor = _blank_to_none(actor_sub, 128)
        subject = _blank_to_none(subject_sub, 128)
        corporation = _blank_to_none(corporate_number, 13)
        ip = _blank_to_none(source_ip, 45)
        agent = _blank_to_none(user_agent, USER_AGENT_MAX)

        def build(seq: int, prev_hash: str) -> AuditEntry:
            draft = AuditEntry(
                seq=seq,
                time=_now_iso(),
                kind=kind,
                outcome=outcome,
                actor_sub=actor,
                subject_sub=subject,
                corporate_number=corporation,
                source_ip=ip,
                user_agent=agent,
                detail=clean_detail,
                prev_hash=prev_hash,
            )
            return replace(draft, hash=draft.compute_hash())

        entry = self._append(build)
        self._archive(entry)
        return entry

    def _query(self, request: dict[str, Any], *, limit: int, keep: Any = None, max_pages: int = 50) -> list[AuditEntry]:
        dynamodb = aws.client("dynamodb")
        found: list[AuditEntry] = []
        for _ in range(max_pages):
            page = dynamodb.query(**request)
            for item in page.get("Items", []):
                entry = AuditEntry.from_item(item)
                if keep is None or keep(entry):
                    found.append(entry)
                    if len(found) >= limit:
                        return found
            if "LastEvaluatedKey" not in page:
                break
            request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}
        return found

    def find_entries(
        self,
        *,
        sub: str | None = None,
        kinds: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries newest first: about one account (``sub``), of some kinds, within ``[since, until)``."""
        wanted = frozenset(kinds) if kinds else None
        low = _iso(since) if since else "0"
        high = _iso(until) if until else "\uffff"

        def keep(entry: AuditEntry) -> bool:
            return (wanted is None or entry.kind in wanted) and low <= entry.time < high

        if sub:
            request: dict[str, Any] = {
                "TableName": self.table_name,
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": {"S": SUB_INDEX_PREFIX + sub},
                    ":low": {"S": low},
                    ":high": {"S": high},
                },
                "ScanIndexForward": False,
                "Limit": 200,
            }
        else:
            request = {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": {":pk": {"S": AUDIT_PK}, ":prefix": {"S": ENTRY_PREFIX}},
                "ScanIndexForward": False,
                "Limit": 200,
            }
        return self._query(request, limit=limit, keep=keep)

    def _entry_items(self, from_seq: int, to_seq: int) -> Iterator[Item]:
        return self._chain.entry_items(from_seq, to_seq)

    def _archive_versions(self, from_seq: int, to_seq: int | None) -> dict[int, int]:
        """How many versions the archive holds of each entry from ``from_seq`` (to ``to_seq``, or all)."""
        return self._chain.archive_versions(from_seq, to_seq)

    def _archived_copy(self, seq: int) -> dict[str, Any] | None:
        return self._chain.archived_copy(seq)

    def verify_chain(self, from_seq: int = 1, to_seq: int | None = None) -> ChainVerification:
        """Recompute every hash from ``from_seq`` to ``to_seq`` (default: the head), check each link and
        compare each entry with its archived copy. Returns the first broken ``seq`` and why, or ``ok``."""
        if from_seq < 1 or (to_seq is not None and to_seq < from_seq):
            raise ValueError("verify a range 1 <= from_seq <= to_seq")
        head_seq, head_hash = self._read_head()
        last = head_seq if to_seq is None else min(to_seq, head_seq)

        def result(checked: int, broken: int | None = None, reason: BreakReason | None = None) -> ChainVerification:
            return ChainVerification(broken is None, from_seq, last, head_seq, checked, broken, reason)

        versions = self._archive_versions(from_seq, None if to_seq is None else last)
        prev_hash = GENESIS_HASH
        if from_seq > 1 and from_seq <= last:
            anchor = next(self._entry_items(from_seq - 1, from_seq - 1), None)
            if anchor is None:
                return result(0, from_seq - 1, "missing")
            prev_hash = AuditEntry.from_item(anchor).hash

        expected = from_seq
        checked = 0
        items = self._entry_items(from_seq, last) if from_seq <= last else iter(())
        for item in items:
            stored_seq = int(item["sk"]["S"].removeprefix(ENTRY_PREFIX))
            if stored_seq != expected:
                return result(checked, expected, "missing")
            entry = AuditEntry.from_item(item)
            if entry.seq != stored_seq:
                return result(checked, expected, "out_of_order")
            if entry.compute_hash() != entry.hash:
                return result(checked, expected, "hash_mismatch")
            if entry.prev_hash != prev_hash:
                return result(checked, expected, "link_broken")
            copy = self._archived_copy(expected)
            if copy is None:
                return result(checked, expected, "archive_missing")
            if versions.get(expected, 0) > 1:
                return result(checked, expected, "archive_overwritten")
            if copy != entry.to_json():
                return result(checked, expected, "archive_mismatch")
            prev_hash = entry.hash
            checked += 1
            expected += 1
        if expected <= last:
            return result(checked, expected, "missing")
        if last == head_seq and head_seq >= from_seq and prev_hash != head_hash:
            return result(checked, head_seq, "head_mismatch")
        if to_seq is None and any(seq > head_seq for seq in versions):
            return result(checked, head_seq + 1, "truncated")
        return result(checked)
