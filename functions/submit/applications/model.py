"""An application, its statuses and the moves between them: pure data and pure functions.

```
DRAFT ──submit──▶ SUBMITTED ──(workflow)──▶ UNDER_REVIEW ──approve──▶ APPROVED
  │                  │                          ├──reject──▶ REJECTED
  └──withdraw──▶ WITHDRAWN ◀──withdraw──┘       └──return──▶ RETURNED ──resubmit──▶ SUBMITTED
```
Only DRAFT and RETURNED are the applicant's to edit; withdrawing is possible until the review starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from platform_common.errors import Conflict

Item = dict[str, dict[str, Any]]

APP_PREFIX: Final = "APP#"
APP_SK: Final = "APP"
CORP_PREFIX: Final = "CORP#"
HIST_PREFIX: Final = "HIST#"
ATT_PREFIX: Final = "ATT#"
QUEUE_PREFIX: Final = "QUEUE#"
DRAFTKEY_PREFIX: Final = "DRAFTKEY#"
DRAFTKEY_SK: Final = "DRAFTKEY"


class Status(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class Action(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    WITHDRAW = "withdraw"


# (from, action) -> to: every allowed move, nothing else.
TRANSITIONS: Final[dict[tuple[Status, Action], Status]] = {
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.START_REVIEW): Status.UNDER_REVIEW,
    (Status.UNDER_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.UNDER_REVIEW, Action.REJECT): Status.REJECTED,
    (Status.UNDER_REVIEW, Action.RETURN): Status.RETURNED,
    (Status.DRAFT, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.SUBMITTED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.UNDER_REVIEW, Action.WITHDRAW): Status.WITHDRAWN,  # no decision yet: the workflow is stopped
    (Status.RETURNED, Action.WITHDRAW): Status.WITHDRAWN,
}
EDITABLE: Final = frozenset({Status.DRAFT, Status.RETURNED})
OPEN: Final = frozenset({Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED})


def next_status(current: Status, action: Action) -> Status:
    """Where ``action`` leads from ``current``; a move the diagram does not have is a 409."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise Conflict(f"an application in status {current} cannot be moved by {action}")
    return target


def sources_of(action: Action) -> frozenset[Status]:
    """Every status from which ``action`` is allowed (the condition of the status write)."""
    return frozenset(source for source, act in TRANSITIONS if act is action)


def is_editable(status: Status) -> bool:
    return status in EDITABLE


@dataclass(frozen=True)
class Application:
    application_id: str
    subsidy_id: str
    subsidy_title: str
    corporate_number: str
    status: Status
    form: dict[str, Any]
    version: int
    applicant_sub: str  # who started it
    created_at: str
    updated_at: str
    submitted_by: str | None = None
    mandate: dict[str, str] | None = None  # the mandate an adviser acts under (its reference)
    receipt_number: str | None = None
    submitted_at: str | None = None
    submit_key: str | None = None
    submission_count: int = 0
    review_execution_arn: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # attributes other parts own (review)

    @property
    def key(self) -> Item:
        return application_key(self.application_id)

    def with_changes(self, **changes: Any) -> Application:
        return replace(self, **changes)

    def to_item(self) -> Item:
        item: Item = {
            **self.key,
            **self.extra,
            "application_id": {"S": self.application_id},
            "subsidy_id": {"S": self.subsidy_id},
            "subsidy_title": {"S": self.subsidy_title},
            "corporate_number": {"S": self.corporate_number},
            "status": {"S": self.status.value},
            "form": {"S": json.dumps(self.form, ensure_ascii=False, sort_keys=True)},
            "version": {"N": str(self.version)},
            "applicant_sub": {"S": self.applicant_sub},
            "created_at": {"S": self.created_at},
            "updated_at": {"S": self.updated_at},
            "submission_count": {"N": str(self.submission_count)},
            "gsi1pk": {"S": CORP_PREFIX + self.corporate_number},
            "gsi1sk": {"S": f"{self.updated_at}#{self.application_id}"},
        }
        optional = {
            "submitted_by": self.submitted_by,
            "receipt_number": self.receipt_number,
            "submitted_at": self.submitted_at,
            "submit_key": self.submit_key,
            "review_execution_arn": self.review_execution_arn,
        }
        item.update({name: {"S": value} for name, value in optional.items() if value})
        if self.mandate:
            item["on_behalf_under_mandate"] = {"M": {k: {"S": v} for k, v in self.mandate.items()}}
        return item

    @classmethod
    def from_item(cls, item: Item) -> Application:
        def text(name: str) -> str | None:
            value = item.get(name, {}).get("S")
            return str(value) if value else None

        known = {
            "pk", "sk", "gsi1pk", "gsi1sk", "application_id", "subsidy_id", "subsidy_title", "corporate_number",
            "status", "form", "version", "applicant_sub", "created_at", "updated_at", "submission_count",
            "submitted_by", "receipt_number", "submitted_at", "submit_key", "review_execution_arn",
            "on_behalf_under_mandate",
        }  # fmt: skip
        mandate = item.get("on_behalf_under_mandate", {}).get("M")
        return cls(
            application_id=item["application_id"]["S"],
            subsidy_id=item["subsidy_id"]["S"],
            subsidy_title=text("subsidy_title") or item["subsidy_id"]["S"],
            corporate_number=item["corporate_number"]["S"],
            status=Status(item["status"]["S"]),
            form=json.loads(item["form"]["S"]),
            version=int(item["version"]["N"]),
            applicant_sub=item["applicant_sub"]["S"],
            created_at=item["created_at"]["S"],
            updated_at=item["updated_at"]["S"],
            submitted_by=text("submitted_by"),
            mandate={k: v["S"] for k, v in mandate.items()} if mandate else None,
            receipt_number=text("receipt_number"),
            submitted_at=text("submitted_at"),
            submit_key=text("submit_key"),
            submission_count=int(item.get("submission_count", {}).get("N", "0")),
            review_execution_arn=text("review_execution_arn"),
            extra={k: v for k, v in item.items() if k not in known},
        )


def application_key(application_id: str) -> Item:
    return {"pk": {"S": APP_PREFIX + application_id}, "sk": {"S": APP_SK}}


def draft_key(corporate_number: str, subsidy_id: str) -> Item:
    return {"pk": {"S": f"{DRAFTKEY_PREFIX}{corporate_number}#{subsidy_id}"}, "sk": {"S": DRAFTKEY_SK}}
