"""Ingest of the ``basic`` category: the NTA's corporate-number data merged into the corporations Parquet.

Steps: validate every row (:mod:`.basic_rows`); keep the rows of the latest state (``latest`` 1; of several
rows of one corporation, the highest sequence number, then the last in the file); compare their content hash
with what this source delivered last time (the same content changes nothing); merge by corporate number
into the set in use (:func:`merge_corporations`, vectorised: numpy search over the sorted numbers and Arrow
kernels, no Python loop over the 5 million rows); write the new set and switch to it (:mod:`.corporations`);
update the ``hojin`` record of every inserted, changed or deleted corporation; record the changes
(category ``basic``) by day; write the report.

Merge rules: a row updates or inserts its corporation, setting the fields the file carries (the NTA layout:
the NTA's fields; the other columns, such as capital or employees, keep their values); a closed
corporation keeps its row, with ``close_date``, ``close_cause`` and status 閉鎖; a deletion (NTA process 99)
removes the row; a row older than the stored state (an earlier ``update_date``) is not applied, so files
handed in out of order never roll a corporation back. Corporations the file does not mention are kept:
an NTA full file covers one prefecture.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from functions.hojin_search.ingest.basic_rows import BasicRows, read_basic
from functions.hojin_search.ingest.corporations import (
    CORPORATION_SCHEMA,
    NOT_IN_RECORD,
    POINTER_KEY,
    read_corporations,
    replace_corporations,
)
from functions.hojin_search.ingest.pipeline import (
    IngestReport,
    Publisher,
    RejectedRow,
    RowError,
    content_hash,
    report_key,
    source_id_of,
    source_state_key,
)
from functions.hojin_search.ingest.store import OpenDataStore, StoredRecord

CATEGORY = "basic"
RECORD_FIELDS = tuple(n for n in CORPORATION_SCHEMA.names if n not in NOT_IN_RECORD)
_EMPTY_PARTS = ("certification", "commendation", "procurement", "subsidy")


def number_keys(numbers: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Corporate numbers (13 digits, valid) as int64: the same order as the text, and fast to search."""
    return np.asarray(pc.cast(numbers, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def latest_rows(table: pa.Table) -> pa.Table:
    """One row per corporation, sorted by number: the latest state's row with the highest sequence number."""
    latest = table.filter(table.column("_latest"))
    if latest.num_rows == 0:
        return latest
    keys = number_keys(latest.column("corporate_number"))
    sequence = np.asarray(latest.column("_sequence").to_numpy(), dtype=np.int64)
    order = np.lexsort((np.arange(keys.size), sequence, keys))
    ordered = keys[order]
    last = np.ones(ordered.size, dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    return latest.take(pa.array(order[last]))


@dataclass
class Merged:
    table: pa.Table | None  # the new set, sorted by number; None when nothing changed
    upserted: pa.Table  # the new rows of inserted or changed corporations
    deleted: list[str]
    not_applied: int  # rows older than the stored state


def _conform(table: pa.Table | None) -> pa.Table:
    if table is None:
        return CORPORATION_SCHEMA.empty_table()
    if table.schema.equals(CORPORATION_SCHEMA):
        return table
    columns = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
        for f in CORPORATION_SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=CORPORATION_SCHEMA)


def _comparable(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Lists (``industry``) as one text each: Arrow compares no lists element-wise; the separator is a control
    character no text of a list holds."""
    if pa.types.is_list(values.type):
        return pc.binary_join(values, "\x1f")
    return values


def _differs(a: pa.ChunkedArray | pa.Array, b: pa.ChunkedArray | pa.Array) -> np.ndarray:
    a, b = _comparable(a), _comparable(b)
    unequal = pc.fill_null(pc.not_equal(a, b), False)
    one_null = pc.xor(pc.is_null(a), pc.is_null(b))
    return np.asarray(pc.or_(unequal, one_null).to_numpy(zero_copy_only=False), dtype=bool)


def merge_corporations(
    old: pa.Table | None, incoming: pa.Table, sets: tuple[str, ...], *, stamp: str | None = None
) -> Merged:
    """Merge ``incoming`` (one row per corporation, sorted; :func:`latest_rows`) into ``old``. ``stamp``
    (YYYY-MM-DD) is the update date of a changed corporation whose row gives none (our header layout)."""
    old = _conform(old)
    old_keys = number_keys(old.column("corporate_number"))
    if old_keys.size > 1 and not bool(np.all(old_keys[1:] > old_keys[:-1])):
        order = np.argsort(old_keys, kind="stable")
        old, old_keys = old.take(pa.array(order)), old_keys[order]
    new_keys = number_keys(incoming.column("corporate_number"))
    position = np.searchsorted(old_keys, new_keys)
    found = position < old_keys.size
    found[found] = old_keys[position[found]] == new_keys[found]
    at = pa.array(np.where(found, position, 0))
    mine = old.take(at) if old.num_rows else CORPORATION_SCHEMA.empty_table()
    found_array = pa.array(found)

    delete = np.asarray(incoming.column("_delete").to_numpy(zero_copy_only=False), dtype=bool)
    older = np.zeros(new_keys.size, dtype=bool)
    if old.num_rows:
        newer_stored = pc.fill_null(pc.greater(mine.column("update_date"), incoming.column("update_date")), False)
        older = found & np.asarray(newer_stored.to_numpy(zero_copy_only=False), dtype=bool)
    applied = ~older
    deleting = delete & found & applied

    columns: list[pa.ChunkedArray | pa.Array] = []
    changed = ~found.copy()
    for f in CORPORATION_SCHEMA:
        if f.name == "corporate_number":
            columns.append(incoming.column(f.name))
        elif f.name in sets:
            value = incoming.column(f.name).cast(f.type)
            if old.num_rows:
                changed |= found & _differs(value, mine.column(f.name))
            columns.append(value)
        elif old.num_rows:
            columns.append(pc.if_else(found_array, mine.column(f.name), pa.nulls(len(new_keys), f.type)))
        else:
            columns.append(pa.nulls(len(new_keys), f.type))
    merged = pa.Table.from_arrays(columns, schema=CORPORATION_SCHEMA)
    upserting = changed & ~delete & applied
    upserted = merged.filter(pa.array(upserting))
    if stamp is not None and upserted.num_rows:
        at_date = CORPORATION_SCHEMA.get_field_index("update_date")
        dates = upserted.column(at_date) if "update_date" in sets else pa.nulls(upserted.num_rows, pa.string())
        upserted = upserted.set_column(at_date, "update_date", pc.fill_null(dates, stamp))
    deleted = incoming.column("corporate_number").filter(pa.array(deleting)).to_pylist()
    if not upserting.any() and not deleting.any():
        return Merged(None, upserted, [], int(older.sum()))

    # One take over [old rows, upserted rows] in number order: the kept old rows, each upserted row inserted
    # where its number belongs (both lists are sorted, so a search places them; no sort of the whole set).
    keep = np.ones(old.num_rows, dtype=bool)
    keep[position[found & (upserting | deleting)]] = False
    kept = np.flatnonzero(keep)
    added_keys = new_keys[upserting]
    at_kept = np.searchsorted(old_keys[kept], added_keys)
    order = np.insert(kept, at_kept, old.num_rows + np.arange(added_keys.size))
    table = pa.concat_tables([old, upserted]).take(pa.array(order))
    return Merged(table, upserted, deleted, int(older.sum()))


def updated_record(existing: StoredRecord | None, row: dict[str, Any], sets: tuple[str, ...]) -> StoredRecord:
    """The ``hojin`` record with the fields the file set replaced (all fields for a new corporation)."""
    number = row["corporate_number"]
    if existing is None or not existing.document.get("name"):
        document: dict[str, Any] = {"corporate_number": number, **{part: [] for part in _EMPTY_PARTS}}
        if existing is not None:
            document.update(existing.document)
        fields = RECORD_FIELDS
    else:
        document = dict(existing.document)
        fields = tuple(name for name in RECORD_FIELDS if name in sets)
    for name in fields:
        value = row.get(name)
        if value is None or value == []:
            if name != "corporate_number":
                document.pop(name, None)
        else:
            document[name] = value
    return StoredRecord(number, document, existing.sources if existing is not None else None)


def _report(
    rows: BasicRows,
    *,
    ministry: str,
    source_name: str,
    source_id: str,
    now: datetime,
    status: Literal["ingested", "unchanged"],
    digest: str,
    changed: int,
    written: bool,
) -> IngestReport:
    return IngestReport(
        source_id=source_id,
        ministry=ministry,
        category=CATEGORY,
        source_name=source_name,
        ingested_at=now.isoformat().replace("+00:00", "Z"),
        status=status,
        encoding=rows.encoding,
        format=rows.format if rows.layout == "header" else "nta-csv",
        content_sha256=digest,
        rows_read=rows.rows_read,
        rows_accepted=rows.table.num_rows,
        rows_rejected=len(rows.rejected),
        corporations_changed=changed,
        parquet_key=POINTER_KEY if written else None,
        report_key=report_key(source_id, now),
        rejected=[
            RejectedRow(line=line, errors=[RowError(field=p.field, reason=p.reason) for p in problems])
            for line, problems in rows.rejected.items()
        ],
    )


def ingest_basic(
    data: bytes,
    *,
    ministry: str,
    source_name: str,
    now: datetime,
    store: OpenDataStore,
    publish: Publisher | None,
) -> IngestReport:
    """Ingest one ``basic`` file; see the module text."""
    source_id = source_id_of(ministry, CATEGORY, source_name)
    rows = read_basic(data, source_name)
    incoming = latest_rows(rows.table)
    # the fields a file sets are part of its content: the same rows setting other fields are another content
    rows_hash = content_hash(incoming.drop_columns(["_sequence"]))
    digest = hashlib.sha256(f"{rows_hash}\0{','.join(rows.sets)}".encode()).hexdigest()
    state_raw = store.get_object(source_state_key(source_id))
    state = json.loads(state_raw) if state_raw else {}
    changed: list[str] = []
    written = False
    if state.get("content_sha256") != digest:
        today = now.date().isoformat()
        merged = merge_corporations(read_corporations(store), incoming, rows.sets, stamp=today)
        if merged.table is not None:
            replace_corporations(store, merged.table, now)
            written = True
            upserted = merged.upserted.to_pylist()
            existing = store.get_records([row["corporate_number"] for row in upserted])
            sets = (*rows.sets, "update_date")  # stamped where the file gives none
            store.put_records(updated_record(existing.get(row["corporate_number"]), row, sets) for row in upserted)
            if merged.deleted:
                store.delete_records(merged.deleted)
            changed = sorted([row["corporate_number"] for row in upserted] + merged.deleted)
            store.put_changes(now.strftime("%Y%m%d"), [f"{n}#{CATEGORY}" for n in changed], source_id)
    status: Literal["ingested", "unchanged"] = "ingested" if changed else "unchanged"
    report = _report(
        rows,
        ministry=ministry,
        source_name=source_name,
        source_id=source_id,
        now=now,
        status=status,
        digest=digest,
        changed=len(changed),
        written=written,
    )
    if state.get("content_sha256") != digest:
        new_state = {"ministry": ministry, "category": CATEGORY, "source_name": source_name, "content_sha256": digest}
        new_state.update(rows=incoming.num_rows, ingested_at=report.ingested_at)
        store.put_object(source_state_key(source_id), json.dumps(new_state).encode(), "application/json")
    if written and publish is not None:
        published = publish(store, now)
        report.index_build = published.get("index_build")
        report.bulk_manifest = published.get("bulk_manifest")
    store.put_object(report.report_key, report.model_dump_json(indent=2).encode("utf-8"), "application/json")
    return report
