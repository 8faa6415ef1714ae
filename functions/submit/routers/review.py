"""The reviewers' JSON API: the queue, one application (every read audited), the decision. Thin: HTTP only."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from functions.submit.applications.model import Status
from functions.submit.applications.store import get_store
from functions.submit.applications.terms import load_terms
from functions.submit.principal import principal_from_bearer
from functions.submit.review.decisions import Decision, decide, queue, require_staff, review_view
from functions.submit.settings import get_settings
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

TAGS: Final = ["review"]
ApplicationId = Annotated[str, Path(description="The application's id", pattern=r"^[0-9a-f]{20}$")]
StatusFilter = Literal["SUBMITTED", "UNDER_REVIEW", "RETURNED", "APPROVED", "REJECTED"]


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approve", "reject", "return"]
    amount: int | None = Field(default=None, ge=1, le=10**12, description="Yen granted; required to approve")
    reason: str | None = Field(default=None, max_length=2000, description="Required to reject or return")


class QueueView(BaseModel):
    applications: list[dict[str, Any]]


def _principal() -> Any:
    return principal_from_bearer(router.current_event.headers.get("Authorization"))


@router.get(
    "/submit/v1/review/applications",
    summary="Your assignments, or the ministry's queue of a subsidy (reviewers and operators)",
    tags=TAGS,
)
def handle_review_queue(
    subsidy_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    status: Annotated[StatusFilter | None, Query(description="Only applications in this status")] = None,
) -> QueueView:
    principal = _principal()
    found = queue(get_store(), principal, [subsidy_id] if subsidy_id else [], status, mine=subsidy_id is None)
    return QueueView(applications=found)


@router.get(
    "/submit/v1/review/applications/<application_id>",
    summary="One application with its form, attachments (5-minute links), screening and history; audited",
    tags=TAGS,
)
def handle_review_application(application_id: ApplicationId) -> Response[dict[str, Any]]:
    principal = _principal()
    require_staff(principal)
    app = get_store().get(application_id)
    if app is None or app.status is Status.DRAFT:  # a draft is the applicant's alone
        raise NotFound(f"no application {application_id}")
    view = review_view(get_store(), principal, app, get_settings().attachments_bucket_name)
    return Response(status_code=200, content_type="application/json", body=view, headers={"Cache-Control": "no-store"})


@router.post(
    "/submit/v1/review/applications/<application_id>/decision",
    summary="Approve (with the amount), reject or return (with a reason): answers the review's task token",
    tags=TAGS,
    responses={202: {"description": "Accepted: the workflow records the decision and notifies the applicant"}},
)
def handle_decision(
    application_id: ApplicationId, request: Annotated[DecisionRequest, Body()]
) -> Response[dict[str, Any]]:
    principal = _principal()
    require_staff(principal)
    store = get_store()
    app = store.get(application_id)
    if app is None or app.status is Status.DRAFT:
        raise NotFound(f"no application {application_id}")
    recorded = decide(
        store, principal, app, load_terms(app.subsidy_id), Decision(request.outcome, request.amount, request.reason)
    )
    body = {"application_id": application_id, "decision": recorded, "status": "DECIDING"}
    return Response(status_code=202, content_type="application/json", body=body)
