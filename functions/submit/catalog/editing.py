"""Operators' changes to the catalogue: checked, versioned, each stored with its audit event.

A change is one DynamoDB transaction over two tables: the subsidy (created only if new, replaced only over
the version the operator edited) and a pending audit event in the applications table, appended to the
ministry's audit chain right after (:mod:`functions.submit.pending_audit`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from functions.submit.catalog.documents import SubsidyCreateRequest
from functions.submit.catalog.form_schema import check_form_schema
from functions.submit.dal import StaleVersion, SubsidyItem, SubsidyStore
from functions.submit.models import Subsidy, SubsidyContent
from functions.submit.pending_audit import PendingAudit, append_pending
from platform_common.audit import AuditLog
from platform_common.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, PreconditionFailed

OPERATOR: Final = "operator"
_SERVER_FIELDS: Final = frozenset({"id", "created_date", "updated_date"})


class StaffActor(Protocol):
    """What the catalogue needs of the request's principal (``functions.submit.principal.Principal``)."""

    @property
    def sub(self) -> str: ...

    @property
    def staff_roles(self) -> frozenset[str]: ...


def require_operator(actor: StaffActor) -> None:
    if OPERATOR not in actor.staff_roles:
        raise Forbidden(detail="only an operator of this ministry may do this")


@dataclass(frozen=True)
class CatalogueChange:
    item: SubsidyItem
    newly_published: bool  # public now and not before: saved searches are matched against it


def content_errors(content: SubsidyContent) -> list[FieldError]:
    """Rules between fields, which the field types alone cannot say."""
    errors: list[FieldError] = []
    start, end = content.acceptance_start_datetime, content.acceptance_end_datetime
    if start is not None and end is not None and end < start:
        errors.append(FieldError("acceptance_end_datetime", "the acceptance window ends before it starts"))
    seen: set[str] = set()
    for index, attachment in enumerate(content.attachments):
        if attachment.code in seen:
            errors.append(FieldError(f"attachments/{index}/code", f"the code {attachment.code!r} is used twice"))
        seen.add(attachment.code)
    return errors


def check_content(content: SubsidyContent) -> None:
    errors = content_errors(content)
    if content.form_schema is not None:
        try:
            check_form_schema(content.form_schema)
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in errors), errors=errors)


def new_subsidy_id() -> str:
    return "a0W" + secrets.token_hex(6)


def changed_fields(before: Subsidy, after: Subsidy) -> list[str]:
    old, new = before.model_dump(), after.model_dump()
    return sorted(name for name in new if name not in _SERVER_FIELDS and old.get(name) != new[name])


def _audit_event(actor: StaffActor, kind: str, subsidy: Subsidy, version: int, changed: list[str]) -> PendingAudit:
    return PendingAudit(
        kind=kind,
        actor_sub=actor.sub,
        detail={
            "subsidy_id": subsidy.id,
            "version": str(version),
            "published": str(subsidy.published).lower(),
            "changed": ",".join(changed),
        },
    )


def create_subsidy(
    store: SubsidyStore, log: AuditLog, actor: StaffActor, request: SubsidyCreateRequest, now: datetime
) -> CatalogueChange:
    require_operator(actor)
    check_content(request)
    content = request.model_dump(exclude={"id"})
    subsidy = Subsidy.model_validate({**content, "id": request.id or new_subsidy_id(), "created_date": now})
    subsidy = subsidy.model_copy(update={"updated_date": now})
    item = SubsidyItem.from_subsidy(subsidy, version=1)
    event = _audit_event(actor, "subsidy.created", subsidy, 1, sorted(request.model_fields_set - {"id"}))
    try:
        store.write(item, None, [event.transact_put(log.table_name)])
    except StaleVersion as exc:
        message = f"a subsidy with id {subsidy.id!r} exists already"
        raise Conflict(detail=message, errors=[FieldError("id", message)]) from exc
    append_pending(log, log.table_name, event)
    return CatalogueChange(item, newly_published=subsidy.published)


def update_subsidy(
    store: SubsidyStore,
    log: AuditLog,
    actor: StaffActor,
    subsidy_id: str,
    expected_version: int,
    content: SubsidyContent,
    now: datetime,
) -> CatalogueChange:
    require_operator(actor)
    current = store.get_item(subsidy_id)
    if current is None:
        raise NotFound(detail=f"no subsidy with id {subsidy_id!r}")
    if current.version != expected_version:
        raise stale(current.version)
    check_content(content)
    before = current.to_subsidy()
    after = Subsidy.model_validate(
        {**content.model_dump(), "id": subsidy_id, "created_date": before.created_date, "updated_date": now}
    )
    version = current.version + 1
    item = SubsidyItem.from_subsidy(after, version=version)
    event = _audit_event(actor, "subsidy.updated", after, version, changed_fields(before, after))
    try:
        store.write(item, expected_version, [event.transact_put(log.table_name)])
    except StaleVersion as exc:
        latest = store.get_item(subsidy_id)
        raise stale(latest.version if latest else expected_version) from exc
    append_pending(log, log.table_name, event)
    return CatalogueChange(item, newly_published=after.published and not before.published)


def stale(current_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        detail=f"the subsidy was changed meanwhile: the current version is {current_version}; reload and merge",
        errors=[FieldError("If-Match", f"current version is {current_version}")],
    )


def get_operator_item(store: SubsidyStore, actor: StaffActor, subsidy_id: str) -> SubsidyItem:
    require_operator(actor)
    item = store.get_item(subsidy_id)
    if item is None:
        raise NotFound(detail=f"no subsidy with id {subsidy_id!r}")
    return item
