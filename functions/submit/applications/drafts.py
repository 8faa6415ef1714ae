"""Drafts that are never lost: started once per corporation and subsidy, saved on the server as typed.

A draft belongs to the corporation, not to a browser session: it survives a session timeout, a closed tab
and a new login. Starting an application twice returns the open one (the ``DRAFTKEY`` item); each save
names the version it was based on and a stale one is refused with the current draft (412), so two tabs or
two colleagues never overwrite each other silently.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.submit.applications.access import acting_for, require_access
from functions.submit.applications.model import OPEN, Application, Status, draft_key
from functions.submit.applications.prefill import apply_prefill, exchange_documents, hojin_record, prefill
from functions.submit.applications.store import ApplicationStore, AuditEvent, Change, now_iso
from functions.submit.applications.terms import SubsidyTerms
from functions.submit.principal import Principal
from platform_common import aws
from platform_common.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Started:
    application: Application
    created: bool


def new_application_id() -> str:
    return secrets.token_hex(10)


def _open_draft(store: ApplicationStore, corporate_number: str, subsidy_id: str) -> Application | None:
    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table, Key=draft_key(corporate_number, subsidy_id), ConsistentRead=True)
        .get("Item")
    )
    if not item:
        return None
    found = store.get(item["application_id"]["S"])
    return found if found is not None and found.status in OPEN else None


def start_application(
    store: ApplicationStore,
    principal: Principal,
    terms: SubsidyTerms,
    corporate_number: str | None,
    now: datetime,
) -> Started:
    """The corporation's open application for this subsidy, created (and prefilled) if there is none."""
    acting = acting_for(principal, corporate_number)
    if acting.mandate is None and not principal.meets_tier(terms.minimum_tier):
        raise Forbidden(f"this subsidy needs a gBizID {terms.minimum_tier} account (or a Member of one)")
    existing = _open_draft(store, acting.corporate_number, terms.subsidy_id)
    if existing is not None:
        return Started(existing, created=False)
    if terms.acceptance_end is not None and now > terms.acceptance_end:
        raise Conflict(f"applications for {terms.subsidy_id} closed at {terms.acceptance_end.isoformat()}")
    own = acting.mandate is None
    exchanged = exchange_documents(terms.form_schema, acting.corporate_number)
    fields = prefill(terms.form_schema, principal.claims, hojin_record(acting.corporate_number), own, exchanged)
    at = now_iso()
    app = Application(
        application_id=new_application_id(),
        subsidy_id=terms.subsidy_id,
        subsidy_title=terms.title,
        corporate_number=acting.corporate_number,
        status=Status.DRAFT,
        form=apply_prefill({}, fields),
        version=1,
        applicant_sub=principal.sub,
        created_at=at,
        updated_at=at,
        mandate=acting.mandate.reference() if acting.mandate else None,
    )
    claim_key = _claim_draft_key(store, acting.corporate_number, terms.subsidy_id, app)
    audit = AuditEvent(
        "application.started",
        principal.sub,
        acting.corporate_number,
        _detail(app),
    )
    try:
        store.apply(Change(before=None, after=app, actor_sub=principal.sub, audit=audit, extra_items=[claim_key]))
    except Conflict:
        raced = _open_draft(store, acting.corporate_number, terms.subsidy_id)
        if raced is None:
            raise
        return Started(raced, created=False)  # another request started it a moment earlier
    return Started(app, created=True)


def _claim_draft_key(
    store: ApplicationStore, corporate_number: str, subsidy_id: str, app: Application
) -> dict[str, Any]:
    """The transaction item pointing the draft key at ``app``: a key left by a closed application is taken
    over (only if it still names that application); a missing key is created (only if still missing)."""
    key = draft_key(corporate_number, subsidy_id)
    item = {**key, "application_id": {"S": app.application_id}, "created_at": {"S": app.created_at}}
    previous = aws.client("dynamodb").get_item(TableName=store.table, Key=key, ConsistentRead=True).get("Item")
    put: dict[str, Any] = {"TableName": store.table, "Item": item}
    if previous is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "application_id = :previous"
        put["ExpressionAttributeValues"] = {":previous": previous["application_id"]}
    return {"Put": put}


def _detail(app: Application) -> dict[str, str]:
    detail = {"application_id": app.application_id, "subsidy_id": app.subsidy_id, "status": app.status.value}
    if app.mandate:
        detail.update({f"mandate_{k}": v for k, v in app.mandate.items() if k != "procedures"})
    return detail


def save_draft(
    store: ApplicationStore, principal: Principal, application_id: str, expected_version: int, form: Mapping[str, Any]
) -> Application:
    """The autosave: 404 unless the principal's corporation owns it, 412 (with the current draft) if stale."""
    app, _ = require_access(principal, store.get(application_id), application_id)
    return store.save_form(app, expected_version, form)
