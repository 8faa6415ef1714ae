"""The restore drill of docs/operators/runbook.md on one table: back it up, lose and corrupt items, restore it
as it was into a new table, verify it against the backup's record, and put the lost items back from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devstack.restore_table import main, restore, table_digest, take_backup


def _subsidy(n: int, title: str) -> dict[str, Any]:
    return {"id": {"S": f"restore-drill-{n:03d}"}, "title": {"S": title}, "amount": {"N": str(1000 * n)}}


def test_given_a_backup_when_items_are_deleted_and_corrupted_then_the_restore_brings_back_the_earlier_state(
    aws_platform: dict[str, Any], tmp_path: Path
) -> None:
    from platform_common import aws

    dynamodb = aws.client("dynamodb")
    table = aws_platform["meti"].name("table", "subsidies")
    originals = [_subsidy(n, f"補助金 {n}") for n in range(1, 26)]
    for item in originals:
        dynamodb.put_item(TableName=table, Item=item)
    before = table_digest(table)
    record = take_backup(table, tmp_path)
    assert (record.items, record.sha256) == (before.items, before.sha256)
    assert json.loads((tmp_path / f"{record.backup_name}.json").read_text("utf-8"))["sha256"] == before.sha256

    # the incident: five items deleted, one overwritten, one added
    for item in originals[:5]:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
    dynamodb.put_item(TableName=table, Item={**originals[5], "title": {"S": "壊れた"}})
    dynamodb.put_item(TableName=table, Item=_subsidy(999, "後から追加"))
    assert table_digest(table) != before

    report = restore(table, datetime.now(UTC) + timedelta(seconds=1), manifest_dir=tmp_path)

    assert report.verified
    assert report.backup_arn == record.backup_arn
    assert report.restored == before
    assert table_digest(report.target) == before  # the restored table is the earlier state, item for item
    assert (report.deleted_since, report.added_since, report.changed_since) == (5, 1, 1)
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"id": originals[0]["id"]})  # live: untouched

    # the runbook's last step: the lost and corrupted items go back from the restored table
    for item in originals[:6]:
        restored = dynamodb.get_item(TableName=report.target, Key={"id": item["id"]}, ConsistentRead=True)["Item"]
        dynamodb.put_item(TableName=table, Item=restored)
    dynamodb.delete_item(TableName=table, Key={"id": {"S": "restore-drill-999"}})
    assert table_digest(table) == before
    for item in originals:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
    dynamodb.delete_table(TableName=report.target)


def test_given_no_backup_before_the_time_when_restoring_then_it_says_so(aws_platform: dict[str, Any]) -> None:
    table = aws_platform["meti"].name("table", "subsidies")

    with pytest.raises(LookupError, match="no backup"):
        restore(table, datetime(2000, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("bad", ["yesterday", "2026-06-01T09:30:00"])
def test_given_a_time_that_is_not_iso_with_a_zone_when_running_the_command_then_it_is_refused(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--table", "meti-subsidies", "--to", bad])

    assert exited.value.code == 2
    assert "--to" in capsys.readouterr().err
