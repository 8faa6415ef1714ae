"""The applicant's JSON API: start, autosave, prefill, attachments, submit, withdraw. Thin: HTTP only."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BaseModel, ConfigDict, Field

from functions.submit.applications.access import corporations_of, require_access
from functions.submit.applications.drafts import save_draft, start_application
from functions.submit.applications.model import ATT_PREFIX, HIST_PREFIX, Application
from functions.submit.applications.prefill import exchange_documents, hojin_record, prefill
from functions.submit.applications.store import StaleVersion, get_store
from functions.submit.applications.submission import submit, withdraw
from functions.submit.applications.terms import load_terms
from functions.submit.attachments import Attachment, complete, request_upload
from functions.submit.principal import Principal, principal_from_bearer
from functions.submit.scan import scanner_named
from functions.submit.settings import get_settings
from platform_common.errors import FieldError, InvalidInput, problem_body

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

TAGS: Final = ["applications"]
APPLICATION_ID: Final = r"^[0-9a-f]{20}$"
_IDEMPOTENCY_KEY: Final = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
_VERSION: Final = re.compile(r'^(W/)?"?(\d{1,9})"?$')

ApplicationId = Annotated[str, Path(description="The application's id", pattern=APPLICATION_ID)]


# ------------------------------------------------------------------------------------------ models


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartRequest(_Request):
    subsidy_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    corporate_number: str | None = Field(
        default=None,
        pattern=r"^\d{13}$",
        description="Only for an adviser: the corporation it holds a mandate for (default: the account's own)",
    )


class SaveRequest(_Request):
    form: dict[str, Any] = Field(description="The whole form as typed so far (it replaces the saved one)")


class UploadRequest(_Request):
    kind: str = Field(min_length=1, max_length=40, description="The subsidy's attachment code")
    file_name: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(min_length=1, max_length=100)
    size: int = Field(ge=0, description="Bytes")
    sha256: str = Field(min_length=1, max_length=100, description="SHA-256 of the file, base64 (x-amz-checksum-sha256)")


class WithdrawRequest(_Request):
    reason: str | None = Field(default=None, max_length=500)


class ApplicationView(BaseModel):
    id: str
    subsidy_id: str
    subsidy_title: str
    corporate_number: str
    status: str
    version: int
    form: dict[str, Any]
    created_at: str
    updated_at: str
    submitted_at: str | None = None
    receipt_number: str | None = None
    submitted_by: str | None = None
    on_behalf_under_mandate: dict[str, str] | None = None
    attachments: list[dict[str, Any]] | None = None
    history: list[dict[str, str]] | None = None
    screening: list[dict[str, Any]] | None = Field(default=None, description="The review's automatic checks")
    decision: dict[str, Any] | None = Field(default=None, description="The review's decision (outcome, amount, reason)")

    @classmethod
    def of(cls, app: Application, *, details: bool = False) -> ApplicationView:
        view = cls(
            id=app.application_id,
            subsidy_id=app.subsidy_id,
            subsidy_title=app.subsidy_title,
            corporate_number=app.corporate_number,
            status=app.status.value,
            version=app.version,
            form=app.form,
            created_at=app.created_at,
            updated_at=app.updated_at,
            submitted_at=app.submitted_at,
            receipt_number=app.receipt_number,
            submitted_by=app.submitted_by,
            on_behalf_under_mandate=app.mandate,
            screening=_review_json(app, "screening"),
            decision=_applicant_decision(app),
        )
        if details:
            store = get_store()
            view.attachments = [
                Attachment.from_item(i).public() for i in store.children(app.application_id, ATT_PREFIX)
            ]
            view.history = [
                {k: v["S"] for k, v in item.items() if k in ("from", "to", "by", "at", "reason")}
                for item in store.children(app.application_id, HIST_PREFIX)
            ]
        return view


def _review_json(app: Application, name: str) -> Any:
    raw = app.extra.get(name, {}).get("S")
    return json.loads(raw) if raw else None


def _applicant_decision(app: Application) -> dict[str, Any] | None:
    """The decision without the reviewer's identity."""
    decision = _review_json(app, "decision")
    return {k: v for k, v in decision.items() if k != "reviewer_sub"} if isinstance(decision, dict) else None


class ApplicationList(BaseModel):
    applications: list[ApplicationView]


class PrefillValue(BaseModel):
    pointer: str = Field(description="JSON pointer of the form field")
    source: str = Field(
        description="Where the value comes from: userinfo:<claim>, gbizinfo:<field> or exchange:<service>:<field>"
    )
    value: Any = None


class PrefillView(BaseModel):
    application_id: str
    fields: list[PrefillValue]


class UploadView(BaseModel):
    attachment: dict[str, Any]
    upload: dict[str, Any] = Field(description="PUT the file to url with exactly these headers, then complete")


# ------------------------------------------------------------------------------------------ helpers


def _principal() -> Principal:
    return principal_from_bearer(router.current_event.headers.get("Authorization"))


def _header(name: str) -> str | None:
    value = router.current_event.headers.get(name)  # case-insensitive
    return value.strip() if value else None


def _with_etag(view: ApplicationView, status: int = 200) -> Response[ApplicationView]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=view,
        headers={"ETag": f'"{view.version}"', "Cache-Control": "no-store"},
    )


def _load(principal: Principal, application_id: str) -> Application:
    return require_access(principal, get_store().get(application_id), application_id)[0]


def _bucket() -> str:
    return get_settings().attachments_bucket_name


# ------------------------------------------------------------------------------------------ routes


@router.get("/submit/v1/applications", summary="The applications of your corporation(s)", tags=TAGS)
def handle_list_applications() -> ApplicationList:
    principal, store = _principal(), get_store()
    found = [app for number in corporations_of(principal) for app in store.for_corporation(number)]
    return ApplicationList(applications=[ApplicationView.of(app) for app in found])


