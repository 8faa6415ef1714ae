"""The steps of the review state machine (``infra/state_machines/application_review.asl.json``).

Step Functions invokes the submit function with ``{"step": ..., "application_id": ..., "submission": n}``;
each step reads the application, changes it through the store (one transaction with history, queue
projection and audit event) and answers a small JSON object the state machine routes on. A step of an
earlier submission (the application was returned and resubmitted since) changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from botocore.exceptions import ClientError

from functions.submit.applications.model import Action, Application, Status, draft_key, next_status
from functions.submit.applications.prefill import hojin_record
from functions.submit.applications.store import ApplicationStore, AuditEvent, Change, get_store, now_iso
from functions.submit.applications.terms import load_terms
from functions.submit.outbox import OUTBOX_PREFIX, OUTBOX_SK, Mail, send_from_outbox
from functions.submit.pending_audit import PendingAudit, append_pending
from functions.submit.review import mail
from functions.submit.review.assignment import REVIEWER_PREFIX, least_loaded, open_assignments
from functions.submit.review.award import award_file, award_key, award_row, department_name
from functions.submit.review.screening import screen
from functions.submit.settings import SERVICE, get_settings
from functions.submit.staff import StaffMember, get_registry
from platform_common import aws
from platform_common.errors import InvalidInput
from platform_common.observability import observability_for

STEPS: Final = (
    "screen", "assign", "remind", "escalate", "record_decision", "notify", "publish_award", "review_failed",
)  # fmt: skip
MAX_CAUSE: Final = 500
SYSTEM_ACTOR: Final = "system:review"
OUTCOME_ACTIONS: Final = {"approve": Action.APPROVE, "reject": Action.REJECT, "return": Action.RETURN}

_logger = observability_for(SERVICE).logger


def is_review_step(event: Mapping[str, Any]) -> bool:
    return event.get("step") in STEPS and isinstance(event.get("application_id"), str)


def _text(value: str) -> dict[str, str]:
    return {"S": value}


def _json(value: Any) -> dict[str, str]:
    return {"S": json.dumps(value, ensure_ascii=False, sort_keys=True)}


def loaded(app: Application, name: str) -> Any:
    """A JSON attribute the review keeps on the application (screening, decision), or None."""
    raw = app.extra.get(name, {}).get("S")
    return json.loads(raw) if raw else None


def current_failure(app: Application) -> dict[str, Any] | None:
    """The review failure of the application's current submission (one of an earlier review is history)."""
    failure = loaded(app, "review_failure")
    return failure if failure and str(failure.get("submission")) == str(app.submission_count) else None


def _current(store: ApplicationStore, event: Mapping[str, Any]) -> Application | None:
    app = store.require(str(event["application_id"]))
    if int(event.get("submission", app.submission_count)) != app.submission_count:
        _logger.info("step of an earlier submission ignored", extra={"application_id": app.application_id})
        return None
    return app


def _audit(kind: str, app: Application, detail: dict[str, str], actor: str = SYSTEM_ACTOR) -> PendingAudit:
    return PendingAudit(
        kind=kind,
        actor_sub=actor,
        corporate_number=app.corporate_number,
        detail={"application_id": app.application_id, **detail},
    )


def _record(store: ApplicationStore, event: PendingAudit, items: list[dict[str, Any]]) -> None:
    """Write ``items`` with the pending audit event in one transaction, then append the event to the chain."""
    aws.client("dynamodb").transact_write_items(TransactItems=[*items, event.transact_put(store.table)])
    settings = get_settings()
    from functions.submit.applications.store import audit_log

    append_pending(audit_log(), settings.applications_table_name, event)


def _store_token(store: ApplicationStore, app: Application, token: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": store.table,
            "Key": app.key,
            "UpdateExpression": "SET review_task_token = :token",
            "ConditionExpression": "#status = :review",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":token": _text(token), ":review": _text(Status.UNDER_REVIEW.value)},
        }
    }


def _mails_to(members: list[StaffMember], subject: str, body: str, purpose: str) -> list[Mail]:
    return [Mail(to=m.email, subject=subject, body=body, purpose=purpose) for m in members if m.email]


def _send(mails: list[Mail]) -> None:
    settings = get_settings()
    for message in mails:
        send_from_outbox(settings.applications_table_name, settings.mail_from, message)


# ------------------------------------------------------------------------------------------ steps


