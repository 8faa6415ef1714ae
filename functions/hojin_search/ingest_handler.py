"""S3-triggered ingest: an object created under ``incoming/<ministry>/<category>/<name>.csv|json``.

Accepts S3 event notifications (``Records[].s3``) and the EventBridge form S3 also sends (``detail.bucket``,
``detail.object``). Each file is ingested with :func:`functions.hojin_search.ingest.pipeline.ingest_file` (index and
bulk files are rebuilt when it changed anything); its report goes to ``reports/<source id>/<time>.json``.
A key outside the layout is logged and skipped: it is not retried, since retrying cannot fix it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.hojin_search.ingest.pipeline import INGEST_CATEGORIES, default_store, ingest_file
from platform_common import aws
from platform_common.errors import InvalidInput
from platform_common.observability import observability_for

obs = observability_for("hojin_ingest")

INCOMING = re.compile(
    r"^incoming/(?P<ministry>[a-z][a-z0-9-]{1,31})/(?P<category>[a-z]+)/(?P<name>[^/]+\.(csv|json|jsonl))$"
)


def objects_of(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of every object the event announces."""
    found = [
        (record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"]))
        for record in event.get("Records", [])
        if "s3" in record
    ]
    detail = event.get("detail") or {}
    if "bucket" in detail and "object" in detail:
        found.append((detail["bucket"]["name"], detail["object"]["key"]))
    return found


def ingest_object(bucket: str, key: str, now: datetime) -> dict[str, Any]:
    matched = INCOMING.fullmatch(key)
    if matched is None or matched["category"] not in INGEST_CATEGORIES:
        obs.logger.warning("ingest key outside the layout", extra={"key": key})
        return {"key": key, "status": "skipped", "reason": "expected incoming/<ministry>/<category>/<name>.csv|json"}
    data: bytes = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    store = default_store()
    try:
        report = ingest_file(
            data,
            ministry=matched["ministry"],
            category=matched["category"],
            source_name=matched["name"],
            now=now,
            store=store,
        )
    except InvalidInput as exc:  # the whole file is unreadable: say so where the ministry looks
        obs.logger.warning("ingest file refused", extra={"key": key, "detail": exc.detail})
        return {"key": key, "status": "refused", "reason": exc.detail}
    obs.logger.info(
        "ingest file done",
        extra={
            "key": key,
            "source_id": report.source_id,
            "status": report.status,
            "accepted": report.rows_accepted,
            "rejected": report.rows_rejected,
            "changed": report.corporations_changed,
        },
    )
    return {"key": key, "status": report.status, "report": report.report_key, "rejected": report.rows_rejected}


@obs.logger.inject_lambda_context
@obs.tracer.capture_lambda_handler
@obs.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"results": [ingest_object(bucket, key, now) for bucket, key in objects_of(event)]}
