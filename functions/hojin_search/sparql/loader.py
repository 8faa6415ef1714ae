"""Where the SPARQL engine's data comes from, and the warm-process cache of the built engine.

The Parquet of the open-data bucket (``parquet/corporations/*.parquet`` and
``parquet/activities/category=<c>/source=<id>/*.parquet``) is downloaded to ``/tmp`` and mapped to RDF; where
the bucket holds no Parquet yet (a fresh devstack), the full records of the ``hojin`` table are used. The
engine is rebuilt when the bucket's Parquet objects change (checked at most once a minute).

With ``NEPTUNE_ENDPOINT`` set the engine is Amazon Neptune instead (:mod:`.neptune`), loaded from the bulk
N-Quads by Neptune's own loader; the function then keeps only the name index of ``text:query``, built from
the corporations' numbers and names (two Parquet columns) on the first full-text query.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from functions.hojin_search.settings import get_settings
from functions.hojin_search.sparql.engine import QueryEngine, SparqlEngine, SparqlLimits
from functions.hojin_search.sparql.fulltext import NameIndex
from platform_common import aws

PARQUET_PREFIX = "parquet/"
CORPORATIONS_PREFIX = PARQUET_PREFIX + "corporations/"
RECHECK_SECONDS = 60.0
CACHE_DIR = Path(tempfile.gettempdir()) / "hojin-sparql"

_lock = threading.Lock()
_cached: dict[str, Any] = {}


def _parquet_objects(bucket: str) -> list[tuple[str, str]]:
    """(key, ETag) of every Parquet object, sorted by key."""
    found: list[tuple[str, str]] = []
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=PARQUET_PREFIX):
        found.extend((o["Key"], o["ETag"]) for o in page.get("Contents", ()) if o["Key"].endswith(".parquet"))
    return sorted(found)


def _category_of(key: str) -> str | None:
    for part in key.split("/"):
        if part.startswith("category="):
            return part.removeprefix("category=")
    return None


def engine_from_bucket(bucket: str, objects: list[tuple[str, str]], limits: SparqlLimits) -> SparqlEngine:
    s3 = aws.client("s3")
    corporations: list[pa.Table] = []
    activities: dict[str, list[pa.Table]] = defaultdict(list)
    for key, etag in objects:
        local = CACHE_DIR / etag.strip('"') / key
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(local))
        table = pq.read_table(local)
        if key.startswith(PARQUET_PREFIX + "corporations/"):
            corporations.append(table)
        elif (category := _category_of(key)) is not None:
            activities[category].append(table)
    corporation_table = pa.concat_tables(corporations, promote_options="permissive") if corporations else None
    if corporation_table is not None:
        corporation_table = corporation_table.sort_by("corporate_number")
    joined = {c: pa.concat_tables(t, promote_options="permissive") for c, t in activities.items()}
    return SparqlEngine.from_tables(corporation_table, joined, limits)


def engine_from_records_table(table_name: str, limits: SparqlLimits) -> SparqlEngine:
    records: list[dict[str, Any]] = []
    paginator = aws.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=table_name, ProjectionExpression="document"):
        records.extend(json.loads(item["document"]["S"]) for item in page.get("Items", ()) if "document" in item)
    return SparqlEngine.from_records(records, limits)


def name_index_from_bucket(bucket: str, table_name: str) -> NameIndex | None:
    """The ``text:query`` index over the corporations' names: Parquet when there is some, else the records."""
    s3 = aws.client("s3")
    numbers: list[str] = []
    names: list[str] = []
    objects = [(k, e) for k, e in (_parquet_objects(bucket) if bucket else []) if k.startswith(CORPORATIONS_PREFIX)]
    if objects:
        for key, etag in objects:
            local = CACHE_DIR / etag.strip('"') / key
            if not local.exists():
                local.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, key, str(local))
            table = pq.read_table(local, columns=["corporate_number", "name"])
            numbers.extend(table.column("corporate_number").to_pylist())
            names.extend(table.column("name").to_pylist())
    else:
        paginator = aws.client("dynamodb").get_paginator("scan")
        for page in paginator.paginate(TableName=table_name, ProjectionExpression="document"):
            for item in page.get("Items", ()):
                if "document" in item:
                    record = json.loads(item["document"]["S"])
                    numbers.append(str(record.get("corporate_number") or ""))
                    names.append(str(record.get("name") or ""))
    return NameIndex(numbers, names) if numbers else None


def _neptune_engine(endpoint: str, limits: SparqlLimits) -> QueryEngine:
    from functions.hojin_search.sparql.neptune import NeptuneEngine  # httpx and botocore signing: Neptune only

    settings = get_settings()
    return NeptuneEngine(
        endpoint,
        settings.aws_region,
        limits,
        names=lambda: name_index_from_bucket(settings.open_data_bucket_name, settings.hojin_table_name),
    )


def get_engine(limits: SparqlLimits | None = None) -> QueryEngine:
    """The engine of the current data, built once per change of the data and kept across invocations."""
    settings = get_settings()
    now = time.monotonic()
    if settings.neptune_endpoint:
        with _lock:
            if _cached.get("neptune") is None:
                _cached["neptune"] = _neptune_engine(settings.neptune_endpoint, limits or SparqlLimits())
            return _cached["neptune"]  # type: ignore[no-any-return]
    with _lock:
        engine = _cached.get("engine")
        if engine is not None and now - _cached["checked"] < RECHECK_SECONDS:
            return engine  # type: ignore[no-any-return]
        bucket = settings.open_data_bucket_name
        objects = _parquet_objects(bucket) if bucket else []
        signature = json.dumps(objects) if objects else "records"
        if engine is None or signature != _cached.get("signature"):
            chosen = limits or SparqlLimits()
            if objects:
                engine = engine_from_bucket(bucket, objects, chosen)
            else:
                engine = engine_from_records_table(settings.hojin_table_name, chosen)
            _cached["signature"] = signature
        _cached.update(engine=engine, checked=now)
        return engine


def reset_engine() -> None:
    """Forget the built engine (tests, and after an ingest in the same process)."""
    with _lock:
        _cached.clear()
