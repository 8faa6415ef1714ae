"""Bulk files of the open data, regenerated after each ingest, listed in ``bulk/manifest.json``.

Per category (``basic`` for the corporations, then each activity category) and in full, as
CSV (UTF-8 with BOM, so Excel opens Japanese text correctly; lists joined with ``|``), JSON Lines, Parquet
(zstd) and N-Quads (the IMI vocabulary in gBizINFO's named graphs, :mod:`functions.hojin_search.rdf`). The full
set is one file per format: JSON Lines and Parquet hold one record per corporation with its activities nested
under gBizINFO's part names, N-Quads every graph, and CSV a ZIP of the per-category CSV files. The manifest
lists each file's key, size and SHA-256; it is written last.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from functions.hojin_search.bulk_manifest import BULK_PREFIX, MANIFEST_KEY
from functions.hojin_search.ingest.corporations import read_corporations
from functions.hojin_search.ingest.publish import read_activities
from functions.hojin_search.ingest.store import OpenDataStore

BOM = b"\xef\xbb\xbf"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "nq": "application/n-quads",
    "csv.zip": "application/zip",
}
FORMATS = ("csv", "jsonl", "parquet", "nq")


def _csv_select(con: duckdb.DuckDBPyConnection, view: str) -> str:
    columns = con.execute(f"DESCRIBE {view}").fetchall()
    parts = [f"array_to_string({name}, '|') AS {name}" if kind.endswith("[]") else name for name, kind, *_ in columns]
    return f"SELECT {', '.join(parts)} FROM {view}"  # noqa: S608 (our own column and view names)


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path, fmt: str) -> bytes:
    options = {
        "csv": "(FORMAT CSV, HEADER)",
        "jsonl": "(FORMAT JSON)",
        "parquet": "(FORMAT PARQUET, COMPRESSION ZSTD)",
    }[fmt]
    con.execute(f"COPY ({query}) TO '{path}' {options}")
    data = path.read_bytes()
    return BOM + data if fmt == "csv" else data


def _nquads(corporations: pa.Table | None, activities: Mapping[str, pa.Table]) -> bytes:
    from functions.hojin_search.rdf import nquads_of_tables

    return b"".join(nquads_of_tables(corporations, activities))


def _full_query(con: duckdb.DuckDBPyConnection, categories: list[str]) -> str:
    joins = []
    selects = ["c.*"]
    for category in categories:
        columns = [n for n, *_ in con.execute(f"DESCRIBE a_{category}").fetchall() if n not in ("corporate_number",)]
        packed = ", ".join(f"{n} := {n}" for n in columns)
        joins.append(
            f"LEFT JOIN (SELECT corporate_number, list(struct_pack({packed})) AS items FROM a_{category} "  # noqa: S608
            f"GROUP BY corporate_number) j_{category} USING (corporate_number)"
        )
        selects.append(f"coalesce(j_{category}.items, []) AS {category}")
    joined = " ".join(joins)
    return f"SELECT {', '.join(selects)} FROM corporations c {joined} ORDER BY corporate_number"  # noqa: S608


def export_bulk(store: OpenDataStore, now: datetime) -> str:
    """Write every bulk file and the manifest; returns the manifest's key."""
    corporations = read_corporations(store)
    activities = {c: t.drop_columns(["source"]) for c, t in read_activities(store).items()}
    entries: list[dict[str, Any]] = []

    def put(key: str, data: bytes, category: str, fmt: str, rows: int) -> None:
        store.put_object(key, data, CONTENT_TYPES[fmt])
        entries.append(
            {
                "key": key,
                "category": category,
                "format": fmt,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": rows,
            }
        )

    con = duckdb.connect()
    csv_files: dict[str, bytes] = {}
    tables: dict[str, pa.Table] = dict(activities)
    if corporations is not None:
        tables = {"basic": corporations, **tables}
        con.register("corporations", corporations)
    with tempfile.TemporaryDirectory(prefix="hojin-bulk-") as tmp:
        directory = Path(tmp)
        for category, table in tables.items():
            view = "corporations" if category == "basic" else f"a_{category}"
            if category != "basic":
                con.register(view, table)
            for fmt in ("csv", "jsonl", "parquet"):
                query = _csv_select(con, view) if fmt == "csv" else f"SELECT * FROM {view}"  # noqa: S608
                data = _copy(con, query, directory / f"{category}.{fmt}", fmt)
                if fmt == "csv":
                    csv_files[f"{category}.csv"] = data
                put(f"{BULK_PREFIX}{category}/{category}.{fmt}", data, category, fmt, table.num_rows)
            nq = _nquads(table if category == "basic" else None, {} if category == "basic" else {category: table})
            put(f"{BULK_PREFIX}{category}/{category}.nq", nq, category, "nq", table.num_rows)
        if corporations is not None:
            full = _full_query(con, list(activities))
            for fmt in ("jsonl", "parquet"):
                data = _copy(con, full, directory / f"full.{fmt}", fmt)
                put(f"{BULK_PREFIX}full/hojin.{fmt}", data, "full", fmt, corporations.num_rows)
            put(f"{BULK_PREFIX}full/hojin.nq", _nquads(corporations, activities), "full", "nq", corporations.num_rows)
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for name, data in sorted(csv_files.items()):
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))  # stable bytes for equal content
                zipped.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        if csv_files:
            put(f"{BULK_PREFIX}full/hojin.csv.zip", archive.getvalue(), "full", "csv.zip", len(csv_files))
    con.close()
    manifest = {"generated_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"), "files": entries}
    store.put_object(
        MANIFEST_KEY, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"
    )
    return MANIFEST_KEY