def screen_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    if app is None or app.status is not Status.SUBMITTED:
        return {"under_review": app is not None and app.status is Status.UNDER_REVIEW}
    terms = load_terms(app.subsidy_id)
    checks = screen(
        app, terms.form_schema, terms.max_amount, hojin_record(app.corporate_number),
        store.for_corporation(app.corporate_number),
    )  # fmt: skip
    results = [c.to_json() for c in checks]
    extra = {k: v for k, v in app.extra.items() if k not in ("decision", "assigned_reviewer", "review_due")}
    after = app.with_changes(
        status=next_status(app.status, Action.START_REVIEW),
        version=app.version + 1,
        updated_at=now_iso(),
        extra={**extra, "screening": _json(results)},
    )
    detail = {
        "application_id": app.application_id,
        "from": app.status.value,
        "to": after.status.value,
        "screening": ",".join(f"{c.check}:{'passed' if c.passed else 'failed'}" for c in checks),
    }
    audit = AuditEvent("application.review_started", SYSTEM_ACTOR, app.corporate_number, detail)
    store.apply(Change(app, after, SYSTEM_ACTOR, audit, reason="screened"))
    return {"under_review": True, "screening": results}


def assign_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    if app is None or app.status is not Status.UNDER_REVIEW:
        return {"assigned": None}
    settings = get_settings()
    reviewers = get_registry().list_staff("reviewer")
    chosen = least_loaded(reviewers, lambda sub: open_assignments(store.table, sub))
    token = str(event["task_token"])
    if chosen is None:
        operators = get_registry().list_staff("operator")
        subject, body = mail.escalation_mail(app, "no reviewer is registered")
        mails = _mails_to(operators, subject, body, "review_escalation")
        event_ = _audit("application.review_escalated", app, {"why": "no_reviewer", "operators": str(len(operators))})
        _record(store, event_, [_store_token(store, app, token), *(m.transact_put(store.table) for m in mails)])
        _send(mails)
        return {"assigned": None}
    due = (datetime.now(UTC) + timedelta(seconds=settings.review_remind_after_seconds)).isoformat(timespec="seconds")
    after = app.with_changes(
        version=app.version + 1,
        updated_at=now_iso(),
        extra={
            **app.extra,
            "assigned_reviewer": _text(chosen.sub),
            "review_due": _text(due),
            "review_task_token": _text(token),
        },
    )
    detail = {"application_id": app.application_id, "reviewer_sub": chosen.sub, "due": due}
    audit = AuditEvent("application.assigned", SYSTEM_ACTOR, app.corporate_number, detail)
    store.apply(Change(app, after, SYSTEM_ACTOR, audit, reason="assigned to a reviewer"))
    return {"assigned": chosen.sub}


def remind_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    if app is None or app.status is not Status.UNDER_REVIEW:
        return {"reminded": None}
    reviewer_sub = app.extra.get("assigned_reviewer", {}).get("S")
    member = get_registry().get(reviewer_sub) if reviewer_sub else None
    subject, body = mail.reminder_mail(app)
    mails = _mails_to([member] if member else [], subject, body, "review_reminder")
    event_ = _audit(
        "application.review_reminded", app, {"reviewer_sub": reviewer_sub or "none", "mailed": str(len(mails))}
    )
    _record(
        store,
        event_,
        [_store_token(store, app, str(event["task_token"])), *(m.transact_put(store.table) for m in mails)],
    )
    _send(mails)
    return {"reminded": reviewer_sub}


def escalate_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    if app is None or app.status is not Status.UNDER_REVIEW:
        return {"escalated": False}
    operators = get_registry().list_staff("operator")
    subject, body = mail.escalation_mail(app, "the decision is overdue")
    mails = _mails_to(operators, subject, body, "review_escalation")
    event_ = _audit("application.review_escalated", app, {"why": "overdue", "operators": str(len(operators))})
    _record(
        store,
        event_,
        [_store_token(store, app, str(event["task_token"])), *(m.transact_put(store.table) for m in mails)],
    )
    _send(mails)
    return {"escalated": True}


def decision_mail_id(app: Application) -> str:
    return f"decision-{app.application_id}-{app.submission_count}"


def record_decision_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    decision = event.get("decision")
    if not isinstance(decision, Mapping) or decision.get("outcome") not in OUTCOME_ACTIONS:
        raise InvalidInput.for_field("decision", "the task token was answered without a valid decision")
    if app is None:
        return {"status": "STALE"}
    target = next_status(Status.UNDER_REVIEW, OUTCOME_ACTIONS[str(decision["outcome"])])
    if app.status is target and loaded(app, "decision") == dict(decision):
        return {"status": app.status.value}  # a retry of a step that was done
    extra = {k: v for k, v in app.extra.items() if k not in ("review_task_token", "pending_decision")}
    after = app.with_changes(
        status=next_status(app.status, OUTCOME_ACTIONS[str(decision["outcome"])]),
        version=app.version + 1,
        updated_at=now_iso(),
        extra={**extra, "decision": _json(dict(decision))},
    )
    reviewer = str(decision.get("reviewer_sub") or SYSTEM_ACTOR)
    amount = decision.get("amount")
    detail = {"application_id": app.application_id, "from": app.status.value, "to": after.status.value}
    if isinstance(amount, int):
        detail["amount"] = str(amount)
    items: list[dict[str, Any]] = []
    contact = app.extra.get("contact_email", {}).get("S")
    if contact:
        subject, body = mail.decision_mail(after, after.status.value, amount if isinstance(amount, int) else None,
                                           decision.get("reason"))  # fmt: skip
        items.append(Mail(contact, subject, body, "decision", id=decision_mail_id(after)).transact_put(store.table))
    if after.status in (Status.APPROVED, Status.REJECTED):  # finished: the corporation may apply again
        items.append({"Delete": {"TableName": store.table, "Key": draft_key(app.corporate_number, app.subsidy_id)}})
    kind = f"application.{after.status.value.lower()}"
    audit = AuditEvent(kind, reviewer, app.corporate_number, detail)
    store.apply(
        Change(app, after, reviewer, audit, reason=str(decision.get("reason") or "") or None, extra_items=items)
    )
    return {"status": after.status.value}


