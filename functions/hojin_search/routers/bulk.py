"""``GET /hojin/bulk``: the bulk files with sizes, SHA-256 and short-lived download links (no token needed)."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, Field

from functions.hojin_search.bulk_manifest import read_manifest
from functions.hojin_search.ingest.store import AwsOpenDataStore
from platform_common import aws
from platform_common.api import json_body
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

DOWNLOAD_LINK_SECONDS = 3600


class BulkFile(BaseModel):
    key: str
    category: str = Field(description="basic, an activity category, or full")
    format: str = Field(description="csv (UTF-8 with BOM), jsonl, parquet, nq, csv.zip")
    bytes: int
    sha256: str
    rows: int
    url: str = Field(description=f"download link, valid {DOWNLOAD_LINK_SECONDS} s")


class BulkListResponse(BaseModel):
    generated_at: str
    files: list[BulkFile]


@router.get(
    "/hojin/bulk",
    summary="Bulk files of the open data: per category and in full, with sizes, checksums and download links",
    tags=["bulk"],
)
def handle_get_bulk() -> dict[str, Any]:
    bucket = os.environ.get("OPEN_DATA_BUCKET_NAME", "")
    manifest = read_manifest(AwsOpenDataStore(bucket, "", "")) if bucket else None
    if manifest is None:
        raise NotFound("no bulk files have been published yet")
    s3 = aws.client("s3")
    files = [
        BulkFile(
            **entry,
            url=s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": entry["key"]}, ExpiresIn=DOWNLOAD_LINK_SECONDS
            ),
        )
        for entry in manifest["files"]
    ]
    return json_body(BulkListResponse(generated_at=manifest["generated_at"], files=files))
