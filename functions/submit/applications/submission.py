"""Submission, withdrawal and resubmission: the applicant's status changes.

A submission is idempotent on its ``Idempotency-Key``: the first call checks everything (form against the
subsidy's JSON Schema, server time against the acceptance window, tier or mandate, verified attachments),
fetches the attachments the data exchange supplies (``exchanged.py``), moves the application to SUBMITTED with
the key and a receipt number, mails the receipt and starts the
review; a retry with the same key answers the same receipt, another key is a 409.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from botocore.exceptions import ClientError
from jsonschema import Draft202012Validator, ValidationError

from functions.submit.applications.access import require_access
from functions.submit.applications.exchanged import supply_from_exchange
from functions.submit.applications.model import Action, Application, Status, draft_key, next_status
from functions.submit.applications.store import ApplicationStore, AuditEvent, Change, now_iso
from functions.submit.applications.terms import SubsidyTerms
from functions.submit.attachments import State, attachments_of
from functions.submit.outbox import Mail, send_from_outbox
from functions.submit.principal import Principal
from functions.submit.settings import SERVICE, get_settings
from platform_common import aws
from platform_common.errors import Conflict, FieldError, Forbidden, InvalidInput
from platform_common.observability import observability_for

JST: Final = timezone(timedelta(hours=9), "JST")
MAX_FORM_ERRORS: Final = 100

_logger = observability_for(SERVICE).logger


@dataclass(frozen=True)
class Submitted:
    application: Application
    replayed: bool  # the same Idempotency-Key again: nothing was changed


# ---------------------------------------------------------------------------------- checks


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def form_errors(schema: Mapping[str, Any], form: Mapping[str, Any]) -> list[FieldError]:
    """Every violation of the form's JSON Schema, each named by the JSON pointer of its field."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors: list[FieldError] = []
    for error in sorted(validator.iter_errors(form), key=lambda e: list(map(str, e.absolute_path))):
        errors.extend(_named(error))
        if len(errors) >= MAX_FORM_ERRORS:
            break
    return errors


def _named(error: ValidationError) -> list[FieldError]:
    base = _pointer(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, Mapping):
        missing = [name for name in error.validator_value if name not in instance]
        # one error per missing property; name the one this message is about
        names = [name for name in missing if repr(name) in error.message] or missing[:1]
        return [FieldError(base + _pointer([name]), "required") for name in names]
    return [FieldError(base or "/", error.message[:200])]


def check_window(terms: SubsidyTerms, now: datetime) -> None:
    if not terms.accepting(now):
        closes = terms.acceptance_end.isoformat() if terms.acceptance_end else "not set"
        raise Conflict(
            f"the subsidy is not accepting applications at {now.isoformat(timespec='seconds')} (closes {closes})",
            [FieldError("acceptance_end_datetime", "outside the acceptance window, by the server's clock")],
        )


def missing_attachments(terms: SubsidyTerms, verified_kinds: set[str]) -> list[FieldError]:
    return [
        FieldError(f"attachments/{need.code}", f"{need.label_en}: upload it and let it be verified")
        for need in terms.attachments
        if need.exchange_service is None and need.code not in verified_kinds
    ]


def receipt_number(ministry: str, year: int, sequence: int) -> str:
    return f"{ministry.upper()}-{year:04d}-{sequence:07d}"


# ---------------------------------------------------------------------------------- submit


def submit(
    store: ApplicationStore,
    principal: Principal,
    terms: SubsidyTerms,
    application_id: str,
    idempotency_key: str,
    now: datetime,
) -> Submitted:
    app, acting = require_access(principal, store.get(application_id), application_id)
    if app.submit_key == idempotency_key and app.status not in (Status.DRAFT, Status.RETURNED):
        if app.status is Status.SUBMITTED and not app.review_execution_arn:
            start_review(store, app)  # the first call could not start it: the name keeps this a single start
        return Submitted(app, replayed=True)
    if app.status not in (Status.DRAFT, Status.RETURNED):
        raise Conflict(f"the application is already {app.status} (receipt {app.receipt_number})")
    if app.submit_key == idempotency_key:
        raise Conflict("this Idempotency-Key was used for the earlier submission: send a new one to resubmit")
    if acting.mandate is None and not principal.meets_tier(terms.minimum_tier):
        raise Forbidden(f"this subsidy needs a gBizID {terms.minimum_tier} account (or a Member of one)")
    check_window(terms, now)
    errors = form_errors(terms.form_schema, app.form)
    verified = {a.kind for a in attachments_of(store, application_id) if a.state is State.VERIFIED}
    errors += missing_attachments(terms, verified)
    if errors:
        raise InvalidInput("; ".join(f"{e.item}: {e.message}" for e in errors[:10]), errors)
    supply_from_exchange(store, app, terms, verified, principal.sub)  # once-only: not uploaded
    at = now_iso()
    number = app.receipt_number or receipt_number(
        get_settings().ministry, now.astimezone(JST).year, store.next_receipt_sequence(now.astimezone(JST).year)
    )
    after = app.with_changes(
        status=next_status(app.status, Action.SUBMIT),
        version=app.version + 1,
        updated_at=at,
        submitted_at=at,
        submitted_by=principal.sub,
        mandate=acting.mandate.reference() if acting.mandate else None,
        receipt_number=number,
        submit_key=idempotency_key,
        submission_count=app.submission_count + 1,
        # where the review's decision is mailed (the login's address at submission)
        extra={**app.extra, **({"contact_email": {"S": principal.email}} if principal.email else {})},
    )
    detail = {
        "application_id": app.application_id,
        "subsidy_id": app.subsidy_id,
        "from": app.status.value,
        "to": after.status.value,
        "receipt_number": number,
    }
    if after.mandate:
        detail.update({f"mandate_{k}": v for k, v in after.mandate.items() if k != "procedures"})
    kind = "application.resubmitted" if app.status is Status.RETURNED else "application.submitted"
    receipt = receipt_outbox_mail(principal, after, terms)  # in the same transaction: a receipt is never lost
    audit = AuditEvent(kind, principal.sub, app.corporate_number, detail)
    outbox = [receipt.transact_put(store.table)] if receipt else []
    try:
        store.apply(Change(app, after, principal.sub, audit, extra_items=outbox))
    except Conflict:
        raced = store.require(application_id)
        if raced.submit_key == idempotency_key and raced.status is not Status.DRAFT:
            return Submitted(raced, replayed=True)  # the same submission, retried while the first was running
        raise
    if receipt:
        send_from_outbox(store.table, get_settings().mail_from, receipt)  # SES down: the hourly run sends it
    start_review(store, after)
    return Submitted(after, replayed=False)


