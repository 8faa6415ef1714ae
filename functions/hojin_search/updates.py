"""Parts of a record and gBizINFO's ``updateInfo``: what changed in a date range, read from ``changes``.

``changes`` (DynamoDB): ``day`` = yyyymmdd, ``key`` = ``<corporate number>#<category>``; the ingest writes
one item per corporation and category it changed that day. ``updateInfo`` lists each changed corporation
once, in corporate-number order, ``PAGE_SIZE`` per page, with ``totalCount``, ``totalPage``, ``pageNumber``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from functions.hojin_search.settings import get_settings
from platform_common import aws
from platform_common.digits import is_ascii_digits
from platform_common.errors import FieldError, InvalidInput

PAGE_SIZE: Final = 1000
MAX_RANGE_DAYS: Final = 366
OK_MESSAGE: Final = "200 - OK."

# part (URL) → (category in the changes table, key in the record document)
PART_FIELDS: Final = {
    "certification": ("certification", "certification"),
    "commendation": ("commendation", "commendation"),
    "finance": ("finance", "finance"),
    "patent": ("patent", "patent"),
    "procurement": ("procurement", "procurement"),
    "subsidy": ("subsidy", "subsidy"),
    "workplace": ("workplace", "workplace_info"),
    "corporation": ("basic", ""),
}
PARTS: Final = tuple(PART_FIELDS)
ACTIVITY_KEYS: Final = frozenset(key for _c, key in PART_FIELDS.values() if key)
IDENTITY_FIELDS: Final = ("corporate_number", "name", "kana", "name_en", "postal_code", "location", "status")
SLIM_FIELDS: Final = ("corporate_number", "name", "name_en", "location", "postal_code", "status", "update_date")

# What metadata_flg=true reports per part (gBizINFO's meta-data block).
_META_SOURCES: Final = {
    "corporation": ("国税庁 法人番号公表サイト (National Tax Agency)", "daily"),
    "subsidy": ("各府省 補助金交付決定 (ministries' subsidy awards)", "on each ministry's submission"),
    "procurement": ("各府省 調達情報 (ministries' procurement)", "on each ministry's submission"),
    "certification": ("各府省 届出・認定 (certifications and notifications)", "on each ministry's submission"),
    "commendation": ("各府省 表彰 (commendations)", "on each ministry's submission"),
    "finance": ("金融庁 EDINET (FSA EDINET filings)", "monthly"),
    "patent": ("特許庁 (Japan Patent Office)", "monthly"),
    "workplace": ("厚生労働省 職場情報総合サイト (MHLW workplace information)", "monthly"),
}
DATA_QUALITY: Final = (
    "validated at ingest: corporate number check digit, required fields, dates (YYYY-MM-DD), amounts as integer yen"
)


@dataclass(frozen=True)
class UpdateRequest:
    start: date
    end: date
    page: int


def _day(item: str, raw: str, errors: list[FieldError]) -> date | None:
    try:
        if len(raw) != 8 or not is_ascii_digits(raw):
            raise ValueError
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        errors.append(FieldError(item, "must be a date yyyyMMdd"))
        return None


def parse_update_request(start: str, end: str, page: str | None) -> UpdateRequest:
    errors: list[FieldError] = []
    first, last = _day("from", start.strip(), errors), _day("to", end.strip(), errors)
    number = 1
    if page is not None and page.strip():
        if not is_ascii_digits(page.strip()) or int(page) < 1:
            errors.append(FieldError("page", "must be an integer from 1"))
        else:
            number = int(page)
    if first and last:
        if first > last:
            errors.append(FieldError("to", "must not be before from"))
        elif (last - first).days + 1 > MAX_RANGE_DAYS:
            errors.append(FieldError("to", f"the range must be at most {MAX_RANGE_DAYS} days"))
    if errors or first is None or last is None:
        raise InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in errors), errors=errors)
    return UpdateRequest(first, last, number)


def changed_numbers(request: UpdateRequest, category: str | None) -> list[str]:
    """Every corporate number changed in the range (in the category, if given), sorted, each once."""
    table = get_settings().changes_table_name
    dynamodb = aws.client("dynamodb")
    found: set[str] = set()
    day = request.start
    while day <= request.end:
        paginator = dynamodb.get_paginator("query")
        for page in paginator.paginate(
            TableName=table,
            KeyConditionExpression="#d = :d",
            ExpressionAttributeNames={"#d": "day", "#k": "key"},
            ExpressionAttributeValues={":d": {"S": day.strftime("%Y%m%d")}},
            ProjectionExpression="#k",
        ):
            for item in page.get("Items", []):
                number, _sep, changed = item["key"]["S"].partition("#")
                if category is None or changed == category:
                    found.add(number)
        day += timedelta(days=1)
    return sorted(found)


def get_documents(numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Records by number (BatchGetItem, 100 keys a call; never a scan)."""
    table = get_settings().hojin_table_name
    dynamodb = aws.client("dynamodb")
    wanted = list(dict.fromkeys(numbers))
    documents: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            table: {
                "Keys": [{"corporate_number": {"S": n}} for n in wanted[start : start + 100]],
                "ProjectionExpression": "corporate_number, document",
            }
        }
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table, []):
                documents[item["corporate_number"]["S"]] = json.loads(item["document"]["S"])
            request = answer.get("UnprocessedKeys") or {}
    return documents