@router.post(
    "/submit/v1/applications",
    summary="Start an application (or get the open one: starting twice returns the same application)",
    tags=TAGS,
    responses={
        200: {"description": "The corporation's open application (starting twice returns it)"},
        201: {"description": "A new draft, prefilled"},
    },
)
def handle_start_application(request: Annotated[StartRequest, Body()]) -> Response[ApplicationView]:
    principal = _principal()
    terms = load_terms(request.subsidy_id)
    started = start_application(get_store(), principal, terms, request.corporate_number, datetime.now(UTC))
    return _with_etag(ApplicationView.of(started.application, details=True), 201 if started.created else 200)


@router.get("/submit/v1/applications/<application_id>", summary="One application", tags=TAGS)
def handle_get_application(application_id: ApplicationId) -> Response[ApplicationView]:
    return _with_etag(ApplicationView.of(_load(_principal(), application_id), details=True))


@router.patch(
    "/submit/v1/applications/<application_id>",
    summary="Save the draft (If-Match: the version it was based on)",
    description="A stale version answers 412 with the current application under `current`, to merge and retry.",
    tags=TAGS,
)
def handle_save_application(application_id: ApplicationId, request: Annotated[SaveRequest, Body()]) -> Response[Any]:
    principal = _principal()
    matched = _VERSION.match(_header("If-Match") or "")
    if not matched:
        raise InvalidInput.for_field("If-Match", 'send the version the draft was based on, e.g. If-Match: "3"')
    try:
        saved = save_draft(get_store(), principal, application_id, int(matched.group(2)), request.form)
    except StaleVersion as stale:
        body = problem_body(stale.status, stale.slug, stale.detail, [FieldError("If-Match", stale.detail)])
        body["current_version"] = stale.current.version
        body["current"] = ApplicationView.of(stale.current).model_dump()
        return Response(
            status_code=int(stale.status),
            content_type="application/problem+json",
            body=json.dumps(body, ensure_ascii=False),
            headers={"ETag": f'"{stale.current.version}"'},
        )
    return _with_etag(ApplicationView.of(saved))


@router.get(
    "/submit/v1/applications/<application_id>/prefill",
    summary="The form's values the government already holds, each with its source",
    tags=TAGS,
)
def handle_get_prefill(application_id: ApplicationId) -> PrefillView:
    principal = _principal()
    app = _load(principal, application_id)
    terms = load_terms(app.subsidy_id)
    own = principal.corporate_number == app.corporate_number
    exchanged = exchange_documents(terms.form_schema, app.corporate_number)
    found = prefill(terms.form_schema, principal.claims, hojin_record(app.corporate_number), own, exchanged)
    return PrefillView(
        application_id=app.application_id,
        fields=[PrefillValue(pointer=f.pointer, source=f.source, value=f.value) for f in found],
    )


@router.post(
    "/submit/v1/applications/<application_id>/attachments",
    summary="Declare an attachment and get a presigned upload URL that requires its SHA-256",
    tags=TAGS,
    responses={
        201: {"description": "The attachment and its upload", "content": {"application/json": {"model": UploadView}}}
    },
)
def handle_request_upload(
    application_id: ApplicationId, request: Annotated[UploadRequest, Body()]
) -> Response[UploadView]:
    principal = _principal()
    app = _load(principal, application_id)
    attachment, upload = request_upload(
        get_store(),
        _bucket(),
        app,
        load_terms(app.subsidy_id),
        kind=request.kind,
        file_name=request.file_name,
        content_type=request.content_type,
        size=request.size,
        sha256=request.sha256,
    )
    return Response(
        status_code=201, content_type="application/json", body=UploadView(attachment=attachment.public(), upload=upload)
    )


@router.post(
    "/submit/v1/applications/<application_id>/attachments/<attachment_id>/complete",
    summary="Verify an uploaded attachment (checksum, size, type, malware scan)",
    tags=TAGS,
    response_description="The attachment: VERIFIED, MISMATCH, QUARANTINED, or still PENDING while a scan runs",
)
def handle_complete_upload(
    application_id: ApplicationId,
    attachment_id: Annotated[str, Path(description="The attachment's id", pattern=r"^[0-9a-f]{20}$")],
) -> dict[str, Any]:
    principal = _principal()
    app = _load(principal, application_id)
    scanner = scanner_named(get_settings().malware_scanner)
    return complete(get_store(), _bucket(), scanner, app, attachment_id, principal.sub).public()


@router.post(
    "/submit/v1/applications/<application_id>/submit",
    summary="Submit (Idempotency-Key header required: a retry with the same key returns the same receipt)",
    tags=TAGS,
)
def handle_submit(application_id: ApplicationId) -> Response[ApplicationView]:
    principal = _principal()
    key = _header("Idempotency-Key")
    if not key or not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInput.for_field("Idempotency-Key", "8-64 letters, digits and _ . : - identifying this attempt")
    app = _load(principal, application_id)
    done = submit(get_store(), principal, load_terms(app.subsidy_id), application_id, key, datetime.now(UTC))
    return _with_etag(ApplicationView.of(done.application, details=True))


@router.post(
    "/submit/v1/applications/<application_id>/withdraw",
    summary="Withdraw the application (before its review starts)",
    tags=TAGS,
)
def handle_withdraw(
    application_id: ApplicationId, request: Annotated[WithdrawRequest | None, Body()] = None
) -> Response[ApplicationView]:
    principal = _principal()
    reason = request.reason if request else None
    return _with_etag(ApplicationView.of(withdraw(get_store(), principal, application_id, reason), details=True))
