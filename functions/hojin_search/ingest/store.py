"""Where ingest reads and writes: the open-data bucket and the hojin and changes tables, behind one interface.

:class:`AwsOpenDataStore` is the real adapter (plain boto3: S3 and DynamoDB, moto in tests and the
devstack). :class:`LocalOpenDataStore` keeps objects as files under a directory and records in memory: the
benchmark and a dry run use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from platform_common import aws


@dataclass
class StoredRecord:
    """One corporation's item in the hojin table: its document and what each source contributed."""

    corporate_number: str
    document: dict[str, Any]
    sources: dict[str, dict[str, Any]] | None  # source key → {"category", "items"}; None before any ingest


class OpenDataStore(Protocol):
    def get_object(self, key: str) -> bytes | None: ...
    def put_object(self, key: str, data: bytes, content_type: str) -> None: ...
    def delete_object(self, key: str) -> None: ...
    def list_keys(self, prefix: str) -> list[str]: ...
    def get_records(self, numbers: Iterable[str]) -> dict[str, StoredRecord]: ...
    def put_records(self, records: Iterable[StoredRecord]) -> None: ...
    def delete_records(self, numbers: Iterable[str]) -> None: ...
    def put_changes(self, day: str, keys: Iterable[str], source_id: str) -> None: ...


def _item_to_record(item: dict[str, Any]) -> StoredRecord:
    sources = item.get("activity_sources", {}).get("S")
    return StoredRecord(
        corporate_number=item["corporate_number"]["S"],
        document=json.loads(item["document"]["S"]),
        sources=json.loads(sources) if sources else None,
    )


@dataclass(frozen=True)
class AwsOpenDataStore:
    bucket: str
    hojin_table: str
    changes_table: str

    def get_object(self, key: str) -> bytes | None:
        s3 = aws.client("s3")
        try:
            body: bytes = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        return body

    def put_object(self, key: str, data: bytes, content_type: str) -> None:
        aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def delete_object(self, key: str) -> None:
        aws.client("s3").delete_object(Bucket=self.bucket, Key=key)

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in aws.client("s3").get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def get_records(self, numbers: Iterable[str]) -> dict[str, StoredRecord]:
        wanted = sorted(set(numbers))
        found: dict[str, StoredRecord] = {}
        dynamodb = aws.client("dynamodb")
        for start in range(0, len(wanted), 100):
            request: dict[str, Any] = {
                self.hojin_table: {"Keys": [{"corporate_number": {"S": n}} for n in wanted[start : start + 100]]}
            }
            while request:
                answer = dynamodb.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self.hojin_table, []):
                    record = _item_to_record(item)
                    found[record.corporate_number] = record
                request = answer.get("UnprocessedKeys") or {}
        return found

    def put_records(self, records: Iterable[StoredRecord]) -> None:
        table = aws.resource("dynamodb").Table(self.hojin_table)
        with table.batch_writer(overwrite_by_pkeys=["corporate_number"]) as batch:
            for record in records:
                batch.put_item(
                    Item={
                        "corporate_number": record.corporate_number,
                        "name": record.document.get("name", ""),
                        "document": json.dumps(record.document, ensure_ascii=False),
                        "activity_sources": json.dumps(record.sources or {}, ensure_ascii=False),
                    }
                )

    def delete_records(self, numbers: Iterable[str]) -> None:
        table = aws.resource("dynamodb").Table(self.hojin_table)
        with table.batch_writer(overwrite_by_pkeys=["corporate_number"]) as batch:
            for number in numbers:
                batch.delete_item(Key={"corporate_number": number})

    def put_changes(self, day: str, keys: Iterable[str], source_id: str) -> None:
        table = aws.resource("dynamodb").Table(self.changes_table)
        with table.batch_writer(overwrite_by_pkeys=["day", "key"]) as batch:
            for key in keys:
                number, _, category = key.partition("#")
                batch.put_item(
                    Item={"day": day, "key": key, "corporate_number": number, "category": category, "source": source_id}
                )


@dataclass
class LocalOpenDataStore:
    """Objects as files under ``root``; records and changes in memory (benchmarks, dry runs)."""

    root: Path
    records: dict[str, StoredRecord] = field(default_factory=dict)
    changes: dict[str, set[str]] = field(default_factory=dict)
    accept_unknown: bool = False  # treat every valid number as a known corporation (bench without records)

    def _path(self, key: str) -> Path:
        return self.root / key

    def get_object(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def put_object(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        partial.replace(path)

    def delete_object(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str) -> list[str]:
        if not self.root.is_dir():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix) and not k.rpartition("/")[2].startswith("."))

    def get_records(self, numbers: Iterable[str]) -> dict[str, StoredRecord]:
        found: dict[str, StoredRecord] = {}
        for number in numbers:
            if number in self.records:
                found[number] = self.records[number]
            elif self.accept_unknown:
                found[number] = StoredRecord(number, {"corporate_number": number, "name": ""}, None)
        return found

    def put_records(self, records: Iterable[StoredRecord]) -> None:
        for record in records:
            self.records[record.corporate_number] = record

    def delete_records(self, numbers: Iterable[str]) -> None:
        for number in numbers:
            self.records.pop(number, None)

    def put_changes(self, day: str, keys: Iterable[str], source_id: str) -> None:
        self.changes.setdefault(day, set()).update(keys)