def number_of_activity(document: Mapping[str, Any]) -> int:
    total = 0
    for key in ACTIVITY_KEYS:
        value = document.get(key)
        if isinstance(value, list):
            total += len(value)
        elif isinstance(value, dict) and value:
            total += 1
    return total


def slim_row(document: Mapping[str, Any]) -> dict[str, Any]:
    row = {field: document.get(field) for field in SLIM_FIELDS}
    row["number_of_activity"] = number_of_activity(document)
    return row


def part_of(document: Mapping[str, Any], part: str) -> dict[str, Any]:
    """The record cut to one part: identity fields plus that part (``corporation``: every non-activity field)."""
    if part == "corporation":
        return {k: v for k, v in document.items() if k not in ACTIVITY_KEYS}
    _category, key = PART_FIELDS[part]
    shaped = {field: document.get(field) for field in IDENTITY_FIELDS}
    shaped["update_date"] = document.get("update_date")
    empty: Any = {} if key in ("finance", "workplace_info") else []
    shaped[key] = document.get(key, empty)
    return shaped


def meta_data(document: Mapping[str, Any], parts: Iterable[str]) -> list[dict[str, Any]]:
    """gBizINFO's ``meta-data`` block, one entry per part present in the answer."""
    blocks = []
    for part in parts:
        source, frequency = _META_SOURCES[part]
        blocks.append(
            {
                "part": part,
                "source": source,
                "import_frequency": frequency,
                "last_update_date": _last_date(document, part),
                "data_quality": DATA_QUALITY,
            }
        )
    return blocks


def _last_date(document: Mapping[str, Any], part: str) -> str | None:
    if part == "corporation":
        value = document.get("update_date")
        return str(value) if value else None
    _category, key = PART_FIELDS[part]
    items = document.get(key)
    dates: list[str] = []
    for item in items if isinstance(items, list) else [items] if isinstance(items, dict) else []:
        dates.extend(str(v) for k, v in item.items() if isinstance(v, str) and k.startswith("date") and v)
    return max(dates) if dates else (str(document["update_date"]) if document.get("update_date") else None)


def changed_records(request: UpdateRequest, part: str | None) -> dict[str, Any]:
    category = PART_FIELDS[part][0] if part else None
    numbers = changed_numbers(request, category)
    total_page = math.ceil(len(numbers) / PAGE_SIZE)
    chosen = numbers[(request.page - 1) * PAGE_SIZE : request.page * PAGE_SIZE]
    documents = get_documents(chosen)
    rows = [part_of(documents[n], part) if part else slim_row(documents[n]) for n in chosen if n in documents]
    return {
        "id": None,
        "message": OK_MESSAGE,
        "errors": [],
        "totalCount": len(numbers),
        "totalPage": total_page,
        "pageNumber": request.page,
        "hojin-infos": rows,
    }
