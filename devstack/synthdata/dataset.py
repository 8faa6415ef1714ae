"""Parquet output and in-memory records built from the generated chunks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from devstack.synthdata.generator import (
    ACTIVITY_SCHEMAS,
    CATEGORIES,
    generate_chunk,
    iter_chunks,
    make_plan,
)
from functions.hojin_search.ingest.corporations import CORPORATION_SCHEMA

CORPORATIONS_FILE = "corporations.parquet"
ACTIVITY_FILES = {category: f"{category}.parquet" for category in CATEGORIES}

# Table columns that are not fields of the gBizINFO record (the record carries them inside `location`).
_NOT_IN_RECORD = ("prefecture_name", "city_name", "street")


def generate_corporations_table(count: int, seed: int = 42) -> pa.Table:
    """All corporations of a run as one Arrow table (columns as in corporations.parquet)."""
    return pa.concat_tables(chunk.corporations for chunk in iter_chunks(count, seed))


def generate_tables(count: int, seed: int = 42) -> dict[str, pa.Table]:
    """The corporations table and one table per activity category, keyed "corporations", "subsidy", ..."""
    parts: dict[str, list[pa.Table]] = {"corporations": [], **{c: [] for c in CATEGORIES}}
    for chunk in iter_chunks(count, seed):
        parts["corporations"].append(chunk.corporations)
        for category, table in chunk.activities.items():
            parts[category].append(table)
    return {key: pa.concat_tables(tables) for key, tables in parts.items()}


def generate_records(count: int, seed: int = 42) -> list[dict[str, Any]]:
    """Full gBizINFO records (``HojinInfo`` shape, activity lists embedded), sorted by corporate number.

    ``count`` may be below the command line's minimum: demo data wants a few hundred or a thousand.
    """
    if count < 1:
        raise ValueError("count must be positive")
    tables = generate_tables(max(count, 1_000), seed)
    corporations = tables["corporations"].slice(0, count)
    records: list[dict[str, Any]] = []
    by_number: dict[str, dict[str, Any]] = {}
    for row in corporations.to_pylist():
        for column in _NOT_IN_RECORD:
            del row[column]
        row.update(certification=[], commendation=[], procurement=[], subsidy=[])
        records.append(row)
        by_number[row["corporate_number"]] = row
    for category in CATEGORIES:
        for item in tables[category].to_pylist():
            owner = by_number.get(item.pop("corporate_number"))
            if owner is not None:
                owner[category].append({k: v for k, v in item.items() if v is not None})
    return [{k: v for k, v in record.items() if v is not None} for record in records]


def write_dataset(
    out: str | os.PathLike[str],
    count: int,
    seed: int = 42,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write corporations.parquet and one Parquet file per activity category under ``out``.

    One row group per chunk, zstd; files are written under a temporary name and renamed when complete.
    ``progress`` is called with the number of corporations of each finished chunk. Returns row counts.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    files = {"corporations": CORPORATIONS_FILE, **ACTIVITY_FILES}
    schemas = {"corporations": CORPORATION_SCHEMA, **ACTIVITY_SCHEMAS}
    partial = {key: directory / f".{name}.partial" for key, name in files.items()}
    writers = {
        key: pq.ParquetWriter(partial[key], schemas[key], compression="zstd", compression_level=3) for key in files
    }
    rows = dict.fromkeys(files, 0)
    try:
        plan = make_plan(count, seed)
        for index in range(plan.chunks):
            chunk = generate_chunk(plan, index)
            writers["corporations"].write_table(chunk.corporations)
            rows["corporations"] += chunk.corporations.num_rows
            for category, table in chunk.activities.items():
                writers[category].write_table(table)
                rows[category] += table.num_rows
            if progress is not None:
                progress(chunk.corporations.num_rows)
    except BaseException:
        for writer in writers.values():
            writer.close()
        for path in partial.values():
            path.unlink(missing_ok=True)
        raise
    for writer in writers.values():
        writer.close()
    for key, name in files.items():
        partial[key].replace(directory / name)
    return rows