WITHDRAW_ATTEMPTS = 3  # the review workflow may move the application (SUBMITTED → UNDER_REVIEW) meanwhile


def withdraw(store: ApplicationStore, principal: Principal, application_id: str, reason: str | None) -> Application:
    """Withdraw before a decision (during the review too: it is stopped); the corporation may apply again.

    The applicant's intent does not depend on the version they saw: when the workflow changed the application
    between our read and our write, it is read again and withdrawn if it still may be."""
    for attempt in range(WITHDRAW_ATTEMPTS):
        app, _ = require_access(principal, store.get(application_id), application_id)
        after = app.with_changes(
            status=next_status(app.status, Action.WITHDRAW), version=app.version + 1, updated_at=now_iso()
        )
        detail = {"application_id": app.application_id, "from": app.status.value, "to": after.status.value}
        release_key = {
            "Delete": {
                "TableName": store.table,
                "Key": draft_key(app.corporate_number, app.subsidy_id),
                "ConditionExpression": "attribute_not_exists(pk) OR application_id = :id",
                "ExpressionAttributeValues": {":id": {"S": app.application_id}},
            }
        }
        audit = AuditEvent("application.withdrawn", principal.sub, app.corporate_number, detail)
        try:
            withdrawn = store.apply(Change(app, after, principal.sub, audit, reason=reason, extra_items=[release_key]))
        except Conflict:
            if attempt == WITHDRAW_ATTEMPTS - 1:
                raise
            continue
        if app.review_execution_arn and app.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
            stop_review(app.review_execution_arn)
        return withdrawn
    raise AssertionError("unreachable: the last attempt returns or raises")


def stop_review(execution_arn: str) -> None:
    """Stop the review of a withdrawn application. The withdrawal stands if this fails: a step of the workflow
    that still runs finds the application withdrawn and changes nothing, and a late decision is refused (409)."""
    try:
        aws.client("stepfunctions").stop_execution(executionArn=execution_arn, cause="withdrawn by the applicant")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            _logger.exception("review not stopped", extra={"execution_arn": execution_arn})


# ---------------------------------------------------------------------------------- after the change


def receipt_mail(app: Application, terms: SubsidyTerms) -> tuple[str, str]:
    subject = f"【jGrants】申請を受け付けました / Application received: {app.receipt_number}"
    body = (
        f"補助金「{terms.title}」の申請を受け付けました。\n"
        f"受付番号: {app.receipt_number}\n受付日時: {app.submitted_at}\n\n"
        f'Your application for "{terms.title}" was received.\n'
        f"Receipt number: {app.receipt_number}\nReceived at: {app.submitted_at}\n"
    )
    return subject, body


def receipt_outbox_mail(principal: Principal, app: Application, terms: SubsidyTerms) -> Mail | None:
    """The receipt mail, put in the submitting transaction's outbox (one per submission: a resubmission
    mails again)."""
    if not principal.email:
        return None
    subject, body = receipt_mail(app, terms)
    mail_id = f"receipt-{app.application_id}-{app.submission_count}"
    return Mail(to=principal.email, subject=subject, body=body, purpose="receipt", id=mail_id)


def execution_name(app: Application) -> str:
    return f"{app.application_id}-{app.submission_count}"


def start_review(store: ApplicationStore, app: Application) -> None:
    """Start the review state machine; the name makes a second start of the same submission a no-op."""
    settings = get_settings()
    review_input = {
        "pk": app.key["pk"]["S"],
        "sk": app.key["sk"]["S"],
        "application_id": app.application_id,
        "subsidy_id": app.subsidy_id,
        "corporate_number": app.corporate_number,
        "submission": app.submission_count,
        "timers": {  # the reminder after the first wait, the escalation after the second (TimeoutSecondsPath)
            "remind_after_seconds": settings.review_remind_after_seconds,
            "escalate_wait_seconds": max(
                1, settings.review_escalate_after_seconds - settings.review_remind_after_seconds
            ),
        },
    }
    try:
        started = aws.client("stepfunctions").start_execution(
            stateMachineArn=settings.review_state_machine_arn,
            name=execution_name(app),
            input=json.dumps(review_input),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return
        _logger.exception("review not started", extra={"application_id": app.application_id})
        return  # the submission stands; a retry with the same Idempotency-Key starts the review again
    store.set_attribute(app.application_id, "review_execution_arn", started["executionArn"])
