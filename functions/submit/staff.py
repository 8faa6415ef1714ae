"""The ministry's staff registry: which gBizID accounts are its operators and reviewers.

One ``STAFF#<sub>`` item per account (role, display name, e-mail for reminders; gsi1 ``STAFF`` /
``<role>#<sub>``), changed only by the ministry's operators, each change stored with its audit event. The
ministry always keeps an operator: removing or demoting one is a transaction that also checks that another
operator still exists (a ``ConditionCheck`` on that operator's item), so two operators removing each other
at the same time cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from functions.submit.catalog.editing import StaffActor, require_operator
from functions.submit.pending_audit import PendingAudit, append_pending
from functions.submit.settings import get_settings
from platform_common import aws
from platform_common.audit import AuditLog
from platform_common.errors import Conflict, FieldError, NotFound

StaffRole = Literal["operator", "reviewer"]
STAFF_PREFIX: Final = "STAFF#"
STAFF_SK: Final = "STAFF"
STAFF_INDEX_PK: Final = "STAFF"
SUB_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
EMAIL_PATTERN: Final = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"


class StaffMemberRequest(BaseModel):
    """Body of ``PUT /submit/v1/operator/staff/{sub}``: add the account, or change its role."""

    model_config = ConfigDict(extra="forbid")

    role: StaffRole
    name: str = Field(min_length=1, max_length=100, description="Display name shown to other staff")
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN, description="For reminders")


class StaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: str
    role: StaffRole
    name: str
    email: str | None = None

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": {"S": STAFF_PREFIX + self.sub},
            "sk": {"S": STAFF_SK},
            "gsi1pk": {"S": STAFF_INDEX_PK},
            "gsi1sk": {"S": f"{self.role}#{self.sub}"},
            "role": {"S": self.role},
            "name": {"S": self.name},
        }
        if self.email:
            item["email"] = {"S": self.email}
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StaffMember:
        return cls(
            sub=item["pk"]["S"].removeprefix(STAFF_PREFIX),
            role="operator" if item["role"]["S"] == "operator" else "reviewer",
            name=item.get("name", {}).get("S", ""),
            email=item.get("email", {}).get("S"),
        )


class StaffList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    staff: list[StaffMember]


def _key(sub: str) -> dict[str, Any]:
    return {"pk": {"S": STAFF_PREFIX + sub}, "sk": {"S": STAFF_SK}}


def _cancelled_by_condition(exc: ClientError) -> list[str]:
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        raise exc
    return [str(reason.get("Code", "None")) for reason in exc.response.get("CancellationReasons") or []]


@dataclass(frozen=True)
class StaffRegistry:
    table: str
    log: AuditLog

    def list_staff(self, role: StaffRole | None = None) -> list[StaffMember]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk" + (" AND begins_with(gsi1sk, :role)" if role else ""),
            "ExpressionAttributeValues": {
                ":pk": {"S": STAFF_INDEX_PK},
                **({":role": {"S": role + "#"}} if role else {}),
            },
        }
        found: list[StaffMember] = []
        dynamodb = aws.client("dynamodb")
        while True:
            page = dynamodb.query(**request)
            found.extend(StaffMember.from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, sub: str) -> StaffMember | None:
        item = aws.client("dynamodb").get_item(TableName=self.table, Key=_key(sub), ConsistentRead=True).get("Item")
        return StaffMember.from_item(item) if item else None

    def _another_operator_check(self, sub: str) -> dict[str, Any]:
        """A ``ConditionCheck`` that some operator other than ``sub`` is still registered."""
        others = [m for m in self.list_staff("operator") if m.sub != sub]
        for other in others:
            # The index may lag behind a removal: confirm on the item itself before relying on it.
            current = self.get(other.sub)
            if current is not None and current.role == "operator":
                return {
                    "ConditionCheck": {
                        "TableName": self.table,
                        "Key": _key(other.sub),
                        "ConditionExpression": "#role = :operator",
                        "ExpressionAttributeNames": {"#role": "role"},
                        "ExpressionAttributeValues": {":operator": {"S": "operator"}},
                    }
                }
        raise _last_operator()

    def _write(self, items: list[dict[str, Any]], event: PendingAudit) -> None:
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=[*items, event.transact_put(self.table)])
        except ClientError as exc:
            reasons = _cancelled_by_condition(exc)
            if "ConditionalCheckFailed" in reasons[1:2]:
                raise _last_operator() from exc  # the other operator was removed meanwhile
            raise Conflict(detail="the staff registry changed meanwhile; reload and try again") from exc
        append_pending(self.log, self.table, event)

    def put(self, actor: StaffActor, member: StaffMember) -> StaffMember:
        """Add ``member`` or change its role, name or e-mail (operators only; audited)."""
        require_operator(actor)
        current = self.get(member.sub)
        put: dict[str, Any] = {"Put": {"TableName": self.table, "Item": member.to_item()}}
        items = [put]
        if current is not None and current.role == "operator" and member.role != "operator":
            put["Put"]["ConditionExpression"] = "#role = :operator"
            put["Put"]["ExpressionAttributeNames"] = {"#role": "role"}
            put["Put"]["ExpressionAttributeValues"] = {":operator": {"S": "operator"}}
            items.append(self._another_operator_check(member.sub))
        kind = "staff.added" if current is None else "staff.changed"
        event = PendingAudit(
            kind=kind,
            actor_sub=actor.sub,
            subject_sub=member.sub,
            detail={"role": member.role, "previous_role": current.role if current else "none"},
        )
        self._write(items, event)
        return member

    def remove(self, actor: StaffActor, sub: str) -> None:
        """Remove ``sub`` from the registry (operators only; audited); never the last operator."""
        require_operator(actor)
        current = self.get(sub)
        if current is None:
            raise NotFound(detail="no such staff member")
        delete: dict[str, Any] = {
            "Delete": {
                "TableName": self.table,
                "Key": _key(sub),
                "ConditionExpression": "#role = :role",
                "ExpressionAttributeNames": {"#role": "role"},
                "ExpressionAttributeValues": {":role": {"S": current.role}},
            }
        }
        items = [delete]
        if current.role == "operator":
            items.append(self._another_operator_check(sub))
        event = PendingAudit(
            kind="staff.removed", actor_sub=actor.sub, subject_sub=sub, detail={"previous_role": current.role}
        )
        self._write(items, event)


def _last_operator() -> Conflict:
    message = "the ministry must keep at least one operator: add another operator first"
    return Conflict(detail=message, errors=[FieldError("role", message)])


@cache
def get_registry() -> StaffRegistry:
    settings = get_settings()
    return StaffRegistry(
        settings.applications_table_name, AuditLog(settings.applications_table_name, settings.audit_bucket_name)
    )
