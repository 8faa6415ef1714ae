"""Demo data of gBizINFO: the demo corporations, synthetic ones, and an API token."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
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


def seed_open_data(provisioned: dict[str, ProvisionedStack], synthetic: int = SYNTHETIC_CORPORATIONS) -> dict[str, Any]:
    from devstack.synthdata import generate_records

    stack = provisioned["opendata"]
    table = stack.name("table", "hojin")
    count = put_hojin_records(table, generate_records(synthetic, seed=42)) if synthetic else 0
    count += put_hojin_records(table, DEMO_CORPORATIONS)
    token = issue_api_token(stack.name("table", "api-tokens"), owner="devstack demo")
    return {"api_token": token, "open_data": {"corporations": count}}
