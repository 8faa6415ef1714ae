"""Demo data of gBizINFO: the demo corporations, synthetic ones, and an API token."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from devstack.demo_corporations import DEMO_CORPORATIONS
from devstack.provision import ProvisionedStack
from functions.hojin_search.logic import hash_api_token
from functions.hojin_search.models import HojinInfo
from platform_common import aws

SYNTHETIC_CORPORATIONS = 1000


def put_hojin_records(table_name: str, records: Iterable[dict[str, Any]]) -> int:
    """Write full records (validated as :class:`HojinInfo` first, so bad demo data fails here)."""
    dynamodb = aws.resource("dynamodb").Table(table_name)
    count = 0
    with dynamodb.batch_writer(overwrite_by_pkeys=["corporate_number"]) as batch:
        for record in records:
            info = HojinInfo.model_validate(record)
            batch.put_item(
                Item={
                    "corporate_number": info.corporate_number,
                    "name": info.name,
                    "document": json.dumps(record, ensure_ascii=False),
                }
            )
            count += 1
    return count


def issue_api_token(table_name: str, owner: str) -> str:
    token = secrets.token_urlsafe(32)
    aws.client("dynamodb").put_item(
        TableName=table_name,
        Item={"token_hash": {"S": hash_api_token(token)}, "owner": {"S": owner}, "active": {"BOOL": True}},
    )
    return token


_ACTIVITY_CATEGORIES = ("subsidy", "procurement", "certification", "commendation", "patent")


def index_tables(records: Sequence[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    """The corporations table and activity tables of ``records`` (the input of ``CorporationIndex.build``)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    scalar: tuple[str, ...] = ("corporate_number", "name", "kana", "name_en", "kind", "prefecture_code")
    scalar += ("city_code", "postal_code", "location", "status", "update_date", "date_of_establishment")
    numbers = ("capital_stock", "employee_number", "founding_year")
    corporations = pa.table(
        {
            **{column: pa.array([r.get(column) for r in records], pa.string()) for column in scalar},
            **{column: pa.array([r.get(column) for r in records], pa.int64()) for column in numbers},
        }
    )
    activities: dict[str, Any] = {}
    for category in _ACTIVITY_CATEGORIES:
        rows = [(r["corporate_number"], item) for r in records for item in r.get(category) or []]
        activities[category] = pa.table(
            {
                "corporate_number": pa.array([number for number, _item in rows], pa.string()),
                "title": pa.array([item.get("title") for _n, item in rows], pa.string()),
                "amount": pa.array([item.get("amount") for _n, item in rows], pa.int64()),
                "government_departments": pa.array(
                    [item.get("government_departments") for _n, item in rows], pa.string()
                ),
            }
        )
    return corporations, activities


def publish_search_index(bucket: str, records: Sequence[dict[str, Any]]) -> str:
    """Build the search index of ``records`` and publish it as the current build (what the ingest does)."""
    import tempfile
    from pathlib import Path

    from functions.hojin_search.engine import publish_index
    from functions.hojin_search.search import CorporationIndex

    corporations, activities = index_tables(records)
    build_id = "devstack-" + secrets.token_hex(4)
    with tempfile.TemporaryDirectory() as directory:
        CorporationIndex.build(corporations, activities).save(Path(directory))
        return publish_index(Path(directory), bucket, build_id, details={"corporations": len(records)})


def seed_open_data(provisioned: dict[str, ProvisionedStack], synthetic: int = SYNTHETIC_CORPORATIONS) -> dict[str, Any]:
    from devstack.synthdata import generate_records

    stack = provisioned["opendata"]
    table = stack.name("table", "hojin")
    records = [*(generate_records(synthetic, seed=42) if synthetic else []), *DEMO_CORPORATIONS]
    count = put_hojin_records(table, records)
    publish_search_index(stack.name("bucket", "open-data"), records)
    token = issue_api_token(stack.name("table", "api-tokens"), owner="devstack demo")
    return {"api_token": token, "open_data": {"corporations": count}}
