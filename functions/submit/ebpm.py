"""EBPM: the ministry's applications and decisions as Parquet, for Athena in the cloud and DuckDB on one machine.

One row per application that reached a decision or is under way (drafts are not applications yet), with
what policy analysis needs and nothing that identifies a person: the corporation's prefecture, industry and
employee-size band (from its gBizINFO record, else from the form), the status, the requested and awarded
amounts and the dates (days, not times). No names, addresses, subs, e-mail addresses, corporate numbers or
free text leave the applications table.

The export is a full snapshot written over ``ebpm/applications/applications.parquet`` in the ministry's
``analytics`` bucket; the Glue table ``applications`` (``infra/constructs/ministry_jobs.py``) reads that
prefix, and ``docs/ebpm.md`` has the example queries.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from platform_common import aws
from platform_common.digits import typed_integer

EXPORT_KEY: Final = "ebpm/applications/applications.parquet"
EXPORTED_STATUSES: Final = frozenset({"SUBMITTED", "UNDER_REVIEW", "RETURNED", "APPROVED", "REJECTED", "WITHDRAWN"})
_PREFECTURE: Final = re.compile(r"^(北海道|東京都|京都府|大阪府|[^\s\d都道府県]{2,3}県)")
UNKNOWN: Final = "不明"
# (upper bound inclusive, label): the bands jGrants' own employee filter uses
SIZE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (5, "5名以下"),
    (20, "6-20名"),
    (50, "21-50名"),
    (100, "51-100名"),
    (300, "101-300名"),
    (900, "301-900名"),
)
LARGEST_BAND: Final = "901名以上"

SCHEMA: Final = pa.schema(
    [
        ("ministry", pa.string()),
        ("application_id", pa.string()),
        ("subsidy_id", pa.string()),
        ("subsidy_title", pa.string()),
        ("status", pa.string()),
        ("prefecture", pa.string()),
        ("prefecture_source", pa.string()),
        ("industry", pa.string()),
        ("employee_size", pa.string()),
        ("requested_amount", pa.int64()),
        ("awarded_amount", pa.int64()),
        ("decision", pa.string()),
        ("via_mandate", pa.bool_()),
        ("submitted_date", pa.date32()),
        ("decided_date", pa.date32()),
        ("fiscal_year", pa.int32()),
    ]
)
# Athena / Glue column types of SCHEMA, in order (the CDK Glue table reads them from here)
GLUE_COLUMNS: Final[tuple[tuple[str, str], ...]] = tuple(
    (
        f.name,
        {"string": "string", "int64": "bigint", "int32": "int", "bool": "boolean", "date32[day]": "date"}[str(f.type)],
    )
    for f in SCHEMA
)


def prefecture_of(address: Any) -> str | None:
    """The prefecture a Japanese address starts with (東京都千代田区… → 東京都)."""
    if not isinstance(address, str):
        return None
    found = _PREFECTURE.match(address.strip())
    return found.group(1) if found else None


def employee_size(count: Any) -> str:
    if isinstance(count, str):
        count = typed_integer(count)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return UNKNOWN
    return next((label for limit, label in SIZE_BANDS if count <= limit), LARGEST_BAND)


def _industry(value: Any) -> str | None:
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]  # the main industry: gBizINFO lists it first
    return value.strip() or None if isinstance(value, str) else None


def _amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and (number := typed_integer(value)) is not None and number >= 0:
        return number
    return None


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def _decision(attribute: Mapping[str, Any] | None) -> dict[str, Any]:
    """The application's decision (a map, or its JSON as a string), its values plain."""
    if not attribute:
        return {}
    if "S" in attribute:
        try:
            loaded = json.loads(attribute["S"])
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {k: next(iter(v.values())) for k, v in attribute.get("M", {}).items()}


def fiscal_year(day: date | None) -> int | None:
    """Japan's fiscal year starts in April."""
    return None if day is None else (day.year if day.month >= 4 else day.year - 1)


def export_row(ministry: str, item: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any] | None:
    """One application item (DynamoDB JSON) and its corporation's gBizINFO record → one row, or None."""
    status = item.get("status", {}).get("S")
    if status not in EXPORTED_STATUSES:
        return None
    try:
        form = json.loads(item.get("form", {}).get("S", "{}"))
    except ValueError:
        form = {}
    form = form if isinstance(form, dict) else {}
    decision = _decision(item.get("decision"))
    prefecture = prefecture_of(record.get("location"))
    source = "gbizinfo" if prefecture else "form"
    prefecture = prefecture or prefecture_of(form.get("prefecture")) or prefecture_of(form.get("location"))
    submitted = _day(item.get("submitted_at", {}).get("S"))
    return {
        "ministry": ministry,
        "application_id": item["application_id"]["S"],
        "subsidy_id": item["subsidy_id"]["S"],
        "subsidy_title": item.get("subsidy_title", {}).get("S"),
        "status": status,
        "prefecture": prefecture or UNKNOWN,
        "prefecture_source": source if prefecture else "unknown",
        "industry": _industry(record.get("industry")) or _industry(form.get("industry")) or UNKNOWN,
        "employee_size": employee_size(
            record.get("employee_number") if record.get("employee_number") is not None else form.get("employee_number")
        ),
        "requested_amount": _amount(form.get("requested_amount")),
        "awarded_amount": _amount(decision.get("amount")) if status == "APPROVED" else None,
        "decision": str(decision["outcome"]).lower() if decision.get("outcome") else None,
        "via_mandate": "on_behalf_under_mandate" in item,
        "submitted_date": submitted,
        "decided_date": _day(decision.get("time")),
        "fiscal_year": fiscal_year(submitted),
    }


def application_items(table: str) -> Iterator[dict[str, Any]]:
    """Every ``APP#…/APP`` item of the applications table."""
    paginator = aws.client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(
        TableName=table,
        FilterExpression="sk = :app AND begins_with(pk, :prefix)",
        ExpressionAttributeValues={":app": {"S": "APP"}, ":prefix": {"S": "APP#"}},
    ):
        yield from page.get("Items", [])


def hojin_records(table: str, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """gBizINFO's records of these corporations (batches of 100), by corporate number."""
    wanted = sorted(set(numbers))
    found: dict[str, dict[str, Any]] = {}
    if not table:
        return found
    dynamodb = aws.client("dynamodb")
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            table: {"Keys": [{"corporate_number": {"S": n}} for n in wanted[start : start + 100]]}
        }
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table, []):
                document = json.loads(item.get("document", {}).get("S", "{}"))
                found[item["corporate_number"]["S"]] = document if isinstance(document, dict) else {}
            request = answer.get("UnprocessedKeys") or {}
    return found


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), sink, compression="zstd")
    return sink.getvalue()


@dataclass(frozen=True)
class ExportReport:
    rows: int
    key: str

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "key": self.key}


def export_applications(ministry: str, applications_table: str, hojin_table: str, bucket: str) -> ExportReport:
    """Write the snapshot of every application to the analytics bucket; return how many rows it holds."""
    items = list(application_items(applications_table))
    records = hojin_records(hojin_table, (i["corporate_number"]["S"] for i in items if "corporate_number" in i))
    rows = [
        row
        for item in items
        if (row := export_row(ministry, item, records.get(item.get("corporate_number", {}).get("S", ""), {})))
    ]
    rows.sort(key=lambda r: r["application_id"])
    aws.client("s3").put_object(
        Bucket=bucket, Key=EXPORT_KEY, Body=to_parquet(rows), ContentType="application/vnd.apache.parquet"
    )
    return ExportReport(len(rows), EXPORT_KEY)
