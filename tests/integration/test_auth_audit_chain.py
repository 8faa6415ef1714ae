"""The audit trail under moto: appends form one hash chain, tampering is found, the archive is locked.

Each test gets a log of its own (a fresh accounts table and archive bucket made from the identity stack's
specifications), so a tampered entry never leaks into another test of the shared session.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.auth import audit
from functions.auth.audit import AuditEntry, archive_key, recent_logins, record_event, verify_chain
from infra.resource_specs import IDENTITY, StackSpec
from platform_common import audit as platform_audit
from platform_common import hash_chain

_counter = itertools.count()


@dataclass(frozen=True)
class IsolatedLog:
    table: str
    bucket: str


def isolate_audit_log(monkeypatch: pytest.MonkeyPatch) -> IsolatedLog:
    """Point the audit module at a fresh accounts table and archive bucket (same specifications)."""
    from devstack.provision import provision_stack
    from functions.auth.settings import get_settings

    bucket_spec = next(b for b in IDENTITY.buckets if b.id == "audit-archive")
    spec = StackSpec(scope=f"audittest{next(_counter)}", tables=IDENTITY.tables, buckets=(bucket_spec,))
    stack = provision_stack(spec)
    isolated = IsolatedLog(stack.name("table", "accounts"), stack.name("bucket", "audit-archive"))
    settings = get_settings().model_copy(
        update={"accounts_table_name": isolated.table, "audit_bucket_name": isolated.bucket}
    )
    monkeypatch.setattr(audit, "get_settings", lambda: settings)
    return isolated


@pytest.fixture
def log(aws_platform: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> IsolatedLog:
    return isolate_audit_log(monkeypatch)


def _dynamodb() -> Any:
    from platform_common import aws

    return aws.client("dynamodb")


def _s3() -> Any:
    from platform_common import aws

    return aws.client("s3")


def _item(log: IsolatedLog, seq: int) -> dict[str, Any]:
    key = {"pk": {"S": "AUDIT"}, "sk": {"S": f"ENTRY#{seq:012d}"}}
    found: dict[str, Any] = _dynamodb().get_item(TableName=log.table, Key=key, ConsistentRead=True)["Item"]
    return found


def _put(log: IsolatedLog, item: dict[str, Any]) -> None:
    _dynamodb().put_item(TableName=log.table, Item=item)


def _record_many(count: int, sub: str = "sub-chain") -> list[AuditEntry]:
    return [
        record_event("account.signed_up", outcome="success", actor_sub=sub, detail={"step": str(n)})
        for n in range(count)
    ]


def test_given_events_when_recorded_then_they_form_one_linked_chain_that_verifies(log: IsolatedLog) -> None:
    entries = _record_many(5)

    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    assert all(e.hash == e.compute_hash() for e in entries)
    result = verify_chain()
    assert result.ok
    assert result.checked == 5
    assert result.head_seq == 5


def test_given_an_entry_when_hashed_then_the_hash_is_sha256_of_its_canonical_json(log: IsolatedLog) -> None:
    entry = record_event("login.succeeded", outcome="success", actor_sub="sub-hash", source_ip="192.0.2.1")

    canonical = json.dumps(entry.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert "hash" not in entry.content()
    assert entry.content()["prev_hash"] == "0" * 64


def test_given_a_stored_entrys_detail_edited_when_verifying_then_that_seq_is_named(log: IsolatedLog) -> None:
    _record_many(5)
    item = _item(log, 3)
    item["detail"] = {"M": {"step": {"S": "forged"}}}
    _put(log, item)

    result = verify_chain()

    assert not result.ok
    assert (result.broken_seq, result.reason) == (3, "hash_mismatch")
    assert result.checked == 2


def test_given_an_entry_deleted_when_verifying_then_the_gap_is_named(log: IsolatedLog) -> None:
    _record_many(5)
    _dynamodb().delete_item(TableName=log.table, Key={"pk": {"S": "AUDIT"}, "sk": {"S": f"ENTRY#{4:012d}"}})

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 4, "missing")


def test_given_the_last_entry_and_head_rolled_back_when_verifying_then_the_archive_shows_truncation(
    log: IsolatedLog,
) -> None:
    entries = _record_many(4)
    _dynamodb().delete_item(TableName=log.table, Key={"pk": {"S": "AUDIT"}, "sk": {"S": f"ENTRY#{4:012d}"}})
    _dynamodb().put_item(
        TableName=log.table,
        Item={"pk": {"S": "AUDIT"}, "sk": {"S": "HEAD"}, "seq": {"N": "3"}, "hash": {"S": entries[2].hash}},
    )

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 4, "truncated")


def test_given_two_entries_swapped_when_verifying_then_the_first_reordered_seq_is_named(log: IsolatedLog) -> None:
    _record_many(5)
    second, third = _item(log, 2), _item(log, 3)
    _put(log, {**third, "sk": second["sk"]})
    _put(log, {**second, "sk": third["sk"]})

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "out_of_order")


def test_given_an_entry_rewritten_with_a_recomputed_hash_when_verifying_then_the_link_or_archive_names_it(
    log: IsolatedLog,
) -> None:
    # Given an attacker who edits entry 3 and recomputes its hash, so the entry is self-consistent
    _record_many(5)
    forged = AuditEntry.from_item(_item(log, 3))
    forged = AuditEntry(**{**forged.__dict__, "detail": {"step": "forged"}, "hash": ""})
    forged = AuditEntry(**{**forged.__dict__, "hash": forged.compute_hash()})
    _put(log, forged.to_item())

    # When the chain is verified
    result = verify_chain()

    # Then the difference from the archived, Object-Locked copy names entry 3
    assert (result.ok, result.broken_seq, result.reason) == (False, 3, "archive_mismatch")


def test_given_the_whole_tail_rewritten_consistently_when_verifying_then_the_archive_still_names_it(
    log: IsolatedLog,
) -> None:
    # Given an attacker who rewrites entries 2..4 and the head into a new, internally valid chain
    entries = _record_many(4)
    prev = entries[0].hash
    for original in entries[1:]:
        forged = AuditEntry(**{**original.__dict__, "detail": {"step": "rewritten"}, "prev_hash": prev, "hash": ""})
        forged = AuditEntry(**{**forged.__dict__, "hash": forged.compute_hash()})
        _put(log, forged.to_item())
        prev = forged.hash
    _put(log, {"pk": {"S": "AUDIT"}, "sk": {"S": "HEAD"}, "seq": {"N": "4"}, "hash": {"S": prev}})

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "archive_mismatch")


def test_given_an_archived_copy_overwritten_when_verifying_then_the_second_version_is_found(log: IsolatedLog) -> None:
    entries = _record_many(3)
    _s3().put_object(Bucket=log.bucket, Key=archive_key(2), Body=entries[1].archive_body())

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "archive_overwritten")


def test_given_a_missing_archive_copy_when_verifying_then_it_is_named(
    log: IsolatedLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3 refused the archive write of entry 2 (the entry is still appended)
    record_event("account.signed_up", outcome="success", actor_sub="sub-a")
    original = audit.AuditLog._archive
    monkeypatch.setattr(audit.AuditLog, "_archive", lambda self, entry: None)
    record_event("account.signed_up", outcome="success", actor_sub="sub-a")
    monkeypatch.setattr(audit.AuditLog, "_archive", original)
    record_event("account.signed_up", outcome="success", actor_sub="sub-a")

    result = verify_chain()

    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "archive_missing")


def test_given_a_range_when_verifying_then_only_that_range_is_checked_and_anchored(log: IsolatedLog) -> None:
    _record_many(6)
    item = _item(log, 2)
    item["detail"] = {"M": {"step": {"S": "forged"}}}
    _put(log, item)

    assert verify_chain(4, 6).ok
    assert verify_chain(4, 6).checked == 3
    assert verify_chain(1, 6).broken_seq == 2


class _SerializedAws:
    """moto's in-process backends are not thread-safe, while each DynamoDB call is atomic in AWS: every
    call goes through one lock, so threads interleave between calls (read head, then transact) as real
    concurrent writers do. Conflicts (cancelled transactions) are counted."""

    def __init__(self) -> None:
        from platform_common import aws

        self._aws = aws
        self._lock = threading.Lock()
        self.conflicts = 0

    def client(self, name: str) -> Any:
        real = self._aws.client(name)
        outer = self

        class Locked:
            def __getattr__(self, attr: str) -> Any:
                method = getattr(real, attr)
                if not callable(method):
                    return method

                def call(*args: Any, **kwargs: Any) -> Any:
                    with outer._lock:
                        try:
                            return method(*args, **kwargs)
                        except real.exceptions.TransactionCanceledException:
                            outer.conflicts += 1
                            raise
                        finally:
                            time.sleep(0)  # let another writer run between this call and the next

                return call

        return Locked()


def test_given_threads_appending_at_once_when_done_then_the_chain_is_linear_without_gaps(
    log: IsolatedLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 8 writers each appending 6 events at the same time, racing between reading the head and writing
    serialized = _SerializedAws()
    monkeypatch.setattr(platform_audit, "aws", serialized)
    monkeypatch.setattr(hash_chain, "aws", serialized)  # the chain mechanics the audit log uses
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(6):
                record_event("login.succeeded", outcome="success", actor_sub=f"sub-thread-{n}", detail={"i": str(i)})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then writers did collide, yet every event is in one chain of 48 links with no gap or fork
    assert errors == []
    assert serialized.conflicts > 0
    result = verify_chain()
    assert result.ok, result
    assert result.head_seq == 48
    assert result.checked == 48
    entries = audit.find_entries(limit=100)
    assert sorted((e.actor_sub, e.detail["i"]) for e in entries) == sorted(
        (f"sub-thread-{n}", str(i)) for n in range(8) for i in range(6)
    )


def test_given_an_archived_entry_when_read_back_then_it_is_locked_until_ten_years_after_with_its_checksum(
    log: IsolatedLog,
) -> None:
    entry = record_event("password.changed", outcome="success", actor_sub="sub-lock")

    head = _s3().head_object(Bucket=log.bucket, Key=archive_key(entry.seq), ChecksumMode="ENABLED")

    assert head["ObjectLockMode"] == "GOVERNANCE"
    entry_time = datetime.fromisoformat(entry.time.replace("Z", "+00:00"))
    retain_until = head["ObjectLockRetainUntilDate"].astimezone(UTC)
    assert abs(retain_until - (entry_time + timedelta(days=3650))) < timedelta(seconds=2)
    body = _s3().get_object(Bucket=log.bucket, Key=archive_key(entry.seq))["Body"].read()
    assert head["Metadata"]["content-sha256"] == hashlib.sha256(body).hexdigest()
    assert head["Metadata"]["entry-hash"] == entry.hash
    assert json.loads(body) == entry.to_json()


def test_given_a_locked_archive_copy_when_deleting_it_without_bypass_then_s3_refuses(log: IsolatedLog) -> None:
    from botocore.exceptions import ClientError

    entry = record_event("password.changed", outcome="success", actor_sub="sub-lock")
    version = _s3().head_object(Bucket=log.bucket, Key=archive_key(entry.seq))["VersionId"]

    with pytest.raises(ClientError):
        _s3().delete_object(Bucket=log.bucket, Key=archive_key(entry.seq), VersionId=version)


def test_given_a_login_history_when_asking_recent_logins_then_only_that_users_logins_come_newest_first(
    log: IsolatedLog,
) -> None:
    record_event("login.succeeded", outcome="success", actor_sub="sub-me", source_ip="192.0.2.1")
    record_event("password.changed", outcome="success", actor_sub="sub-me")
    record_event("login.failed", outcome="failure", actor_sub=None, subject_sub="sub-me", source_ip="192.0.2.2")
    record_event("login.succeeded", outcome="success", actor_sub="sub-someone-else")
    record_event("login.second_factor_failed", outcome="failure", actor_sub="sub-me")

    logins = recent_logins("sub-me")

    assert [e.kind for e in logins] == ["login.second_factor_failed", "login.failed", "login.succeeded"]
    assert len(recent_logins("sub-me", limit=2)) == 2


def test_given_entries_when_querying_by_kind_and_time_then_only_matching_entries_come(log: IsolatedLog) -> None:
    first = record_event("member.invited", outcome="success", actor_sub="sub-q")
    record_event("member.suspended", outcome="success", actor_sub="sub-q")
    record_event("member.invited", outcome="success", actor_sub="sub-r")

    by_kind = audit.find_entries(kinds=["member.invited"])
    by_sub = audit.find_entries(sub="sub-q", kinds=["member.invited"])
    just_after_first = datetime.fromisoformat(first.time.replace("Z", "+00:00")) + timedelta(microseconds=1)
    after_first = audit.find_entries(since=just_after_first)

    assert [e.actor_sub for e in by_kind] == ["sub-r", "sub-q"]
    assert [e.seq for e in by_sub] == [first.seq]
    assert first.seq not in [e.seq for e in after_first]
    assert len(after_first) == 2
