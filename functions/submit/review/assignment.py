"""Which reviewer gets an application: the least-loaded reviewer of the ministry's staff registry.

A reviewer's load is the number of applications assigned to them and still UNDER_REVIEW, counted on the
reviewers' queue projection (gsi1 ``REVIEWER#<sub>`` / ``UNDER_REVIEW#<due>``). Ties go to the sub that sorts
first, so the choice is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from functions.submit.applications.model import Status
from functions.submit.staff import StaffMember
from platform_common import aws

REVIEWER_PREFIX: Final = "REVIEWER#"


def _count(request: dict[str, Any]) -> int:
    """The number of items a ``Select: COUNT`` query matches, over all its pages."""
    count = 0
    dynamodb = aws.client("dynamodb")
    while True:
        page = dynamodb.query(**request)
        count += int(page.get("Count", 0))
        if "LastEvaluatedKey" not in page:
            return count
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def open_assignments(table: str, sub: str) -> int:
    request = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :open)",
        "ExpressionAttributeValues": {":pk": {"S": REVIEWER_PREFIX + sub}, ":open": {"S": f"{Status.UNDER_REVIEW}#"}},
        "Select": "COUNT",
    }
    return _count(request)


def overdue_assignments(table: str, sub: str, now: datetime) -> int:
    """How many of the reviewer's open assignments are past their due time (``UNDER_REVIEW#<due>`` < now)."""
    request = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :open AND :now",
        "ExpressionAttributeValues": {
            ":pk": {"S": REVIEWER_PREFIX + sub},
            ":open": {"S": f"{Status.UNDER_REVIEW}#"},
            ":now": {"S": f"{Status.UNDER_REVIEW}#{now.astimezone(UTC).isoformat(timespec='seconds')}"},
        },
        "Select": "COUNT",
    }
    return _count(request)


def least_loaded(reviewers: Sequence[StaffMember], load: Callable[[str], int]) -> StaffMember | None:
    """The reviewer with the fewest open assignments (None when the ministry has no reviewer)."""
    if not reviewers:
        return None
    return min(sorted(reviewers, key=lambda member: member.sub), key=lambda member: load(member.sub))
