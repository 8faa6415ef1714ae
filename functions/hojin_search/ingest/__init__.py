"""Ingest of ministries' activity files: validation, Parquet, records, changes, report; then index and bulk.

Shared by the command (``python -m devstack.ingest``) and the S3-triggered function (``ingest_handler``).
"""

from __future__ import annotations

from functions.hojin_search.ingest.pipeline import IngestReport, ingest_file, source_id_of
from functions.hojin_search.ingest.schema import CATEGORIES, CATEGORY_MODELS

__all__ = ["CATEGORIES", "CATEGORY_MODELS", "IngestReport", "ingest_file", "source_id_of"]
