"""The search index the API answers from: published in S3, loaded into ``/tmp`` once per process.

Layout in the open-data bucket (docs/design/gbizinfo.md)::

    index/<build id>/...          the files ``CorporationIndex.save`` wrote (any names, any depth)
    index/current.json            {"build_id": "<build id>", ...}: the build in use, written last

A warm function keeps the loaded index in memory and looks at ``current.json`` again at most every
``RECHECK_SECONDS``; a new build id is downloaded beside the old one and swapped in when loaded, so a
request never sees a half-written index. ``/tmp`` keeps the downloaded files across warm invocations.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final, Protocol

from functions.hojin_search.search.query import HojinQuery
from platform_common import aws
from platform_common.errors import DomainError

INDEX_PREFIX: Final = "index/"
CURRENT_KEY: Final = "index/current.json"
RECHECK_SECONDS: Final = 60.0
CACHE_ROOT: Final = Path(os.environ.get("HOJIN_INDEX_CACHE_DIR", "/tmp/hojin-index"))  # noqa: S108 (Lambda's /tmp)


class SearchResultLike(Protocol):
    @property
    def total(self) -> int: ...

    @property
    def rows(self) -> Sequence[int]: ...


class SearchIndex(Protocol):
    """What the API needs of ``functions.hojin_search.search.CorporationIndex`` (the contract)."""

    def row_of(self, corporate_number: str) -> int | None: ...

    def search(self, query: HojinQuery) -> SearchResultLike: ...

    def slim(self, rows: Sequence[int]) -> list[dict[str, Any]]: ...

    def suggest_names(self, prefix: str, limit: int) -> list[str]: ...

    def suggest_business_names(self, prefix: str, limit: int) -> list[str]: ...

    def suggest_subsidy_names(self, prefix: str, limit: int) -> list[str]: ...


class IndexUnavailable(DomainError):
    """No index has been published yet (the first ingest has not finished)."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "index-unavailable"


Loader = Callable[[Path], SearchIndex]


def _default_loader(directory: Path) -> SearchIndex:
    from functions.hojin_search.search import CorporationIndex

    index: SearchIndex = CorporationIndex.load(directory)
    return index


@dataclass
class _Loaded:
    build_id: str
    index: SearchIndex
    checked_at: float


class IndexCache:
    """One loaded index per process, refreshed when ``index/current.json`` names another build."""

    def __init__(
        self,
        bucket: str,
        loader: Loader = _default_loader,
        cache_root: Path = CACHE_ROOT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self.loader = loader
        self.cache_root = cache_root
        self.clock = clock
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex:
        loaded = self._loaded
        if loaded is not None and self.clock() - loaded.checked_at < RECHECK_SECONDS:
            return loaded.index
        with self._lock:
            loaded = self._loaded
            if loaded is not None and self.clock() - loaded.checked_at < RECHECK_SECONDS:
                return loaded.index
            build_id = self._current_build_id()
            if build_id is None:
                if loaded is not None:
                    return loaded.index
                raise IndexUnavailable("the search index has not been published yet")
            if loaded is not None and loaded.build_id == build_id:
                loaded.checked_at = self.clock()
                return loaded.index
            index = self.loader(self._download(build_id))
            self._loaded = _Loaded(build_id, index, self.clock())
            self._forget_other_builds(build_id)
            return index

    def _current_build_id(self) -> str | None:
        s3 = aws.client("s3")
        try:
            body = s3.get_object(Bucket=self.bucket, Key=CURRENT_KEY)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        pointer = json.loads(body)
        build_id = pointer.get("build_id") or pointer.get("build")
        return str(build_id) if build_id else None

    def _download(self, build_id: str) -> Path:
        target = self.cache_root / build_id
        done = target / ".complete"
        if done.exists():
            return target
        partial = self.cache_root / f".{build_id}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        prefix = f"{INDEX_PREFIX}{build_id}/"
        s3 = aws.client("s3")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                relative = item["Key"][len(prefix) :]
                if not relative or relative.endswith("/"):
                    continue
                destination = partial / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(self.bucket, item["Key"], str(destination))
        partial.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        done.touch()
        return target

    def _forget_other_builds(self, keep: str) -> None:
        if not self.cache_root.exists():
            return
        for child in self.cache_root.iterdir():
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True)


def publish_index(directory: Path, bucket: str, build_id: str, *, details: Mapping[str, Any] | None = None) -> str:
    """Upload a saved index under ``index/<build id>/`` and switch ``index/current.json`` to it, last."""
    s3 = aws.client("s3")
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        s3.upload_file(str(path), bucket, f"{INDEX_PREFIX}{build_id}/{path.relative_to(directory).as_posix()}")
    pointer = {"build_id": build_id, "published": datetime.now(UTC).isoformat(), **(details or {})}
    s3.put_object(
        Bucket=bucket,
        Key=CURRENT_KEY,
        Body=json.dumps(pointer).encode("utf-8"),
        ContentType="application/json",
    )
    return build_id


_cache: IndexCache | None = None
_cache_lock = threading.Lock()


def get_index() -> SearchIndex:
    """The index of the current build, loaded once per process (the search function's entry point)."""
    global _cache
    if _cache is None:
        with _cache_lock:
            if _cache is None:
                bucket = os.environ.get("OPEN_DATA_BUCKET_NAME", "")
                if not bucket:
                    raise IndexUnavailable("the open-data bucket is not configured")
                _cache = IndexCache(bucket)
    return _cache.get()


def use_index_cache(cache: IndexCache | None) -> None:
    """Replace the process's cache (tests inject a fake loader; ``None`` forgets it)."""
    global _cache
    _cache = cache
