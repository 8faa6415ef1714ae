"""Where the bulk files are listed, and reading that list: light enough for the API's cold start (the
export itself, with DuckDB and pyarrow, lives in ``functions.hojin_search.bulk`` and runs at ingest)."""

from __future__ import annotations

import json
from typing import Any

from functions.hojin_search.ingest.store import OpenDataStore

BULK_PREFIX = "bulk/"
MANIFEST_KEY = "bulk/manifest.json"


def read_manifest(store: OpenDataStore) -> dict[str, Any] | None:
    data = store.get_object(MANIFEST_KEY)
    if data is None:
        return None
    manifest: dict[str, Any] = json.loads(data)
    return manifest
