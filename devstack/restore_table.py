"""Back up a table of the running devstack and restore it as it was at a given time, into a new table, verified.

    python -m devstack.restore_table --table meti-applications --backup
    python -m devstack.restore_table --table meti-applications --to 2026-06-01T09:30:00+09:00

``--backup`` takes an on-demand backup (CreateBackup) and records what the table held then: its item count and
a SHA-256 over its items (canonical JSON, sorted), in ``.devstack/backups/<backup name>.json``. ``--to``
restores the latest backup taken at or before that time into ``<table>-restored-<yyyymmddThhmmss>`` (or
``--target``), never over the live table, then verifies the restored table against that record and says how
the live table differs from it (items deleted, added or changed since). Exit status 0: verified; 1: the
restored table differs from the record; 2: no backup to restore or no running devstack.

In the cloud every table has point-in-time recovery (35 days, to the second): the same drill is
``aws dynamodb restore-table-to-point-in-time`` into a new table (docs/operators/runbook.md, "Restore a
table"). The devstack's moto copies the current items on a point-in-time restore whatever the time asked, so
the drill here uses on-demand backups, which moto keeps as they were.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack.server import DEMO_FILE, STATE_DIR
from platform_common import aws

MANIFEST_DIR = STATE_DIR / "backups"
ACTIVE_WAIT_SECONDS = 60.0

Item = dict[str, Any]


@dataclass(frozen=True)
class Digest:
    items: int
    sha256: str


@dataclass(frozen=True)
class BackupRecord:
    table: str
    backup_arn: str
    backup_name: str
    created: str  # ISO 8601, UTC
    items: int
    sha256: str


@dataclass(frozen=True)
class RestoreReport:
    table: str
    backup_arn: str
    backup_created: str
    target: str
    restored: Digest
    expected: Digest | None  # from the backup's record, when there is one
    deleted_since: int  # items in the restored table and no longer in the live table
    added_since: int
    changed_since: int

    @property
    def verified(self) -> bool:
        return self.expected is not None and self.expected == self.restored


def _scan(table: str) -> Iterator[Item]:
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    dynamodb = aws.client("dynamodb")
    while True:
        page = dynamodb.scan(**request)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _key_names(table: str) -> list[str]:
    schema = aws.client("dynamodb").describe_table(TableName=table)["Table"]["KeySchema"]
    return [str(part["AttributeName"]) for part in schema]


def _canonical(item: Item) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _by_key(table: str) -> dict[str, str]:
    names = _key_names(table)
    return {_canonical({name: item[name] for name in names}): _canonical(item) for item in _scan(table)}


def table_digest(table: str) -> Digest:
    """Item count and SHA-256 of the table's items (each as canonical JSON, sorted): equal tables, equal digests."""
    lines = sorted(_canonical(item) for item in _scan(table))
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return Digest(items=len(lines), sha256=digest)