def notify_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    """Send the decision mail put in the deciding transaction (gone: it was sent; SES down: the outbox retries)."""
    app = _current(store, event)
    if app is None:
        return {"sent": False}
    key = {"pk": _text(OUTBOX_PREFIX + decision_mail_id(app)), "sk": _text(OUTBOX_SK)}
    item = aws.client("dynamodb").get_item(TableName=store.table, Key=key, ConsistentRead=True).get("Item")
    if item is None:
        return {"sent": False}
    settings = get_settings()
    return {"sent": send_from_outbox(settings.applications_table_name, settings.mail_from, Mail.from_item(item))}


def publish_award_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    app = _current(store, event)
    if app is None or app.status is not Status.APPROVED:
        return {"published": None}
    settings = get_settings()
    decision = loaded(app, "decision") or {}
    row = award_row(
        app, int(decision["amount"]), str(decision.get("time") or app.updated_at),
        department_name(settings.ministry, settings.ministry_name),
    )  # fmt: skip
    key = award_key(settings.ministry, app.application_id)
    aws.client("s3").put_object(
        Bucket=settings.open_data_bucket_name, Key=key, Body=award_file(row), ContentType="application/json"
    )
    try:
        store.set_attribute(app.application_id, "award_key", key)
    except ClientError:
        _logger.exception("award key not recorded", extra={"application_id": app.application_id})
    event_ = _audit("application.award_published", app, {"key": key, "amount": str(row["amount"])})
    _record(store, event_, [])
    return {"published": key}


def review_failed_step(store: ApplicationStore, event: Mapping[str, Any]) -> dict[str, Any]:
    """A step failed after the state machine's retries: the failure goes on the application (staff see it on
    the review page, the execution can be redriven or the decision retaken), into the audit chain and the log,
    so no application waits silently in a stopped review.

    Nobody waits on a review the applicant withdrew, or on one of an earlier submission (the application was
    returned and submitted again): such a failure is logged only, and the application is left as it is."""
    app = store.get(str(event["application_id"]))
    if app is None:
        return {"recorded": False}
    submission = int(event.get("submission") or app.submission_count)
    error = str(event.get("error") or "unknown")[:200]
    log_keys = {"application_id": app.application_id, "error": error, "submission": submission}
    if submission != app.submission_count or app.status is Status.WITHDRAWN:
        _logger.warning("review step failed for a review nobody waits on", extra=log_keys)
        return {"recorded": False}
    _logger.error("review step failed", extra=log_keys)
    failure = {
        "error": error,
        "cause": str(event.get("cause") or "")[:MAX_CAUSE],
        "execution": str(event.get("execution") or ""),
        "submission": str(submission),
        "status": app.status.value,
        "at": now_iso(),
    }
    update = {
        "Update": {
            "TableName": store.table,
            "Key": app.key,
            "UpdateExpression": "SET review_failure = :failure",
            # as read: a withdrawal or a new submission meanwhile makes the failure one nobody waits on
            "ConditionExpression": "submission_count = :submission AND #status <> :withdrawn",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":failure": _json(failure),
                ":submission": {"N": str(submission)},
                ":withdrawn": _text(Status.WITHDRAWN.value),
            },
        }
    }
    detail = {"error": failure["error"], "status": failure["status"], "submission": failure["submission"]}
    try:
        _record(store, _audit("application.review_failed", app, detail), [update])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        _logger.warning("review step failed for a review nobody waits on", extra=log_keys)
        return {"recorded": False}
    return {"recorded": True}


_STEP_FUNCTIONS: Final = {
    "screen": screen_step,
    "assign": assign_step,
    "remind": remind_step,
    "escalate": escalate_step,
    "record_decision": record_decision_step,
    "notify": notify_step,
    "publish_award": publish_award_step,
    "review_failed": review_failed_step,
}


def run_step(event: Mapping[str, Any]) -> dict[str, Any]:
    result = _STEP_FUNCTIONS[str(event["step"])](get_store(), event)
    _logger.info("review step", extra={"step": event["step"], "application_id": event["application_id"]})
    return result


__all__ = ["REVIEWER_PREFIX", "STEPS", "current_failure", "is_review_step", "loaded", "run_step"]
