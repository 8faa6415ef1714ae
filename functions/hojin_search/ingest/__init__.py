"""Ingest of ministries' activity files: validation, Parquet, records, changes, report; then index and bulk.

Shared by the command (``python -m devstack.ingest``) and the S3-triggered function (``ingest_handler``).
Import the modules themselves (``functions.hojin_search.ingest.pipeline``): this package stays empty so
that the API function, which needs only ``ingest.store``, does not load DuckDB and pyarrow at cold start.
"""