def take_backup(table: str, manifest_dir: Path = MANIFEST_DIR, now: datetime | None = None) -> BackupRecord:
    """An on-demand backup of the table and its record (count and digest, taken just before)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    digest = table_digest(table)
    name = f"{table}-{moment:%Y%m%dT%H%M%S}"[-255:]
    details = aws.client("dynamodb").create_backup(TableName=table, BackupName=name)["BackupDetails"]
    record = BackupRecord(
        table=table,
        backup_arn=str(details["BackupArn"]),
        backup_name=name,
        created=details["BackupCreationDateTime"].astimezone(UTC).isoformat(),
        items=digest.items,
        sha256=digest.sha256,
    )
    manifest_dir.mkdir(parents=True, exist_ok=True)
    (manifest_dir / f"{name}.json").write_text(json.dumps(asdict(record), indent=2) + "\n", "utf-8")
    return record


def latest_backup(table: str, at: datetime) -> dict[str, Any] | None:
    """The newest available backup of the table taken at or before ``at``."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table, "TimeRangeUpperBound": at}
    dynamodb = aws.client("dynamodb")
    while True:
        page = dynamodb.list_backups(**request)
        found.extend(
            summary
            for summary in page.get("BackupSummaries", [])
            if summary.get("BackupStatus") == "AVAILABLE" and summary["BackupCreationDateTime"] <= at
        )
        if "LastEvaluatedBackupArn" not in page:
            break
        request["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]
    return max(found, key=lambda summary: summary["BackupCreationDateTime"], default=None)


def _wait_active(table: str) -> None:
    deadline = time.monotonic() + ACTIVE_WAIT_SECONDS
    dynamodb = aws.client("dynamodb")
    while dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {table} is not active after {ACTIVE_WAIT_SECONDS:.0f} s")
        time.sleep(1)


def _record_of(backup_name: str, manifest_dir: Path) -> Digest | None:
    path = manifest_dir / f"{backup_name}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text("utf-8"))
    return Digest(items=int(record["items"]), sha256=str(record["sha256"]))


def restore(
    table: str,
    to: datetime,
    *,
    target: str | None = None,
    manifest_dir: Path = MANIFEST_DIR,
) -> RestoreReport:
    """Restore the latest backup at or before ``to`` into a new table and verify it; the live table is untouched."""
    backup = latest_backup(table, to)
    if backup is None:
        raise LookupError(f"no backup of {table} taken at or before {to.isoformat()}")
    created: datetime = backup["BackupCreationDateTime"]
    target = target or f"{table}-restored-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    aws.client("dynamodb").restore_table_from_backup(TargetTableName=target, BackupArn=backup["BackupArn"])
    _wait_active(target)
    restored, live = _by_key(target), _by_key(table)
    lines = sorted(restored.values())
    digest = Digest(items=len(lines), sha256=hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest())
    return RestoreReport(
        table=table,
        backup_arn=str(backup["BackupArn"]),
        backup_created=created.astimezone(UTC).isoformat(),
        target=target,
        restored=digest,
        expected=_record_of(str(backup["BackupName"]), manifest_dir),
        deleted_since=len(restored.keys() - live.keys()),
        added_since=len(live.keys() - restored.keys()),
        changed_since=sum(1 for key in restored.keys() & live.keys() if restored[key] != live[key]),
    )


def _use_devstack() -> None:
    if not DEMO_FILE.is_file():
        raise SystemExit(f"no running devstack: {DEMO_FILE} is missing (start it with `make dev`)")
    demo = json.loads(DEMO_FILE.read_text("utf-8"))
    os.environ.update(
        AWS_ENDPOINT_URL=demo["aws"]["endpoint_url"],
        AWS_DEFAULT_REGION=demo["aws"]["region"],
        AWS_REGION=demo["aws"]["region"],
        AWS_ACCESS_KEY_ID="devstack",
        AWS_SECRET_ACCESS_KEY="devstack",
    )
    aws.reset_clients()


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time (2026-06-01T09:30:00+09:00)") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add +09:00 or Z")
    return moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.restore_table", description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", required=True, help="the devstack table, as <scope>-<id> (meti-applications)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--backup", action="store_true", help="take an on-demand backup and record its digest")
    action.add_argument("--to", type=_moment, help="restore the table as it was at this ISO 8601 time")
    parser.add_argument("--target", help="name of the new table (default: <table>-restored-<time>)")
    args = parser.parse_args(argv)
    _use_devstack()
    if args.backup:
        print(json.dumps(asdict(take_backup(args.table)), indent=2))
        return 0
    try:
        report = restore(args.table, args.to, target=args.target)
    except LookupError as error:
        print(f"restore_table: {error}", file=sys.stderr)
        return 2
    print(json.dumps({**asdict(report), "verified": report.verified}, indent=2))
    if report.expected is None:
        print("restore_table: the backup has no record here: counts and digest not verified", file=sys.stderr)
    return 0 if report.verified else 1


if __name__ == "__main__":
    sys.exit(main())
