"""Applications in the ministry's table. Every status change is one DynamoDB transaction.

The transaction writes the application (conditioned on the version and status the change was computed
from), its history entry, its reviewers' queue projection and a pending audit event (``AUDITPENDING#<id>``).
Right after it, the pending event is appended to the ministry's audit chain and deleted; if that append
fails the item stays and the hourly schedule (:func:`functions.submit.pending_audit.flush_pending`) appends
it later, so no change is ever without its audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.submit.applications.model import (
    APP_PREFIX,
    CORP_PREFIX,
    HIST_PREFIX,
    QUEUE_PREFIX,
    Application,
    Item,
    Status,
    application_key,
)
from functions.submit.pending_audit import PendingAudit, append_pending
from functions.submit.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.audit import AuditLog
from platform_common.errors import Conflict, NotFound, PreconditionFailed
from platform_common.observability import observability_for

RECEIPT_PK: Final = "RECEIPT"
QUEUED: Final = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.APPROVED, Status.REJECTED})

_logger = observability_for(SERVICE).logger


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StaleVersion(PreconditionFailed):
    """The draft changed since the client read it: the body carries the current application to merge with."""

    def __init__(self, current: Application):
        super().__init__(f"the application is at version {current.version}: reload, merge and save again")
        self.current = current


@dataclass(frozen=True)
class AuditEvent:
    kind: str  # dotted, e.g. application.submitted
    actor_sub: str
    corporate_number: str
    detail: dict[str, str] = field(default_factory=dict)

    def pending(self) -> PendingAudit:
        """The event as written in the change's own transaction (``functions.submit.pending_audit``)."""
        return PendingAudit(
            kind=self.kind, actor_sub=self.actor_sub, corporate_number=self.corporate_number, detail=self.detail
        )


@dataclass(frozen=True)
class Change:
    """One status change (or the creation of a draft when ``before`` is None)."""

    before: Application | None
    after: Application
    actor_sub: str
    audit: AuditEvent
    reason: str | None = None
    extra_items: Sequence[dict[str, Any]] = ()  # further transaction items (the draft key, ...)


@cache
def audit_log() -> AuditLog:
    settings = get_settings()
    return AuditLog(settings.applications_table_name, settings.audit_bucket_name)


def _queue_key(app: Application) -> Item:
    return {
        "pk": {"S": QUEUE_PREFIX + app.subsidy_id},
        "sk": {"S": f"{app.status.value}#{app.submitted_at or app.created_at}#{app.application_id}"},
    }


def _queue_item(app: Application) -> Item:
    item: Item = {
        **_queue_key(app),
        "application_id": {"S": app.application_id},
        "subsidy_id": {"S": app.subsidy_id},
        "corporate_number": {"S": app.corporate_number},
        "status": {"S": app.status.value},
    }
    if app.receipt_number:
        item["receipt_number"] = {"S": app.receipt_number}
    if app.submitted_at:
        item["submitted_at"] = {"S": app.submitted_at}
    reviewer = app.extra.get("assigned_reviewer", {}).get("S")
    if reviewer:  # one reviewer's assignments (gsi1): open ones are UNDER_REVIEW#<due>
        due = app.extra.get("review_due", {}).get("S") or app.updated_at
        item.update({"gsi1pk": {"S": "REVIEWER#" + reviewer}, "gsi1sk": {"S": f"{app.status.value}#{due}"}})
        item["assigned_reviewer"] = {"S": reviewer}
    return item


def _history_item(change: Change, at: str) -> Item:
    after = change.after
    item: Item = {
        "pk": {"S": APP_PREFIX + after.application_id},
        "sk": {"S": f"{HIST_PREFIX}{at}#{after.version:06d}"},
        "to": {"S": after.status.value},
        "by": {"S": change.actor_sub},
        "at": {"S": at},
    }
    if change.before is not None:
        item["from"] = {"S": change.before.status.value}
    if change.reason:
        item["reason"] = {"S": change.reason}
    return item


