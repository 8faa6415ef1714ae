"""Connectors that read other publishers' open data and map it to our activity categories.

- :mod:`.edinet`: FSA EDINET (API v2 document list JSON and the CSV form of a securities report) → ``finance``
- :mod:`.mhlw_workplace`: MHLW 職場情報総合サイト open data CSV → ``workplace``

Each connector takes bytes (the fetch step is separate and thin), returns rows as ``{field: text}`` dicts in
the category's field names plus the inputs it skipped and why; :func:`rows_to_csv` turns the rows into a file
in our ingest format for :func:`functions.hojin_search.ingest.ingest_file`. A row is never guessed: an input
without a valid corporate number is skipped and reported.
"""

from __future__ import annotations

from functions.hojin_search.connectors.common import ConnectorResult, DroppedValue, Skipped, rows_to_csv

__all__ = ["ConnectorResult", "DroppedValue", "Skipped", "rows_to_csv"]
