"""The basic information of every corporation as a set of Parquet parts, and how a new set replaces the old.

Layout: ``parquet/corporations/part-<generation>-<n>.parquet``, each part at most :data:`PART_ROWS` rows, the
parts in key order sorted by corporate number (the index build and the bulk files rely on it), and
``parquet/corporations/_current.json`` naming the generation in use and its parts.

Replacement, in this order: (1) write every part of the new generation under new keys; (2) write
``_current.json`` (the switch: one PUT, atomic in S3); (3) delete the parts of any other generation. A reader
that follows the pointer (:func:`read_corporations`) sees the old set or the new one, never a mix: a part
that vanishes under it means the pointer moved, so it reads the pointer again. A failure before (2) leaves
the old set in use and stray new parts, which the next replacement deletes. Readers that glob
``*.parquet`` (Athena, DuckDB) may see both generations between (1) and (3), a window of seconds; they skip
``_current.json`` (Hive, Athena and DuckDB's glob ignore names starting with ``_``). Replacements are
serialised by the ingest function's reserved concurrency of one.

Before any pointer exists (the synthetic generator's ``part-0000.parquet``), every Parquet object under the
prefix is the set; the first replacement deletes them after its switch.
"""

from __future__ import annotations

import io
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from functions.hojin_search.ingest.store import OpenDataStore

CORPORATIONS_PREFIX = "parquet/corporations/"
POINTER_KEY = f"{CORPORATIONS_PREFIX}_current.json"
PART_ROWS = 1_000_000
WRITERS = 4  # parts read or written at once
PARQUET_TYPE = "application/vnd.apache.parquet"
ACTIVE, CLOSED = "現存", "閉鎖"

# The columns of every part (the synthetic generator writes with this schema too).
CORPORATION_SCHEMA = pa.schema(
    [
        ("corporate_number", pa.string()),
        ("name", pa.string()),
        ("kana", pa.string()),
        ("name_en", pa.string()),
        ("kind", pa.string()),
        ("prefecture_code", pa.string()),
        ("prefecture_name", pa.string()),
        ("city_code", pa.string()),
        ("city_name", pa.string()),
        ("street", pa.string()),
        ("postal_code", pa.string()),
        ("location", pa.string()),
        ("representative_name", pa.string()),
        ("capital_stock", pa.int64()),
        ("employee_number", pa.int64()),
        ("founding_year", pa.int32()),
        ("date_of_establishment", pa.string()),
        ("status", pa.string()),
        ("close_date", pa.string()),
        ("close_cause", pa.string()),
        ("update_date", pa.string()),
        ("industry", pa.list_(pa.string())),
        ("business_summary", pa.string()),
    ]
)
# Columns of the table that are not fields of the gBizINFO record (the record carries them inside `location`).
NOT_IN_RECORD = ("prefecture_name", "city_name", "street")


@dataclass(frozen=True)
class CorporationSet:
    generation: str | None  # None: no pointer yet, every Parquet object under the prefix
    parts: tuple[str, ...]


def current_set(store: OpenDataStore) -> CorporationSet:
    pointer = store.get_object(POINTER_KEY)
    if pointer is not None:
        loaded = json.loads(pointer)
        return CorporationSet(loaded["generation"], tuple(loaded["parts"]))
    return CorporationSet(None, tuple(k for k in store.list_keys(CORPORATIONS_PREFIX) if k.endswith(".parquet")))


def _read_part(store: OpenDataStore, key: str) -> pa.Table:
    data = store.get_object(key)
    if data is None:
        raise FileNotFoundError(key)
    return pq.read_table(io.BytesIO(data))


def read_corporations(store: OpenDataStore, *, attempts: int = 3) -> pa.Table | None:
    """The set in use as one table, ``None`` when there is none yet."""
    for attempt in range(attempts):
        chosen = current_set(store)
        if not chosen.parts:
            return None
        try:
            with ThreadPoolExecutor(max_workers=WRITERS) as pool:
                tables = list(pool.map(lambda key: _read_part(store, key), chosen.parts))
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            continue  # replaced while we read: the old parts are being deleted, read the new set
        return pa.concat_tables(tables, promote_options="default")
    return None  # pragma: no cover - the loop returns or raises


def new_generation(now: datetime) -> str:
    return f"{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def parquet_part(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=3)
    return sink.getvalue()


def replace_corporations(store: OpenDataStore, table: pa.Table, now: datetime) -> CorporationSet:
    """Make ``table`` (sorted by corporate number) the set in use; see the module text for the order."""
    generation = new_generation(now)
    starts = range(0, max(table.num_rows, 1), PART_ROWS)
    parts = [f"{CORPORATIONS_PREFIX}part-{generation}-{n:04d}.parquet" for n in range(len(starts))]

    def write(key: str, start: int) -> None:
        store.put_object(key, parquet_part(table.slice(start, PART_ROWS)), PARQUET_TYPE)

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:  # Arrow encodes and compresses outside the GIL
        list(pool.map(write, parts, starts))
    pointer = {
        "generation": generation,
        "parts": parts,
        "rows": table.num_rows,
        "written": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    store.put_object(POINTER_KEY, json.dumps(pointer).encode("utf-8"), "application/json")  # the switch
    keep = set(parts)
    for key in store.list_keys(CORPORATIONS_PREFIX):
        if key.endswith(".parquet") and key not in keep:
            store.delete_object(key)
    return CorporationSet(generation, tuple(parts))
