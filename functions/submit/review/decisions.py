"""The reviewer's side: the queue, an audited read of an application, and the decision by task token.

Only this ministry's staff (``reviewer`` or ``operator`` in its registry) get here; anyone else is refused
(403) whatever the application. A staff read is appended to the audit chain before the data is returned, and
a read that cannot be audited is refused (503). A decision claims the stored task token (a conditional
update, so two decisions cannot both be sent) and answers it with ``SendTaskSuccess``; the state machine then
records it through the store.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Final, Literal

from botocore.exceptions import BotoCoreError, ClientError

from functions.submit.applications.model import ATT_PREFIX, HIST_PREFIX, QUEUE_PREFIX, Application, Status
from functions.submit.applications.store import ApplicationStore, audit_log, now_iso
from functions.submit.applications.terms import SubsidyTerms
from functions.submit.attachments import Attachment, State
from functions.submit.principal import Principal
from functions.submit.review.assignment import REVIEWER_PREFIX
from functions.submit.review.screening import requested_amount
from functions.submit.review.workflow import current_failure, loaded
from platform_common import aws
from platform_common.audit import AuditUnavailable
from platform_common.errors import Conflict, FieldError, Forbidden, InvalidInput, ServiceUnavailable

Outcome = Literal["approve", "reject", "return"]
DOWNLOAD_SECONDS: Final = 300
TOKEN_RETRIES: Final = 20  # a reminder may be replacing the token: wait for the new one (0.25 s apart)
FINISHED: Final = frozenset({Status.APPROVED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN})


def require_staff(principal: Principal) -> None:
    if not principal.staff_roles & {"reviewer", "operator"}:
        raise Forbidden("only this ministry's reviewers and operators may review applications")


def _audit_read(principal: Principal, app: Application, what: str) -> None:
    try:
        audit_log().record_event(
            "application.read_by_staff",
            outcome="success",
            actor_sub=principal.sub,
            corporate_number=app.corporate_number,
            detail={
                "application_id": app.application_id,
                "what": what,
                "role": ",".join(sorted(principal.staff_roles)),
            },
        )
    except (AuditUnavailable, ClientError, BotoCoreError) as exc:
        raise ServiceUnavailable("the read cannot be audited now, so it is refused; try again shortly") from exc


# ------------------------------------------------------------------------------------------ queue


def queue(
    store: ApplicationStore, principal: Principal, subsidy_ids: list[str], status: str | None, mine: bool
) -> list[dict[str, Any]]:
    """The reviewer's own assignments (``mine``) or the ministry's queue of the given subsidies."""
    require_staff(principal)
    dynamodb = aws.client("dynamodb")
    requests: list[dict[str, Any]] = []
    prefix = f"{status}#" if status else ""

    def keyed(pk_name: str, sk_name: str, pk: str) -> dict[str, Any]:
        if not prefix:  # DynamoDB refuses an empty begins_with
            return {"KeyConditionExpression": f"{pk_name} = :pk", "ExpressionAttributeValues": {":pk": {"S": pk}}}
        return {
            "KeyConditionExpression": f"{pk_name} = :pk AND begins_with({sk_name}, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
        }

    if mine:
        requests.append(
            {
                "TableName": store.table,
                "IndexName": "gsi1",
                **keyed("gsi1pk", "gsi1sk", REVIEWER_PREFIX + principal.sub),
            }
        )
    for subsidy_id in subsidy_ids:
        requests.append({"TableName": store.table, **keyed("pk", "sk", QUEUE_PREFIX + subsidy_id)})
    found: dict[str, dict[str, Any]] = {}
    for request in requests:
        while True:
            page = dynamodb.query(**request)
            for item in page.get("Items", []):
                entry = {k: v["S"] for k, v in item.items() if "S" in v and k not in ("pk", "sk", "gsi1pk", "gsi1sk")}
                found[entry["application_id"]] = entry
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(found.values(), key=lambda e: (e.get("submitted_at", ""), e["application_id"]))


# ------------------------------------------------------------------------------------------ read


def review_view(store: ApplicationStore, principal: Principal, app: Application, bucket: str) -> dict[str, Any]:
    """The application as a reviewer sees it; the read is audited first (503 when it cannot be)."""
    require_staff(principal)
    _audit_read(principal, app, "application")
    s3 = aws.client("s3")
    attachments = []
    for item in store.children(app.application_id, ATT_PREFIX):
        attachment = Attachment.from_item(item)
        shown = attachment.public()
        if attachment.state is State.VERIFIED:  # never a link to a quarantined, mismatched or unverified file
            shown["download_url"] = s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": bucket, "Key": attachment.s3_key},
                ExpiresIn=DOWNLOAD_SECONDS,
            )
        attachments.append(shown)
    history = [
        {k: v["S"] for k, v in item.items() if k in ("from", "to", "by", "at", "reason")}
        for item in store.children(app.application_id, HIST_PREFIX)
    ]
    return {
        "id": app.application_id,
        "subsidy_id": app.subsidy_id,
        "subsidy_title": app.subsidy_title,
        "corporate_number": app.corporate_number,
        "status": app.status.value,
        "version": app.version,
        "receipt_number": app.receipt_number,
        "submitted_at": app.submitted_at,
        "submitted_by": app.submitted_by,
        "on_behalf_under_mandate": app.mandate,
        "form": app.form,
        "attachments": attachments,
        "screening": loaded(app, "screening"),
        "assigned_reviewer": app.extra.get("assigned_reviewer", {}).get("S"),
        "review_due": app.extra.get("review_due", {}).get("S"),
        "decision": loaded(app, "decision"),
        "decision_pending": "pending_decision" in app.extra,
        "award_key": app.extra.get("award_key", {}).get("S"),
        "review_failure": current_failure(app),
        "history": history,
    }


# ------------------------------------------------------------------------------------------ decide


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    amount: int | None
    reason: str | None


def check_decision(decision: Decision, app: Application, terms: SubsidyTerms) -> dict[str, Any]:
    """The decision as the state machine records it; 400 naming the field when it is incomplete."""
    reason = (decision.reason or "").strip() or None
    if decision.outcome == "approve":
        if decision.amount is None:
            raise InvalidInput.for_field("amount", "an approval needs the amount granted (yen)")
        limits = [
            ("the subsidy's maximum", terms.max_amount),
            ("the amount requested", requested_amount(terms.form_schema, app.form)),
        ]
        for what, limit in limits:
            if limit is not None and decision.amount > limit:
                raise InvalidInput.for_field("amount", f"{decision.amount:,} yen exceeds {what} ({limit:,} yen)")
    elif reason is None:
        raise InvalidInput.for_field(
            "reason", f"a decision to {decision.outcome} needs a reason the applicant will read"
        )
    recorded: dict[str, Any] = {"outcome": decision.outcome, "reason": reason, "time": now_iso()}
    if decision.outcome == "approve":
        recorded["amount"] = decision.amount
    return recorded


def _claim_token(store: ApplicationStore, app: Application, recorded: dict[str, Any]) -> str | None:
    """Take the stored task token off the application (None: there is none to take)."""
    current = store.require(app.application_id)
    token: str | None = current.extra.get("review_task_token", {}).get("S")
    if current.status is not Status.UNDER_REVIEW or not token:
        return None
    try:
        aws.client("dynamodb").update_item(
            TableName=store.table,
            Key=app.key,
            UpdateExpression="REMOVE review_task_token SET pending_decision = :decision",
            ConditionExpression="review_task_token = :token AND #status = :review",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":token": {"S": token},
                ":review": {"S": Status.UNDER_REVIEW.value},
                ":decision": {"S": json.dumps(recorded, ensure_ascii=False)},
            },
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return None
    return token


def decide(
    store: ApplicationStore, principal: Principal, app: Application, terms: SubsidyTerms, decision: Decision
) -> dict[str, Any]:
    require_staff(principal)
    if app.status in FINISHED or "pending_decision" in app.extra:
        raise Conflict(
            f"the review is finished: the application is {app.status}", [FieldError("outcome", "already decided")]
        )
    if app.status is not Status.UNDER_REVIEW:
        raise Conflict(f"the application is {app.status}: its review has not started yet")
    recorded = {**check_decision(decision, app, terms), "reviewer_sub": principal.sub}
    sfn = aws.client("stepfunctions")
    for _ in range(TOKEN_RETRIES):
        token = _claim_token(store, app, recorded)
        if token is None:
            current = store.require(app.application_id)
            if current.status in FINISHED or "pending_decision" in current.extra:
                raise Conflict(
                    "the review is finished: another decision was given", [FieldError("outcome", "already decided")]
                )
            time.sleep(0.25)  # the flow is between two waits (a reminder): its next token comes at once
            continue
        try:
            sfn.send_task_success(taskToken=token, output=json.dumps(recorded, ensure_ascii=False))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            _release(store, app)
            if code in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                time.sleep(0.25)  # the wait timed out as we answered: the reminder stores a new token
                continue
            raise ServiceUnavailable("the review workflow did not take the decision; try again") from exc
        return recorded
    raise ServiceUnavailable("the review workflow is not waiting for a decision now; try again shortly")


def _release(store: ApplicationStore, app: Application) -> None:
    aws.client("dynamodb").update_item(TableName=store.table, Key=app.key, UpdateExpression="REMOVE pending_decision")
