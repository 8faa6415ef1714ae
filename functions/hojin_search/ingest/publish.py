"""After an ingest: rebuild the search index over all Parquet and switch readers to it, then the bulk files.

The index is built from the corporations set in use (:mod:`.corporations`: the parts ``_current.json``
names) and every ``parquet/activities/category=*/source=*/data.parquet`` (the Hive layout), saved under
``index/<build id>/`` and announced by ``index/current.json``, written last: a reader sees the old build or
the new one, never half of one (``engine.IndexCache`` reads it).
"""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from functions.hojin_search.ingest.corporations import read_corporations
from functions.hojin_search.ingest.schema import CATEGORIES
from functions.hojin_search.ingest.store import OpenDataStore

ACTIVITIES_PREFIX = "parquet/activities/"
INDEX_PREFIX = "index/"
CURRENT_INDEX_KEY = "index/current.json"


class SavableIndex(Protocol):
    def save(self, directory: Path) -> None: ...


class IndexBuilder(Protocol):
    def __call__(self, corporations: pa.Table, activities: Mapping[str, pa.Table]) -> SavableIndex: ...


def _default_builder(corporations: pa.Table, activities: Mapping[str, pa.Table]) -> SavableIndex:
    from functions.hojin_search.search import CorporationIndex

    index: SavableIndex = CorporationIndex.build(corporations, activities)
    return index


def _read(store: OpenDataStore, key: str) -> pa.Table:
    data = store.get_object(key)
    if data is None:
        raise FileNotFoundError(key)
    return pq.read_table(io.BytesIO(data))


def read_activities(store: OpenDataStore) -> dict[str, pa.Table]:
    """Every category's rows over all sources, with ``source`` (the partition value) as a column."""
    tables: dict[str, list[pa.Table]] = {}
    for key in store.list_keys(ACTIVITIES_PREFIX):
        parts = dict(p.split("=", 1) for p in key[len(ACTIVITIES_PREFIX) :].split("/")[:-1] if "=" in p)
        category = parts.get("category")
        if category not in CATEGORIES or not key.endswith(".parquet"):
            continue
        table = _read(store, key)
        tables.setdefault(category, []).append(
            table.append_column("source", pa.array([parts.get("source", "")] * table.num_rows, type=pa.string()))
        )
    return {c: pa.concat_tables(t, promote_options="default") for c, t in sorted(tables.items())}


def new_build_id(now: datetime) -> str:
    return f"{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def rebuild_index(store: OpenDataStore, now: datetime, builder: IndexBuilder | None = None) -> str | None:
    """Build, upload and switch to a new index; ``None`` when there is no basic information to index yet."""
    corporations = read_corporations(store)
    if corporations is None:
        return None
    activities = read_activities(store)
    index = (builder or _default_builder)(corporations, activities)
    build_id = new_build_id(now)
    with tempfile.TemporaryDirectory(prefix="hojin-index-") as tmp:
        directory = Path(tmp)
        index.save(directory)
        files = sorted(p for p in directory.rglob("*") if p.is_file())
        for path in files:
            key = f"{INDEX_PREFIX}{build_id}/{path.relative_to(directory).as_posix()}"
            store.put_object(key, path.read_bytes(), "application/octet-stream")
    pointer: dict[str, Any] = {
        "build_id": build_id,
        "published": now.astimezone(UTC).isoformat(),
        "corporations": corporations.num_rows,
        "activities": {c: t.num_rows for c, t in activities.items()},
        "files": [p.relative_to(directory).as_posix() for p in files],
    }
    store.put_object(CURRENT_INDEX_KEY, json.dumps(pointer).encode("utf-8"), "application/json")  # the switch
    return build_id


def publish_after_ingest(store: OpenDataStore, now: datetime) -> dict[str, str | None]:
    """What ``ingest_file(publish=...)`` runs when a source changed: the index, then the bulk files."""
    from functions.hojin_search.bulk import export_bulk

    build_id = rebuild_index(store, now)
    manifest = export_bulk(store, now)
    return {"index_build": build_id, "bulk_manifest": manifest}