class ApplicationStore:
    def __init__(self, table: str):
        self.table = table

    # ---------------------------------------------------------------- reads

    def get(self, application_id: str) -> Application | None:
        item = (
            aws.client("dynamodb")
            .get_item(TableName=self.table, Key=application_key(application_id), ConsistentRead=True)
            .get("Item")
        )
        return Application.from_item(item) if item else None

    def require(self, application_id: str) -> Application:
        found = self.get(application_id)
        if found is None:
            raise NotFound(f"no application {application_id}")
        return found

    def for_corporation(self, corporate_number: str, limit: int = 200) -> list[Application]:
        """A corporation's applications, newest change first (the index may lag a write by a moment)."""
        answer = aws.client("dynamodb").query(
            TableName=self.table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": CORP_PREFIX + corporate_number}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [Application.from_item(item) for item in answer.get("Items", []) if item["sk"]["S"] == "APP"]

    def children(self, application_id: str, prefix: str) -> list[Item]:
        """The application's items under ``prefix`` (attachments ``ATT#``, history ``HIST#``)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": APP_PREFIX + application_id}, ":prefix": {"S": prefix}},
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            page = aws.client("dynamodb").query(**request)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ---------------------------------------------------------------- writes

    def apply(self, change: Change) -> Application:
        """Write one change atomically, then move its audit event into the chain."""
        at = now_iso()
        pending = change.audit.pending()
        after, before = change.after, change.before
        put_app: dict[str, Any] = {"TableName": self.table, "Item": after.to_item()}
        if before is None:
            put_app["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put_app["ConditionExpression"] = "version = :version AND #status = :status"
            put_app["ExpressionAttributeNames"] = {"#status": "status"}
            put_app["ExpressionAttributeValues"] = {
                ":version": {"N": str(before.version)},
                ":status": {"S": before.status.value},
            }
        items: list[dict[str, Any]] = [
            {"Put": put_app},
            {"Put": {"TableName": self.table, "Item": _history_item(change, at)}},
            pending.transact_put(self.table),
        ]
        if before is not None and before.status in QUEUED and _queue_key(before) != _queue_key(after):
            items.append({"Delete": {"TableName": self.table, "Key": _queue_key(before)}})
        if after.status in QUEUED or (before is not None and before.status in QUEUED):
            items.append({"Put": {"TableName": self.table, "Item": _queue_item(after)}})
        items.extend(change.extra_items)
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            first = reasons[0].get("Code") if reasons else None
            if first == "ConditionalCheckFailed" and before is not None:
                current = self.require(after.application_id)
                raise Conflict(
                    f"the application changed meanwhile (now {current.status}, version {current.version})"
                ) from exc
            raise Conflict("the application could not be changed: another change happened at the same time") from exc
        append_pending(audit_log(), self.table, pending)
        return after

    def save_form(self, app: Application, expected_version: int, form: Mapping[str, Any]) -> Application:
        """The autosave: a new form and version, only if the client saw the current version of a draft."""
        updated = app.with_changes(form=dict(form), version=expected_version + 1, updated_at=now_iso())
        try:
            aws.client("dynamodb").update_item(
                TableName=self.table,
                Key=app.key,
                UpdateExpression="SET form = :form, version = :next, updated_at = :updated, gsi1sk = :gsi1sk",
                ConditionExpression="version = :version AND #status IN (:draft, :returned)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":form": updated.to_item()["form"],
                    ":next": {"N": str(updated.version)},
                    ":updated": {"S": updated.updated_at},
                    ":gsi1sk": updated.to_item()["gsi1sk"],
                    ":version": {"N": str(expected_version)},
                    ":draft": {"S": Status.DRAFT.value},
                    ":returned": {"S": Status.RETURNED.value},
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            current = self.require(app.application_id)
            if current.status not in (Status.DRAFT, Status.RETURNED):
                raise Conflict(f"an application in status {current.status} cannot be edited") from exc
            raise StaleVersion(current) from exc
        return updated

    def set_attribute(self, application_id: str, name: str, value: str) -> None:
        """An attribute outside the applicant's data (the review execution), without a version change."""
        aws.client("dynamodb").update_item(
            TableName=self.table,
            Key=application_key(application_id),
            UpdateExpression="SET #name = :value",
            ExpressionAttributeNames={"#name": name},
            ExpressionAttributeValues={":value": {"S": value}},
            ConditionExpression="attribute_exists(pk)",
        )

    def next_receipt_sequence(self, year: int) -> int:
        """The next number of the year's receipt counter (an atomic ADD: unique even under a deadline rush)."""
        answer = aws.client("dynamodb").update_item(
            TableName=self.table,
            Key={"pk": {"S": RECEIPT_PK}, "sk": {"S": f"COUNTER#{year:04d}"}},
            UpdateExpression="ADD seq :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["seq"]["N"])


@cache
def get_store() -> ApplicationStore:
    return ApplicationStore(get_settings().applications_table_name)
