"""The ministry operators' staff registry API: who reviews and who operates this ministry's jGrants."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from functions.submit.catalog.editing import require_operator
from functions.submit.principal import Principal, principal_from_bearer
from functions.submit.staff import SUB_PATTERN, StaffList, StaffMember, StaffMemberRequest, get_registry
from platform_common.api import json_body

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


def _principal() -> Principal:
    return principal_from_bearer(router.current_event.headers.get("Authorization"))


@router.get("/submit/v1/operator/staff", summary="This ministry's operators and reviewers", tags=["operator"])
def handle_get_staff() -> dict[str, Any]:
    require_operator(_principal())
    staff = sorted(get_registry().list_staff(), key=lambda m: (m.role, m.name, m.sub))
    body: dict[str, Any] = json_body(StaffList(count=len(staff), staff=staff))
    return body


@router.put(
    "/submit/v1/operator/staff/<sub>",
    summary="Add a gBizID account as operator or reviewer, or change its role (operators; audited)",
    description="Demoting the last operator is a 409.",
    tags=["operator"],
)
def handle_put_staff(
    sub: Annotated[str, Path(pattern=SUB_PATTERN, description="The account's gBizID sub")],
    request: Annotated[StaffMemberRequest, Body()],
) -> dict[str, Any]:
    member = StaffMember(sub=sub, role=request.role, name=request.name, email=request.email)
    body: dict[str, Any] = json_body(get_registry().put(_principal(), member))
    return body


@router.delete(
    "/submit/v1/operator/staff/<sub>",
    summary="Remove an account from the staff (operators; audited)",
    description="Removing the last operator is a 409.",
    tags=["operator"],
    responses={204: {"description": "Removed"}},
)
def handle_delete_staff(sub: Annotated[str, Path(pattern=SUB_PATTERN)]) -> Response[str]:
    get_registry().remove(_principal(), sub)
    return Response(status_code=204, body="")  # no content, so no Content-Type
