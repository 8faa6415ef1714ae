"""Demo data of gBizINFO: the demo corporations and synthetic ones, handed in through the ingest, and an API token.

The records go through the ingest a ministry uses (:func:`ingest_records`): one ``basic`` file and one file per
activity category, from the ministry ``devstack``, then one publish of the index, bulk files and manifest. So
the open data of a running devstack is the Parquet any later ingest merges with, not a side copy.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from devstack.demo_corporations import DEMO_CORPORATIONS
from devstack.provision import ProvisionedStack
from functions.hojin_search.logic import hash_api_token
from functions.hojin_search.models import HojinInfo
from platform_common import aws

if TYPE_CHECKING:
    from functions.hojin_search.ingest.pipeline import IngestReport
    from functions.hojin_search.ingest.store import OpenDataStore

SYNTHETIC_CORPORATIONS = 1000


def put_hojin_records(table_name: str, records: Iterable[dict[str, Any]]) -> int:
    """Write full records straight into the ``hojin`` table (validated as :class:`HojinInfo` first), for tests
    that need only the records of a few corporations; the devstack's open data goes through :func:`ingest_records`."""
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


SEED_MINISTRY = "devstack"
_LIST_PARTS = ("subsidy", "procurement", "certification", "commendation", "patent")
_FINANCE_HEAD = ("accounting_standards", "fiscal_year_cover_page")
_WORKPLACE_GROUPS = ("base_infos", "women_activity_infos", "compatibility_of_childcare_and_work")


def _checked(what: str, item: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """``item`` if every key is a field the ingest reads: the ingest ignores unknown columns, the seed must not."""
    unknown = set(item) - set(allowed)
    if unknown:
        raise ValueError(f"{what}: no ingest field for {', '.join(sorted(unknown))}")
    return item


def seed_files(records: Sequence[dict[str, Any]]) -> dict[str, bytes]:
    """Full records (``HojinInfo`` shape) as ingest files: ``basic`` (our header layout) and one per activity
    category the records hold, JSON with the ingest's field names."""
    from functions.hojin_search.ingest.basic_rows import HEADER_FIELDS
    from functions.hojin_search.ingest.schema import CATEGORY_MODELS

    fields = {category: tuple(model.model_fields) for category, model in CATEGORY_MODELS.items()}
    rows: dict[str, list[dict[str, Any]]] = {"basic": [], **{category: [] for category in CATEGORY_MODELS}}
    for record in records:
        number = record["corporate_number"]
        basic = {k: v for k, v in record.items() if k not in (*_LIST_PARTS, "finance", "workplace_info")}
        rows["basic"].append(_checked(number, basic, HEADER_FIELDS))
        for category in _LIST_PARTS:
            for item in record.get(category) or []:
                rows[category].append(
                    _checked(f"{number} {category}", {"corporate_number": number, **item}, fields[category])
                )
        finance = dict(record.get("finance") or {})
        finance.pop("major_shareholders", None)  # not open data of ours: the ingest has no such category
        head = {name: finance.pop(name) for name in _FINANCE_HEAD if name in finance}
        for item in finance.pop("management_index", None) or []:
            row = {"corporate_number": number, **head, **item}
            rows["finance"].append(_checked(f"{number} finance", row, fields["finance"]))
        _checked(f"{number} finance", finance, ())
        workplace = record.get("workplace_info") or {}
        if any(workplace.values()):
            _checked(f"{number} workplace_info", workplace, _WORKPLACE_GROUPS)
            # the record keeps only the newest report and not its date: the record's update date stands for it
            row = {"corporate_number": number, "date_of_report": record.get("update_date") or "2025-03-31"}
            for group in workplace.values():
                row.update(group or {})
            rows["workplace"].append(_checked(f"{number} workplace_info", row, fields["workplace"]))
    return {
        category: json.dumps(items, ensure_ascii=False).encode("utf-8") for category, items in rows.items() if items
    }


def ingest_records(store: OpenDataStore, records: Sequence[dict[str, Any]], now: datetime) -> list[IngestReport]:
    """Hand ``records`` in as the ministry ``devstack`` would (basic first: activities need their corporations),
    then publish the index, bulk files and manifest once. A rejected row is a mistake in the demo data: it
    raises with the ingest's report."""
    from functions.hojin_search.ingest.pipeline import ingest_file
    from functions.hojin_search.ingest.publish import publish_after_ingest

    reports = []
    for category, data in seed_files(records).items():
        report = ingest_file(
            data,
            ministry=SEED_MINISTRY,
            category=category,
            source_name=f"{SEED_MINISTRY}-{category}.json",
            now=now,
            store=store,
            publish=None,
        )
        if report.rows_rejected:
            raise ValueError(f"seed {category}: {report.model_dump_json(include={'rejected'})[:2000]}")
        reports.append(report)
    publish_after_ingest(store, now)
    return reports


def open_data_store(stack: ProvisionedStack) -> OpenDataStore:
    from functions.hojin_search.ingest.store import AwsOpenDataStore

    return AwsOpenDataStore(
        stack.name("bucket", "open-data"), stack.name("table", "hojin"), stack.name("table", "changes")
    )


def seed_open_data(provisioned: dict[str, ProvisionedStack], synthetic: int = SYNTHETIC_CORPORATIONS) -> dict[str, Any]:
    from devstack.synthdata import generate_records

    stack = provisioned["opendata"]
    records = [*(generate_records(synthetic, seed=42) if synthetic else []), *DEMO_CORPORATIONS]
    ingest_records(open_data_store(stack), records, datetime.now(UTC))
    token = issue_api_token(stack.name("table", "api-tokens"), owner="devstack demo")
    return {"api_token": token, "open_data": {"corporations": len(records)}}
