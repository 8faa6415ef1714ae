"""One file in, everything it changes out: Parquet, records, changes, report, then index and bulk files.

Steps, each safe to repeat: validate every row (the accepted ones go on, each rejected one is named in the
report); drop rows of corporations the basic data does not know; compare the accepted rows' content hash with
what this source delivered last time (the same content changes nothing); replace the source's Parquet
partition; rebuild the record of every corporation whose rows from this source changed; record those changes
by day; write the report. The Parquet partition and the records are written before the source's state, so a
failure part way is repaired by handing in the file again. The ``basic`` category (the corporations
themselves) goes its own way, in :mod:`.basic`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from pydantic import BaseModel, Field

from functions.hojin_search.ingest.parse import read_rows
from functions.hojin_search.ingest.publish import publish_after_ingest
from functions.hojin_search.ingest.records import apply_source
from functions.hojin_search.ingest.schema import CATEGORIES
from functions.hojin_search.ingest.store import OpenDataStore, StoredRecord
from functions.hojin_search.ingest.validate import FieldProblem, arrow_schema, validate_columns
from platform_common.errors import InvalidInput

BASIC = "basic"  # the corporations themselves (NTA data): merged into the corporations Parquet, see .basic
INGEST_CATEGORIES: tuple[str, ...] = (BASIC, *CATEGORIES)
MINISTRY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
UNKNOWN_CORPORATION = "no corporation with this number in the basic information"


def source_id_of(ministry: str, category: str, source_name: str) -> str:
    """``sha256(ministry NUL category NUL source name)[:16]``: the same file name replaces itself."""
    return hashlib.sha256(f"{ministry}\0{category}\0{source_name}".encode()).hexdigest()[:16]


def activity_key(category: str, source_id: str) -> str:
    return f"parquet/activities/category={category}/source={source_id}/data.parquet"


def report_key(source_id: str, at: datetime) -> str:
    return f"reports/{source_id}/{at.strftime('%Y%m%dT%H%M%S%fZ')}.json"


def source_state_key(source_id: str) -> str:
    return f"sources/{source_id}.json"


class RowError(BaseModel):
    field: str
    reason: str


class RejectedRow(BaseModel):
    line: int = Field(description="line of the file the row starts on (JSON array: the object's position)")
    errors: list[RowError]


class IngestReport(BaseModel):
    source_id: str
    ministry: str
    category: str
    source_name: str
    ingested_at: str
    status: Literal["ingested", "unchanged"]
    encoding: str
    format: str
    content_sha256: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    corporations_changed: int
    parquet_key: str | None
    report_key: str
    index_build: str | None = None
    bulk_manifest: str | None = None
    rejected: list[RejectedRow]


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=3)
    return sink.getvalue()


def content_hash(table: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def items_by_corporation(table: pa.Table) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        number = row.pop("corporate_number")
        grouped.setdefault(number, []).append({k: v for k, v in row.items() if v is not None})
    return grouped


def _check_arguments(ministry: str, category: str, source_name: str) -> None:
    if not MINISTRY_PATTERN.fullmatch(ministry):
        raise InvalidInput.for_field("ministry", "lower-case letters, digits and '-', 2 to 32 characters")
    if category not in INGEST_CATEGORIES:
        raise InvalidInput.for_field("category", f"one of {', '.join(INGEST_CATEGORIES)}")
    if not source_name or "/" in source_name or len(source_name) > 200:
        raise InvalidInput.for_field("source_name", "a file name without '/' of at most 200 characters")


Publisher = Callable[[OpenDataStore, datetime], dict[str, str | None]]


def ingest_file(
    data: bytes,
    *,
    ministry: str,
    category: str,
    source_name: str,
    now: datetime,
    store: OpenDataStore | None = None,
    publish: Publisher | None = publish_after_ingest,
) -> IngestReport:
    """Ingest one file of one category; see the module text. ``publish`` (by default: rebuild the index, then
    the bulk files) runs when the source's data changed; ``None`` leaves that to the caller."""
    _check_arguments(ministry, category, source_name)
    store = store if store is not None else default_store()
    now = now.astimezone(UTC)
    if category == BASIC:
        from functions.hojin_search.ingest.basic import ingest_basic

        return ingest_basic(data, ministry=ministry, source_name=source_name, now=now, store=store, publish=publish)
    source_id = source_id_of(ministry, category, source_name)
    raw = read_rows(data, source_name)
    validated = validate_columns(category, raw)
    rejected = validated.rejected
    accepted = validated.accepted

    numbers = pc.unique(accepted["corporate_number"]).to_pylist()
    records = store.get_records(numbers)
    known = pa.array([n in records for n in accepted["corporate_number"].to_pylist()], type=pa.bool_())
    if not pc.all(known).as_py() and accepted.num_rows:
        for line, ok in zip(validated.accepted_lines, known.to_pylist(), strict=True):
            if not ok:
                rejected.setdefault(line, []).append(FieldProblem("corporate_number", UNKNOWN_CORPORATION))
        rejected = dict(sorted(rejected.items()))
        accepted = accepted.filter(known)

    digest = content_hash(accepted)
    state_raw = store.get_object(source_state_key(source_id))
    state = json.loads(state_raw) if state_raw else {}
    parquet_key = activity_key(category, source_id) if accepted.num_rows else None
    changed: list[str] = []
    status: Literal["ingested", "unchanged"] = "unchanged"
    if state.get("content_sha256") != digest:
        status = "ingested"
        old_raw = store.get_object(activity_key(category, source_id))
        old = pq.read_table(io.BytesIO(old_raw)) if old_raw else arrow_schema(category).empty_table()
        before = items_by_corporation(old)
        after = items_by_corporation(accepted)
        changed = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
        if accepted.num_rows:
            store.put_object(
                activity_key(category, source_id), parquet_bytes(accepted), "application/vnd.apache.parquet"
            )
        elif old_raw:
            store.delete_object(activity_key(category, source_id))
        missing = [n for n in changed if n not in records]
        if missing:
            records.update(store.get_records(missing))
        updated: list[StoredRecord] = []
        for number in changed:
            if number in records:  # a corporation that left the basic data keeps no record to update
                updated.append(apply_source(records[number], source_id, category, after.get(number, [])))
        store.put_records(updated)
        store.put_changes(now.strftime("%Y%m%d"), [f"{n}#{category}" for n in changed], source_id)

    key = report_key(source_id, now)
    report = IngestReport(
        source_id=source_id,
        ministry=ministry,
        category=category,
        source_name=source_name,
        ingested_at=now.isoformat().replace("+00:00", "Z"),
        status=status,
        encoding=raw.encoding,
        format=raw.format,
        content_sha256=digest,
        rows_read=raw.count + len(raw.malformed),
        rows_accepted=accepted.num_rows,
        rows_rejected=len(rejected),
        corporations_changed=len(changed),
        parquet_key=parquet_key,
        report_key=key,
        rejected=[
            RejectedRow(line=line, errors=[RowError(field=p.field, reason=p.reason) for p in problems])
            for line, problems in rejected.items()
        ],
    )
    if status == "ingested":
        new_state = {k: report.model_dump()[k] for k in ("ministry", "category", "source_name", "content_sha256")}
        new_state.update(rows=accepted.num_rows, ingested_at=report.ingested_at)
        store.put_object(source_state_key(source_id), json.dumps(new_state).encode(), "application/json")
        if publish is not None:
            published = publish(store, now)
            report.index_build = published.get("index_build")
            report.bulk_manifest = published.get("bulk_manifest")
    store.put_object(key, report.model_dump_json(indent=2).encode("utf-8"), "application/json")
    return report


def default_store() -> OpenDataStore:
    """The AWS adapter from the function's environment (bucket and table names)."""
    import os

    from functions.hojin_search.ingest.store import AwsOpenDataStore

    try:
        return AwsOpenDataStore(
            bucket=os.environ["OPEN_DATA_BUCKET_NAME"],
            hojin_table=os.environ["HOJIN_TABLE_NAME"],
            changes_table=os.environ["CHANGES_TABLE_NAME"],
        )
    except KeyError as missing:
        raise RuntimeError(f"ingest needs the environment variable {missing.args[0]}") from None
